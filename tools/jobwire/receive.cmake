# `jobwire receive` keeps dedup state (stores/sqlite.hpp) and job state in one SQLite file.
find_package(SQLite3 REQUIRED)
target_link_libraries(jobwire_cli PRIVATE SQLite::SQLite3)
