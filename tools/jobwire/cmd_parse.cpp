// jobwire parse --as json|... JSON   (docs/CLI.md)
#include <string>

#include <jobwire/json.hpp>

#include "cli.hpp"

namespace jobwire_cli {
namespace {

// Each payload kind the tool can validate. The JSON kind only checks RFC 8259
// well-formedness; payload kinds (create, status, webhook, ws) validate a job payload and
// print a normalised summary.
struct parse_kind {
  const char* name;
  int (*run)(invocation&, const std::string& text);
};

int parse_json(invocation& inv, const std::string& text) {
  // RFC 8259 well-formedness, as CLI.md defines --as json: repeated object names are
  // well-formed (the RFC says SHOULD be unique) unless --reject-duplicate-keys is given.
  // Payload kinds always reject them.
  jobwire::json::options opts;
  opts.allow_duplicate_keys = !inv.has("--reject-duplicate-keys");
  jobwire::status st = jobwire::json::validate(text, opts);
  if (!st) return inv.reject(st.error());
  return inv.accept("valid");
}

const parse_kind kinds[] = {
    {"json", parse_json},
};

int run(invocation& inv) {
  std::string as = inv.raw("--as").value_or("json");
  const std::string text = inv.resolve(inv.positional().at(0));
  for (const auto& k : kinds)
    if (as == k.name) return k.run(inv, text);
  std::string names;
  for (const auto& k : kinds) names += std::string(names.empty() ? "" : "|") + k.name;
  inv.usage_error("--as must be one of " + names);
}

const registrar reg{command_spec{
    "parse",
    "validate a JSON text or a job payload and print a normalised summary",
    "jobwire parse --as json|create|status|webhook|ws JSON",
    "Validates JSON (a literal, @FILE or @-). --as json checks that the input is exactly\n"
    "one well-formed JSON text (RFC 8259: UTF-8, no trailing content, no extensions) and\n"
    "prints "
    "'valid'; on rejection the first line is the error code with the byte offset.",
    {{"--as", "KIND", "what to parse the input as (default json)", false},
     {"--reject-duplicate-keys", "", "with --as json: also reject repeated object names", false}},
    1,
    1,
    "JSON: the text itself, @FILE, or @- for standard input",
    run}};

}  // namespace
}  // namespace jobwire_cli
