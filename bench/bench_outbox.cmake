# outbox/<store>/<workers> (bench_outbox.cpp) runs the CLI's outbox worker
# (tools/jobwire/outbox_worker.hpp) against an in-process cpp-httplib receiver, on SQLite
# and, when libpq is found, PostgreSQL.
find_package(PkgConfig REQUIRED)
pkg_check_modules(JW_BENCH_HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
find_package(SQLite3 REQUIRED)
find_package(Threads REQUIRED)
target_link_libraries(${JW_BENCH_TARGET} PRIVATE PkgConfig::JW_BENCH_HTTPLIB SQLite::SQLite3 Threads::Threads)
target_include_directories(${JW_BENCH_TARGET} PRIVATE "${PROJECT_SOURCE_DIR}/tools/jobwire")
find_package(PostgreSQL QUIET)
if(PostgreSQL_FOUND)
  target_link_libraries(${JW_BENCH_TARGET} PRIVATE PostgreSQL::PostgreSQL)
  target_compile_definitions(${JW_BENCH_TARGET} PRIVATE JOBWIRE_BENCH_HAVE_POSTGRES=1)
endif()
