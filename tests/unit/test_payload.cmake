# Compile-fail test: a field table that names a field twice does not build
# (payload.hpp, "declared fields"). The control compiles the same file with distinct
# names; the failing build must fail in the table's constant evaluation (the duplicate
# check), not for any other reason.
set(_jw_cf_src "${CMAKE_CURRENT_SOURCE_DIR}/unit/compile_fail/field_table_duplicate.cpp")
add_test(NAME "payload: a field table with distinct names builds (control)"
         COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -fsyntax-only -Wall -Wextra -Werror
                 -I${PROJECT_SOURCE_DIR}/include ${_jw_cf_src})
add_test(NAME "payload: a field table that names a field twice does not build"
         COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -fsyntax-only
                 -I${PROJECT_SOURCE_DIR}/include -DJW_DUPLICATE ${_jw_cf_src})
set_tests_properties("payload: a field table that names a field twice does not build" PROPERTIES
  PASS_REGULAR_EXPRESSION "field_table_has_duplicate_name")
