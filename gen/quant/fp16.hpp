// IEEE 754 binary16 ("FP16") on raw bit patterns: the arithmetic of the DNA-TEQ post-processing
// stage (seed 004), written as plain integer code so the RTL can be checked against it bit for bit.
//
// Every operation is correctly rounded to nearest, ties to even (RNE), keeps subnormals (no flush
// to zero) and overflows to infinity. An operation is computed exactly in integers first and rounded
// once, so the result is the one an IEEE-conforming unit (or GCC's _Float16) produces.
//
// NaN policy: conversions keep the sign and the top payload bits and set the quiet bit (as x86 F16C
// and GCC do); add and mul return the canonical quiet NaN 0x7E00 (the RTL need not track payloads).
// Standard library only: this file is compiled into the Verilator benches.
#pragma once

#include <compare>
#include <cstdint>

namespace qrtl::quant::fp16 {

using Bits = std::uint16_t;

inline constexpr Bits kPositiveZero = 0x0000;
inline constexpr Bits kMinSubnormal = 0x0001;  // 2^-24
inline constexpr Bits kMinNormal = 0x0400;     // 2^-14
inline constexpr Bits kOne = 0x3C00;
inline constexpr Bits kMaxFinite = 0x7BFF;  // 65504
inline constexpr Bits kInfinity = 0x7C00;
inline constexpr Bits kQuietNaN = 0x7E00;  // canonical NaN of add and mul
inline constexpr Bits kSignBit = 0x8000;

inline bool is_nan(Bits h) { return (h & 0x7FFF) > kInfinity; }
inline bool is_inf(Bits h) { return (h & 0x7FFF) == kInfinity; }
inline bool is_finite(Bits h) { return (h & 0x7FFF) < kInfinity; }
inline bool is_negative(Bits h) { return (h & kSignBit) != 0; }
// |h| as bits. For non-NaN values the unsigned order of magnitude() is the order of |value|, which
// is why the hardware compares activation magnitudes with plain integer comparators.
inline Bits magnitude(Bits h) { return static_cast<Bits>(h & 0x7FFF); }

// Conversions to FP16 (RNE).
Bits from_float(float x);
Bits from_double(double x);
Bits from_int(std::int64_t v);
// Exact conversions from FP16 (every FP16 value is a float and a double).
float to_float(Bits h);
double to_double(Bits h);

// a + b and a * b, correctly rounded (RNE). An exact zero sum is +0 unless both operands are -0.
Bits add(Bits a, Bits b);
Bits mul(Bits a, Bits b);

// IEEE comparison: unordered if either is NaN, -0 equivalent to +0.
std::partial_ordering compare(Bits a, Bits b);

}  // namespace qrtl::quant::fp16
