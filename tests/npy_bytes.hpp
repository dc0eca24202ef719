// The bytes of a NumPy .npy file, written by hand so the tests need no Python: the header dict is
// padded with spaces to a 64-byte boundary and ends in '\n', as numpy.save does.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <vector>

inline std::string npy_bytes(int major, const std::string& dict, const std::string& data) {
  const std::size_t len_size = major == 1 ? 2 : 4;
  std::string header = dict;
  while ((8 + len_size + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(major);
  out += '\0';
  for (std::size_t i = 0; i < len_size; ++i) out += static_cast<char>((header.size() >> (8 * i)) & 0xFF);
  return out + header + data;
}

template <class T>
std::string raw_bytes(const std::vector<T>& v) {
  std::string s(v.size() * sizeof(T), '\0');
  std::memcpy(s.data(), v.data(), s.size());  // the test host is little-endian (x86-64)
  return s;
}
