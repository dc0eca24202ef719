// Seeded synthetic tensors for the quantizer studies: the golden-model tests and
// `qrtl dnateq-search --synthetic` draw the same values, so the command reproduces the tables in
// docs/dnateq.md. Standard library only (compiled into the Verilator benches with the rest of quant).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace qrtl::quant {

// |x| ~ Exp(1) with a random sign, N(0, 1), U(-1, 1), or max(N(0, 1), 0) (ReLU activations).
enum class Distribution { Exponential, Normal, Uniform, Relu };
std::string_view name_of(Distribution d);

// n values from std::mt19937_64(seed), each multiplied by gain. libstdc++'s distributions are
// deterministic, so a seed gives the same tensor on every build.
std::vector<double> synthetic_tensor(Distribution d, std::uint64_t seed, std::size_t n = 10'000, double gain = 1.0);

}  // namespace qrtl::quant
