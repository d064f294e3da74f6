// jobwire content-request --status JSON [--index N] [--base URL]   (docs/CLI.md)
#include <string>

#include <jobwire/json_writer.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/requests.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

int run(invocation& inv) {
  const std::string text = inv.required("--status");
  auto st = jobwire::parse_status_object(text, inv.payload_options());
  if (!st) return inv.reject(st.error(), "--status");
  const std::int64_t index = inv.int_option("--index").value_or(0);
  const std::string base = inv.raw("--base").value_or("");

  jobwire::result<jobwire::http_request> req = jobwire::errc::internal_error;
  if (inv.has("--download-link")) {
    // The signed link is also output: refuse it for a job that has none yet.
    if (st->status != jobwire::job_status::completed) return inv.reject(jobwire::errc::job_not_completed);
    jobwire::download_link_options o;
    o.index = index;
    if (auto t = inv.int_option("--ttl")) o.ttl_seconds = *t;
    if (auto d = inv.raw("--disposition")) {
      auto parsed = jobwire::parse_disposition(*d);
      if (!parsed) return inv.reject(parsed.error());
      o.disposition = *parsed;
    }
    req = jobwire::download_url_request(st->id, o);
  } else {
    req = jobwire::content_request(*st, index);
  }
  if (!req) return inv.reject(req.error());
  const std::string method(jobwire::http_method_name(req->method));
  const std::string url = req->url(base);
  std::string line = method + " " + url;
  if (!req->body.empty()) line += "\n" + req->body;
  std::string members;
  jobwire::json::writer w(members);
  w.begin_object().field("method", method).field("url", url);
  if (!req->body.empty()) w.key("body").raw(req->body);
  w.end_object();
  return inv.accept(line, members.substr(1, members.size() - 2));
}

const registrar reg{command_spec{
    "content-request",
    "print the request that reads a completed job's output",
    "jobwire content-request --status JSON [--index N] [--base URL] [--download-link [--ttl S] [--disposition D]]",
    "Builds GET /v1/videos/{id}/content (with ?index=N only for N > 0) from a status\n"
    "object, the job id percent-encoded as a path segment. Prints 'METHOD URL'. Refused\n"
    "with job_not_completed unless the job is completed, invalid_index for an index the\n"
    "status object's outputs do not have. --download-link builds the signed-link request\n"
    "POST /v1/videos/{id}/download_url instead and prints its JSON body on a second line\n"
    "(ttl 60..3600, default 900: invalid_ttl; disposition attachment|inline:\n"
    "invalid_disposition).",
    {{"--status", "JSON", "the status object (literal, @FILE or @-)", false},
     {"--index", "N", "output index (default 0)", false},
     {"--base", "URL", "base URL to prefix (default: print the path only)", false},
     {"--download-link", "", "build the signed download link request instead", false},
     {"--ttl", "S", "with --download-link: ttl_seconds (60..3600, default 900)", false},
     {"--disposition", "D", "with --download-link: attachment (default) or inline", false},
     opt_lenient,
     opt_json},
    0,
    0,
    "",
    run}};

}  // namespace
}  // namespace jobwire_cli
