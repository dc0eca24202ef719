// Analog cost of one ReRAM crossbar MVM unit (seed 003): the ADCs, DACs, crossbar reads and
// sample-and-holds that qrtl does not synthesize. Figures come from a data file in which every
// section names its source and scaling (data/reram_analog.toml); this module only counts events
// per MVM and multiplies. The digital periphery's cost comes from qrtl synth. docs/reram.md "Cost".
//
// A cost model, not golden arithmetic: it lives apart from gen/quant (compiled into every bench)
// and from gen/flow (tool runs), and takes the unit's structure from the golden model's definitions
// (input_steps, weight_slices, weight_arrays, adc_count, mvm_cycles) so both count the same things.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "quant/reram.hpp"

namespace qrtl::cost {

// One component's figures: energy per event, area per instance, latency per event.
struct Figures {
  double energy_pj = 0;
  double area_mm2 = 0;
  double latency_ns = 0;
};

// A component's cited origin: where the base figure comes from and how it was scaled.
struct Source {
  std::string source;
  std::string scaling;
};

struct AnalogData {
  std::filesystem::path file;
  std::string technology;
  Source adc_source, dac_source, crossbar_source, sample_hold_source;
  std::map<int, Figures> adc;  // by ADC bits: every one of 1..9; event = one conversion
  std::map<int, Figures> dac;  // by DAC bits (those with a source); event = one row drive, one input step
  Figures crossbar;            // event = one read (one input step) of a crossbar_rows x crossbar_cols array
  int crossbar_rows = 0, crossbar_cols = 0;
  Figures sample_hold;  // event = one column sample, one input step
};

// Reads and checks the data file. Throws UsageError naming the file (and line), the key, its value
// and what is allowed: missing file, malformed TOML, unknown or missing keys, wrong types, negative
// or non-finite figures, ADC bits outside 1..9 or missing, an empty source.
AnalogData load_analog_data(const std::filesystem::path& file);

// The default data file: data/reram_analog.toml in qrtl's data folder.
std::filesystem::path default_analog_data();

struct AnalogCost {
  // Events of one MVM. `arrays` = weight_slices * weight_arrays crossbars, all read every step.
  std::int64_t arrays = 0;
  std::int64_t conversions = 0;  // input_steps * cols * arrays
  std::int64_t row_drives = 0;   // input_steps * rows * arrays
  std::int64_t reads = 0;        // input_steps * arrays
  std::int64_t samples = 0;      // input_steps * cols * arrays
  // Energy of one MVM, pJ.
  double adc_pj = 0, dac_pj = 0, crossbar_pj = 0, sample_hold_pj = 0;
  // Area of the unit, mm2: adc_count ADCs, rows * arrays DACs, the arrays, cols * arrays S&Hs.
  double adc_mm2 = 0, dac_mm2 = 0, crossbar_mm2 = 0, sample_hold_mm2 = 0;
  std::int64_t cycles = 0;       // quant::mvm_cycles: the digital SAR controller's cycles per MVM
  double conversion_ns = 0;      // ADC-bound time at the data file's conversion latency:
                                 // input_steps * (cols / adcs) * latency(adc_bits)

  double energy_pj() const { return adc_pj + dac_pj + crossbar_pj + sample_hold_pj; }
  double area_mm2() const { return adc_mm2 + dac_mm2 + crossbar_mm2 + sample_hold_mm2; }
};

// Throws UsageError if p is invalid (the golden model's message) or the data file has no figures
// for p.dac_bits.
AnalogCost analog_cost(const quant::ReramParams& p, const AnalogData& d);

}  // namespace qrtl::cost
