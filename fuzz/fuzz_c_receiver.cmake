# fuzz_c_receiver drives jobwire_receive through the static library (memory store).
target_link_libraries(${JW_FUZZ_TARGET} PRIVATE jobwire::c_static)
