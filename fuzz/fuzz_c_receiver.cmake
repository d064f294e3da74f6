# fuzz_c_receiver drives jobwire_receive and jobwire_receive_webhook through the static library.
target_link_libraries(${JW_FUZZ_TARGET} PRIVATE jobwire::c_static)
