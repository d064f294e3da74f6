find_package(SQLite3 REQUIRED)
target_link_libraries(${JW_BENCH_TARGET} PRIVATE SQLite::SQLite3)
