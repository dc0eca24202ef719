// Parameter declarations: parsing, ranges, TOML loading and the families' cross-rules, with the
// exact error messages users see.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "errors.hpp"
#include "units/family.hpp"
#include "units/mac.hpp"
#include "units/mmac.hpp"
#include "scratch.hpp"

using namespace qrtl;
using namespace qrtl::units;
using Catch::Matchers::Contains;

namespace {

std::filesystem::path write_toml(const std::string& name, const std::string& text) {
  const auto p = scratch_dir("qrtl_test_params") / ("qrtl_test_" + name + ".toml");
  std::ofstream(p) << text;
  return p;
}

}  // namespace

TEST_CASE("defaults come from the declaration", "[params]") {
  ParamSet ps(find_family("pmac").specs());
  CHECK(ps.i("rows") == 4);
  CHECK(ps.b("a_signed"));
  CHECK(ps.s("overflow") == "exact");
  const MacParams p = mac_param_table().bind(ps);
  CHECK(p.rows == 4);
  CHECK(p.a_bits == 8);
  CHECK(p.overflow == "exact");
}

TEST_CASE("KEY=VALUE overrides parse and check each kind", "[params]") {
  ParamSet ps(find_family("bmac").specs());
  ps.set_assignment("rows=7");
  ps.set_assignment("a_signed=false");
  ps.set_assignment("overflow=saturate");
  ps.set_assignment("name=my_mac");
  CHECK(ps.i("rows") == 7);
  CHECK_FALSE(ps.b("a_signed"));
  CHECK(ps.s("overflow") == "saturate");
  CHECK(ps.s("name") == "my_mac");

  CHECK_THROWS_WITH(ps.set_assignment("rows=65"),
                    "--set: parameter 'rows' = 65 is invalid: expected an integer in [1, 64]");
  CHECK_THROWS_WITH(ps.set_assignment("rows=four"),
                    "--set: parameter 'rows' = 'four' is not an integer: expected an integer in [1, 64]");
  CHECK_THROWS_WITH(ps.set_assignment("rows=4x"), Contains("is not an integer"));
  CHECK_THROWS_WITH(ps.set_assignment("a_signed=maybe"), Contains("expected true or false"));
  CHECK_THROWS_WITH(ps.set_assignment("overflow=clip"),
                    "--set: parameter 'overflow' = 'clip' is invalid: expected one of: exact, wrap, saturate");
  CHECK_THROWS_WITH(ps.set_assignment("name=9lives"), Contains("a Verilog identifier"));
  CHECK_THROWS_WITH(ps.set_assignment("colour=red"), Contains("unknown parameter 'colour'; allowed: name, rows"));
  CHECK_THROWS_WITH(ps.set_assignment("rows"), "--set 'rows': expected KEY=VALUE");
  CHECK(ps.i("rows") == 7);  // failed sets change nothing
}

TEST_CASE("TOML configs: values, family check and every error names file and line", "[params]") {
  const auto& fam = find_family("pmac");
  ParamSet ps(fam.specs());
  ps.load_toml(write_toml("ok", "family = \"pmac\"\nrows = 2\nw_signed = false\noverflow = \"wrap\"\n"), "pmac");
  CHECK(ps.i("rows") == 2);
  CHECK_FALSE(ps.b("w_signed"));
  CHECK(ps.s("overflow") == "wrap");

  ParamSet fresh(fam.specs());
  CHECK_THROWS_WITH(fresh.load_toml(write_toml("bad_syntax", "rows = = 3\n"), "pmac"),
                    Contains("qrtl_test_bad_syntax.toml:1:") && Contains("malformed TOML"));
  CHECK_THROWS_WITH(fresh.load_toml(write_toml("unknown", "rows = 3\nspeed = 9\n"), "pmac"),
                    Contains("qrtl_test_unknown.toml:2: unknown parameter 'speed'"));
  CHECK_THROWS_WITH(fresh.load_toml(write_toml("type", "rows = \"3\"\n"), "pmac"),
                    Contains("parameter 'rows' = 3 (a string) is invalid: expected an integer in [1, 64]"));
  CHECK_THROWS_WITH(fresh.load_toml(write_toml("float", "rows = 3.5\n"), "pmac"),
                    Contains("parameter 'rows' has a value of type floating-point"));
  CHECK_THROWS_WITH(fresh.load_toml(write_toml("range", "\n\nmax_len = 0\n"), "pmac"),
                    Contains("qrtl_test_range.toml:3: parameter 'max_len' = 0 is invalid"));
  CHECK_THROWS_WITH(fresh.load_toml(write_toml("fam", "family = \"bmac\"\n"), "pmac"),
                    Contains("config is for family 'bmac', not 'pmac'"));
  CHECK_THROWS_WITH(fresh.load_toml("/nonexistent/x.toml", "pmac"),
                    "config file '/nonexistent/x.toml' does not exist or is not a file");
  CHECK(toml_family(write_toml("fam2", "family = \"bmac\"\n")) == "bmac");
  CHECK(toml_family(write_toml("nofam", "rows = 1\n")).empty());
}

