# fuzz_c_api drives the C API through the static library (the same code the shared
# library exports), compiled with coverage instrumentation in fuzz builds (src/CMakeLists.txt).
target_link_libraries(${JW_FUZZ_TARGET} PRIVATE jobwire::c_static)
