// The two ways qrtl fails on purpose. Both carry one line meant for the user.
#pragma once

#include <stdexcept>

namespace qrtl {

// Bad input from the user: parameters, config files, flags, design folders. Exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An external tool or the file system failed. Exit code 1.
struct ToolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace qrtl
