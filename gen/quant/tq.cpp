#include "quant/tq.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <stdexcept>

#include "quant/intmath.hpp"

namespace qrtl::quant {

namespace {

constexpr int kMaxExp = 62;  // |v| < 2^62 keeps every term and pair sum inside int64_t

std::uint64_t magnitude(std::int64_t v) {
  // Compare in unsigned so INT64_MIN is rejected without negating it.
  const auto m = v < 0 ? std::uint64_t{0} - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
  if (m >= (std::uint64_t{1} << kMaxExp)) throw std::out_of_range("term encoding: |value| >= 2^62");
  return m;
}

int bit_at(std::uint64_t m, int i) { return i < 0 || i > 63 ? 0 : static_cast<int>((m >> i) & 1U); }

std::vector<Term> binary_terms(std::uint64_t m) {
  std::vector<Term> t;
  for (int i = kMaxExp; i >= 0; --i)
    if (bit_at(m, i) != 0) t.push_back({1, i});
  return t;
}

// HESE, the author kernel's MSB-first Booth window rule, window (b[i+1], b[i], b[i-1]) with zeros
// outside the value:
//   010 -> +2^i, then skip i-1   (an isolated one stays a single term)
//   011 -> +2^(i+1)              (top of a run of >= 2 ones)
//   110 -> -2^i                  (bottom of a run of >= 2 ones)
//   else nothing, advance to i-1.
// So each run of ones b[hi..lo] contributes 2^hi if hi == lo, else 2^(hi+1) - 2^lo: the literal
// rule reconstructs every value, and the skip is harmless (the window at i-1 would read 10x,
// which emits nothing). Runs are separated by zeros, so exponents strictly decrease.
std::vector<Term> hese_terms(std::uint64_t m) {
  std::vector<Term> t;
  for (int i = 63 - std::countl_zero(m); i >= 0; --i) {
    const int b2 = bit_at(m, i + 1), b1 = bit_at(m, i), b0 = bit_at(m, i - 1);
    if (b2 == 0 && b1 == 1 && b0 == 0) {
      t.push_back({1, i});
      --i;
    } else if (b2 == 0 && b1 == 1 && b0 == 1) {
      t.push_back({1, i + 1});
    } else if (b2 == 1 && b1 == 1 && b0 == 0) {
      t.push_back({-1, i});
    }
  }
  return t;
}

// NAF, LSB-first: an odd remainder takes digit 2 - (n mod 4), which leaves the next bit even.
std::vector<Term> naf_terms(std::uint64_t m) {
  std::vector<Term> lsb_first;
  for (int i = 0; m != 0; ++i, m >>= 1) {
    if ((m & 1U) == 0) continue;
    const bool plus = (m & 3U) == 1;
    lsb_first.push_back({plus ? 1 : -1, i});
    m = plus ? m - 1 : m + 1;
  }
  return {lsb_first.rbegin(), lsb_first.rend()};
}

std::int64_t checked_add(std::int64_t acc, std::int64_t x) {
  std::int64_t r = 0;
  if (__builtin_add_overflow(acc, x, &r)) throw std::overflow_error("term sum leaves int64_t");
  return r;
}

std::int64_t term_value(int sign, int exp) {
  if (exp < 0 || exp > kMaxExp) throw std::overflow_error("term exponent outside 0..62");
  return sign * (std::int64_t{1} << exp);
}

void require_budget(int k) {
  if (k < 0) throw std::invalid_argument("term budget must be >= 0");
}
void require_group(int g) {
  if (g < 1) throw std::invalid_argument("group size must be >= 1");
}

// Truncated activation terms per position (computed once; reused by every weight term).
std::vector<std::vector<Term>> truncated_all(std::span<const std::int64_t> a, int k, Encoder e) {
  std::vector<std::vector<Term>> r;
  r.reserve(a.size());
  for (auto v : a) r.push_back(truncate_terms(encode(v, e), k));
  return r;
}

// Flat position of the value at `index` of group gi.
std::size_t position(std::size_t gi, int g, int index) {
  return gi * static_cast<std::size_t>(g) + static_cast<std::size_t>(index);
}

void require_same_length(std::span<const std::int64_t> w, std::span<const std::int64_t> a) {
  if (w.size() != a.size()) throw std::invalid_argument("tq_dot: weight and activation lengths differ");
}

}  // namespace

Encoder parse_encoder(std::string_view name) {
  if (name == "binary") return Encoder::Binary;
  if (name == "hese" || name == "booth") return Encoder::Hese;
  if (name == "naf") return Encoder::Naf;
  throw std::invalid_argument("unknown term encoder '" + std::string(name) +
                              "' (expected one of: binary, hese, naf)");
}

std::string_view encoder_name(Encoder e) {
  switch (e) {
    case Encoder::Binary: return "binary";
    case Encoder::Hese: return "hese";
    case Encoder::Naf: return "naf";
  }
  return "?";
}

std::vector<Term> encode(std::int64_t v, Encoder e) {
  const std::uint64_t m = magnitude(v);
  std::vector<Term> t = e == Encoder::Binary ? binary_terms(m)
                        : e == Encoder::Hese ? hese_terms(m)
                                             : naf_terms(m);
  if (v < 0)
    for (auto& x : t) x.sign = -x.sign;
  return t;
}

std::int64_t value_of(std::span<const Term> terms) {
  std::int64_t s = 0;
  for (const auto& t : terms) s = checked_add(s, term_value(t.sign, t.exp));
  return s;
}

std::vector<Term> truncate_terms(std::span<const Term> terms, int k) {
  require_budget(k);
  const auto n = std::min(terms.size(), static_cast<std::size_t>(k));
  return {terms.begin(), terms.begin() + static_cast<std::ptrdiff_t>(n)};
}

std::int64_t truncate_value(std::int64_t v, int k, Encoder e) {
  return value_of(truncate_terms(encode(v, e), k));
}

std::vector<GroupTerm> group_tq(std::span<const std::int64_t> values, int k, Encoder e) {
  require_budget(k);
  std::vector<std::vector<Term>> terms;
  for (auto v : values) terms.push_back(encode(v, e));
  std::vector<std::size_t> next(values.size(), 0);
  std::vector<GroupTerm> out;
  while (static_cast<int>(out.size()) < k) {
    const std::size_t none = terms.size();
    std::size_t best = none;  // strict '>' keeps the lowest index on equal exponents
    for (std::size_t j = 0; j < terms.size(); ++j)
      if (next[j] < terms[j].size() &&
          (best == none || terms[j][next[j]].exp > terms[best][next[best]].exp))
        best = j;
    if (best == none) break;
    const Term t = terms[best][next[best]++];
    out.push_back({t.sign, t.exp, static_cast<int>(best)});
  }
  return out;
}

std::vector<std::int64_t> group_values(const std::vector<GroupTerm>& terms, int g) {
  require_group(g);
  std::vector<std::int64_t> v(static_cast<std::size_t>(g), 0);
  for (const auto& t : terms) {
    if (t.index < 0 || t.index >= g) throw std::out_of_range("group term index outside the group");
    auto& x = v[static_cast<std::size_t>(t.index)];
    x = checked_add(x, term_value(t.sign, t.exp));
  }
  return v;
}

std::vector<std::vector<GroupTerm>> tq_tensor(std::span<const std::int64_t> values, int g, int k,
                                              Encoder e) {
  require_group(g);
  require_budget(k);
  const auto gs = static_cast<std::size_t>(g);
  std::vector<std::vector<GroupTerm>> groups;
  for (std::size_t base = 0; base < values.size(); base += gs) {
    std::vector<std::int64_t> group(gs, 0);  // zero padding past the end
    for (std::size_t j = 0; j < gs && base + j < values.size(); ++j) group[j] = values[base + j];
    groups.push_back(group_tq(group, k, e));
  }
  return groups;
}

std::vector<std::int64_t> tq_quantize(std::span<const std::int64_t> values, int g, int k, Encoder e) {
  std::vector<std::int64_t> out;
  for (const auto& group : tq_tensor(values, g, k, e))
    for (auto v : group_values(group, g)) out.push_back(v);
  out.resize(values.size());  // drop the padding
  return out;
}

std::int64_t tq_dot(std::span<const std::int64_t> w, std::span<const std::int64_t> a, int g, int k_w,
                    int k_a, Encoder ew, Encoder ea) {
  require_same_length(w, a);
  const auto acts = truncated_all(a, k_a, ea);
  const auto groups = tq_tensor(w, g, k_w, ew);
  std::int64_t acc = 0;
  for (std::size_t gi = 0; gi < groups.size(); ++gi)
    for (const auto& wt : groups[gi])  // padding has no terms, so pos < a.size()
      for (const auto& at : acts[position(gi, g, wt.index)])
        acc = checked_add(acc, term_value(wt.sign * at.sign, wt.exp + at.exp));
  return acc;
}

std::vector<int> term_pairs_per_group(std::span<const std::int64_t> w, std::span<const std::int64_t> a,
                                      int g, int k_w, int k_a, Encoder ew, Encoder ea) {
  require_same_length(w, a);
  const auto acts = truncated_all(a, k_a, ea);
  const auto groups = tq_tensor(w, g, k_w, ew);
  std::vector<int> pairs;
  for (std::size_t gi = 0; gi < groups.size(); ++gi) {
    int n = 0;
    for (const auto& wt : groups[gi])
      n += static_cast<int>(acts[position(gi, g, wt.index)].size());
    pairs.push_back(n);
  }
  return pairs;
}

TermBounds term_bounds(const IntFormat& f, Encoder e) {
  if (f.bits < 1 || f.bits > 20) throw std::invalid_argument("term_bounds: format must be 1..20 bits");
  TermBounds b;
  for (std::int64_t v = f.min(); v <= f.max(); ++v) {
    const auto t = encode(v, e);
    if (t.empty()) continue;
    b.max_exp = std::max(b.max_exp, t.front().exp);  // largest first
    b.max_terms = std::max(b.max_terms, static_cast<int>(t.size()));
  }
  return b;
}

int exp_bits_for(int value_bits) {
  if (value_bits < 1 || value_bits > kMaxExp) throw std::invalid_argument("value_bits must be 1..62");
  return std::max(1, ceil_log2(static_cast<std::uint64_t>(value_bits) + 1));
}

TermEntryLayout term_entry_layout(int g, int exp_bits) {
  require_group(g);
  if (exp_bits < 1) throw std::invalid_argument("exp_bits must be >= 1");
  TermEntryLayout l{exp_bits, ceil_log2(static_cast<std::uint64_t>(g))};
  if (l.width() > 64) throw std::invalid_argument("term memory entry wider than 64 bits");
  return l;
}

std::uint64_t pack_entry(const GroupTerm& t, const TermEntryLayout& l) {
  if (t.exp < 0 || t.exp >= (std::int64_t{1} << l.exp_bits))
    throw std::out_of_range("term exponent " + std::to_string(t.exp) + " does not fit " +
                            std::to_string(l.exp_bits) + " exponent bits");
  if (t.index < 0 || t.index >= (std::int64_t{1} << l.index_bits))
    throw std::out_of_range("term index does not fit the index field");
  const int w = l.width();
  return (std::uint64_t{1} << (w - 1)) | (std::uint64_t{t.sign < 0} << (w - 2)) |
         (static_cast<std::uint64_t>(t.exp) << l.index_bits) | static_cast<std::uint64_t>(t.index);
}

std::vector<std::uint64_t> term_memory_words(std::span<const std::int64_t> weights, int g, int k_max,
                                             Encoder e, int exp_bits) {
  if (k_max < 1) throw std::invalid_argument("term memory needs k_max >= 1");
  const auto layout = term_entry_layout(g, exp_bits);
  std::vector<std::uint64_t> words;
  for (const auto& group : tq_tensor(weights, g, k_max, e)) {
    for (const auto& t : group) words.push_back(pack_entry(t, layout));
    words.resize(words.size() + static_cast<std::size_t>(k_max) - group.size(), 0);  // empty entries
  }
  return words;
}

std::string term_memory_hex(std::span<const std::int64_t> weights, int g, int k_max, Encoder e,
                            int exp_bits) {
  const int digits = term_entry_layout(g, exp_bits).hex_digits();
  std::string out;
  for (auto word : term_memory_words(weights, g, k_max, e, exp_bits)) {
    for (int d = digits - 1; d >= 0; --d) out.push_back("0123456789abcdef"[(word >> (4 * d)) & 0xFU]);
    out.push_back('\n');
  }
  return out;
}

std::vector<std::int64_t> parse_weights_csv(std::string_view text) {
  auto is_sep = [](char c) { return std::string_view(", \t\n\r\f\v").find(c) != std::string_view::npos; };
  std::vector<std::int64_t> out;
  int line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    if (is_sep(text[i])) {
      if (text[i++] == '\n') ++line;
      continue;
    }
    std::size_t j = i;
    while (j < text.size() && !is_sep(text[j])) ++j;
    const std::string_view tok = text.substr(i, j - i);
    // from_chars takes no '+', so strip one that precedes a digit.
    const std::string_view num = tok.size() > 1 && tok[0] == '+' && tok[1] != '-' ? tok.substr(1) : tok;
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(num.data(), num.data() + num.size(), v);
    if (ec != std::errc{} || end != num.data() + num.size())
      throw std::invalid_argument("weights: line " + std::to_string(line) + ": bad token '" +
                                  std::string(tok) + "'" +
                                  (ec == std::errc::result_out_of_range ? " (out of range)" : ""));
    out.push_back(v);
    i = j;
  }
  if (out.empty()) throw std::invalid_argument("weights: no integers in input");
  return out;
}

}  // namespace qrtl::quant
