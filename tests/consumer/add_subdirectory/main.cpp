// A consumer program: uses the umbrella header and checks a known result.
#include <jobwire/jobwire.hpp>

#include <cstdio>

int main() {
  auto doc = jobwire::json::parse(R"({"id":"evt_1","data":{"id":"G-1"}})");
  if (!doc) return 1;
  auto obj = doc->get_object();
  if (!obj) return 1;
  auto data = obj->find("data").get_object();
  if (!data) return 1;
  auto id = data->find("id").get_string();
  if (!id || !id->equals("G-1")) return 1;
  std::printf("consumer ok: jobwire %s\n", jobwire::version());
  return 0;
}
