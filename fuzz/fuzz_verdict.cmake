# fuzz_verdict compares the C++ calls with the C API, linked statically (as fuzz_c_api).
target_link_libraries(${JW_FUZZ_TARGET} PRIVATE jobwire::c_static)
