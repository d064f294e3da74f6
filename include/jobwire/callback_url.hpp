// jobwire — callback URL validation (PROTOCOL.md §8).
//
// A callback URL is an SSRF boundary: the sender will POST to whatever host this check
// lets through. So the host is decided exactly the way the service (and every browser)
// decides it — the WHATWG URL Standard's parser for the special schemes — and never by
// a regex: input cleanup, scheme, `\` as `/`, missing/extra slashes, userinfo ended by the
// last `@`, percent-decoding of the host, the IPv4 number forms ("ends in a number",
// decimal/octal/hex, 1–4 parts) and the IPv6 parser with an embedded IPv4 tail. Whatever
// trick an attacker writes, the address we classify is the address a client connects to.
//
// The check is literal (no DNS). Senders must classify every resolved address with
// `classify()` at connect time and must not follow redirects (docs/CALLBACK_URLS.md).
//
// Validation (`check_callback_url`) allocates nothing: the host is decoded into a fixed
// buffer inside `http_url`, every other component is a view into the caller's input.
// The WHATWG serialisation is produced on request into a caller buffer or a std::string.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "error.hpp"
#include "leniency.hpp"
#include "result.hpp"
#include "utf8.hpp"

namespace jobwire {

// --- addresses and their classification ------------------------------------------------

/// An IPv4 address as a 32-bit number (first octet in the high byte).
struct ipv4_address {
  std::uint32_t value = 0;
  friend constexpr bool operator==(ipv4_address a, ipv4_address b) noexcept { return a.value == b.value; }
  friend constexpr bool operator!=(ipv4_address a, ipv4_address b) noexcept { return a.value != b.value; }
};

/// An IPv6 address as eight 16-bit pieces (first piece first).
struct ipv6_address {
  std::uint16_t pieces[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  friend constexpr bool operator==(const ipv6_address& a, const ipv6_address& b) noexcept {
    for (int i = 0; i < 8; ++i)
      if (a.pieces[i] != b.pieces[i]) return false;
    return true;
  }
  friend constexpr bool operator!=(const ipv6_address& a, const ipv6_address& b) noexcept { return !(a == b); }
};

/// Where an address sits in the IANA IPv4/IPv6 Special-Purpose Address Registries.
/// Only `global` may be connected to under the strict policy.
enum class address_class : std::uint8_t {
  global,       ///< globally reachable
  unspecified,  ///< 0.0.0.0/8 ("this network"), ::/128
  loopback,     ///< 127.0.0.0/8, ::1/128
  private_use,  ///< 10/8, 172.16/12, 192.168/16, fc00::/7
  link_local,   ///< 169.254/16, fe80::/10
  non_global,   ///< every other special-purpose, reserved, multicast or broadcast range
};

constexpr std::string_view address_class_name(address_class c) noexcept {
  switch (c) {
    case address_class::global: return "global";
    case address_class::unspecified: return "unspecified";
    case address_class::loopback: return "loopback";
    case address_class::private_use: return "private";
    case address_class::link_local: return "link_local";
    case address_class::non_global: return "non_global";
  }
  return "non_global";
}

/// The rejection reason for a non-global class; `errc::ok` for `global`.
constexpr errc address_class_error(address_class c) noexcept {
  switch (c) {
    case address_class::global: return errc::ok;
    case address_class::unspecified: return errc::unspecified_host;
    case address_class::loopback: return errc::loopback_host;
    case address_class::private_use: return errc::private_host;
    case address_class::link_local: return errc::link_local_host;
    case address_class::non_global: return errc::non_global_host;
  }
  return errc::non_global_host;
}

namespace url_detail {
constexpr bool in_v4(std::uint32_t a, std::uint32_t prefix, unsigned len) noexcept {
  return len == 0 || (a >> (32 - len)) == (prefix >> (32 - len));
}
constexpr std::uint32_t v4(unsigned a, unsigned b, unsigned c, unsigned d) noexcept {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}
/// First `len` bits of `a` equal those of the prefix given as pieces.
constexpr bool in_v6(const ipv6_address& a, std::uint16_t p0, std::uint16_t p1, std::uint16_t p2,
                     unsigned len) noexcept {
  const std::uint16_t p[3] = {p0, p1, p2};
  for (unsigned i = 0; i < 3 && len > 0; ++i) {
    unsigned bits = len >= 16 ? 16 : len;
    auto mask = static_cast<std::uint16_t>(0xFFFFu << (16 - bits));
    if ((a.pieces[i] & mask) != (p[i] & mask)) return false;
    len -= bits;
  }
  return true;
}
constexpr bool pieces_zero(const ipv6_address& a, int from, int to) noexcept {
  for (int i = from; i < to; ++i)
    if (a.pieces[i] != 0) return false;
  return true;
}
constexpr ipv4_address v4_from_pieces(std::uint16_t hi, std::uint16_t lo) noexcept {
  return ipv4_address{(static_cast<std::uint32_t>(hi) << 16) | lo};
}
}  // namespace url_detail

/// Classifies an IPv4 address against the IANA IPv4 Special-Purpose Address Registry
/// (plus multicast 224/4, which has its own registry and is never a callback target).
constexpr address_class classify(ipv4_address addr) noexcept {
  using url_detail::in_v4;
  using url_detail::v4;
  const std::uint32_t a = addr.value;
  if (in_v4(a, v4(0, 0, 0, 0), 8)) return address_class::unspecified;  // "this network"
  if (in_v4(a, v4(127, 0, 0, 0), 8)) return address_class::loopback;
  if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) || in_v4(a, v4(192, 168, 0, 0), 16))
    return address_class::private_use;
  if (in_v4(a, v4(169, 254, 0, 0), 16)) return address_class::link_local;
  // 192.0.0.0/24 is non-global except the two anycast services the registry marks
  // globally reachable (PCP 192.0.0.9, TURN 192.0.0.10).
  if (a == v4(192, 0, 0, 9) || a == v4(192, 0, 0, 10)) return address_class::global;
  if (in_v4(a, v4(100, 64, 0, 0), 10) ||    // shared address space (CGNAT)
      in_v4(a, v4(192, 0, 0, 0), 24) ||     // IETF protocol assignments
      in_v4(a, v4(192, 0, 2, 0), 24) ||     // TEST-NET-1
      in_v4(a, v4(192, 88, 99, 0), 24) ||   // deprecated 6to4 relay anycast
      in_v4(a, v4(198, 18, 0, 0), 15) ||    // benchmarking
      in_v4(a, v4(198, 51, 100, 0), 24) ||  // TEST-NET-2
      in_v4(a, v4(203, 0, 113, 0), 24) ||   // TEST-NET-3
      in_v4(a, v4(224, 0, 0, 0), 4) ||      // multicast
      in_v4(a, v4(240, 0, 0, 0), 4))        // reserved, including 255.255.255.255 broadcast
    return address_class::non_global;
  return address_class::global;
}

