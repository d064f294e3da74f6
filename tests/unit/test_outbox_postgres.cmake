find_package(PostgreSQL REQUIRED)
target_link_libraries(${JW_TEST_TARGET} PRIVATE PostgreSQL::PostgreSQL)
