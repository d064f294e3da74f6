// jobwire sign --secret S --timestamp T --body B   (docs/CLI.md, PROTOCOL.md §9)
#include <string>

#include <jobwire/json_writer.hpp>
#include <jobwire/signature.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

int run(invocation& inv) {
  const std::string secret = inv.required("--secret");
  const std::string timestamp = inv.required("--timestamp");
  const std::string body = inv.required("--body");
  // The timestamp is signed exactly as given: the sender decides its text, and a receiver
  // verifies those same bytes (PROTOCOL.md §9).
  auto sig = jobwire::sign(secret, timestamp, body);
  if (!sig) return inv.reject(sig.error());
  std::string members;
  jobwire::json::writer w(members);
  w.key("signature").string(sig->view());
  return inv.accept(sig->view(), members);
}

const registrar reg{command_spec{
    "sign",
    "print the HMAC-SHA256 webhook signature of TIMESTAMP.BODY",
    "jobwire sign --secret S --timestamp T --body B",
    "Prints the 64-character lower-case hex HMAC-SHA256 of the timestamp text, '.', and the\n"
    "body bytes, keyed with the trimmed secret (a whsec_ prefix is part of the key).\n"
    "Values may be given as @FILE or @- (bodies are used byte for byte).",
    {{"--secret", "S", "the webhook secret (never printed)", false},
     {"--timestamp", "T", "the timestamp header text, signed exactly as given", false},
     {"--body", "B", "the raw request body", false}},
    0,
    0,
    "",
    run}};

}  // namespace
}  // namespace jobwire_cli
