# verify_shared starts its own threads.
find_package(Threads REQUIRED)
target_link_libraries(${JW_BENCH_TARGET} PRIVATE Threads::Threads)
