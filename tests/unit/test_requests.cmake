# Compile-fail tests: passing a native id to any URL builder must not compile
# (PROTOCOL.md §2, jobwire policy). Each builder is compiled with a job id (must
# succeed: the positive control proves the TU is otherwise valid) and with a native id
# (must fail with a conversion diagnostic — any other error would not prove the point).
set(_jw_cf_src "${CMAKE_CURRENT_SOURCE_DIR}/unit/compile_fail/native_id_url.cpp")
set(_jw_case 0)
foreach(_builder status_request cancel_request delete_request content_request download_url_request websocket_request)
  math(EXPR _jw_case "${_jw_case} + 1")
  add_test(NAME "requests: job_id builds ${_builder} (control)"
           COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -fsyntax-only -Wall -Wextra -Werror
                   -I${PROJECT_SOURCE_DIR}/include -DJW_CASE=${_jw_case} ${_jw_cf_src})
  add_test(NAME "requests: native_id cannot build ${_builder}"
           COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -fsyntax-only
                   -I${PROJECT_SOURCE_DIR}/include -DJW_CASE=${_jw_case} -DJW_USE_NATIVE_ID ${_jw_cf_src})
  # Passes only when the compiler printed a conversion/overload error for the call.
  set_tests_properties("requests: native_id cannot build ${_builder}" PROPERTIES
    PASS_REGULAR_EXPRESSION "could not convert|cannot convert|no matching function|no viable conversion|no known conversion")
endforeach()
