// jobwire — library version. CMake reads the project version from this file.
#pragma once

#define JOBWIRE_VERSION_MAJOR  0
#define JOBWIRE_VERSION_MINOR  1
#define JOBWIRE_VERSION_PATCH  0
#define JOBWIRE_VERSION_STRING "0.1.0"

namespace jobwire {
constexpr const char* version() noexcept { return JOBWIRE_VERSION_STRING; }
}  // namespace jobwire
