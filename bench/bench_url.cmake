# url/boost_url baseline: Boost.URL 1.81 used header-only (bench_url.cpp includes
# <boost/url/src.hpp> exactly once), so only the Boost headers are needed.
find_package(Boost 1.81 REQUIRED)
target_link_libraries(${JW_BENCH_TARGET} PRIVATE Boost::headers)
