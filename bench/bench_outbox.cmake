# outbox/<store>/<workers> (bench_outbox.cpp) runs the CLI's outbox worker
# (tools/jobwire/outbox_worker.hpp) against an in-process cpp-httplib receiver, on SQLite
# and, when libpq is found, PostgreSQL (tools/deps.sh bench installs both). Without
# cpp-httplib the rows are left out of the binary.
find_package(PkgConfig)
if(PkgConfig_FOUND)
  pkg_check_modules(JW_BENCH_HTTPLIB IMPORTED_TARGET cpp-httplib)
endif()
if(TARGET PkgConfig::JW_BENCH_HTTPLIB)
  find_package(SQLite3 REQUIRED)
  find_package(Threads REQUIRED)
  target_link_libraries(${JW_BENCH_TARGET} PRIVATE PkgConfig::JW_BENCH_HTTPLIB SQLite::SQLite3 Threads::Threads)
  target_include_directories(${JW_BENCH_TARGET} PRIVATE "${PROJECT_SOURCE_DIR}/tools/jobwire")
  target_compile_definitions(${JW_BENCH_TARGET} PRIVATE JOBWIRE_BENCH_HAVE_OUTBOX=1)
  find_package(PostgreSQL QUIET)
  if(PostgreSQL_FOUND)
    target_link_libraries(${JW_BENCH_TARGET} PRIVATE PostgreSQL::PostgreSQL)
    target_compile_definitions(${JW_BENCH_TARGET} PRIVATE JOBWIRE_BENCH_HAVE_POSTGRES=1)
  endif()
else()
  message(STATUS "bench: outbox rows left out (no cpp-httplib; tools/deps.sh bench installs it)")
endif()
