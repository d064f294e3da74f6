// Compile-fail check (tests/unit/test_json.cmake): the JSON views point into text the
// validator accepted and skip over it without bounds checks, so only the parser makes
// them (json.hpp, detail::view_access). Built twice per view: obtained from the parser it
// must compile (positive control: the TU itself is valid); with JW_FORGE, made directly
// from a pointer, the compiler must refuse the private constructor. Case 6 is the same
// rule for verify.hpp's authenticated_body: only authentication makes one (§13.1).
#include <jobwire/json.hpp>
#include <jobwire/verify.hpp>

#include <string_view>

int main() {
  static const char text[] = R"({"a":["b",1]})";
  const auto root = *jobwire::json::parse(text);
  const auto obj = *root.get_object();
  (void)obj;
#if JW_CASE == 1
#  ifdef JW_FORGE
  jobwire::json::value v(text);
#  else
  jobwire::json::value v = obj.find("a");
#  endif
  return v.exists() ? 0 : 1;
#elif JW_CASE == 2
#  ifdef JW_FORGE
  jobwire::json::value v(text, text + sizeof text - 1);
#  else
  jobwire::json::value v = root;
#  endif
  return v.exists() ? 0 : 1;
#elif JW_CASE == 3
#  ifdef JW_FORGE
  jobwire::json::string s(text + 2, 1, false);
#  else
  jobwire::json::string s = obj.begin()->key;
#  endif
  return s.empty() ? 1 : 0;
#elif JW_CASE == 4
#  ifdef JW_FORGE
  jobwire::json::object o(text);
#  else
  jobwire::json::object o = obj;
#  endif
  return o.empty() ? 1 : 0;
#elif JW_CASE == 5
#  ifdef JW_FORGE
  jobwire::json::array a(text + 5);
#  else
  jobwire::json::array a = *obj.find("a").get_array();
#  endif
  return a.empty() ? 1 : 0;
#elif JW_CASE == 6
#  ifdef JW_FORGE
  jobwire::authenticated_body b(std::string_view{text});
#  else
  jobwire::authenticated_delivery d;
  jobwire::authenticated_body b = d.body;
#  endif
  return b.bytes().empty() ? 0 : 1;
#else
#  error "JW_CASE must select a view"
#endif
}
