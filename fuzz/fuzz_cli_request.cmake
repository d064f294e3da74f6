# fuzz_cli_request reads requests with the CLI's own reader (tools/jobwire/cli.cpp), so it
# compiles that file in.
target_sources(${JW_FUZZ_TARGET} PRIVATE "${PROJECT_SOURCE_DIR}/tools/jobwire/cli.cpp")
target_include_directories(${JW_FUZZ_TARGET} PRIVATE "${PROJECT_SOURCE_DIR}/tools/jobwire")
