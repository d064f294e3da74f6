find_package(PostgreSQL REQUIRED)
target_link_libraries(${JW_TEST_TARGET} PRIVATE PostgreSQL::PostgreSQL)
# It stops the shared test server for a moment: nothing else may run meanwhile.
set(JW_TEST_PROPERTIES RUN_SERIAL TRUE)
