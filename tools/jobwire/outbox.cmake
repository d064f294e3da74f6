# `jobwire outbox` (cmd_outbox.cpp) keeps its rows in SQLite (stores/sqlite_outbox.hpp) or,
# when libpq is found, PostgreSQL (stores/postgres_outbox.hpp), and sends over HTTP with
# cpp-httplib (found by demo.cmake). Without cpp-httplib or SQLite3 the command still
# exists and says what is missing; without libpq, `--db postgresql://…` is refused with
# store_not_supported.
if(TARGET PkgConfig::JW_CLI_HTTPLIB AND SQLite3_FOUND)
  target_compile_definitions(jobwire_cli PRIVATE JOBWIRE_CLI_HAVE_OUTBOX=1)
  find_package(PostgreSQL QUIET)
  if(PostgreSQL_FOUND)
    target_link_libraries(jobwire_cli PRIVATE PostgreSQL::PostgreSQL)
    target_compile_definitions(jobwire_cli PRIVATE JOBWIRE_CLI_HAVE_POSTGRES=1)
  endif()
endif()
