// Term-quantization golden model against independent references: bit strings and runs of ones for
// the encoders, brute force over all signed-digit forms for NAF minimality, a sort-based selection
// for group TQ, plain integer dot products for tq_dot, and a hand-written decoder of the documented
// term-memory layout.
#include <algorithm>
#include <catch2/catch.hpp>
#include <map>
#include <random>
#include <string>

#include "quant/tq.hpp"

using namespace qrtl::quant;

namespace {

const Encoder kEncoders[] = {Encoder::Binary, Encoder::Hese, Encoder::Naf};

std::int64_t ref_sum(const std::vector<Term>& t) {
  std::int64_t s = 0;
  for (const auto& x : t) s += x.sign * (std::int64_t{1} << x.exp);
  return s;
}

// Runs of ones of |v| as (hi, lo) bit positions, MSB-first, read off the binary string.
std::vector<std::pair<int, int>> runs_of_ones(std::int64_t v) {
  std::string bits;  // bits[i] = bit i
  for (auto m = v < 0 ? -v : v; m != 0; m /= 2) bits.push_back(m % 2 == 1 ? '1' : '0');
  std::vector<std::pair<int, int>> runs;
  for (int i = static_cast<int>(bits.size()) - 1; i >= 0;) {
    if (bits[static_cast<std::size_t>(i)] == '0') { --i; continue; }
    const int hi = i;
    while (i >= 0 && bits[static_cast<std::size_t>(i)] == '1') --i;
    runs.push_back({hi, i + 1});
  }
  return runs;
}

// HESE from runs: a lone one stays, a longer run b[hi..lo] is 2^(hi+1) - 2^lo.
std::vector<Term> ref_hese(std::int64_t v) {
  const int s = v < 0 ? -1 : 1;
  std::vector<Term> t;
  for (auto [hi, lo] : runs_of_ones(v)) {
    if (hi == lo) {
      t.push_back({s, hi});
    } else {
      t.push_back({s, hi + 1});
      t.push_back({-s, lo});
    }
  }
  return t;
}

bool strictly_decreasing(const std::vector<Term>& t) {
  for (std::size_t i = 1; i < t.size(); ++i)
    if (t[i].exp >= t[i - 1].exp) return false;
  return true;
}

// Group TQ by sorting: every term of every value as (exp, index, position in value), ordered by
// exponent descending then index ascending; the first k are the selection. Per-value order is
// checked, not assumed: each value's selected terms must be a prefix of its own list.
std::vector<GroupTerm> ref_group_tq(const std::vector<std::int64_t>& values, int k, Encoder e) {
  struct Cand { int exp, index, pos, sign; };
  std::vector<Cand> all;
  for (std::size_t j = 0; j < values.size(); ++j) {
    const auto t = encode(values[j], e);
    for (std::size_t p = 0; p < t.size(); ++p)
      all.push_back({t[p].exp, static_cast<int>(j), static_cast<int>(p), t[p].sign});
  }
  std::sort(all.begin(), all.end(), [](const Cand& a, const Cand& b) {
    if (a.exp != b.exp) return a.exp > b.exp;
    if (a.index != b.index) return a.index < b.index;
    return a.pos < b.pos;
  });
  all.resize(std::min(all.size(), static_cast<std::size_t>(k)));
  std::map<int, int> next_pos;
  std::vector<GroupTerm> out;
  for (const auto& c : all) {
    REQUIRE(c.pos == next_pos[c.index]++);
    out.push_back({c.sign, c.exp, c.index});
  }
  return out;
}

std::vector<std::int64_t> ref_group_values(const std::vector<GroupTerm>& t, std::size_t g) {
  std::vector<std::int64_t> v(g, 0);
  for (const auto& x : t) v.at(static_cast<std::size_t>(x.index)) += x.sign * (std::int64_t{1} << x.exp);
  return v;
}

std::int64_t ref_truncate(std::int64_t v, int k, Encoder e) {
  auto t = encode(v, e);
  if (t.size() > static_cast<std::size_t>(k)) t.resize(static_cast<std::size_t>(k));
  return ref_sum(t);
}

std::vector<std::int64_t> random_values(std::mt19937_64& rng, std::size_t n, std::int64_t max_abs) {
  std::uniform_int_distribution<std::int64_t> d(-max_abs, max_abs);
  std::uniform_int_distribution<int> zero(0, 3);
  std::vector<std::int64_t> v(n);
  for (auto& x : v) x = zero(rng) == 0 ? 0 : d(rng);
  return v;
}

// Decodes one term-memory line by the documented layout [valid][sign][exp][index], MSB first.
struct Decoded { bool valid; GroupTerm t; };
Decoded decode_line(const std::string& line, int exp_bits, int index_bits) {
  const int width = 2 + exp_bits + index_bits;
  REQUIRE(line.size() == static_cast<std::size_t>((width + 3) / 4));
  REQUIRE(line.find_first_not_of("0123456789abcdef") == std::string::npos);
  const auto x = std::stoull(line, nullptr, 16);
  if (width < 64) REQUIRE((x >> width) == 0);
  const bool valid = ((x >> (width - 1)) & 1U) != 0;
  const bool neg = ((x >> (width - 2)) & 1U) != 0;
  const auto exp = static_cast<int>((x >> index_bits) & ((1ULL << exp_bits) - 1));
  const auto idx = static_cast<int>(x & ((1ULL << index_bits) - 1));
  if (!valid) REQUIRE(x == 0);
  return {valid, {neg ? -1 : 1, exp, idx}};
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (std::size_t nl; (nl = s.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(s.substr(start, nl - start));
  REQUIRE(start == s.size());  // every line is newline-terminated
  return lines;
}

}  // namespace

TEST_CASE("tq encodings reconstruct every value in -1024..1024 largest term first", "[golden]") {
  for (std::int64_t v = -1024; v <= 1024; ++v)
    for (auto e : kEncoders) {
      const auto t = encode(v, e);
      REQUIRE(ref_sum(t) == v);
      REQUIRE(value_of(t) == v);
      REQUIRE(strictly_decreasing(t));  // sorted by magnitude and distinct exponents
      for (const auto& x : t) REQUIRE((x.sign == 1 || x.sign == -1));
      if (v == 0) REQUIRE(t.empty());
      // Negative values are the mirror image of their magnitude.
      auto mirrored = encode(v < 0 ? -v : v, e);
      if (v < 0)
        for (auto& x : mirrored) x.sign = -x.sign;
      REQUIRE(t == mirrored);
    }
}

TEST_CASE("tq binary terms are exactly the set bits", "[golden]") {
  for (std::int64_t v = -1024; v <= 1024; ++v) {
    const auto m = static_cast<std::uint64_t>(v < 0 ? -v : v);
    std::vector<Term> ref;
    for (int i = 11; i >= 0; --i)
      if ((m >> i) & 1U) ref.push_back({v < 0 ? -1 : 1, i});
    REQUIRE(encode(v, Encoder::Binary) == ref);
  }
}

TEST_CASE("tq hese follows the window rule as runs of ones", "[golden]") {
  for (std::int64_t v = -4096; v <= 4096; ++v) REQUIRE(encode(v, Encoder::Hese) == ref_hese(v));
  CHECK(encode(27, Encoder::Hese) == std::vector<Term>{{1, 5}, {-1, 3}, {1, 2}, {-1, 0}});
  CHECK(encode(7, Encoder::Hese) == std::vector<Term>{{1, 3}, {-1, 0}});
  CHECK(encode(5, Encoder::Hese) == std::vector<Term>{{1, 2}, {1, 0}});
  CHECK(encode(22, Encoder::Hese) == std::vector<Term>{{1, 4}, {1, 3}, {-1, 1}});
  CHECK(encode(-6, Encoder::Hese) == std::vector<Term>{{-1, 3}, {1, 1}});
}

TEST_CASE("tq naf is minimal by brute force over all signed-digit forms", "[golden]") {
  // Digits in {-1 0 1} at positions 0..11 cover every minimal form of |v| <= 1023.
  constexpr int kPos = 12;
  std::map<std::int64_t, int> min_weight;
  std::vector<int> d(kPos, -1);
  for (;;) {
    std::int64_t v = 0;
    int w = 0;
    for (int i = 0; i < kPos; ++i) {
      v += d[static_cast<std::size_t>(i)] * (std::int64_t{1} << i);
      w += d[static_cast<std::size_t>(i)] != 0;
    }
    if (v >= -1023 && v <= 1023) {
      auto it = min_weight.find(v);
      if (it == min_weight.end() || w < it->second) min_weight[v] = w;
    }
    int i = 0;  // next digit vector, base-3 odometer
    while (i < kPos && d[static_cast<std::size_t>(i)] == 1) d[static_cast<std::size_t>(i++)] = -1;
    if (i == kPos) break;
    ++d[static_cast<std::size_t>(i)];
  }
  REQUIRE(min_weight.size() == 2047);
  for (std::int64_t v = -1023; v <= 1023; ++v) {
    const auto t = encode(v, Encoder::Naf);
    REQUIRE(static_cast<int>(t.size()) == min_weight[v]);
    for (std::size_t i = 1; i < t.size(); ++i) REQUIRE(t[i - 1].exp - t[i].exp >= 2);  // non-adjacent
  }
  CHECK(encode(27, Encoder::Naf) == std::vector<Term>{{1, 5}, {-1, 2}, {-1, 0}});
  CHECK(encode(-27, Encoder::Naf) == std::vector<Term>{{-1, 5}, {1, 2}, {1, 0}});
}

TEST_CASE("tq term counts over all 8-bit values", "[golden]") {
  int total[3] = {0, 0, 0};
  for (std::int64_t v = 0; v <= 255; ++v) {
    const auto nb = encode(v, Encoder::Binary).size();
    const auto nh = encode(v, Encoder::Hese).size();
    const auto nn = encode(v, Encoder::Naf).size();
    REQUIRE(nh <= nb);
    REQUIRE(nn <= nh);
    std::size_t runs_cost = 0;  // a run of L ones costs min(L 2) hese terms
    for (auto [hi, lo] : runs_of_ones(v)) runs_cost += hi == lo ? 1 : 2;
    REQUIRE(nh == runs_cost);
    total[0] += static_cast<int>(nb);
    total[1] += static_cast<int>(nh);
    total[2] += static_cast<int>(nn);
  }
  // Binary: each of 8 bits is set in 128 of the 256 values, so an average of 4.0 terms.
  CHECK(total[0] == 8 * 128);
  // Hese and naf totals computed independently (Python, runs of ones / textbook NAF).
  CHECK(total[1] == 832);
  CHECK(total[2] == 796);
}

TEST_CASE("tq truncation keeps the leading terms", "[golden]") {
  const auto t = encode(27, Encoder::Naf);
  CHECK(truncate_terms(t, 0).empty());
  CHECK(truncate_terms(t, 1) == std::vector<Term>{{1, 5}});
  CHECK(value_of(truncate_terms(t, 2)) == 28);
  CHECK(truncate_terms(t, 9) == t);
  CHECK(truncate_value(27, 2, Encoder::Binary) == 24);
  CHECK(truncate_value(-27, 1, Encoder::Hese) == -32);
  CHECK_THROWS_AS(truncate_terms(t, -1), std::invalid_argument);
  CHECK_THROWS_AS(encode(std::int64_t{1} << 62, Encoder::Naf), std::out_of_range);
  CHECK_THROWS_AS(encode(INT64_MIN, Encoder::Binary), std::out_of_range);
  CHECK(ref_sum(encode((std::int64_t{1} << 62) - 1, Encoder::Hese)) == (std::int64_t{1} << 62) - 1);
}

TEST_CASE("tq encoder names parse and unknown names list the choices", "[golden]") {
  CHECK(parse_encoder("binary") == Encoder::Binary);
  CHECK(parse_encoder("hese") == Encoder::Hese);
  CHECK(parse_encoder("booth") == Encoder::Hese);
  CHECK(parse_encoder("naf") == Encoder::Naf);
  for (auto e : kEncoders) CHECK(parse_encoder(encoder_name(e)) == e);
  CHECK_THROWS_AS(parse_encoder("csd"), std::invalid_argument);
  CHECK_THROWS_WITH(parse_encoder("NAF"), Catch::Contains("binary, hese, naf") && Catch::Contains("NAF"));
}

TEST_CASE("group tq agrees with the sort-based reference on random groups", "[golden]") {
  std::mt19937_64 rng(2024);
  for (int g : {1, 2, 4, 8, 16})
    for (auto e : kEncoders)
      for (int trial = 0; trial < 60; ++trial) {
        const auto vals = random_values(rng, static_cast<std::size_t>(g), trial % 4 == 0 ? 1 << 20 : 255);
        const auto all = ref_group_tq(vals, 1 << 20, e);
        const int total = static_cast<int>(all.size());
        for (int k = 0; k <= total + 1; ++k) {
          const auto sel = group_tq(vals, k, e);
          REQUIRE(sel == ref_group_tq(vals, k, e));
          REQUIRE(static_cast<int>(sel.size()) == std::min(k, total));
          for (std::size_t i = 1; i < sel.size(); ++i) REQUIRE(sel[i].exp <= sel[i - 1].exp);  // MSB-first
          REQUIRE(group_values(sel, g) == ref_group_values(sel, static_cast<std::size_t>(g)));
        }
        // Enough budget reconstructs the group exactly.
        REQUIRE(group_values(group_tq(vals, total, e), g) == vals);
        REQUIRE(group_values(group_tq(vals, total + 5, e), g) == vals);
      }
}

TEST_CASE("group tq ties go to the lowest index", "[golden]") {
  const std::vector<std::int64_t> vals{3, 12, 12, 4};  // binary: 2+1 | 8+4 | 8+4 | 4
  CHECK(group_tq(vals, 6, Encoder::Binary) ==
        std::vector<GroupTerm>{{1, 3, 1}, {1, 3, 2}, {1, 2, 1}, {1, 2, 2}, {1, 2, 3}, {1, 1, 0}});
}

TEST_CASE("group tq of size 1 equals per-value truncation", "[golden]") {
  for (std::int64_t v = -300; v <= 300; ++v)
    for (auto e : kEncoders)
      for (int k = 0; k <= 6; ++k) {
        std::vector<GroupTerm> ref;
        for (const auto& t : truncate_terms(encode(v, e), k)) ref.push_back({t.sign, t.exp, 0});
        const std::vector<std::int64_t> one{v};
        REQUIRE(group_tq(one, k, e) == ref);
        REQUIRE(group_values(group_tq(one, k, e), 1)[0] == ref_truncate(v, k, e));
      }
}

TEST_CASE("group tq budgets are prefixes of larger budgets", "[golden]") {
  std::mt19937_64 rng(77);
  for (int g : {2, 4, 8, 16})
    for (auto e : kEncoders)
      for (int trial = 0; trial < 40; ++trial) {
        const auto vals = random_values(rng, static_cast<std::size_t>(g), 1023);
        const auto full = group_tq(vals, 64, e);
        for (int k1 = 0; k1 <= static_cast<int>(full.size()); ++k1)
          for (int k2 = k1 + 1; k2 <= static_cast<int>(full.size()) + 1; ++k2) {
            const auto a = group_tq(vals, k1, e), b = group_tq(vals, k2, e);
            REQUIRE(std::equal(a.begin(), a.end(), b.begin()));
          }
      }
}

TEST_CASE("tq tensor pads the last group with zeros", "[golden]") {
  const std::vector<std::int64_t> w{5, -3, 7, 9, 1};
  const auto groups = tq_tensor(w, 2, 3, Encoder::Binary);
  REQUIRE(groups.size() == 3);
  CHECK(groups[2] == std::vector<GroupTerm>{{1, 0, 0}});  // the padded zero has no terms
  // {5 -3}: 2^2@0 2^1@1 then 2^0 ties -> index 0, so -3 loses its 2^0. {7 9}: 2^3@1 2^2@0 2^1@0.
  CHECK(tq_quantize(w, 2, 3, Encoder::Binary) == std::vector<std::int64_t>{5, -2, 6, 8, 1});
  CHECK(tq_quantize(w, 4, 100, Encoder::Naf) == w);
  CHECK(tq_tensor(std::vector<std::int64_t>{}, 4, 3, Encoder::Naf).empty());
  CHECK_THROWS_AS(tq_tensor(w, 0, 3, Encoder::Naf), std::invalid_argument);
  CHECK_THROWS_AS(group_tq(w, -1, Encoder::Naf), std::invalid_argument);
}

TEST_CASE("tq dot equals the integer dot product of the quantized operands", "[golden]") {
  std::mt19937_64 rng(9);
  std::uniform_int_distribution<int> len_d(1, 70);
  for (int g : {1, 2, 4, 8, 16})
    for (auto ew : kEncoders)
      for (auto ea : kEncoders)
        for (int trial = 0; trial < 12; ++trial) {
          const auto n = static_cast<std::size_t>(len_d(rng));
          const auto w = random_values(rng, n, 127);
          const auto a = random_values(rng, n, 255);
          for (int k_w : {0, 1, 3, g, 2 * g, 100})
            for (int k_a : {0, 1, 2, 8}) {
              std::int64_t ref = 0;
              std::vector<int> ref_pairs;
              for (std::size_t base = 0; base < n; base += static_cast<std::size_t>(g)) {
                std::vector<std::int64_t> group(static_cast<std::size_t>(g), 0);
                for (std::size_t j = 0; j < group.size() && base + j < n; ++j) group[j] = w[base + j];
                const auto sel = ref_group_tq(group, k_w, ew);
                const auto wq = ref_group_values(sel, group.size());
                int pairs = 0;
                for (std::size_t j = 0; j < group.size() && base + j < n; ++j) {
                  ref += wq[j] * ref_truncate(a[base + j], k_a, ea);
                  const auto na = std::min(encode(a[base + j], ea).size(), static_cast<std::size_t>(k_a));
                  pairs += static_cast<int>(std::count_if(sel.begin(), sel.end(), [&](const GroupTerm& t) {
                             return t.index == static_cast<int>(j);
                           }) * static_cast<std::ptrdiff_t>(na));
                }
                ref_pairs.push_back(pairs);
              }
              REQUIRE(tq_dot(w, a, g, k_w, k_a, ew, ea) == ref);
              REQUIRE(term_pairs_per_group(w, a, g, k_w, k_a, ew, ea) == ref_pairs);
            }
        }
  // Full budgets give the exact dot product.
  const std::vector<std::int64_t> w{3, -7, 100, 0, 55}, a{9, 12, -4, 8, 1};
  CHECK(tq_dot(w, a, 2, 100, 100, Encoder::Naf, Encoder::Binary) == 27 - 84 - 400 + 0 + 55);
  CHECK_THROWS_AS(tq_dot(w, std::vector<std::int64_t>{1}, 2, 4, 4, Encoder::Naf, Encoder::Naf),
                  std::invalid_argument);
}

TEST_CASE("tq exponent field width covers every encoding and is tight", "[golden]") {
  for (int vb = 1; vb <= 12; ++vb) {
    int max_exp = 0;
    for (std::int64_t v = 0; v < (std::int64_t{1} << vb); ++v)
      for (auto e : kEncoders)
        for (const auto& t : encode(v, e)) max_exp = std::max(max_exp, t.exp);
    int need = 1;
    while ((1 << need) <= max_exp) ++need;
    REQUIRE(exp_bits_for(vb) == need);
  }
  CHECK(exp_bits_for(8) == 4);  // 255 = 256 - 1 needs exponent 8
  CHECK(exp_bits_for(7) == 3);
  CHECK_THROWS_AS(exp_bits_for(0), std::invalid_argument);
}

TEST_CASE("tq term memory hex matches a hand-encoded image", "[golden]") {
  // g=2 k_max=4 naf exp_bits=3 -> [valid][sign][exp:3][index:1] = 6 bits = 2 hex digits.
  // Group 0: 27 = 32-4-1 and -5 = -4-1 -> +2^5@0 -2^2@0 -2^2@1 -2^0@0 (budget 4 drops -2^0@1).
  // Group 1: 0 and 3 = 4-1 -> +2^2@1 -2^0@1 then two empty entries.
  const std::vector<std::int64_t> w{27, -5, 0, 3};
  CHECK(term_memory_hex(w, 2, 4, Encoder::Naf, 3) == "2a\n34\n35\n30\n25\n31\n00\n00\n");
  CHECK_THROWS_AS(term_memory_hex(w, 2, 4, Encoder::Naf, 2), std::out_of_range);  // 2^5 needs 3 bits
  CHECK_THROWS_AS(term_memory_hex(w, 2, 0, Encoder::Naf, 3), std::invalid_argument);
}

TEST_CASE("tq term memory decodes back and budget k reads the first k lines", "[golden]") {
  std::mt19937_64 rng(31);
  for (int g : {1, 2, 3, 4, 8, 16})
    for (auto e : kEncoders)
      for (int trial = 0; trial < 10; ++trial) {
        const int value_bits = trial % 2 == 0 ? 8 : 12;
        const int exp_bits = exp_bits_for(value_bits);
        int index_bits = 0;
        while ((1 << index_bits) < g) ++index_bits;
        const auto n = static_cast<std::size_t>(1 + trial * 7);
        const auto w = random_values(rng, n, (std::int64_t{1} << value_bits) - 1);
        const int k_max = 1 + trial % 5 * 3;
        const auto lines = split_lines(term_memory_hex(w, g, k_max, e, exp_bits));
        const std::size_t groups = (n + static_cast<std::size_t>(g) - 1) / static_cast<std::size_t>(g);
        REQUIRE(lines.size() == groups * static_cast<std::size_t>(k_max));
        for (std::size_t gi = 0; gi < groups; ++gi) {
          std::vector<std::int64_t> group(static_cast<std::size_t>(g), 0);
          for (std::size_t j = 0; j < group.size() && gi * group.size() + j < n; ++j)
            group[j] = w[gi * group.size() + j];
          std::vector<GroupTerm> stored;
          bool seen_empty = false;
          for (int r = 0; r < k_max; ++r) {
            const auto row = gi * static_cast<std::size_t>(k_max) + static_cast<std::size_t>(r);
            const auto d = decode_line(lines[row], exp_bits, index_bits);
            if (!d.valid) seen_empty = true;
            REQUIRE_FALSE((d.valid && seen_empty));  // empty entries only pad the end
            if (d.valid) stored.push_back(d.t);
          }
          REQUIRE(stored == ref_group_tq(group, k_max, e));
          for (int k = 0; k <= k_max; ++k) {  // a run-time budget k reads a prefix
            const auto len = static_cast<std::ptrdiff_t>(std::min(stored.size(), static_cast<std::size_t>(k)));
            const std::vector<GroupTerm> prefix(stored.begin(), stored.begin() + len);
            REQUIRE(prefix == ref_group_tq(group, k, e));
          }
        }
      }
}

TEST_CASE("tq weights csv parses integers and names the bad line and token", "[golden]") {
  CHECK(parse_weights_csv("1, -2,3\n4 +5\t6\r\n-7\n") == std::vector<std::int64_t>{1, -2, 3, 4, 5, 6, -7});
  CHECK(parse_weights_csv("42") == std::vector<std::int64_t>{42});
  CHECK_THROWS_WITH(parse_weights_csv("1,2\n3,x4,5"), Catch::Contains("line 2") && Catch::Contains("'x4'"));
  CHECK_THROWS_WITH(parse_weights_csv("1.5"), Catch::Contains("line 1") && Catch::Contains("'1.5'"));
  CHECK_THROWS_WITH(parse_weights_csv("\n\n\n7;8"), Catch::Contains("line 4") && Catch::Contains("'7;8'"));
  CHECK_THROWS_WITH(parse_weights_csv("99999999999999999999"), Catch::Contains("out of range"));
  for (const char* bad : {"+-3", "--3", "3-", "+", "-", "0x10"})
    CHECK_THROWS_AS(parse_weights_csv(bad), std::invalid_argument);
  CHECK_THROWS_AS(parse_weights_csv(""), std::invalid_argument);
  CHECK_THROWS_AS(parse_weights_csv(" ,\n\t"), std::invalid_argument);
}

TEST_CASE("tq term bounds of fixed-width formats match an independent enumeration", "[golden]") {
  // (bits, signed, encoder) -> (max exponent, max terms of one value), from a separate Python
  // implementation of the three encoders over every value of the format.
  struct Row {
    int bits;
    bool is_signed;
    Encoder e;
    int max_exp, max_terms;
  };
  const Row rows[] = {
      {4, false, Encoder::Binary, 3, 4},  {4, false, Encoder::Hese, 4, 3},  {4, false, Encoder::Naf, 4, 3},
      {4, true, Encoder::Binary, 3, 3},   {4, true, Encoder::Hese, 3, 2},   {4, true, Encoder::Naf, 3, 2},
      {8, false, Encoder::Binary, 7, 8},  {8, false, Encoder::Hese, 8, 6},  {8, false, Encoder::Naf, 8, 5},
      {8, true, Encoder::Binary, 7, 7},   {8, true, Encoder::Hese, 7, 5},   {8, true, Encoder::Naf, 7, 4},
      {12, false, Encoder::Hese, 12, 8},  {12, true, Encoder::Naf, 11, 6},
  };
  for (const auto& r : rows) {
    const auto b = term_bounds({r.bits, r.is_signed}, r.e);
    INFO(r.bits << (r.is_signed ? " signed " : " unsigned ") << encoder_name(r.e));
    CHECK(b.max_exp == r.max_exp);
    CHECK(b.max_terms == r.max_terms);
  }
  CHECK_THROWS_AS(term_bounds({21, true}, Encoder::Naf), std::invalid_argument);
}
