#include "quant/synthetic.hpp"

#include <algorithm>
#include <random>

namespace qrtl::quant {

std::string_view name_of(Distribution d) {
  switch (d) {
    case Distribution::Exponential:
      return "exponential";
    case Distribution::Normal:
      return "normal";
    case Distribution::Uniform:
      return "uniform";
    case Distribution::Relu:
      return "relu";
  }
  return "?";
}

std::vector<double> synthetic_tensor(Distribution d, std::uint64_t seed, std::size_t n, double gain) {
  std::mt19937_64 rng(seed);
  std::exponential_distribution<double> exponential(1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::bernoulli_distribution coin(0.5);
  std::vector<double> v(n);
  for (double& x : v) {
    switch (d) {
      case Distribution::Exponential:
        x = coin(rng) ? exponential(rng) : -exponential(rng);
        break;
      case Distribution::Normal:
        x = normal(rng);
        break;
      case Distribution::Uniform:
        x = uniform(rng);
        break;
      case Distribution::Relu:
        x = std::max(normal(rng), 0.0);
        break;
    }
    x *= gain;
  }
  return v;
}

}  // namespace qrtl::quant
