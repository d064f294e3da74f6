// Fuzz target: the C receiver (include/jobwire_c.h, "Receiver"), called as a C program
// calls it, and the store-spec parser behind jobwire_receiver_store_supported.
//
// Standard Webhooks (PROTOCOL.md §17): with bit 6 of byte 0 set, a delivery goes to
// jobwire_receive_webhook instead, on a receiver holding the reference vector's secret
// (clock: the vector's timestamp, so a seed carrying the vector reaches the claim and the
// handler), over the memory store or (bit 2) the callback store; byte 1 bit 1 makes the
// handler fail, bit 6 passes no handler.
//
// Input: byte 0 selects the operation (bit 1 set: jobwire_build_delivery with the rest as
// `data`, byte 1 picking the phase, kind and progress, checked for the output-buffer
// protocol; else bit 0 clear: a store spec; bit 0 set: one delivery), byte 1
// the host's behaviour (bit 0: load fails, bit 1: handle fails, bit 2: the job is known,
// bits 3-5: its lifecycle, bit 6: callbacks NULL); the rest is the spec, or the body and
// then the headers ("name:value" lines) separated by a NUL byte. Deliveries go to one
// receiver without secrets that accepts unsigned deliveries (so fuzzed bodies reach the
// parser, the store and reconciliation), with the memory store; or, when bit 2 of byte 0
// is set, to such a receiver over a store of host callbacks (jobwire_store_callbacks)
// whose failure bits 3-5 of byte 0 choose: none, the first claim, the job lease's claim,
// commit, release, or a claim state outside the interface. Over the callback store,
// every claim that succeeded is committed or released by the time the call returns
// (unless the failure was in commit or release), a job lease is never committed, and a
// failing claim is a 503 whose code is the store's.
//
// Checked on every call: the status is OK; the receipt is consistent (a known action,
// the HTTP status that action implies, a named reason, lengths within the maxima); the
// handler runs only for apply/refetch, and a failing callback gives reject/503/handler_failed.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jobwire_c.h"

namespace {

[[noreturn]] void fail() { __builtin_trap(); }
void check(bool cond) {
  if (!cond) fail();
}

struct host {
  unsigned behaviour = 0;
  int handled = 0;
  int loaded = 0;
};

int load(void* user, const char* job_id, std::size_t job_id_len, jobwire_job_state* out, int* found) {
  auto* h = static_cast<host*>(user);
  check(job_id != nullptr && job_id_len > 0 && job_id_len <= JOBWIRE_RECEIPT_JOB_ID_MAX);
  ++h->loaded;
  if (h->behaviour & 1u) return 1;
  if (h->behaviour & 4u) {
    *found = 1;
    out->lifecycle = static_cast<int>((h->behaviour >> 3) & 7u);  // 6, 7: out of range → failure
    out->progress = 50;
  }
  return 0;
}

int handle(void* user, const jobwire_event* ev, const jobwire_decision* dec) {
  auto* h = static_cast<host*>(user);
  check(dec->action == JOBWIRE_DECISION_APPLY || dec->action == JOBWIRE_DECISION_REFETCH);
  check(dec->reason != nullptr && ev->id_len > 0 && ev->job_id_len > 0 && ev->dedup_key_len > 0);
  check(ev->lifecycle >= JOBWIRE_LIFECYCLE_PENDING && ev->lifecycle <= JOBWIRE_LIFECYCLE_EXPIRED);
  ++h->handled;
  return (h->behaviour & 2u) ? 1 : 0;
}

jobwire_receiver* shared_receiver() {
  static jobwire_receiver* rx = [] {
    jobwire_receiver_options opt;
    jobwire_receiver_options_init(&opt);
    opt.profile = JOBWIRE_PROFILE_AI_STATS;
    opt.flags = JOBWIRE_RECEIVER_ALLOW_UNSIGNED;
    jobwire_receiver* r = nullptr;
    check(jobwire_receiver_create(nullptr, nullptr, 0, "memory", 6, &opt, &r) == JOBWIRE_OK);
    return r;
  }();
  return rx;
}

// The host's store: the dedup.hpp rules over a map, with one failure injected per call.
struct callback_store {
  enum failure : unsigned { none, first_claim, lease_claim, commit, release, bad_state, count };
  struct entry {
    bool done = false;
    unsigned char token[JOBWIRE_CLAIM_TOKEN_LEN] = {};
    std::int64_t expiry = 0;
  };
  std::map<std::string, entry> keys;
  unsigned counter = 0;
  unsigned mode = none;
  int claims = 0;
  bool lease_committed = false;

