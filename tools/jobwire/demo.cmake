# `jobwire demo` (cmd_demo.cpp) talks HTTP to the example programs and reads the SQLite
# database the receiver writes. Without cpp-httplib or SQLite3 the command still exists
# and says what is missing (tools/deps.sh examples installs both).
find_package(PkgConfig)
if(PkgConfig_FOUND)
  pkg_check_modules(JW_CLI_HTTPLIB IMPORTED_TARGET cpp-httplib)
endif()
find_package(SQLite3)
if(TARGET PkgConfig::JW_CLI_HTTPLIB AND SQLite3_FOUND)
  find_package(Threads REQUIRED)
  target_link_libraries(jobwire_cli PRIVATE PkgConfig::JW_CLI_HTTPLIB SQLite::SQLite3 Threads::Threads)
  target_compile_definitions(jobwire_cli PRIVATE JOBWIRE_CLI_HAVE_DEMO=1)
endif()
