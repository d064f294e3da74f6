# Compile-fail tests: a JSON view (value, string, object, array) cannot be made from a
# pointer, only obtained from the parser; nor can an authenticated body be made except by
# authentication. Each case compiles once through the parser (must succeed: the positive
# control proves the TU is otherwise valid) and once forged (must fail on the private
# constructor — any other error would not prove the point).
set(_jw_cf_src "${CMAKE_CURRENT_SOURCE_DIR}/unit/compile_fail/json_views.cpp")
set(_jw_case 0)
foreach(_view "json::value" "json::value (root)" "json::string" "json::object" "json::array" "authenticated_body")
  math(EXPR _jw_case "${_jw_case} + 1")
  add_test(NAME "json: ${_view} from the parser (control)"
           COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -fsyntax-only -Wall -Wextra -Werror
                   -I${PROJECT_SOURCE_DIR}/include -DJW_CASE=${_jw_case} ${_jw_cf_src})
  add_test(NAME "json: ${_view} cannot be made from a pointer"
           COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -fsyntax-only
                   -I${PROJECT_SOURCE_DIR}/include -DJW_CASE=${_jw_case} -DJW_FORGE ${_jw_cf_src})
  # Passes only when the compiler refused a private constructor.
  set_tests_properties("json: ${_view} cannot be made from a pointer" PROPERTIES
    PASS_REGULAR_EXPRESSION "private constructor|is private within this context|declared private here")
endforeach()
