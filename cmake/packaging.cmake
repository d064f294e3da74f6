# Debian package: `cpack -G DEB` (run in a build directory, after the build) makes
# jobwire_<version>_<arch>.deb with what `cmake --install` installs, minus the example
# programs (install component `examples`): the headers, the CMake package files, the
# pkg-config modules jobwire and jobwire-static, libjobwire_c (shared and static) and the
# `jobwire` tool when it is built. One package, not a Debian-style split into library,
# -dev and tool packages: jobwire is mostly headers, and the package is for installing a
# build, not for the Debian archive.
#
# For a package to distribute: a Release build without tests and examples, prefix /usr
# (GNUInstallDirs then picks the multiarch libdir), e.g.
#   cmake -S . -B build/deb -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
#         -DJOBWIRE_BUILD_TESTS=OFF -DJOBWIRE_BUILD_EXAMPLES=OFF
#   cmake --build build/deb && (cd build/deb && cpack -G DEB)
set(CPACK_PACKAGE_NAME "jobwire")
set(CPACK_PACKAGE_VENDOR "jobwire")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_CONTACT "jobwire maintainers <maintainers@jobwire.invalid>")
set(JOBWIRE_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}" CACHE STRING
    "Maintainer field of the Debian package (Name <address>)")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${JOBWIRE_PACKAGE_MAINTAINER}")
set(CPACK_RESOURCE_FILE_README "${PROJECT_SOURCE_DIR}/README.md")
# The package lays out what the install rules of this build produce, at /usr.
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
# Only the default component: the example programs stay out (component `examples`).
set(CPACK_INSTALL_CMAKE_PROJECTS "${PROJECT_BINARY_DIR};${PROJECT_NAME};Unspecified;/")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # jobwire_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "libdevel")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# The long description, after the summary line (CPack writes the summary first and indents
# every line of this text by one space, as dpkg wants).
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Strict, allocation-free verification of signed webhooks (HMAC-SHA256), delivery
envelopes and job payloads, an idempotent receiver pipeline with
dedup stores, a sender with the retry schedule, and callback URL checks.
This package holds the C++17 headers (include/jobwire, with the optional SQLite, Redis
and PostgreSQL store adapters), the CMake package (find_package(jobwire)), the
pkg-config modules jobwire and jobwire-static, the C API (jobwire_c.h,
libjobwire_c.so and libjobwire_c.a) and the jobwire command-line tool.")
# Run-time dependencies of the library and the tool, computed by dpkg-shlibdeps from the
# ELF files (libc6, libstdc++6, libssl3, and the store client libraries this build
# linked). The headers need OpenSSL's headers to compile, so libssl-dev is declared; the
# store adapters' headers are needed only by programs that include those adapters.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libssl-dev (>= 3.0)")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "libsqlite3-dev, libhiredis-dev, libpq-dev, pkg-config | pkgconf, cmake (>= 3.21)")
# A shlibs file for libjobwire_c (so that packages built against it get a dependency on
# this one) and ldconfig run by postinst/postrm for the shared library.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_GENERATOR "DEB")
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/build/;/\\\\.git/;__pycache__;\\\\.egg-info/")
include(CPack)
