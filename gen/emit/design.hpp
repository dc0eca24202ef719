// Turns a family + parameters into a design folder: rtl/*.v, <name>.f, <name>.core,
// params.json, params.hpp, README.md. Deterministic; written atomically.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "units/family.hpp"

namespace qrtl::emit {

using FileSet = std::map<std::string, std::string>;  // path relative to the design folder -> text

// Every file of the design, without touching the disk. `ps` must have a non-empty name.
FileSet render_design(const units::Family& fam, const units::ParamSet& ps);

// The qrtl command line that regenerates exactly these files.
std::string reproduce_command(const units::Family& fam, const units::ParamSet& ps);

// What a folder qrtl writes is called in messages, and the file that identifies one.
struct OutputKind {
  std::string name;
  std::string marker;
};
inline const OutputKind kDesignFolder{"design", "params.json"};

// Writes `files` under `out` so that `out` either appears complete or not at all. An existing
// `out` is replaced only with `force`, and only if it is empty or a folder of the same kind.
void write_atomically(const std::filesystem::path& out, const FileSet& files, bool force,
                      const OutputKind& kind = kDesignFolder);

// A design name from a folder name: non-identifier characters become '_'.
std::string name_from_folder(const std::filesystem::path& out);

}  // namespace qrtl::emit
