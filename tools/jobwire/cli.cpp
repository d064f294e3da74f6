#include "cli.hpp"

#include <chrono>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

#include <jobwire/json_writer.hpp>
#include <jobwire/payload.hpp>
#include <jobwire/headers.hpp>
#include <jobwire/profile.hpp>

namespace jobwire_cli {

namespace {
std::map<std::string, command_spec>& registry() {
  static std::map<std::string, command_spec> r;
  return r;
}
}  // namespace

void register_command(command_spec spec) {
  std::string name = spec.name;
  registry().emplace(std::move(name), std::move(spec));
}
const std::map<std::string, command_spec>& commands() { return registry(); }

bool invocation::has(std::string_view option) const {
  for (const auto& o : opts_)
    if (o.first == option) return true;
  return false;
}

std::optional<std::string> invocation::raw(std::string_view option) const {
  std::optional<std::string> v;
  for (const auto& o : opts_)
    if (o.first == option) v = o.second;
  return v;
}

std::vector<std::string> invocation::raw_all(std::string_view option) const {
  std::vector<std::string> v;
  for (const auto& o : opts_)
    if (o.first == option) v.push_back(o.second);
  return v;
}

std::string invocation::resolve(const std::string& text) const {
  if (text.size() < 2 || text[0] != '@') return text;
  std::string path = text.substr(1);
  if (path == "-") {
    std::string data((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    if (std::cin.bad()) io_error("cannot read standard input");
    return data;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) io_error("cannot open " + path);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) io_error("cannot read " + path);
  return data;
}

std::string invocation::value(std::string_view option) const {
  auto r = raw(option);
  return r ? resolve(*r) : std::string();
}

std::optional<std::string> invocation::value_if(std::string_view option) const {
  auto r = raw(option);
  if (!r) return std::nullopt;
  return resolve(*r);
}

std::vector<std::string> invocation::values(std::string_view option) const {
  std::vector<std::string> out;
  for (const auto& v : raw_all(option)) out.push_back(resolve(v));
  return out;
}

std::string invocation::required(std::string_view option) const {
  if (!has(option)) usage_error("missing required option " + std::string(option));
  return value(option);
}

std::optional<std::int64_t> invocation::int_option(std::string_view option) const {
  auto r = raw(option);
  if (!r) return std::nullopt;
  const std::string& s = *r;
  std::size_t i = (!s.empty() && s[0] == '-') ? 1 : 0;
  if (i == s.size() || s.size() - i > 18) usage_error(std::string(option) + " needs an integer, got '" + s + "'");
  for (std::size_t k = i; k < s.size(); ++k)
    if (s[k] < '0' || s[k] > '9') usage_error(std::string(option) + " needs an integer, got '" + s + "'");
  return std::stoll(s);
}

const jobwire::profile* invocation::profile_option(bool webhooks) const {
  const std::optional<std::string> name = raw("--profile");
  if (!name) return nullptr;
  const jobwire::profile* prof = jobwire::find_profile(*name);
  if (prof == nullptr || (!webhooks && prof->scheme == jobwire::signature_scheme::webhooks))
    usage_error(webhooks ? "--profile must be ai-stats, phaseo, standard or openai"
                         : "--profile must be ai-stats or phaseo for " + spec_.name);
  return prof;
}

const jobwire::profile* invocation::receiving_profile_option(bool webhooks) const {
  const std::optional<std::string> name = raw("--profile");
  if (!name || *name == "auto") return nullptr;
  const jobwire::profile* prof = jobwire::find_profile(*name);
  if (prof == nullptr || (!webhooks && prof->scheme == jobwire::signature_scheme::webhooks))
    usage_error(webhooks ? "--profile must be auto, ai-stats, phaseo, standard or openai"
                         : "--profile must be auto, ai-stats or phaseo for " + spec_.name);
  return prof;
}

std::string verification_detail(jobwire::errc code, const jobwire::profile* configured,
                                const std::vector<std::pair<std::string, std::string>>& headers) {
  using jobwire::errc;
  auto family = [](const jobwire::profile& p) { return std::string(p.header_prefix) + "*"; };
  auto lower = [](std::string s) {
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
    return s;
  };
  if (code == errc::ambiguous_header) {
    // A header repeated with different values, or (auto) two header families at once.
    for (std::size_t i = 0; i < headers.size(); ++i)
      for (std::size_t j = i + 1; j < headers.size(); ++j)
        if (lower(headers[i].first) == lower(headers[j].first) && headers[i].second != headers[j].second)
          return "header " + lower(headers[i].first) + " is repeated with different values";
    if (configured == nullptr) {
      std::string present;
      for (const jobwire::profile* p : jobwire::detectable_profiles)
        if (jobwire::detail::has_header_family(headers, *p))
          present += std::string(present.empty() ? "" : " and ") + family(*p) + " (" + std::string(p->name) + ")";
      if (!present.empty())
        return "the request carries the headers of two profiles: " + present + "; a sender writes one family";
    }
    return {};
  }
  if (code == errc::malformed_timestamp) {
    // The strict rule takes Unix seconds only (PROTOCOL.md §9); the service's SDKs also read
    // 13+ digits as milliseconds and anything else as an ISO-8601 date. Name the header and
    // point at --sdk-compat when the value is one of those forms.
    auto detected_ts = jobwire::detect_profile(headers);
    const jobwire::profile& ts_prof = configured != nullptr                      ? *configured
                                      : (detected_ts && *detected_ts != nullptr) ? **detected_ts
                                                                                 : jobwire::profiles::ai_stats;
    const std::string want = std::string(ts_prof.header_prefix) + "timestamp";
    for (const auto& [name, value] : headers) {
      if (lower(name) != want) continue;
      std::string v = value;
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.pop_back();
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.erase(0, 1);
      const bool digits = !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
      if (digits && v.size() >= 13)
        return "header " + want + " is '" + v + "', " + std::to_string(v.size()) +
               " digits: milliseconds, not Unix seconds; the service's SDKs accept it, try --sdk-compat";
      if (!digits && v.find('-') != std::string::npos)
        return "header " + want + " is '" + v +
               "', not Unix seconds; if it is an ISO-8601 date (as the SDKs accept), try --sdk-compat";
      return "header " + want + " must be decimal Unix seconds (at most 12 digits)";
    }
    return {};
  }
  if (code == errc::signature_scheme_mismatch)
    return configured != nullptr && configured->scheme == jobwire::signature_scheme::webhooks
               ? "the signature is a 64-hex service signature (profiles ai-stats, phaseo), not a Standard Webhooks "
                 "list: try --profile auto"
               : "the signature is a Standard Webhooks list (v1,<base64>): try --profile standard or openai, "
                 "with the sender's whsec_ secret";
  if (code == errc::key_format_mismatch)
    return "no configured key is of this profile's kind: the service profiles take the secret's raw bytes, "
           "standard takes whsec_<base64> (or base64 without prefix), openai also raw bytes, and whpk_ public "
           "keys only verify v1a signatures";
  if (code == errc::invalid_key)
    return "a key is not valid for its format (whsec_: base64 of 24..64 bytes, whpk_: base64 of 32 bytes)";
  if (code == errc::missing_message_id) return "expected header webhook-id (or svix-id)";
  if (code != errc::missing_timestamp && code != errc::missing_signature) return {};
  auto detected = jobwire::detect_profile(headers);
  const jobwire::profile* present = detected ? *detected : nullptr;
  const jobwire::profile& used = configured != nullptr ? *configured
                                 : present != nullptr  ? *present
                                                       : jobwire::profiles::ai_stats;
  std::string out = "expected header " + std::string(used.header_prefix) +
                    (code == errc::missing_timestamp ? "timestamp" : "signature") + " (profile " +
                    std::string(used.name) + (configured == nullptr ? ", detected" : "") + ")";
  if (configured == nullptr && present == nullptr)
    out += "; the request carries no " + family(jobwire::profiles::phaseo) + " or " +
           family(jobwire::profiles::ai_stats) + " delivery header";
  else if (present != nullptr && present != &used)
    out += "; the request carries " + family(*present) + " headers (profile " + std::string(present->name) +
           "): try --profile auto";
  return out;
}

jobwire::payload_options invocation::payload_options() const {
  jobwire::payload_options opt;
  if (has("--lenient")) opt.leniency |= jobwire::lenient::unknown_status;
  if (const jobwire::profile* prof = profile_option()) opt.prof = prof;
  return opt;
}

std::int64_t invocation::now() const {
  if (auto n = int_option("--now")) return *n;
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int invocation::reject(const jobwire::error& e, std::string_view detail) {
  if (json_) {
    std::string s;
    jobwire::json::writer w(s);
    w.begin_object().field("ok", false).field("error", e.name()).field("message", e.message());
    if (e.has_offset()) w.field("offset", static_cast<std::uint64_t>(e.offset));
    if (!detail.empty()) w.field("detail", detail);
    w.end_object();
    out_ << s << '\n';
  } else {
    out_ << e.name() << ": " << e.message();
    if (e.has_offset()) out_ << " (at byte " << e.offset << ")";
    if (!detail.empty()) out_ << " — " << detail;
    out_ << '\n';
  }
  return exit_rejected;
}

void invocation::usage_error(std::string_view message) const {
  err_ << "jobwire " << spec_.name << ": " << message << "\n";
  err_ << "usage: " << spec_.usage << "\n";
  throw cli_exit{exit_usage};
}

void invocation::io_error(std::string_view message) const {
  if (json_) {
    std::string s;
    jobwire::json::writer w(s);
    w.begin_object().field("ok", false).field("error", "io_error").field("message", message).end_object();
    out_ << s << '\n';
  }
  err_ << "jobwire " << spec_.name << ": " << message << "\n";
  throw cli_exit{exit_io};
}

int invocation::accept(std::string_view line, std::string_view json_members) {
  if (json_) {
    out_ << "{\"ok\":true";
    if (!json_members.empty()) out_ << ',' << json_members;
    out_ << "}\n";
  } else {
    out_ << line << '\n';
  }
  return exit_ok;
}

// 'Name: value' → (Name, value) with the optional whitespace around the value removed, as
// an HTTP server does before handing headers to the application.
std::pair<std::string, std::string> split_header(const invocation& inv, const std::string& line) {
  const std::size_t colon = line.find(':');
  if (colon == std::string::npos || colon == 0)
    inv.usage_error("--header needs 'Name: value', got a value without a name");
  std::string name = line.substr(0, colon);
  std::string_view value(line);
  value.remove_prefix(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  return {std::move(name), std::string(value)};
}

bool parse_raw_request(std::string_view text, delivery_input& out, std::string& why) {
  out = delivery_input{};
  std::size_t pos = 0;
  bool first = true;
  for (;;) {
    const std::size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) {
      why = "the request has no empty line ending its headers";
      return false;
    }
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header block; the rest is the body
    const std::size_t colon = line.find(':');
    const std::size_t space = line.find_first_of(" \t");
    if (first && (colon == std::string_view::npos || (space != std::string_view::npos && space < colon))) {
      // A request line (RFC 9112 §3): METHOD SP target SP HTTP-version.
      const std::size_t last = line.rfind(' ');
      if (space == std::string_view::npos || last == space || line.substr(last + 1).substr(0, 5) != "HTTP/") {
        why = "line 1 is neither a request line (METHOD target HTTP/1.1) nor a header";
        return false;
      }
      first = false;
      continue;
    }
    first = false;
    // A field name is an RFC 9110 token (§5.1, §5.6.2).
    auto tchar = [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
             std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
    };
    bool token = colon != std::string_view::npos && colon > 0;
    for (std::size_t k = 0; token && k < colon; ++k) token = tchar(line[k]);
    if (!token) {
      why = "header line '" + std::string(line.substr(0, 80)) + "' is not 'Name: value'";
      return false;
    }
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    out.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  out.body = std::string(text.substr(pos));
  return true;
}

std::optional<delivery_input> read_delivery(invocation& inv, bool body_required, int& status) {
  delivery_input in;
  if (inv.has("--request")) {
    if (inv.has("--header") || inv.has("--body")) inv.usage_error("--request replaces --header and --body");
    std::string why;
    if (!parse_raw_request(inv.value("--request"), in, why)) {
      status = inv.reject(jobwire::errc::malformed_header, "--request: " + why);
      return std::nullopt;
    }
    return in;
  }
  if (body_required) in.body = inv.required("--body");
  for (const auto& h : inv.values("--header")) in.headers.push_back(split_header(inv, h));
  return in;
}

}  // namespace jobwire_cli
