# The dashboard component lives with the examples (examples/dashboard); its page is a
# generated header. jobwire-dashboard-sample writes the page and a sample document for the
# browser test (tests/cli/test_dashboard.sh).
include("${PROJECT_SOURCE_DIR}/examples/dashboard/dashboard.cmake")
jobwire_dashboard_attach(${JW_TEST_TARGET})
if(NOT TARGET jobwire-dashboard-sample)
  add_executable(jobwire-dashboard-sample "${PROJECT_SOURCE_DIR}/examples/dashboard/dashboard_sample.cpp")
  target_link_libraries(jobwire-dashboard-sample PRIVATE jobwire::jobwire jobwire_project_options)
  jobwire_dashboard_attach(jobwire-dashboard-sample)
  set_target_properties(jobwire-dashboard-sample PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${PROJECT_BINARY_DIR}/bin")
  # Built with the unit test, so a test build always has it for the browser test.
  add_dependencies(${JW_TEST_TARGET} jobwire-dashboard-sample)
endif()
