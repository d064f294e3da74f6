// Fuzz target: dedup_key::parse, the reader of stored dedup keys (dedup.hpp). Whatever
// parses must re-encode to exactly the input (one canonical encoding per key), and its
// parts must rebuild the same key through the factories.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <jobwire/dedup.hpp>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto k = jobwire::dedup_key::parse(in);
  if (!k) {
    if (k.code() != jobwire::errc::invalid_dedup_key && k.code() != jobwire::errc::invalid_event_id) std::abort();
    return 0;
  }
  if (k->encoded() != in) std::abort();
  // A webhook key kept as written rebuilds from its id; the digest form only from its text.
  if (k->form() == jobwire::dedup_key_form::webhook_message) {
    auto again = k->encoded().substr(0, 4) == "whm:" ? jobwire::dedup_key::for_webhook(k->webhook_id())
                                                     : jobwire::dedup_key::parse(k->encoded());
    if (!again || *again != *k) std::abort();
    return 0;
  }
  auto rebuilt = k->form() == jobwire::dedup_key_form::event_id ? jobwire::dedup_key::for_event(k->event_id())
                 : k->form() == jobwire::dedup_key_form::job_lease
                     ? jobwire::dedup_key::for_job(k->job_id())
                     : jobwire::dedup_key::for_delivery(k->job_id(), k->delivery_key_text());
  if (!rebuilt || *rebuilt != *k) std::abort();
  return 0;
}