  // Claims still live at `now`: held, not done.
  int live(std::int64_t now) const {
    int n = 0;
    for (const auto& kv : keys)
      if (!kv.second.done && kv.second.expiry > now) ++n;
    return n;
  }
};

int cb_claim(void* user, const char* key, std::size_t key_len, std::int64_t now, std::int64_t lease, int* state,
             unsigned char* token) {
  auto* c = static_cast<callback_store*>(user);
  check(key != nullptr && key_len > 0 && key_len <= JOBWIRE_RECEIPT_DEDUP_KEY_MAX && lease > 0);
  ++c->claims;
  if (c->mode == callback_store::first_claim && c->claims == 1) return JOBWIRE_E_STORE_UNAVAILABLE;
  if (c->mode == callback_store::lease_claim && c->claims == 2) return 77;
  if (c->mode == callback_store::bad_state) {
    *state = 3;
    return 0;
  }
  callback_store::entry& e = c->keys[std::string(key, key_len)];
  if (e.expiry > now) {
    *state = e.done ? JOBWIRE_CLAIM_DONE : JOBWIRE_CLAIM_IN_FLIGHT;
    return 0;
  }
  e.done = false;
  e.expiry = now + lease;
  ++c->counter;
  std::memset(e.token, 0, sizeof e.token);
  std::memcpy(e.token, &c->counter, sizeof c->counter);
  std::memcpy(token, e.token, sizeof e.token);
  *state = JOBWIRE_CLAIM_FRESH;
  return 0;
}

int cb_commit(void* user, const char* key, std::size_t key_len, const unsigned char* token, std::int64_t now) {
  auto* c = static_cast<callback_store*>(user);
  const std::string k(key, key_len);
  if (k.rfind("jls:", 0) == 0) c->lease_committed = true;
  if (c->mode == callback_store::commit) return JOBWIRE_E_STORE_ERROR;
  auto it = c->keys.find(k);
  if (it == c->keys.end() || std::memcmp(it->second.token, token, JOBWIRE_CLAIM_TOKEN_LEN) != 0)
    return JOBWIRE_E_CLAIM_LOST;
  it->second.done = true;
  it->second.expiry = now + 5280000;  // 88 minutes
  return 0;
}

int cb_release(void* user, const char* key, std::size_t key_len, const unsigned char* token) {
  auto* c = static_cast<callback_store*>(user);
  if (c->mode == callback_store::release) return 1;
  auto it = c->keys.find(std::string(key, key_len));
  if (it == c->keys.end() || it->second.done || std::memcmp(it->second.token, token, JOBWIRE_CLAIM_TOKEN_LEN) != 0)
    return JOBWIRE_E_CLAIM_LOST;
  c->keys.erase(it);
  return 0;
}

callback_store& shared_callback_store() {
  static callback_store store;
  return store;
}

jobwire_receiver* callback_receiver() {
  static jobwire_receiver* rx = [] {
    jobwire_receiver_options opt;
    jobwire_receiver_options_init(&opt);
    opt.profile = JOBWIRE_PROFILE_AI_STATS;
    opt.flags = JOBWIRE_RECEIVER_ALLOW_UNSIGNED;
    jobwire_store_callbacks cb{cb_claim, cb_commit, cb_release, &shared_callback_store()};
    jobwire_receiver* r = nullptr;
    check(jobwire_receiver_create_with_store(nullptr, nullptr, 0, &cb, &opt, &r) == JOBWIRE_OK);
    return r;
  }();
  return rx;
}

// The reference vector's secret and clock (PROTOCOL.md §17, "Known vector").
constexpr char webhook_secret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::int64_t webhook_now_ms = 1614265330000;

jobwire_receiver* webhook_receiver(bool host_store) {
  auto make = [](const jobwire_store_callbacks* cb) {
    const char* secrets[1] = {webhook_secret};
    const std::size_t lens[1] = {sizeof webhook_secret - 1};
    jobwire_receiver* r = nullptr;
    check(jobwire_receiver_create_keys(secrets, lens, 1, nullptr, nullptr, 0, 0, JOBWIRE_KEY_FORMAT_PROFILE,
                                       cb == nullptr ? "memory" : nullptr, cb == nullptr ? 6 : 0, cb, nullptr,
                                       &r) == JOBWIRE_OK);
    return r;
  };
  static jobwire_receiver* memory = make(nullptr);
  static jobwire_receiver* hosted = [&] {
    jobwire_store_callbacks cb{cb_claim, cb_commit, cb_release, &shared_callback_store()};
    return make(&cb);
  }();
  return host_store ? hosted : memory;
}

struct webhook_host {
  unsigned behaviour = 0;
  int handled = 0;
};

int webhook_handle(void* user, const jobwire_webhook_message* m) {
  auto* h = static_cast<webhook_host*>(user);
  check(m->id != nullptr && m->id_len > 0 && m->id_len <= JOBWIRE_RECEIPT_MESSAGE_ID_MAX);
  check(m->timestamp_len > 0 && m->dedup_key_len > 0 && (m->body != nullptr || m->body_len == 0));
  check(m->profile == JOBWIRE_PROFILE_STANDARD && m->matched_key == 0);
  ++h->handled;
  return (h->behaviour & 2u) ? 1 : 0;
}

// One delivery through jobwire_receive_webhook; the receipt checked as for jobwire_receive.
void receive_webhook_case(const std::uint8_t* data, const char* body, std::size_t body_len,
                          const std::vector<jobwire_header>& headers) {
  webhook_host h;
  h.behaviour = data[1];
  const bool with_handler = (data[1] & 0x40u) == 0;
  const bool host_store = (data[0] & 4u) != 0;
  callback_store& store = shared_callback_store();
  if (host_store) {
    store.mode = ((data[0] >> 3) & 7u) % callback_store::count;
    store.claims = 0;
    store.lease_committed = false;
  }
  char id[JOBWIRE_RECEIPT_MESSAGE_ID_MAX];
  char key[JOBWIRE_RECEIPT_DEDUP_KEY_MAX];
  jobwire_webhook_receipt r{};
  r.message_id = id;
  r.message_id_cap = sizeof id;
  r.dedup_key = key;
  r.dedup_key_cap = sizeof key;
  const int st =
      jobwire_receive_webhook(webhook_receiver(host_store), body, body_len, headers.empty() ? nullptr : headers.data(),
                              headers.size(), webhook_now_ms, with_handler ? webhook_handle : nullptr, &h, &r);
  check(st == JOBWIRE_OK);
  check(r.reason != nullptr && std::strcmp(r.reason, "") != 0);
  check(r.message_id_len <= JOBWIRE_RECEIPT_MESSAGE_ID_MAX && r.dedup_key_len <= JOBWIRE_RECEIPT_DEDUP_KEY_MAX);
  switch (r.action) {
    case JOBWIRE_RECEIVED_PROCESS:
      check(r.http_status == 200 && h.handled == (with_handler ? 1 : 0) && (!with_handler || (h.behaviour & 2u) == 0));
      check(r.message_id_len > 0 && r.dedup_key_len > 0 && r.profile == JOBWIRE_PROFILE_STANDARD);
      check(r.status == JOBWIRE_OK ? std::strcmp(r.reason, "processed") == 0
                                   : host_store && store.mode == callback_store::commit);
      break;
    case JOBWIRE_RECEIVED_DUPLICATE:
      check(r.http_status == 200 && h.handled == 0 && r.status == JOBWIRE_OK && std::strcmp(r.reason, "done") == 0);
      break;
    case JOBWIRE_RECEIVED_IN_FLIGHT: check(r.http_status == 503 && h.handled == 0); break;
    case JOBWIRE_RECEIVED_REJECT:
      check(r.http_status == 400 || r.http_status == 401 || r.http_status == 503);
      check(r.status < 0 && std::strcmp(jobwire_error_name(r.status), r.reason) == 0);
      if (r.status == JOBWIRE_E_HANDLER_FAILED) check(r.http_status == 503 && h.handled == 1);
      if (r.message_id_len == 0) check(h.handled == 0 && r.dedup_key_len == 0);
      break;
    default: fail();
  }
  if (h.handled > 0 && (h.behaviour & 2u))
    check(r.action == JOBWIRE_RECEIVED_REJECT && r.http_status == 503 && r.status == JOBWIRE_E_HANDLER_FAILED);
  if (host_store) {
    check(!store.lease_committed);  // a webhook delivery takes no job lease
    if (store.mode == callback_store::first_claim && store.claims > 0)
      check(r.action == JOBWIRE_RECEIVED_REJECT && r.http_status == 503 && r.status == JOBWIRE_E_STORE_UNAVAILABLE &&
            h.handled == 0);
    if (store.mode == callback_store::bad_state && store.claims > 0)
      check(r.action == JOBWIRE_RECEIVED_REJECT && r.http_status == 503 && r.status == JOBWIRE_E_STORE_ERROR);
    if (store.mode != callback_store::commit && store.mode != callback_store::release)
      check(store.live(webhook_now_ms) == 0);
    else store.keys.clear();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  if ((data[0] & 2u) != 0) {
    static const char* const phases[] = {"completed", "failed", "in_progress", "queued", "progress", "cancelled"};
    const char* phase = phases[data[1] % 6u];
    std::unique_ptr<char[]> copy(new char[in.size() + 1]);
    if (!in.empty()) std::memcpy(copy.get(), in.data(), in.size());
    jobwire_delivery_spec spec{};
    spec.kind = (data[1] & 0x80u) ? JOBWIRE_KIND_BATCH : JOBWIRE_KIND_VIDEO;
    spec.job_id = "gen_fuzz";
    spec.job_id_len = 8;
    spec.internal_id = "1";
    spec.internal_id_len = 1;
    spec.phase = phase;
    spec.phase_len = std::strlen(phase);
    spec.progress = static_cast<double>(data[1] & 0x7fu);
    spec.data = in.empty() ? nullptr : copy.get();
    spec.data_len = in.size();
    std::size_t need = 0, off = 0;
    int st = jobwire_build_delivery("whsec_fuzz", 10, JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, nullptr, 0, &need,
                                    &off);
    check(st <= 0 && std::strcmp(jobwire_error_name(st), "unknown_error") != 0);
    if (st != JOBWIRE_E_BUFFER_TOO_SMALL) return 0;
    std::unique_ptr<char[]> out(new char[need]);
    std::size_t len = 0;
    st = jobwire_build_delivery("whsec_fuzz", 10, JOBWIRE_PROFILE_AI_STATS, &spec, 1781166600, 1, out.get(), need, &len,
                                &off);
    check(st == JOBWIRE_OK && len == need && off == JOBWIRE_NO_OFFSET);
    check(std::string_view(out.get(), len).find("\"x-ai-stats-signature\"") != std::string_view::npos);
    return 0;
  }
  if ((data[0] & 1u) == 0) {
    std::unique_ptr<char[]> spec(new char[in.size() + 1]);
    if (!in.empty()) std::memcpy(spec.get(), in.data(), in.size());
    const int st = jobwire_receiver_store_supported(in.empty() ? nullptr : spec.get(), in.size());
    check(st == JOBWIRE_OK || st == JOBWIRE_E_INVALID_ARGUMENT || st == JOBWIRE_E_STORE_NOT_SUPPORTED);
    return 0;
  }
  const std::size_t nul = in.find('\0');
  const std::string_view body_text = in.substr(0, nul);
  const std::string_view header_text = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);
  // Exact-size copies so ASan sees a read past the end.
  std::unique_ptr<char[]> body(new char[body_text.size() + 1]);
  if (!body_text.empty()) std::memcpy(body.get(), body_text.data(), body_text.size());
  std::vector<std::string> lines;
  for (std::size_t pos = 0; pos < header_text.size();) {
    std::size_t end = header_text.find('\n', pos);
    if (end == std::string_view::npos) end = header_text.size();
    lines.emplace_back(header_text.substr(pos, end - pos));
    pos = end + 1;
  }
  std::vector<jobwire_header> headers;
  for (const std::string& line : lines) {
    const std::size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    headers.push_back({line.data(), colon, line.data() + colon + 1, line.size() - colon - 1});
  }

  if ((data[0] & 0x40u) != 0) {
    receive_webhook_case(data, body_text.empty() ? nullptr : body.get(), body_text.size(), headers);
    return 0;
  }

  host h;
  h.behaviour = data[1];
  jobwire_receive_settings settings{};
  if ((data[1] & 0x40u) == 0) {
    settings.load = load;
    settings.handle = handle;
  }
  settings.user_data = &h;
  char job[JOBWIRE_RECEIPT_JOB_ID_MAX];
  char key[JOBWIRE_RECEIPT_DEDUP_KEY_MAX];
  jobwire_receipt r{};
  r.job_id = job;
  r.job_id_cap = sizeof job;
  r.dedup_key = key;
  r.dedup_key_cap = sizeof key;
  const bool host_store = (data[0] & 4u) != 0;
  callback_store& store = shared_callback_store();
  if (host_store) {
    store.mode = ((data[0] >> 3) & 7u) % callback_store::count;
    store.claims = 0;
    store.lease_committed = false;
  }
  const int st = jobwire_receive(
      host_store ? callback_receiver() : shared_receiver(), body_text.empty() ? nullptr : body.get(), body_text.size(),
      headers.empty() ? nullptr : headers.data(), headers.size(), 1781166600000, &settings, &r);
  check(st == JOBWIRE_OK);
  check(r.reason != nullptr && std::strcmp(r.reason, "") != 0);
  check(r.job_id_len <= JOBWIRE_RECEIPT_JOB_ID_MAX && r.dedup_key_len <= JOBWIRE_RECEIPT_DEDUP_KEY_MAX);
  switch (r.action) {
    case JOBWIRE_RECEIVED_PROCESS:
    case JOBWIRE_RECEIVED_REFETCH:
      check(r.http_status == 200 && h.handled == (settings.handle != nullptr ? 1 : 0));
      check((h.behaviour & 2u) == 0 || settings.handle == nullptr);
      break;
    case JOBWIRE_RECEIVED_DUPLICATE: check(r.http_status == 200 && h.handled == 0 && r.status == JOBWIRE_OK); break;
    case JOBWIRE_RECEIVED_IGNORE_STALE:
    case JOBWIRE_RECEIVED_NO_CHANGE:
      // Acknowledged either way; a commit or lease release that failed afterwards is
      // reported in the status (only the callback store is made to fail).
      check(r.http_status == 200 && h.handled == 0);
      check(r.status == JOBWIRE_OK ||
            (host_store && (store.mode == callback_store::commit || store.mode == callback_store::release)));
      break;
    case JOBWIRE_RECEIVED_IN_FLIGHT: check(r.http_status == 503 && h.handled == 0); break;
    case JOBWIRE_RECEIVED_REJECT:
      check(r.http_status == 400 || r.http_status == 401 || r.http_status == 503);
      check(r.status < 0 && std::strcmp(jobwire_error_name(r.status), r.reason) == 0);
      if (r.status == JOBWIRE_E_HANDLER_FAILED) check(r.http_status == 503);
      break;
    default: fail();
  }
  // A failing callback that ran is always a 503 handler_failed.
  if (settings.load != nullptr && (h.behaviour & 1u) && h.loaded > 0)
    check(r.action == JOBWIRE_RECEIVED_REJECT && r.status == JOBWIRE_E_HANDLER_FAILED);
  if (h.handled > 0 && (h.behaviour & 2u))
    check(r.action == JOBWIRE_RECEIVED_REJECT && r.http_status == 503 && r.status == JOBWIRE_E_HANDLER_FAILED);
  if (host_store) {
    check(!store.lease_committed);
    const bool claimed = store.claims > 0;
    switch (store.mode) {
      case callback_store::first_claim:
        if (claimed)
          check(r.action == JOBWIRE_RECEIVED_REJECT && r.http_status == 503 &&
                r.status == JOBWIRE_E_STORE_UNAVAILABLE && h.handled == 0);
        break;
      case callback_store::lease_claim:
        if (store.claims == 2)
          check(r.action == JOBWIRE_RECEIVED_REJECT && r.http_status == 503 && r.status == JOBWIRE_E_STORE_ERROR &&
                h.handled == 0);
        break;
      case callback_store::bad_state:
        if (claimed)
          check(r.action == JOBWIRE_RECEIVED_REJECT && r.http_status == 503 && r.status == JOBWIRE_E_STORE_ERROR &&
                h.handled == 0);
        break;
      default: break;
    }
    // Nothing is left held: every claim was committed or released (the store's clock is
    // the receive call's; leases live far beyond it).
    if (store.mode != callback_store::commit && store.mode != callback_store::release)
      check(store.live(1781166600000) == 0);
    else store.keys.clear();  // the injected failure leaves claims behind by design
  }
  return 0;
}
