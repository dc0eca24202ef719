#include "emit/hierarchy.hpp"

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/topological_sort.hpp>
#include <fmt/format.h>

#include "errors.hpp"

namespace qrtl::emit {

struct Hierarchy::Impl {
  struct Vertex { std::string name; };
  struct Edge { int count = 1; };
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Vertex, Edge>;
  Graph g;
  std::map<std::string, Graph::vertex_descriptor> index;

  Graph::vertex_descriptor at(const std::string& name) const {
    auto it = index.find(name);
    if (it == index.end()) throw ToolError(fmt::format("internal: module '{}' instantiated but not defined", name));
    return it->second;
  }
};

Hierarchy::Hierarchy() : impl_(new Impl) {}
Hierarchy::~Hierarchy() { delete impl_; }

void Hierarchy::add_module(const std::string& name) {
  if (impl_->index.count(name)) throw ToolError(fmt::format("internal: module '{}' defined twice", name));
  impl_->index[name] = boost::add_vertex(Impl::Vertex{name}, impl_->g);
}

void Hierarchy::add_instance(const std::string& parent, const std::string& child, int count) {
  boost::add_edge(impl_->at(parent), impl_->at(child), Impl::Edge{count}, impl_->g);
}

std::vector<std::string> Hierarchy::bottom_up() const {
  std::vector<Impl::Graph::vertex_descriptor> order;
  try {
    // topological_sort emits in reverse topological order: children before parents.
    boost::topological_sort(impl_->g, std::back_inserter(order));
  } catch (const boost::not_a_dag&) {
    throw ToolError("internal: the module hierarchy has an instantiation cycle");
  }
  std::vector<std::string> names;
  for (auto v : order) names.push_back(impl_->g[v].name);
  return names;
}

std::map<std::string, std::int64_t> Hierarchy::instance_counts(const std::string& top) const {
  std::map<std::string, std::int64_t> counts;
  for (const auto& [name, v] : impl_->index) counts[name] = 0;
  counts[top] = 1;
  // Parents before children (reverse of bottom_up), so a parent's count is final when pushed down.
  auto order = bottom_up();
  std::reverse(order.begin(), order.end());
  for (const auto& name : order) {
    const auto v = impl_->at(name);
    for (auto [e, end] = boost::out_edges(v, impl_->g); e != end; ++e)
      counts[impl_->g[boost::target(*e, impl_->g)].name] += counts[name] * impl_->g[*e].count;
  }
  return counts;
}

std::vector<std::string> Hierarchy::unreachable(const std::string& top) const {
  std::vector<std::string> out;
  for (const auto& [name, n] : instance_counts(top))
    if (n == 0) out.push_back(name);
  return out;
}

}  // namespace qrtl::emit
