// Where qrtl finds its data: templates/, verif/, synth/ (the source tree, or $QRTL_DATA_DIR).
#pragma once

#include <filesystem>
#include <string_view>

namespace qrtl {

std::filesystem::path data_dir();
// data_dir()/sub, checked to exist; throws ToolError naming the missing path.
std::filesystem::path data_path(std::string_view sub);
std::string_view version();

}  // namespace qrtl
