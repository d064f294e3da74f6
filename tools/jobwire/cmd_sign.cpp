// jobwire sign --secret S --timestamp T --body B   (docs/CLI.md, PROTOCOL.md §9)
// jobwire sign --profile standard|openai --secret whsec_... [--signing-key whsk_...] --id ID
//              --timestamp T --body B              (PROTOCOL.md §17)
#include <optional>
#include <string>
#include <vector>

#include <jobwire/json_writer.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/signature.hpp>
#include <jobwire/standard_webhooks.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

jobwire::key_format key_format_option(invocation& inv) {
  const std::optional<std::string> f = inv.raw("--key-format");
  if (!f || *f == "profile") return jobwire::key_format::by_profile;
  if (*f == "base64") return jobwire::key_format::base64;
  if (*f == "raw") return jobwire::key_format::raw;
  inv.usage_error("--key-format must be profile, base64 or raw");
}

// The `webhook-signature` value: one entry per key, secrets first then signing keys, each
// group in the order given (docs/CLI.md).
int run_webhooks(invocation& inv, const jobwire::profile& prof) {
  if (!inv.has("--secret") && !inv.has("--signing-key"))
    inv.usage_error("--profile " + std::string(prof.name) + " needs --secret or --signing-key");
  const std::string id = inv.required("--id");
  const std::string timestamp = inv.required("--timestamp");
  const std::string body = inv.required("--body");
  const jobwire::key_format format = key_format_option(inv);
  jobwire::webhook_signer signer;
  for (const std::string& s : inv.values("--secret"))
    if (auto st = signer.add_secret(s, prof, format); !st) return inv.reject(st.error());
  for (const std::string& k : inv.values("--signing-key"))
    if (auto st = signer.add_signing_key(k); !st) return inv.reject(st.error());
  auto sig = signer.sign(id, timestamp, body);
  if (!sig) return inv.reject(sig.error());
  std::string members;
  jobwire::json::writer w(members);
  w.key("signature").string(*sig);
  return inv.accept(*sig, members);
}

int run(invocation& inv) {
  const jobwire::profile* prof = inv.profile_option(true);
  if (prof != nullptr && prof->scheme == jobwire::signature_scheme::webhooks) return run_webhooks(inv, *prof);
  for (const char* only : {"--id", "--signing-key", "--key-format"})
    if (inv.has(only)) inv.usage_error(std::string(only) + " applies to --profile standard|openai");
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
    "print the webhook signature of TIMESTAMP.BODY (or ID.TIMESTAMP.BODY for Standard Webhooks)",
    "jobwire sign --secret S --timestamp T --body B\n"
    "       jobwire sign --profile standard|openai --secret whsec_... [--secret K2 ...] [--signing-key whsk_... ...]\n"
    "                    --id MSG_ID --timestamp T --body B [--key-format profile|base64|raw]",
    "Prints the 64-character lower-case hex HMAC-SHA256 of the timestamp text, '.', and the\n"
    "body bytes, keyed with the trimmed secret (a whsec_ prefix is part of the key).\n"
    "With --profile standard|openai, prints the webhook-signature header value instead:\n"
    "one v1,<base64 HMAC-SHA256> entry per --secret (whsec_<base64>; a secret without the\n"
    "prefix is base64 under standard and raw bytes under openai) and one v1a,<base64\n"
    "Ed25519> entry per --signing-key, over 'id.timestamp.body', space separated.\n"
    "Values may be given as @FILE or @- (bodies are used byte for byte).",
    {{"--secret", "S", "the webhook secret (never printed); repeatable with --profile standard|openai", true},
     {"--signing-key", "whsk_...", "an Ed25519 signing key (standard, openai); repeatable", true},
     {"--id", "MSG_ID", "the webhook-id (standard, openai)", false},
     {"--timestamp", "T", "the timestamp header text, signed exactly as given", false},
     {"--body", "B", "the raw request body", false},
     {"--profile", "ai-stats|phaseo|standard|openai", "the signature scheme (default ai-stats)", false},
     {"--key-format", "profile|base64|raw", "how a secret without whsec_ is read (standard, openai)", false}},
    0,
    0,
    "",
    run}};

}  // namespace
}  // namespace jobwire_cli