/// Classifies an IPv6 address against the IANA IPv6 Special-Purpose Address Registry.
/// Forms that carry an IPv4 address a client may end up connecting to (IPv4-mapped,
/// IPv4-compatible, NAT64 64:ff9b::/96, 6to4 2002::/16) are classified by that IPv4
/// address; an IPv4-compatible address is never global itself (PROTOCOL.md §8).
constexpr address_class classify(const ipv6_address& a) noexcept {
  using url_detail::in_v6;
  const auto& p = a.pieces;
  if (url_detail::pieces_zero(a, 0, 8)) return address_class::unspecified;
  if (url_detail::pieces_zero(a, 0, 7) && p[7] == 1) return address_class::loopback;
  if (url_detail::pieces_zero(a, 0, 5) && p[5] == 0xFFFF) return classify(url_detail::v4_from_pieces(p[6], p[7]));
  if (url_detail::pieces_zero(a, 0, 6)) {  // ::a.b.c.d, deprecated IPv4-compatible
    address_class c = classify(url_detail::v4_from_pieces(p[6], p[7]));
    return c == address_class::global ? address_class::non_global : c;
  }
  if (p[0] == 0x64 && p[1] == 0xff9b && url_detail::pieces_zero(a, 2, 6))  // NAT64 well-known prefix
    return classify(url_detail::v4_from_pieces(p[6], p[7]));
  if (p[0] == 0x2002) return classify(url_detail::v4_from_pieces(p[1], p[2]));  // 6to4
  if (in_v6(a, 0xfc00, 0, 0, 7)) return address_class::private_use;
  if (in_v6(a, 0xfe80, 0, 0, 10)) return address_class::link_local;
  if (!in_v6(a, 0x2000, 0, 0, 3)) return address_class::non_global;  // incl. 64:ff9b:1::/48, 100::/64, ff00::/8
  // 2001::/23 (IETF protocol assignments, incl. Teredo 2001::/32) is non-global except
  // the ranges the registry marks globally reachable.
  if (in_v6(a, 0x2001, 0, 0, 23)) {
    bool dns_anycast = p[0] == 0x2001 && p[1] == 1 && url_detail::pieces_zero(a, 2, 7) && p[7] >= 1 && p[7] <= 3;
    if (dns_anycast || in_v6(a, 0x2001, 0x0003, 0, 32) || in_v6(a, 0x2001, 0x0004, 0x0112, 48) ||
        in_v6(a, 0x2001, 0x0020, 0, 28) || in_v6(a, 0x2001, 0x0030, 0, 28))
      return address_class::global;
    return address_class::non_global;
  }
  if (in_v6(a, 0x2001, 0x0db8, 0, 32) ||  // documentation
      in_v6(a, 0x3fff, 0, 0, 20) ||       // documentation
      in_v6(a, 0x5f00, 0, 0, 16))         // SRv6 SIDs
    return address_class::non_global;
  return address_class::global;
}

// --- the WHATWG host parsers ----------------------------------------------------------

