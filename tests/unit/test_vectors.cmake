# test_vectors runs the shared delivery vectors through the C API as well as the C++ calls.
target_link_libraries(${JW_TEST_TARGET} PRIVATE jobwire::c_static)
