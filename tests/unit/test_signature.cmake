# Constant-time test of the signature comparison (tests/ct/): a small program run under
# valgrind memcheck with the MAC bytes marked undefined (ctgrind method), plus a negative
# control that must be flagged. Not registered in sanitizer builds: ASan and valgrind do
# not run together.
if(NOT JOBWIRE_SANITIZE)
  add_executable(ct_compare "${PROJECT_SOURCE_DIR}/tests/ct/ct_compare.cpp")
  target_link_libraries(ct_compare PRIVATE jobwire::jobwire jobwire_project_options)
  add_test(NAME "signature: constant-time comparison (valgrind)"
           COMMAND bash "${PROJECT_SOURCE_DIR}/tests/ct/run_ct.sh" $<TARGET_FILE:ct_compare> jobwire)
  set_tests_properties("signature: constant-time comparison (valgrind)" PROPERTIES SKIP_RETURN_CODE 77)
  # Negative control: an early-exit comparison must be flagged by memcheck, or the method
  # proves nothing (run_ct.sh checks for memcheck's "depends on uninitialised value").
  add_test(NAME "signature: constant-time negative control (valgrind)"
           COMMAND bash "${PROJECT_SOURCE_DIR}/tests/ct/run_ct.sh" $<TARGET_FILE:ct_compare> branching)
  set_tests_properties("signature: constant-time negative control (valgrind)" PROPERTIES SKIP_RETURN_CODE 77)
endif()