namespace url_detail {
constexpr bool is_tab_or_newline(char c) noexcept { return c == '\t' || c == '\n' || c == '\r'; }
constexpr bool is_c0_or_space(char c) noexcept { return static_cast<unsigned char>(c) <= 0x20; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_dec(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr int hex_digit(char c) noexcept {
  return (c >= '0' && c <= '9')   ? c - '0'
         : (c >= 'a' && c <= 'f') ? c - 'a' + 10
         : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                  : -1;
}
constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// WHATWG "IPv4 number parser": 0x/0X → hex, leading 0 → octal, else decimal. Empty
/// after the prefix is 0. Values saturate above 2^32 (every such value fails later).
inline bool parse_ipv4_number(std::string_view s, std::uint64_t& out) noexcept {
  if (s.empty()) return false;
  unsigned radix = 10;
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    radix = 16;
    s.remove_prefix(2);
  } else if (s.size() >= 2 && s[0] == '0') {
    radix = 8;
    s.remove_prefix(1);
  }
  std::uint64_t v = 0;
  for (char c : s) {
    int d = hex_digit(c);
    if (d < 0 || static_cast<unsigned>(d) >= radix) return false;
    v = v * radix + static_cast<unsigned>(d);
    if (v > 0xFFFFFFFFull) v = 0x100000000ull;  // saturate: too large either way
  }
  out = v;
  return true;
}

/// WHATWG "ends in a number checker".
inline bool ends_in_a_number(std::string_view host) noexcept {
  if (!host.empty() && host.back() == '.') {
    host.remove_suffix(1);
    if (host.empty()) return false;  // "." alone: one empty part was removed; nothing left
  }
  std::size_t dot = host.rfind('.');
  std::string_view last = dot == std::string_view::npos ? host : host.substr(dot + 1);
  if (last.empty()) return false;
  bool all_digits = true;
  for (char c : last)
    if (!is_dec(c)) all_digits = false;
  if (all_digits) return true;
  std::uint64_t ignored = 0;
  return parse_ipv4_number(last, ignored);
}
}  // namespace url_detail

/// WHATWG "IPv4 parser" over an ASCII-lower-cased domain that ends in a number.
inline result<ipv4_address> parse_ipv4(std::string_view host) noexcept {
  std::uint64_t nums[4] = {0, 0, 0, 0};
  std::size_t n = 0;
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // one trailing empty part
  if (host.empty()) return errc::invalid_ipv4;
  for (;;) {
    std::size_t dot = host.find('.');
    std::string_view part = host.substr(0, dot);
    if (n == 4) return errc::invalid_ipv4;
    if (!url_detail::parse_ipv4_number(part, nums[n])) return errc::invalid_ipv4;
    ++n;
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  for (std::size_t i = 0; i + 1 < n; ++i)
    if (nums[i] > 255) return errc::invalid_ipv4;
  const std::uint64_t limit = 1ull << (8 * (5 - n));
  if (nums[n - 1] >= limit) return errc::invalid_ipv4;
  std::uint64_t v = nums[n - 1];
  for (std::size_t i = 0; i + 1 < n; ++i) v += nums[i] << (8 * (3 - i));
  return ipv4_address{static_cast<std::uint32_t>(v)};
}

/// WHATWG "IPv6 parser" (the text between the brackets).
inline result<ipv6_address> parse_ipv6(std::string_view in) noexcept {
  ipv6_address addr;
  auto& piece = addr.pieces;
  int piece_index = 0;
  int compress = -1;
  std::size_t p = 0;
  const std::size_t n = in.size();
  auto at = [&](std::size_t i) -> char { return i < n ? in[i] : '\0'; };
  if (at(p) == ':') {
    if (at(p + 1) != ':') return errc::invalid_ipv6;
    p += 2;
    compress = ++piece_index;
  }
  while (p < n) {
    if (piece_index == 8) return errc::invalid_ipv6;
    if (in[p] == ':') {
      if (compress != -1) return errc::invalid_ipv6;
      ++p;
      compress = ++piece_index;
      continue;
    }
    unsigned value = 0, length = 0;
    while (length < 4 && p < n && url_detail::hex_digit(in[p]) >= 0) {
      value = value * 16 + static_cast<unsigned>(url_detail::hex_digit(in[p]));
      ++p;
      ++length;
    }
    if (p < n && in[p] == '.') {
      if (length == 0) return errc::invalid_ipv6;
      p -= length;
      if (piece_index > 6) return errc::invalid_ipv6;
      int numbers_seen = 0;
      while (p < n) {
        int ipv4_piece = -1;
        if (numbers_seen > 0) {
          if (in[p] == '.' && numbers_seen < 4) ++p;
          else return errc::invalid_ipv6;
        }
        if (p >= n || !url_detail::is_dec(in[p])) return errc::invalid_ipv6;
        while (p < n && url_detail::is_dec(in[p])) {
          int number = in[p] - '0';
          if (ipv4_piece == -1) ipv4_piece = number;
          else if (ipv4_piece == 0) return errc::invalid_ipv6;
          else ipv4_piece = ipv4_piece * 10 + number;
          if (ipv4_piece > 255) return errc::invalid_ipv6;
          ++p;
        }
        piece[piece_index] = static_cast<std::uint16_t>(piece[piece_index] * 0x100 + ipv4_piece);
        ++numbers_seen;
        if (numbers_seen == 2 || numbers_seen == 4) ++piece_index;
      }
      if (numbers_seen != 4) return errc::invalid_ipv6;
      break;
    } else if (p < n && in[p] == ':') {
      ++p;
      if (p >= n) return errc::invalid_ipv6;
    } else if (p < n) {
      return errc::invalid_ipv6;
    }
    piece[piece_index] = static_cast<std::uint16_t>(value);
    ++piece_index;
  }
  if (compress != -1) {
    int swaps = piece_index - compress;
    piece_index = 7;
    while (piece_index != 0 && swaps > 0) {
      std::uint16_t t = piece[piece_index];
      piece[piece_index] = piece[compress + swaps - 1];
      piece[compress + swaps - 1] = t;
      --piece_index;
      --swaps;
    }
  } else if (piece_index != 8) {
    return errc::invalid_ipv6;
  }
  return addr;
}

/// Longest buffer `format_ipv4`/`format_ipv6` need ("[" + 39 + "]").
constexpr std::size_t max_address_text = 41;

/// Dotted-decimal serialisation; returns the length written (at most 15).
inline std::size_t format_ipv4(ipv4_address a, char* out) noexcept {
  std::size_t n = 0;
  for (int i = 3; i >= 0; --i) {
    unsigned octet = (a.value >> (8 * i)) & 0xFF;
    if (octet >= 100) out[n++] = static_cast<char>('0' + octet / 100);
    if (octet >= 10) out[n++] = static_cast<char>('0' + (octet / 10) % 10);
    out[n++] = static_cast<char>('0' + octet % 10);
    if (i) out[n++] = '.';
  }
  return n;
}

/// WHATWG IPv6 serialisation (lower-case hex, the first longest run of two or more zero
/// pieces compressed to "::"), without brackets; returns the length written (≤ 39).
inline std::size_t format_ipv6(const ipv6_address& a, char* out) noexcept {
  int best = -1, best_len = 1;
  for (int i = 0; i < 8;) {
    if (a.pieces[i] != 0) {
      ++i;
      continue;
    }
    int j = i;
    while (j < 8 && a.pieces[j] == 0) ++j;
    if (j - i > best_len) {
      best = i;
      best_len = j - i;
    }
    i = j;
  }
  std::size_t n = 0;
  bool ignore0 = false;
  for (int i = 0; i < 8; ++i) {
    if (ignore0 && a.pieces[i] == 0) continue;
    ignore0 = false;
    if (i == best) {
      out[n++] = ':';
      if (i == 0) out[n++] = ':';
      ignore0 = true;
      continue;
    }
    static constexpr char hexd[] = "0123456789abcdef";
    unsigned v = a.pieces[i];
    bool started = false;
    for (int shift = 12; shift >= 0; shift -= 4) {
      unsigned d = (v >> shift) & 0xF;
      if (d || started || shift == 0) {
        out[n++] = hexd[d];
        started = true;
      }
    }
    if (i != 7) out[n++] = ':';
  }
  return n;
}

/// Parses an address as text: dotted IPv4 (the four-decimal form only) or IPv6 with or
/// without brackets. For classifying what a resolver returned, not for URL hosts.
inline result<address_class> classify(std::string_view text) noexcept {
  // Brackets only ever enclose an IPv6 address ("[1.2.3.4]" is not an address).
  const bool bracketed = text.size() >= 2 && text.front() == '[' && text.back() == ']';
  if (bracketed) text = text.substr(1, text.size() - 2);
  if (bracketed || text.find(':') != std::string_view::npos) {
    auto v6 = parse_ipv6(text);
    if (!v6) return v6.error();
    return classify(*v6);
  }
  // Resolver output is canonical dotted decimal (what inet_pton accepts): refuse the
  // number forms here so a caller cannot classify "0x7f.1" as something other than what
  // its socket API reads. That includes leading zeros: "010.0.0.1" is 8.0.0.1 to the
  // WHATWG and inet_aton parsers but 10.0.0.1 to others, so it names no single address.
  int parts = 0;
  std::size_t digits = 0;
  bool leading_zero = false;
  for (char c : text) {
    if (c == '.') {
      if (digits == 0) return errc::invalid_ipv4;
      ++parts;
      digits = 0;
      leading_zero = false;
    } else if (url_detail::is_dec(c) && digits < 3 && !leading_zero) {
      leading_zero = digits == 0 && c == '0';
      ++digits;
    } else {
      return errc::invalid_ipv4;
    }
  }
  if (parts != 3 || digits == 0) return errc::invalid_ipv4;
  auto v4 = parse_ipv4(text);
  if (!v4) return v4.error();
  return classify(*v4);
}

// --- URL parsing ----------------------------------------------------------------------

/// Longest host jobwire accepts, in bytes after percent-decoding. DNS names are at most
/// 253 characters, so a longer host cannot name anything a sender could reach. A fact of
/// DNS (RFC 1035), not a resource policy: fixed, not overridable.
constexpr std::size_t max_host_length = 253;

// Most path segments: a resource limit (it sizes the serialiser's stack array), so a build
// may override it with -DJOBWIRE_CALLBACK_URL_DEFAULT_MAX_PATH_SEGMENTS=N (whole program).
#ifndef JOBWIRE_CALLBACK_URL_DEFAULT_MAX_PATH_SEGMENTS
#  define JOBWIRE_CALLBACK_URL_DEFAULT_MAX_PATH_SEGMENTS 256u
#endif
/// Most path segments a callback URL may have (bounds the serialiser's stack); more is
/// `invalid_url`. Counted as `/` and `\` separators in the raw path.
constexpr std::size_t max_path_segments = JOBWIRE_CALLBACK_URL_DEFAULT_MAX_PATH_SEGMENTS;
static_assert(max_path_segments >= 1 && max_path_segments <= 4096,
              "JOBWIRE_CALLBACK_URL_DEFAULT_MAX_PATH_SEGMENTS must be in 1..4096 (a stack array of that many words)");

enum class url_scheme : std::uint8_t { http, https };
enum class host_kind : std::uint8_t { domain, ipv4, ipv6 };

/// The parsed, WHATWG-normalised parts of an http(s) URL. `host()` is the serialised
/// host (lower-case domain, dotted IPv4, bracketed compressed IPv6) held inside this
/// object; the raw views (`username_raw` ...) point into the caller's input and are
/// encoded only when serialising. Valid as long as the input is.
class http_url {
 public:
  url_scheme scheme = url_scheme::https;
  host_kind kind = host_kind::domain;
  ipv4_address ipv4{};  ///< set when kind == ipv4
  ipv6_address ipv6{};  ///< set when kind == ipv6
  /// Port after default elision: -1 when absent or the scheme's default.
  std::int32_t port = -1;
  /// Raw input ranges (tabs/newlines not yet removed, `\` not yet `/`).
  std::string_view username_raw, password_raw, path_raw, query_raw, fragment_raw;
  bool has_query = false, has_fragment = false;

  constexpr std::string_view scheme_name() const noexcept { return scheme == url_scheme::https ? "https" : "http"; }
  std::string_view host() const noexcept { return {host_, host_len_}; }
  /// True when the serialised URL carries a username or password.
  bool has_credentials() const noexcept { return has_credentials_; }

  /// Exact length of the WHATWG serialisation (`href`).
  std::size_t serialised_size() const noexcept { return write(nullptr, 0); }
  /// Writes the serialisation into out[0..cap); errc::buffer_too_small (with nothing
  /// usable written) when cap < serialised_size(). Returns the length.
  result<std::size_t> serialise_to(char* out, std::size_t cap) const noexcept {
    std::size_t need = serialised_size();
    if (need > cap) return errc::buffer_too_small;
    return write(out, need);
  }
  void append_serialised(std::string& out) const {
    std::size_t at = out.size();
    out.resize(at + serialised_size());
    (void)write(&out[at], out.size() - at);
  }
  std::string serialise() const {
    std::string s;
    append_serialised(s);
    return s;
  }

 private:
  friend result<http_url> parse_http_url(std::string_view input) noexcept;

  char host_[max_host_length + 3] = {};  // + brackets for IPv6
  std::size_t host_len_ = 0;
  bool has_credentials_ = false;

  // Output helper: counts when `out` is null. Writes beyond `cap` are dropped: a ".."
  // segment can pop text already written, so the path may run past the final length
  // before it shrinks back, and bytes past the final length are never part of the result.
  struct sink {
    char* out;
    std::size_t cap = 0;
    std::size_t n = 0;
    void put(char c) noexcept {
      if (out && n < cap) out[n] = c;
      ++n;
    }
    void put(std::string_view s) noexcept {
      for (char c : s) put(c);
    }
    void put_encoded(unsigned char c) noexcept {
      static constexpr char hexd[] = "0123456789ABCDEF";
      put('%');
      put(hexd[c >> 4]);
      put(hexd[c & 15]);
    }
  };

  enum class pct_set : std::uint8_t { userinfo, path, special_query, fragment };
  static bool must_encode(unsigned char c, pct_set set) noexcept {
    if (c < 0x20 || c > 0x7E) return true;  // C0 control percent-encode set
    switch (c) {
      case ' ':
      case '"':
      case '<':
      case '>': return true;
      case '`': return set != pct_set::special_query;
      case '#': return set != pct_set::fragment;
      case '\'': return set == pct_set::special_query;
      case '?':
      case '{':
      case '}':
      case '^': return set == pct_set::path || set == pct_set::userinfo;
      case '/':
      case ':':
      case ';':
      case '=':
      case '@':
      case '[':
      case '\\':
      case ']':
      case '|': return set == pct_set::userinfo;
      default: return false;
    }
  }
  static void put_component(sink& s, std::string_view raw, pct_set set) noexcept {
    for (char c : raw) {
      if (url_detail::is_tab_or_newline(c)) continue;
      auto u = static_cast<unsigned char>(c);
      if (must_encode(u, set)) s.put_encoded(u);
      else s.put(c);
    }
  }

  // WHATWG "single-dot" (".", "%2e") and "double-dot" ("..", ".%2e", "%2e.", "%2e%2e")
  // path segments, ASCII case-insensitive; tabs/newlines are not part of the segment.
  // Returns the number of dots (1 or 2), or 0 for any other segment.
  static int dot_segment(std::string_view raw) noexcept {
    int dots = 0;
    std::size_t i = 0;
    auto next = [&](std::size_t k) {
      while (k < raw.size() && url_detail::is_tab_or_newline(raw[k])) ++k;
      return k;
    };
    for (i = next(0); i < raw.size(); i = next(i)) {
      if (raw[i] == '.') {
        ++i;
      } else if (raw[i] == '%') {
        std::size_t a = next(i + 1);
        std::size_t b = a < raw.size() ? next(a + 1) : raw.size();
        if (b >= raw.size() || raw[a] != '2' || (raw[b] != 'e' && raw[b] != 'E')) return 0;
        i = b + 1;
      } else {
        return 0;
      }
      if (++dots > 2) return 0;
    }
    return dots;
  }

  std::size_t write(char* out, std::size_t cap) const noexcept {
    sink s{out, cap};
    s.put(scheme_name());
    s.put("://");
    if (has_credentials_) {
      put_component(s, username_raw, pct_set::userinfo);
      bool has_password = false;
      for (char c : password_raw)
        if (!url_detail::is_tab_or_newline(c)) has_password = true;
      if (has_password) {
        s.put(':');
        put_component(s, password_raw, pct_set::userinfo);
      }
      s.put('@');
    }
    s.put(host());
    if (port >= 0) {
      s.put(':');
      char digits[5];
      int nd = 0;
      auto v = static_cast<unsigned>(port);
      do {
        digits[nd++] = static_cast<char>('0' + v % 10);
        v /= 10;
      } while (v);
      while (nd) s.put(digits[--nd]);
    }
    write_path(s);
    if (has_query) {
      s.put('?');
      put_component(s, query_raw, pct_set::special_query);
    }
    if (has_fragment) {
      s.put('#');
      put_component(s, fragment_raw, pct_set::fragment);
    }
    return s.n;
  }

  // WHATWG path state for special URLs: segments split on `/` and `\`, each encoded
  // with the path percent-encode set; "." segments vanish and ".." removes the previous
  // segment. Works the same whether counting or writing: a pop moves the sink back to
  // where the popped segment started (parse_http_url bounds the segment count).
  void write_path(sink& s) const noexcept {
    std::size_t starts[max_path_segments + 1];
    std::size_t depth = 0;
    auto push = [&](std::string_view raw) {
      starts[depth++] = s.n;
      s.put('/');
      put_component(s, raw, pct_set::path);
    };
    const std::string_view p = path_raw;
    std::size_t i = (!p.empty() && (p[0] == '/' || p[0] == '\\')) ? 1 : 0;  // "path start state"
    for (;;) {
      const std::size_t seg_begin = i;
      while (i < p.size() && p[i] != '/' && p[i] != '\\') ++i;
      const bool at_end = i >= p.size();
      const std::string_view seg = p.substr(seg_begin, i - seg_begin);
      const int dots = dot_segment(seg);
      if (dots == 2) {
        if (depth > 0) s.n = starts[--depth];
        if (at_end) push({});
      } else if (dots == 1) {
        if (at_end) push({});
      } else {
        push(seg);
      }
      if (at_end) break;
      ++i;  // the separator
    }
  }
};

namespace url_detail {
/// Advances over tab/newline; every position helper works on the raw (trimmed) input.
inline std::size_t skip_tn(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && is_tab_or_newline(s[i])) ++i;
  return i;
}

/// Valid UTF-8 (the URL is text; a byte string that is not UTF-8 has no WHATWG meaning).
inline bool valid_utf8(std::string_view s) noexcept { return jobwire::utf8_valid(s); }

/// WHATWG forbidden domain code point (ASCII part): forbidden host code points, C0
/// controls, `%` and DEL.
constexpr bool is_forbidden_domain_char(char ch) noexcept {
  auto c = static_cast<unsigned char>(ch);
  if (c <= 0x20 || c == 0x7F) return true;
  switch (c) {
    case '#':
    case '/':
    case ':':
    case '<':
    case '>':
    case '?':
    case '@':
    case '[':
    case '\\':
    case ']':
    case '^':
    case '|':
    case '%': return true;
    default: return false;
  }
}
}  // namespace url_detail

/// Parses an http or https URL the way the WHATWG URL Standard does with no base URL
/// (PROTOCOL.md §8), deciding scheme, credentials, host and port exactly. Other schemes
/// fail with `unsupported_scheme`; hosts that are not ASCII after percent-decoding fail
/// with `non_ascii_host` (IDNA is not attempted: use the `xn--` form). ASCII `xn--`
/// labels are passed through lower-cased, without Punycode validation.
inline result<http_url> parse_http_url(std::string_view input) noexcept {
  using namespace url_detail;
  // Input cleanup: leading/trailing C0 control or space go; tab/newline are skipped
  // wherever they appear (every loop below reads through them).
  while (!input.empty() && is_c0_or_space(input.front())) input.remove_prefix(1);
  while (!input.empty() && is_c0_or_space(input.back())) input.remove_suffix(1);
  if (!valid_utf8(input)) return errc::invalid_url;

  http_url u;
  const std::string_view s = input;
  std::size_t i = skip_tn(s, 0);

  // Scheme: ALPHA *(ALPHA / DIGIT / "+" / "-" / ".") ":"; without one (and no base) the
  // URL is invalid.
  char scheme_buf[6];
  std::size_t sl = 0;
  if (i >= s.size() || !is_alpha(s[i])) return errc::invalid_url;
  bool scheme_too_long = false;
  for (;; i = skip_tn(s, i + 1)) {
    if (i >= s.size()) return errc::invalid_url;
    char c = s[i];
    if (c == ':') break;
    if (!(is_alpha(c) || is_dec(c) || c == '+' || c == '-' || c == '.')) return errc::invalid_url;
    if (sl < sizeof scheme_buf) scheme_buf[sl++] = to_lower(c);
    else scheme_too_long = true;
  }
  std::string_view scheme(scheme_buf, sl);
  if (!scheme_too_long && scheme == "https") u.scheme = url_scheme::https;
  else if (!scheme_too_long && scheme == "http") u.scheme = url_scheme::http;
  else return errc::unsupported_scheme;
  ++i;

  // Special authority (ignore) slashes: any number of `/` or `\`, including none.
  for (i = skip_tn(s, i); i < s.size() && (s[i] == '/' || s[i] == '\\'); i = skip_tn(s, i + 1)) {
  }

  // Authority: up to the first `/`, `\`, `?` or `#`; the last `@` ends the userinfo.
  std::size_t auth_begin = i, auth_end = i, last_at = std::string_view::npos;
  while (auth_end < s.size()) {
    char c = s[auth_end];
    if (c == '/' || c == '\\' || c == '?' || c == '#') break;
    if (c == '@') last_at = auth_end;
    ++auth_end;
  }
  std::size_t host_begin = auth_begin;
  if (last_at != std::string_view::npos) {
    std::string_view userinfo = s.substr(auth_begin, last_at - auth_begin);
    // Earlier `@`s belong to the userinfo (serialised as %40); the first `:` splits it.
    std::size_t colon = userinfo.find(':');
    u.username_raw = userinfo.substr(0, colon);
    u.password_raw = colon == std::string_view::npos ? std::string_view{} : userinfo.substr(colon + 1);
    // Only the first `:` is the separator: later ones belong to the password (serialised
    // as %3A), so "::@host" has the password ":" and carries credentials.
    for (std::string_view part : {u.username_raw, u.password_raw})
      for (char c : part)
        if (!is_tab_or_newline(c)) u.has_credentials_ = true;
    // "@" followed by an empty host: host-missing.
    host_begin = last_at + 1;
    if (skip_tn(s, host_begin) >= auth_end) return errc::missing_host;
  }

  // Host and port: the first `:` outside brackets starts the port.
  std::size_t host_end = host_begin;
  bool in_brackets = false;
  while (host_end < auth_end) {
    char c = s[host_end];
    if (c == '[') in_brackets = true;
    if (c == ']') in_brackets = false;
    if (c == ':' && !in_brackets) break;
    ++host_end;
  }
  // The host text with tabs/newlines removed, then percent-decoded (not for IPv6
  // literals) into the object. Percent-decoding shrinks text at most threefold, so a raw
  // host longer than that bound cannot decode to an acceptable length.
  char raw_host[3 * (max_host_length + 3)];
  std::size_t rl = 0;
  for (std::size_t k = host_begin; k < host_end; ++k) {
    if (is_tab_or_newline(s[k])) continue;
    if (rl == sizeof raw_host) return errc::invalid_host;
    raw_host[rl++] = s[k];
  }
  const bool any_host_char = rl > 0;
  const bool bracketed = rl > 0 && raw_host[0] == '[';
  bool non_ascii = false;
  std::size_t hl = 0;
  for (std::size_t k = 0; k < rl; ++k) {
    char c = raw_host[k];
    if (!bracketed && c == '%' && k + 2 < rl && hex_digit(raw_host[k + 1]) >= 0 && hex_digit(raw_host[k + 2]) >= 0) {
      c = static_cast<char>(hex_digit(raw_host[k + 1]) * 16 + hex_digit(raw_host[k + 2]));
      k += 2;
    }
    if (static_cast<unsigned char>(c) >= 0x80) non_ascii = true;
    if (hl == sizeof u.host_) return errc::invalid_host;  // longer than any DNS name
    u.host_[hl++] = bracketed ? c : to_lower(c);
  }
  if (!any_host_char) return errc::missing_host;
  if (bracketed) {
    if (u.host_[hl - 1] != ']') return errc::invalid_ipv6;
    auto v6 = parse_ipv6(std::string_view(u.host_ + 1, hl - 2));
    if (!v6) return v6.error();
    u.kind = host_kind::ipv6;
    u.ipv6 = *v6;
    u.host_[0] = '[';
    std::size_t n = format_ipv6(u.ipv6, u.host_ + 1);
    u.host_[n + 1] = ']';
    u.host_len_ = n + 2;
  } else {
    if (non_ascii) return errc::non_ascii_host;
    if (hl > max_host_length) return errc::invalid_host;
    for (std::size_t k = 0; k < hl; ++k)
      if (is_forbidden_domain_char(u.host_[k])) return errc::invalid_host;
    std::string_view h(u.host_, hl);
    if (ends_in_a_number(h)) {
      auto v4 = parse_ipv4(h);
      if (!v4) return v4.error();
      u.kind = host_kind::ipv4;
      u.ipv4 = *v4;
      hl = format_ipv4(u.ipv4, u.host_);
    }
    u.host_len_ = hl;
  }

  // Port: digits only, at most 65535, the scheme's default elided.
  if (host_end < auth_end) {
    std::uint32_t port = 0;
    bool any_digit = false;
    for (std::size_t k = host_end + 1; k < auth_end; ++k) {
      char c = s[k];
      if (is_tab_or_newline(c)) continue;
      if (!is_dec(c)) return errc::invalid_port;
      any_digit = true;
      port = port * 10 + static_cast<std::uint32_t>(c - '0');
      if (port > 65535) return errc::invalid_port;
    }
    if (any_digit) {
      std::uint32_t dflt = u.scheme == url_scheme::https ? 443 : 80;
      u.port = port == dflt ? -1 : static_cast<std::int32_t>(port);
    }
  }

  // Path, query, fragment: carried through as raw ranges and encoded when serialised.
  std::size_t q = auth_end;
  std::size_t path_end = q;
  while (path_end < s.size() && s[path_end] != '?' && s[path_end] != '#') ++path_end;
  u.path_raw = s.substr(auth_end, path_end - auth_end);
  std::size_t separators = 0;
  for (char c : u.path_raw)
    if (c == '/' || c == '\\') ++separators;
  if (separators > max_path_segments) return errc::invalid_url;
  q = path_end;
  if (q < s.size() && s[q] == '?') {
    std::size_t qe = q + 1;
    while (qe < s.size() && s[qe] != '#') ++qe;
    u.has_query = true;
    u.query_raw = s.substr(q + 1, qe - q - 1);
    q = qe;
  }
  if (q < s.size() && s[q] == '#') {
    u.has_fragment = true;
    u.fragment_raw = s.substr(q + 1);
  }
  return u;
}

// --- policies (PROTOCOL.md §8) ----------------------------------------------------------

enum class url_policy : std::uint8_t {
  strict,    ///< jobwire default: only globally reachable hosts, no credentials
  ai_stats,  ///< the service's parse-time rule of the seed era (§8), to predict what it accepts
  phaseo,    ///< the current service's send-time rule (§16.4): https only, wider block list
};

constexpr std::string_view url_policy_name(url_policy p) noexcept {
  return p == url_policy::strict ? "strict" : p == url_policy::ai_stats ? "ai_stats" : "phaseo";
}
/// "strict", "ai_stats" / "ai-stats" or "phaseo".
inline result<url_policy> parse_url_policy(std::string_view s) noexcept {
  if (s == "strict") return url_policy::strict;
  if (s == "ai_stats" || s == "ai-stats") return url_policy::ai_stats;
  if (s == "phaseo") return url_policy::phaseo;
  return errc::invalid_argument;
}

struct callback_url_options {
  url_policy policy = url_policy::strict;
  /// Opt-in leniencies (leniency.hpp). Read here: `lenient::local_callback_urls`, for
  /// local development: exactly `localhost`, `127.0.0.1` and `[::1]` (as serialised after
  /// parsing, without credentials) are accepted over http or https. Under `phaseo` too,
  /// although the service itself has no such exception (§16.4): the flag is for a sender
  /// under test talking to a receiver on the same machine, never a prediction of what the
  /// service accepts.
  lenient leniency = lenient::none;
};

namespace url_detail {
constexpr bool is_exact_local_host(std::string_view h) noexcept {
  return h == "localhost" || h == "127.0.0.1" || h == "[::1]";
}

// The service's literal IPv4 rule: 0/8, 10/8, 127/8, 169.254/16, 172.16/12, 192.168/16.
constexpr errc ai_stats_ipv4(ipv4_address a) noexcept {
  address_class c = classify(a);
  switch (c) {
    case address_class::unspecified:
    case address_class::loopback:
    case address_class::private_use:
    case address_class::link_local: return address_class_error(c);
    default: return errc::ok;  // the service lets 100.64/10, TEST-NETs, multicast ... through
  }
}

// The service's literal IPv6 rule: ::, ::1, fc00::/7, fe80::/10, and ::ffff: mapped
// addresses whose IPv4 address the IPv4 rule rejects.
constexpr errc ai_stats_ipv6(const ipv6_address& a) noexcept {
  if (pieces_zero(a, 0, 8)) return errc::unspecified_host;
  if (pieces_zero(a, 0, 7) && a.pieces[7] == 1) return errc::loopback_host;
  if (in_v6(a, 0xfc00, 0, 0, 7)) return errc::private_host;
  if (in_v6(a, 0xfe80, 0, 0, 10)) return errc::link_local_host;
  if (pieces_zero(a, 0, 5) && a.pieces[5] == 0xFFFF) return ai_stats_ipv4(v4_from_pieces(a.pieces[6], a.pieces[7]));
  return errc::ok;
}

inline errc ai_stats_host(const http_url& u) noexcept {
  switch (u.kind) {
    case host_kind::domain: return u.host() == "localhost" ? errc::localhost_name : errc::ok;
    case host_kind::ipv4: return ai_stats_ipv4(u.ipv4);
    case host_kind::ipv6: return ai_stats_ipv6(u.ipv6);
  }
  return errc::ok;
}

// The current service's send-time block list for IPv4 (PROTOCOL.md §16.4, WE:53-220):
// 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, the whole 192.0/16 (wider than
// 192.0.0/24 and TEST-NET-1 alone), 192.168/16, 198.18/15 and everything from 224.0.0.0
// up. TEST-NET-2/3 are not on the list and pass. The reason code follows the range's
// IANA class so that callers see the same codes under every policy.
constexpr errc phaseo_ipv4(ipv4_address addr) noexcept {
  const std::uint32_t a = addr.value;
  if (in_v4(a, v4(0, 0, 0, 0), 8)) return errc::unspecified_host;
  if (in_v4(a, v4(127, 0, 0, 0), 8)) return errc::loopback_host;
  if (in_v4(a, v4(10, 0, 0, 0), 8) || in_v4(a, v4(172, 16, 0, 0), 12) || in_v4(a, v4(192, 168, 0, 0), 16))
    return errc::private_host;
  if (in_v4(a, v4(169, 254, 0, 0), 16)) return errc::link_local_host;
  if (in_v4(a, v4(100, 64, 0, 0), 10) || in_v4(a, v4(192, 0, 0, 0), 16) || in_v4(a, v4(198, 18, 0, 0), 15) ||
      a >= v4(224, 0, 0, 0))
    return errc::non_global_host;
  return errc::ok;
}

// The IPv6 half of the same list: `::`, `::1`, fc00::/7, fe80::/10, ff00::/8, and the
// three forms that embed an IPv4 address — mapped ::ffff:0:0/96, compatible ::/96 and
// NAT64 64:ff9b::/96 — when that IPv4 address is blocked. Everything else passes,
// notably fec0::/10, 2001:db8::/32, 6to4 2002::/16, Teredo 2001::/32, 64:ff9b:1::/48
// and the SIIT form ::ffff:0:a.b.c.d.
constexpr errc phaseo_ipv6(const ipv6_address& a) noexcept {
  if (pieces_zero(a, 0, 8)) return errc::unspecified_host;
  if (pieces_zero(a, 0, 7) && a.pieces[7] == 1) return errc::loopback_host;
  if (in_v6(a, 0xfc00, 0, 0, 7)) return errc::private_host;
  if (in_v6(a, 0xfe80, 0, 0, 10)) return errc::link_local_host;
  if (in_v6(a, 0xff00, 0, 0, 8)) return errc::non_global_host;
  const bool mapped = pieces_zero(a, 0, 5) && a.pieces[5] == 0xFFFF;
  const bool compatible = pieces_zero(a, 0, 6);
  const bool nat64 = a.pieces[0] == 0x64 && a.pieces[1] == 0xff9b && pieces_zero(a, 2, 6);
  if (mapped || compatible || nat64) return phaseo_ipv4(v4_from_pieces(a.pieces[6], a.pieces[7]));
  return errc::ok;
}

inline errc strict_host(const http_url& u) noexcept;
}  // namespace url_detail

/// True for `localhost`, any `*.localhost` name (RFC 6761 reserves them all for
/// loopback) and the same with one trailing dot. `h` must be lower-case, as hosts are
/// after parsing.
inline bool is_localhost_name(std::string_view h) noexcept {
  if (!h.empty() && h.back() == '.') h.remove_suffix(1);  // "localhost." is the same name
  constexpr std::string_view lh = "localhost";
  if (h == lh) return true;
  return h.size() > lh.size() && h.substr(h.size() - lh.size()) == lh && h[h.size() - lh.size() - 1] == '.';
}

namespace url_detail {
// Names under the send-time rule: `localhost` and every `*.localhost` name. Unlike the
// strict policy, `localhost.` with a trailing dot passes this literal step (the service's
// DNS step rejects it in practice, §16.4); a host that resolves names must classify the
// addresses it gets with check_resolved_address.
inline errc phaseo_host(const http_url& u) noexcept {
  switch (u.kind) {
    case host_kind::domain: {
      std::string_view h = u.host();
      if (!h.empty() && h.back() == '.') return errc::ok;
      return is_localhost_name(h) ? errc::localhost_name : errc::ok;
    }
    case host_kind::ipv4: return phaseo_ipv4(u.ipv4);
    case host_kind::ipv6: return phaseo_ipv6(u.ipv6);
  }
  return errc::ok;
}

inline errc strict_host(const http_url& u) noexcept {
  switch (u.kind) {
    case host_kind::domain: {
      std::string_view h = u.host();
      if (is_localhost_name(h)) return errc::localhost_name;
      if (h.find('*') != std::string_view::npos) return errc::wildcard_host;
      return errc::ok;
    }
    case host_kind::ipv4: return address_class_error(classify(u.ipv4));
    case host_kind::ipv6: return address_class_error(classify(u.ipv6));
  }
  return errc::ok;
}
}  // namespace url_detail

/// The verdict on a parsed URL under a policy (PROTOCOL.md §8); `errc::ok` to accept.
inline errc evaluate_callback_url(const http_url& u, const callback_url_options& opt = {}) noexcept {
  const bool exact_local = url_detail::is_exact_local_host(u.host());
  if (allows(opt.leniency, lenient::local_callback_urls) && exact_local && !u.has_credentials()) return errc::ok;
  if (opt.policy == url_policy::ai_stats) {
    // The service's http exception looks at the host only.
    if (u.scheme == url_scheme::http) return exact_local ? errc::ok : errc::https_required;
    return url_detail::ai_stats_host(u);
  }
  if (opt.policy == url_policy::phaseo) {
    // No localhost exception and no userinfo rule: credentials and any port pass (§16.4).
    if (u.scheme == url_scheme::http) return errc::https_required;
    return url_detail::phaseo_host(u);
  }
  if (u.scheme == url_scheme::http) return errc::https_required;
  if (u.has_credentials()) return errc::userinfo_not_allowed;
  return url_detail::strict_host(u);
}

/// Parses and checks a callback URL (PROTOCOL.md §8). On success the value is the parsed
/// URL (`serialise()` gives the WHATWG form the service would store). Allocates nothing.
///
/// Under `phaseo` (§16.4): input that is empty after trimming is `empty_url` (the
/// service's `webhook_url_required`), and the fragment is dropped from the accepted URL,
/// so `serialise()` gives the URL the service stores and posts to.
[[nodiscard]] inline result<http_url> check_callback_url(std::string_view input,
                                                         const callback_url_options& opt = {}) noexcept {
  if (opt.policy == url_policy::phaseo) {
    std::string_view t = input;
    while (!t.empty() && url_detail::is_c0_or_space(t.front())) t.remove_prefix(1);
    if (t.empty()) return errc::empty_url;
  }
  auto u = parse_http_url(input);
  if (!u) return u.error();
  errc verdict = evaluate_callback_url(*u, opt);
  if (verdict != errc::ok) return verdict;
  if (opt.policy == url_policy::phaseo) {
    u->has_fragment = false;
    u->fragment_raw = {};
  }
  return u;
}

// --- resolved addresses (PROTOCOL.md §8, §16.4, §16.12) -----------------------------------

/// The verdict of a policy on one address a resolver returned for the callback host:
/// `errc::ok` to connect, else the reason (`private_host`, `loopback_host`, ...).
///
/// jobwire does no DNS. A sender resolves the host itself and must call this on *every*
/// address it got, immediately before connecting, and connect only to an address it
/// checked (pinning it, so that a second lookup cannot swap it); it must not follow
/// redirects. This is the service's DNS step of §16.4 done by the host:
/// - `phaseo`: the send-time block list (the same one literal hosts get);
/// - `ai_stats`: the seed era's list (the service did no DNS then; this applies the same
///   literal list to resolved addresses);
/// - `strict`: everything that is not globally reachable.
/// `lenient::local_callback_urls` is deliberately not an input: whether `localhost` may be
/// dialled is decided on the URL, and a loopback address reached through another name
/// is refused under every policy.
[[nodiscard]] constexpr errc check_resolved_address(ipv4_address a, url_policy policy) noexcept {
  switch (policy) {
    case url_policy::strict: return address_class_error(classify(a));
    case url_policy::ai_stats: return url_detail::ai_stats_ipv4(a);
    case url_policy::phaseo: return url_detail::phaseo_ipv4(a);
  }
  return errc::invalid_argument;
}
[[nodiscard]] constexpr errc check_resolved_address(const ipv6_address& a, url_policy policy) noexcept {
  switch (policy) {
    case url_policy::strict: return address_class_error(classify(a));
    case url_policy::ai_stats: return url_detail::ai_stats_ipv6(a);
    case url_policy::phaseo: return url_detail::phaseo_ipv6(a);
  }
  return errc::invalid_argument;
}

/// The same for an address in network byte order, as `getaddrinfo` returns it in
/// `sin_addr` (4 bytes) or `sin6_addr` (16 bytes); another length is `invalid_argument`.
[[nodiscard]] constexpr errc check_resolved_address(const unsigned char* bytes, std::size_t length,
                                                    url_policy policy) noexcept {
  if (bytes == nullptr) return errc::invalid_argument;
  if (length == 4)
    return check_resolved_address(ipv4_address{url_detail::v4(bytes[0], bytes[1], bytes[2], bytes[3])}, policy);
  if (length == 16) {
    ipv6_address a;
    for (int i = 0; i < 8; ++i)
      a.pieces[i] = static_cast<std::uint16_t>((static_cast<unsigned>(bytes[2 * i]) << 8) | bytes[2 * i + 1]);
    return check_resolved_address(a, policy);
  }
  return errc::invalid_argument;
}

/// The same for an address as text: canonical dotted IPv4 (four decimal parts, no leading
/// zeros) or IPv6 with or without brackets, as `inet_ntop` or a DoH answer writes it.
/// Anything else fails closed with `invalid_ipv4` / `invalid_ipv6`, including text the
/// service itself would not read as an address and so would let through (an IPv6 zone
/// `%eth0`, two `::`): a host never connects to an address it could not classify.
[[nodiscard]] inline errc check_resolved_address(std::string_view text, url_policy policy) noexcept {
  const bool bracketed = text.size() >= 2 && text.front() == '[' && text.back() == ']';
  if (bracketed || text.find(':') != std::string_view::npos) {
    auto v6 = parse_ipv6(bracketed ? text.substr(1, text.size() - 2) : text);
    if (!v6) return v6.code();
    return check_resolved_address(*v6, policy);
  }
  auto cls = classify(text);  // validates the canonical dotted form
  if (!cls) return cls.code();
  auto v4 = parse_ipv4(text);
  if (!v4) return v4.code();
  return check_resolved_address(*v4, policy);
}

/// The reason the current service gives for a URL jobwire refuses with `code` under the
/// `phaseo` policy (§16.4), as it appears in an endpoint API 400's `details.reason` and
/// in a failed attempt's `Webhook URL rejected: <reason>`:
/// `webhook_url_required` (empty_url), `webhook_url_must_use_https` (https_required,
/// unsupported_scheme), `webhook_url_private_network_not_allowed` (a blocked address or
/// localhost name) and `webhook_url_invalid` for every parse error. Empty for codes that
/// are not URL verdicts. `webhook_url_dns_resolution_failed` is the host's own DNS
/// failure and has no jobwire code.
constexpr std::string_view service_url_reason(errc code) noexcept {
  switch (code) {
    case errc::empty_url: return "webhook_url_required";
    case errc::https_required:
    case errc::unsupported_scheme: return "webhook_url_must_use_https";
    case errc::loopback_host:
    case errc::private_host:
    case errc::link_local_host:
    case errc::unspecified_host:
    case errc::non_global_host:
    case errc::localhost_name: return "webhook_url_private_network_not_allowed";
    case errc::invalid_url:
    case errc::non_ascii_host:  // the service applies IDNA; jobwire asks for the xn-- form
    case errc::invalid_port:
    case errc::invalid_ipv4:
    case errc::invalid_ipv6:
    case errc::invalid_host:
    case errc::missing_host: return "webhook_url_invalid";
    default: return {};
  }
}

}  // namespace jobwire
