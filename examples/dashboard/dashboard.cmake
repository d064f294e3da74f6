# The dashboard component (dashboard.hpp) and its page. The page is edited as plain HTML
# (dashboard.html) and compiled in as a generated header, dashboard_page.hpp, holding
#   jobwire_dashboard::page_html   (a std::string_view over the exact bytes of the file)
# so hosts serve it with no file to install and no asset to fetch.
#
#   include(.../examples/dashboard/dashboard.cmake)
#   jobwire_dashboard_attach(<target>)    # include paths for dashboard.hpp and the page
include_guard(GLOBAL)

# Cache entries, not plain variables: the file is read once (include_guard) but used from
# several directories (tests, examples).
set(JW_DASHBOARD_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}" CACHE INTERNAL "")
set(JW_DASHBOARD_GENERATED_DIR "${PROJECT_BINARY_DIR}/generated/dashboard" CACHE INTERNAL "")

function(jobwire_dashboard_generate_page)
  set(html "${JW_DASHBOARD_SOURCE_DIR}/dashboard.html")
  set(out "${JW_DASHBOARD_GENERATED_DIR}/dashboard_page.hpp")
  file(READ "${html}" page)
  # The raw string's delimiter must not occur in the page, and Clang's -Wpedantic limits a
  # literal to 65536 bytes.
  string(FIND "${page}" ")JWDASHBOARD\"" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "dashboard.html contains the raw-string delimiter )JWDASHBOARD\"")
  endif()
  string(LENGTH "${page}" size)
  if(size GREATER 65000)
    message(FATAL_ERROR "dashboard.html is ${size} bytes; keep it under 65000 (one string literal)")
  endif()
  file(WRITE "${out}.tmp"
    "// Generated from examples/dashboard/dashboard.html by dashboard.cmake: edit that file.\n"
    "#pragma once\n\n#include <string_view>\n\nnamespace jobwire_dashboard {\n\n"
    "/// The dashboard page: self-contained HTML that polls `dashboard.json` next to it.\n"
    "inline constexpr std::string_view page_html = R\"JWDASHBOARD(${page})JWDASHBOARD\";\n\n"
    "}  // namespace jobwire_dashboard\n")
  # Rewritten only when the page changed, so nothing rebuilds on a plain reconfigure.
  configure_file("${out}.tmp" "${out}" COPYONLY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${html}")
endfunction()
jobwire_dashboard_generate_page()

function(jobwire_dashboard_attach target)
  target_include_directories(${target} PRIVATE "${JW_DASHBOARD_SOURCE_DIR}" "${JW_DASHBOARD_GENERATED_DIR}")
endfunction()
