// How the request-level fuzz targets (fuzz_verify, fuzz_verdict) read their input: header
// lines `Name: value` (one optional space after the colon, lines without a colon skipped),
// an empty line, then the body byte for byte. One reader, so a seed means the same request
// to every target.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jobwire_fuzz {

struct request_input {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string_view body;
};

inline request_input read_request(std::string_view in, std::size_t max_headers) {
  request_input out;
  const std::size_t split = in.find("\n\n");
  const std::string_view head = in.substr(0, split);
  out.body = split == std::string_view::npos ? std::string_view() : in.substr(split + 2);
  std::size_t pos = 0;
  while (pos < head.size() && out.headers.size() < max_headers) {
    std::size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) nl = head.size();
    const std::string_view line = head.substr(pos, nl - pos);
    pos = nl + 1;
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    out.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return out;
}

}  // namespace jobwire_fuzz
