// The module-instance hierarchy of a design as a DAG (Boost.Graph behind this facade).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace qrtl::emit {

class Hierarchy {
 public:
  Hierarchy();
  ~Hierarchy();
  Hierarchy(const Hierarchy&) = delete;
  Hierarchy& operator=(const Hierarchy&) = delete;

  void add_module(const std::string& name);
  // `parent` instantiates `child` `count` times; both must have been added.
  void add_instance(const std::string& parent, const std::string& child, int count);

  // Modules children-first (the order files must be compiled in); throws ToolError naming a
  // module on a cycle.
  std::vector<std::string> bottom_up() const;
  // How many times each module is instantiated in the tree under `top` (top itself: 1).
  std::map<std::string, std::int64_t> instance_counts(const std::string& top) const;
  // Modules not reachable from `top`.
  std::vector<std::string> unreachable(const std::string& top) const;

 private:
  struct Impl;
  Impl* impl_;
};

}  // namespace qrtl::emit