TEST_CASE("unknown family lists the known ones", "[params]") {
  CHECK_THROWS_WITH(find_family("tpu"), "unknown family 'tpu'; known families: pmac, bmac, mmac, bitfusion, reram, dnateq");
}

TEST_CASE("MAC cross-parameter rules", "[params]") {
  const auto& fam = find_family("pmac");
  auto with = [&](std::initializer_list<const char*> sets) {
    ParamSet ps(fam.specs());
    for (const char* s : sets) ps.set_assignment(s);
    return ps;
  };
  CHECK_NOTHROW(fam.validate(with({})));
  CHECK_THROWS_WITH(fam.validate(with({"acc_bits=12"})),
                    "parameter 'acc_bits' = 12 is invalid: expected 0 (derived) or at least a_bits + w_bits = 16");
  CHECK_THROWS_WITH(fam.validate(with({"acc_bits=20"})),
                    "parameter 'acc_bits' = 20 is too narrow for overflow = exact with max_len = 256: "
                    "expected 0 or at least 24, or set overflow to wrap or saturate");
  CHECK_NOTHROW(fam.validate(with({"acc_bits=20", "overflow=saturate"})));
  CHECK_NOTHROW(fam.validate(with({"acc_bits=16", "overflow=wrap"})));
  CHECK_THROWS_WITH(fam.validate(with({"a_bits=24", "w_bits=24", "max_len=65536"})),
                    Contains("= 64 exceeds the 63-bit accumulator limit"));
  CHECK_NOTHROW(fam.validate(with({"a_bits=24", "w_bits=24", "max_len=32768"})));
}

TEST_CASE("golden arithmetic follows the parameters", "[params]") {
  ParamSet ps(find_family("pmac").specs());
  ps.set_assignment("a_signed=false");
  ps.set_assignment("max_len=1000");
  const auto m = mac_arith(mac_param_table().bind(ps));
  CHECK(m.acc_bits == 8 + 8 + 10);
  CHECK(m.acc_signed());
  ps.set_assignment("w_signed=false");
  CHECK_FALSE(mac_arith(mac_param_table().bind(ps)).acc_signed());
}

TEST_CASE("mmac derived widths follow the term bounds", "[params]") {
  const auto& fam = find_family("mmac");
  ParamSet ps(fam.specs());
  const auto s = qrtl::units::mmac_shape(qrtl::units::mmac_param_table().bind(ps));
  // Defaults: 8-bit signed hese, g = 8, 20 weight terms, 3 activation terms, max_len 256.
  CHECK(s.a_terms.max_exp == 7);
  CHECK(s.pair_exp_max == 14);
  CHECK(s.groups_max == 32);
  CHECK(s.pairs_max == 32 * 20 * 3);
  CHECK(s.pos_bits == 14 + 11);  // 1920 pairs of at most 2^14 each < 2^25
  CHECK(s.res_bits == 26);
  CHECK(s.hist_bits == 12);      // counts in [-1920, 1920]
  CHECK(s.entry.width() == 1 + 1 + 4 + 3);
  CHECK(s.k_bits == 5);
  CHECK(s.ka_bits == 2);
}
