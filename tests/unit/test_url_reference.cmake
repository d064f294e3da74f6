# The WHATWG reference model and the shared differential check live under fuzz/reference/.
target_include_directories(${JW_TEST_TARGET} PRIVATE "${PROJECT_SOURCE_DIR}/fuzz")
