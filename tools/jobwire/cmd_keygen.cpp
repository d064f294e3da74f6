// jobwire keygen --profile standard [--asymmetric]   (docs/CLI.md, PROTOCOL.md §17)
#include <string>

#include <jobwire/json_writer.hpp>
#include <jobwire/profile.hpp>
#include <jobwire/standard_webhooks.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

int run(invocation& inv) {
  const jobwire::profile* prof = inv.profile_option(true);
  if (prof != nullptr && prof->scheme != jobwire::signature_scheme::webhooks)
    inv.usage_error("keygen makes Standard Webhooks keys: --profile standard or openai");
  std::string members;
  jobwire::json::writer w(members);
  if (inv.has("--asymmetric")) {
    auto pair = jobwire::generate_webhook_keypair();
    if (!pair) return inv.reject(pair.error());
    w.begin_object().field("signing_key", pair->signing_key).field("public_key", pair->public_key).end_object();
    return inv.accept(pair->signing_key + "\n" + pair->public_key,
                      std::string_view(members).substr(1, members.size() - 2));
  }
  auto secret = jobwire::generate_webhook_secret();
  if (!secret) return inv.reject(secret.error());
  w.key("secret").string(*secret);
  return inv.accept(*secret, members);
}

const registrar reg{
    command_spec{"keygen",
                 "print a new Standard Webhooks secret, or an Ed25519 key pair",
                 "jobwire keygen [--profile standard|openai] [--asymmetric]",
                 "Prints a new whsec_<base64> secret (32 random bytes from OpenSSL), or with\n"
                 "--asymmetric two lines: the whsk_ signing key (seed and public key, 64 bytes, for\n"
                 "the sender: keep it private) then the whpk_ public key (for receivers).",
                 {{"--profile", "standard|openai", "the key family (default standard)", false},
                  {"--asymmetric", "", "an Ed25519 key pair (v1a) instead of a shared secret (v1)", false}},
                 0,
                 0,
                 "",
                 run}};

}  // namespace
}  // namespace jobwire_cli
