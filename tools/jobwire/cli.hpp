// The jobwire command-line tool: shared plumbing for subcommands (docs/CLI.md).
//
// Each subcommand lives in its own cmd_*.cpp and registers itself with a static
// `registrar`, so adding a command never touches main.cpp. The tool only parses
// arguments and prints: every decision comes from library code.
#pragma once

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <jobwire/error.hpp>

namespace jobwire {
struct profile;
struct payload_options;
}  // namespace jobwire

namespace jobwire_cli {

/// Exit statuses fixed by docs/CLI.md.
enum exit_status : int { exit_ok = 0, exit_rejected = 1, exit_usage = 2, exit_io = 3 };

struct option_spec {
  std::string name;     ///< e.g. "--secret"
  std::string metavar;  ///< empty for a flag without a value
  std::string help;
  bool repeatable = false;
};

class invocation;

struct command_spec {
  std::string name;
  std::string synopsis;  ///< one line for the tool's --help
  std::string usage;     ///< "jobwire sign --secret S --timestamp T --body B"
  std::string description;
  std::vector<option_spec> options;
  std::size_t min_positional = 0;
  std::size_t max_positional = 0;
  std::string positional_help;
  std::function<int(invocation&)> run;
};

/// Thrown inside the tool only (never by the library) to unwind to main with an exit status.
struct cli_exit {
  int status;
};

class invocation {
 public:
  invocation(const command_spec& spec, std::ostream& out, std::ostream& err) : spec_(spec), out_(out), err_(err) {}

  const command_spec& spec() const { return spec_; }
  std::ostream& out() { return out_; }
  std::ostream& err() { return err_; }
  bool json() const { return json_; }

  bool has(std::string_view option) const;
  /// Raw text of the last occurrence (no @FILE resolution).
  std::optional<std::string> raw(std::string_view option) const;
  /// All raw values of a repeatable option, in order.
  std::vector<std::string> raw_all(std::string_view option) const;
  const std::vector<std::string>& positional() const { return positional_; }

  /// The value with @FILE / @- resolved; throws cli_exit{exit_io} after printing when the
  /// file cannot be read. Bodies are bytes: never re-encoded or stripped.
  std::string value(std::string_view option) const;
  std::optional<std::string> value_if(std::string_view option) const;
  std::vector<std::string> values(std::string_view option) const;
  std::string resolve(const std::string& text) const;

  /// Required option; a usage error (exit 2) when missing.
  std::string required(std::string_view option) const;

  /// Integer option parsing with usage errors (exit 2) for malformed numbers.
  std::optional<std::int64_t> int_option(std::string_view option) const;

  /// `--now N` or the system clock.
  std::int64_t now() const;

  /// The `--profile NAME` profile, or nullptr when the option is absent; a usage error
  /// (exit 2) for a name jobwire::find_profile does not know, and for the Standard
  /// Webhooks profiles (standard, openai: PROTOCOL.md §17) unless the command handles them
  /// (`webhooks`).
  const jobwire::profile* profile_option(bool webhooks = false) const;

  /// For commands that read a received delivery (verify, receive): `--profile
  /// auto|ai-stats|phaseo|standard|openai`, default auto. nullptr stands for auto
  /// (detected from the headers, PROTOCOL.md §15); a usage error (exit 2) for any other
  /// name, and for standard/openai unless the command handles them (`webhooks`).
  const jobwire::profile* receiving_profile_option(bool webhooks = false) const;

  /// Payload-reading options from `--lenient` (unknown status words mapped as the service
  /// does) and `--profile` (see profile_option), for commands that read status objects or
  /// envelopes. Options the command does not declare are simply absent.
  jobwire::payload_options payload_options() const;

  /// Prints a protocol rejection per docs/CLI.md and returns exit_rejected.
  int reject(const jobwire::error& e, std::string_view detail = {});
  /// Prints a usage error and returns exit_usage.
  [[noreturn]] void usage_error(std::string_view message) const;
  [[noreturn]] void io_error(std::string_view message) const;

  /// Prints `line` in text mode, or {"ok":true,...extra_json_members} in --json mode.
  /// `json_members` is a comma-separated list of JSON members without braces, or empty.
  int accept(std::string_view line, std::string_view json_members = {});

  // Filled by the argument parser.
  void set_json(bool v) { json_ = v; }
  void add_option(std::string name, std::string value) { opts_.emplace_back(std::move(name), std::move(value)); }
  void add_positional(std::string v) { positional_.push_back(std::move(v)); }

 private:
  const command_spec& spec_;
  std::ostream& out_;
  std::ostream& err_;
  bool json_ = false;
  std::vector<std::pair<std::string, std::string>> opts_;
  std::vector<std::string> positional_;
};

void register_command(command_spec spec);
const std::map<std::string, command_spec>& commands();

struct registrar {
  explicit registrar(command_spec spec) { register_command(std::move(spec)); }
};

/// Options every command understands.
inline const option_spec opt_json{"--json", "", "print exactly one JSON object on stdout", false};
/// The opt-in leniency of every command that reads status objects (PROTOCOL.md §3), read
/// by invocation::payload_options().
inline const option_spec opt_lenient{"--lenient", "", "map unknown status words to queued/pending as the service does",
                                     false};

/// The explanation printed after a verification rejection (docs/CLI.md): for a missing
/// timestamp or signature, the header the profile looked for and, when the request carries
/// another profile's headers, that profile; for `ambiguous_header`, the header (or the two
/// header families) concerned. Empty when there is nothing to add. `configured` is the
/// profile given with --profile (nullptr: auto).
std::string verification_detail(jobwire::errc code, const jobwire::profile* configured,
                                const std::vector<std::pair<std::string, std::string>>& headers);

/// 'Name: value' (a --header argument) → (Name, value), the optional whitespace around the
/// value removed as an HTTP server does; a value without a name is a usage error.
std::pair<std::string, std::string> split_header(const invocation& inv, const std::string& line);

/// One received delivery as the CLI reads it: header pairs and the raw body.
struct delivery_input {
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

/// Parses one raw HTTP request (docs/CLI.md, `--request @FILE`): an optional request line
/// (`METHOD target HTTP/x.y`), `Name: value` header lines, an empty line, then the body
/// byte for byte — what `jobwire delivery` prints, or a captured request. Lines may end in
/// CRLF or LF. Returns false with `why` set when the text is not such a request.
bool parse_raw_request(std::string_view text, delivery_input& out, std::string& why);

/// The delivery of `verify`, `receive`, `parse --as webhook`: from `--request` when given
/// (then `--header` and `--body` are usage errors), else from `--header`/`--body`
/// (`body_required`: whether --body must be given). A request that does not parse is
/// rejected (exit 1, `malformed_header`) through `inv.reject`; `status` then holds the exit
/// status to return and the result is empty.
std::optional<delivery_input> read_delivery(invocation& inv, bool body_required, int& status);

}  // namespace jobwire_cli
