// Helpers shared by the unit tests.
#pragma once

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>

namespace jobwire_test {

/// `../shared` beside the repository (overridable with JOBWIRE_SHARED_DIR).
inline std::string shared_dir() {
  if (const char* v = std::getenv("JOBWIRE_SHARED_DIR")) return v;
  return std::string(JOBWIRE_TEST_SOURCE_DIR) + "/../shared";
}

inline bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

/// True under CI (the CI runner sets CI=true): data that is optional locally is required.
inline bool in_ci() {
  const char* v = std::getenv("CI");
  return v && std::string(v) == "true";
}

}  // namespace jobwire_test
