# `jobwire outbox` (cmd_outbox.cpp) keeps its rows in SQLite (stores/sqlite_outbox.hpp) and
# sends over HTTP with cpp-httplib (both found by demo.cmake). Without cpp-httplib or
# SQLite3 the command still exists and says what is missing.
if(TARGET PkgConfig::JW_CLI_HTTPLIB AND SQLite3_FOUND)
  target_compile_definitions(jobwire_cli PRIVATE JOBWIRE_CLI_HAVE_OUTBOX=1)
endif()
