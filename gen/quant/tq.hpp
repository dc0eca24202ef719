// Golden model of term quantization (TQ) and of the mMAC's term-pair dot product.
// Pure integer arithmetic: a value is written as signed powers of two ("terms"), a group of values
// shares a budget of terms, and a dot product is a sum over weight-term x activation-term pairs.
//
// Conventions shared by every function here:
//  - a term list is sorted by magnitude, largest first, with distinct exponents (all encoders);
//  - a negative value is encoded as |v| with every term's sign negated, so encode(-v) mirrors
//    encode(v) and the term budget treats +v and -v alike;
//  - |v| must be below 2^62 (std::out_of_range otherwise), so every exponent is <= 62;
//  - budgets k are >= 0 and group sizes g are >= 1 (std::invalid_argument otherwise).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "quant/intmath.hpp"

namespace qrtl::quant {

struct Term {
  int sign = 1;  // +1 or -1
  int exp = 0;   // the term is sign * 2^exp, exp >= 0
  friend bool operator==(const Term&, const Term&) = default;
};

// binary: the set bits of |v|.
// hese:   MSB-first Booth window rule (see encode() in tq.cpp): a run of ones of length 1 stays one
//         term, a longer run b[hi..lo] becomes +2^(hi+1) - 2^lo. At most two terms per run.
// naf:    non-adjacent form, the unique minimal signed-digit form with no two adjacent nonzero digits.
enum class Encoder { Binary, Hese, Naf };

// Accepts "binary", "hese" (alias "booth") and "naf"; anything else throws std::invalid_argument.
Encoder parse_encoder(std::string_view name);
std::string_view encoder_name(Encoder e);

std::vector<Term> encode(std::int64_t v, Encoder e);
// Sum of the terms (std::overflow_error if it leaves int64_t).
std::int64_t value_of(std::span<const Term> terms);
// The leading (largest) k terms: per-value truncation, as applied to activations.
std::vector<Term> truncate_terms(std::span<const Term> terms, int k);
// value_of(truncate_terms(encode(v, e), k)).
std::int64_t truncate_value(std::int64_t v, int k, Encoder e);

struct GroupTerm {
  int sign = 1;
  int exp = 0;
  int index = 0;  // position of the value within its group, 0..g-1
  friend bool operator==(const GroupTerm&, const GroupTerm&) = default;
};

// Group term quantization of one group: the values share a budget of k terms. Repeatedly takes,
// among each value's next unused term, the one with the largest exponent (ties: lowest index),
// until k terms are taken or none remain. The result is in selection order, which is MSB-first
// (non-increasing exponent): the weight term-memory order, so budget k1 < k2 selects a prefix.
std::vector<GroupTerm> group_tq(std::span<const std::int64_t> values, int k, Encoder e);
// Each of the g values reconstructed from its selected terms.
std::vector<std::int64_t> group_values(const std::vector<GroupTerm>& terms, int g);
// Splits values into consecutive groups of g and runs group_tq on each. A short last group is
// padded with zeros; a zero has no terms, so padding never uses budget or appears in the output.
std::vector<std::vector<GroupTerm>> tq_tensor(std::span<const std::int64_t> values, int g, int k,
                                              Encoder e);
// The quantized values of tq_tensor, flattened back to values.size() (padding dropped).
std::vector<std::int64_t> tq_quantize(std::span<const std::int64_t> values, int g, int k, Encoder e);

// The mMAC dot product: weights group-quantized (group g, budget k_w), each activation truncated to
// its leading k_a terms; every (weight term, activation term) pair of the same position adds
// sign_w * sign_a * 2^(e_w + e_a). w and a must have equal lengths (std::invalid_argument);
// std::overflow_error if a pair exponent exceeds 62 or the sum leaves int64_t.
std::int64_t tq_dot(std::span<const std::int64_t> w, std::span<const std::int64_t> a, int g, int k_w,
                    int k_a, Encoder ew, Encoder ea);
// Number of term pairs the dot product processes in each weight group (drives the cycle count:
// ceil(pairs / lanes) per group). Same arguments and groups as tq_dot.
std::vector<int> term_pairs_per_group(std::span<const std::int64_t> w, std::span<const std::int64_t> a,
                                      int g, int k_w, int k_a, Encoder ew, Encoder ea);

// --- Term bounds of a fixed-width format (hardware sizing) ---------------------------------------
// Over every value of `f` (at most 20 bits; std::invalid_argument otherwise), by enumeration:
struct TermBounds {
  int max_exp = 0;    // largest exponent of any term
  int max_terms = 0;  // most terms of any one value
};
TermBounds term_bounds(const IntFormat& f, Encoder e);

// --- Term memory image --------------------------------------------------------------------------
// Bits of the exponent field so that every exponent of any encoding of a value_bits-bit magnitude
// fits: hese and naf can carry one position past the MSB (2^b - 1 = 2^b - 2^0), so exponents reach
// value_bits and the field holds 0..value_bits.
int exp_bits_for(int value_bits);

// One term-memory entry, MSB to LSB:  [valid:1][sign:1][exp:exp_bits][index:index_bits]
// valid = 1 for a term, sign = 1 for a negative term, index_bits = ceil(log2 g) (0 for g = 1).
// An empty (padding) entry is all zeros. Width = 2 + exp_bits + index_bits <= 64.
struct TermEntryLayout {
  int exp_bits = 4;
  int index_bits = 0;
  int width() const { return 2 + exp_bits + index_bits; }
  int hex_digits() const { return (width() + 3) / 4; }
};
TermEntryLayout term_entry_layout(int g, int exp_bits);
// std::out_of_range if the exponent or index does not fit the layout.
std::uint64_t pack_entry(const GroupTerm& t, const TermEntryLayout& l);

// The weights' term memory: for each group in order, its group_tq entries for budget k_max
// (MSB-first) followed by empty entries up to exactly k_max lines. One entry per line, lowercase
// hex zero-padded to hex_digits(), '\n'-terminated ($readmemh format). A run-time budget k <= k_max
// reads the first k lines of each group.
std::vector<std::uint64_t> term_memory_words(std::span<const std::int64_t> weights, int g, int k_max,
                                             Encoder e, int exp_bits);
std::string term_memory_hex(std::span<const std::int64_t> weights, int g, int k_max, Encoder e,
                            int exp_bits);

// Integers (optional sign, decimal digits) separated by any run of commas and whitespace.
// Throws std::invalid_argument "line N: bad token 'T'" for anything else (or an out-of-range
// integer), and for input without any integer.
std::vector<std::int64_t> parse_weights_csv(std::string_view text);

}  // namespace qrtl::quant
