find_package(SQLite3 REQUIRED)
target_link_libraries(${JW_TEST_TARGET} PRIVATE SQLite::SQLite3)
