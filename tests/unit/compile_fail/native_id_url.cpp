// Compile-fail check (tests/unit/test_requests.cmake): a native id must not build a
// gateway URL (PROTOCOL.md §2). Built twice per builder: with a job id it must compile
// (positive control: the TU itself is valid); with JW_USE_NATIVE_ID the compiler must
// refuse the conversion.
#include <jobwire/job.hpp>
#include <jobwire/requests.hpp>

int main() {
#ifdef JW_USE_NATIVE_ID
  auto id = *jobwire::native_id_view::parse("video_68a1f0c2e4b8819190d2f0e1");
#else
  auto id = *jobwire::job_id_view::parse("G-1");
#endif
#if JW_CASE == 1
  auto r = jobwire::status_request(id);
#elif JW_CASE == 2
  auto r = jobwire::cancel_request(id);
#elif JW_CASE == 3
  auto r = jobwire::delete_request(id);
#elif JW_CASE == 4
  auto r = jobwire::content_request(id, jobwire::job_status::completed, 1);
#elif JW_CASE == 5
  auto r = jobwire::download_url_request(id);
#elif JW_CASE == 6
  auto r = jobwire::websocket_request(id);
#else
#  error "JW_CASE must select a builder"
#endif
  (void)r;
  return 0;
}
