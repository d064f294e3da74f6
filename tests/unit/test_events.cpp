// Event vocabulary (events.hpp): event types, delivery keys, progress buckets, event ids.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>

#include <jobwire/events.hpp>

using namespace jobwire;

TEST_CASE("event types parse exactly and round-trip") {
  auto t = parse_event_type("video.completed");
  REQUIRE(t);
  CHECK(t->kind == kind::video);
  CHECK(t->phase == phase::completed);
  CHECK(format_event_type(*t) == "video.completed");
  CHECK(parse_event_type("batch.expired")->kind == kind::batch);
  for (const char* bad : {"", "video", "video.", ".completed", "job.completed", "Video.completed", "video.canceled",
                          "video.completed ", "video.status_changed", "audio.completed"}) {
    INFO(bad);
    CHECK(parse_event_type(bad).code() == errc::unknown_event_type);
  }
  CHECK(parse_event_type("video.status_changed", profiles::phaseo));
}

TEST_CASE("progress buckets follow PROTOCOL.md section 11") {
  struct row {
    double p;
    int bucket;
  };
  const row table[] = {{0, no_bucket}, {100, no_bucket}, {-1, no_bucket}, {100.5, no_bucket}, {0.4, 5},   {3, 5},
                       {4.5, 10},      {5, 10},          {14.4, 10},      {14.9, 20},         {44.4, 40}, {47, 50},
                       {94.9, 95},     {95, 95},         {96, 95},        {99.6, 95}};
  for (const auto& r : table) {
    INFO(r.p);
    CHECK(progress_bucket(r.p) == r.bucket);
  }
  CHECK(progress_bucket(std::nan("")) == no_bucket);
  CHECK(progress_bucket(std::numeric_limits<double>::infinity()) == no_bucket);
  for (int p = 1; p < 100; ++p) CHECK(is_valid_bucket(progress_bucket(p)));
}

TEST_CASE("delivery keys parse strictly and round-trip") {
  auto k = parse_delivery_key("video.progress:50");
  REQUIRE(k);
  CHECK(k->type.phase == phase::progress);
  CHECK(k->bucket == 50);
  CHECK(format_delivery_key(*k) == "video.progress:50");
  CHECK(format_delivery_key(*parse_delivery_key("video.completed")) == "video.completed");
  for (const char* bad :
       {"video.progress", "video.progress:", "video.progress:050", "video.progress:55", "video.progress:100",
        "video.progress:0", "video.completed:10", "video.progress:5x", "job.completed", ""}) {
    INFO(bad);
    CHECK(parse_delivery_key(bad).code() == errc::invalid_delivery_key);
  }
}

TEST_CASE("event ids are sanitised and cut to 160 characters") {
  delivery_key done{{kind::video, phase::completed}, no_bucket};
  CHECK(make_event_id(kind::video, "G-7f3a", done) == "evt_video_G-7f3a_video_completed");
  delivery_key prog{{kind::video, phase::progress}, 50};
  CHECK(make_event_id(kind::video, "job 1/2", prog) == "evt_video_job_1_2_video_progress_50");
  CHECK(make_event_id(kind::video, "a..//b", done) == "evt_video_a_b_video_completed");
  std::string long_id(300, 'x');
  std::string id = make_event_id(kind::video, long_id, done);
  CHECK(id.size() == max_event_id_length);
  CHECK(is_valid_event_id(id));
  CHECK(!is_valid_event_id(""));
  CHECK(!is_valid_event_id(std::string(161, 'a')));
  CHECK(!is_valid_event_id("evt.1"));
}

TEST_CASE("an event id's characters are checked the same by block and byte by byte, at every position") {
  // The block check (16 bytes at a time where the build scans with SSE2, a last block
  // overlapping) against the definition, for every byte value at every position of ids of
  // every length around the block sizes, and the longest id.
  constexpr char alphabet[] = "azAZ09_-mQ5evt";
  std::size_t checked = 0, wrong = 0;
  for (std::size_t len : {1u, 2u, 7u, 8u, 15u, 16u, 17u, 31u, 32u, 33u, 40u, 47u, 48u, 159u, 160u}) {
    std::string id;
    for (std::size_t i = 0; i < len; ++i) id += alphabet[i % (sizeof alphabet - 1)];
    REQUIRE(is_valid_event_id(id));
    for (std::size_t at = 0; at < len; ++at) {
      std::string s = id;
      for (int b = 0; b < 256; ++b) {
        s[at] = static_cast<char>(b);
        ++checked;
        if (is_valid_event_id(s) != is_event_id_char(static_cast<char>(b))) ++wrong;
      }
    }
  }
  CHECK(checked > 100000);
  CHECK(wrong == 0);
  static_assert(is_valid_event_id("evt_video_1"), "usable in constant expressions");
  static_assert(!is_valid_event_id("evt video"), "usable in constant expressions");
}

// --- status_changed (PROTOCOL.md §16.1) -----------------------------------------------------

TEST_CASE("status_changed keys hold raw statuses lower-cased only and unknown for an empty part (§16.1)") {
  auto k = status_changed_key(kind::video, "queued", "in_progress");
  REQUIRE(k);
  CHECK(format_delivery_key(*k) == "video.status_changed:queued:in_progress");
  // Lower-cased only: not mapped (in_progress stays in_progress, canceled stays canceled,
  // processing is not turned into running), not trimmed.
  CHECK(format_delivery_key(*status_changed_key(kind::video, "IN_PROGRESS", "Canceled")) ==
        "video.status_changed:in_progress:canceled");
  CHECK(format_delivery_key(*status_changed_key(kind::video, "processing", "running")) ==
        "video.status_changed:processing:running");
  // An empty (or NULL) status is the literal `unknown`, on either side.
  CHECK(format_delivery_key(*status_changed_key(kind::video, "", "queued")) == "video.status_changed:unknown:queued");
  CHECK(format_delivery_key(*status_changed_key(kind::batch, "failed", "")) == "batch.status_changed:failed:unknown");
  // A status that cannot be a part of a key the service writes is refused, not sanitised.
  for (const char* bad : {" queued", "in progress", "a:b", "queued\n", "st\xc3\xa4tus", "abcdefghijklmnopqrstuv"}) {
    INFO(bad);
    CHECK(status_changed_key(kind::video, "queued", bad).code() == errc::invalid_delivery_key);
    CHECK(status_changed_key(kind::video, bad, "queued").code() == errc::invalid_delivery_key);
  }
  CHECK(status_changed_key(kind::video, "", std::string(21, 'a')));  // the longest part
  // ai_stats has no status_changed phase at all.
  CHECK(status_changed_key(kind::video, "queued", "running", profiles::ai_stats).code() == errc::unknown_phase);
}

TEST_CASE("status_changed keys parse strictly under phaseo and not at all under ai_stats") {
  auto k = parse_delivery_key("video.status_changed:queued:in_progress", profiles::phaseo);
  REQUIRE(k);
  CHECK(k->type == event_type{kind::video, phase::status_changed});
  CHECK(k->previous.view() == "queued");
  CHECK(k->current.view() == "in_progress");
  CHECK(k->bucket == no_bucket);
  CHECK(*k == *status_changed_key(kind::video, "Queued", "IN_PROGRESS"));
  CHECK(*k != *status_changed_key(kind::video, "pending", "in_progress"));  // raw, not mapped
  for (const char* good : {"video.status_changed:unknown:queued", "batch.status_changed:canceled:unknown",
                           "video.status_changed:processing:running", "video.status_changed:queued:queued"}) {
    INFO(good);
    auto g = parse_delivery_key(good, profiles::phaseo);
    REQUIRE(g);
    CHECK(format_delivery_key(*g) == good);
    CHECK(parse_delivery_key(good).code() == errc::invalid_delivery_key);  // ai_stats: unchanged
  }
  for (const char* bad :
       {"video.status_changed", "video.status_changed:", "video.status_changed:queued",
        "video.status_changed:queued:", "video.status_changed::queued", "video.status_changed:Queued:running",
        "video.status_changed:queued:RUNNING", "video.status_changed:queued:in progress", "video.status_changed:a:b:c",
        "video.status_changed:queued:running ", "job.status_changed:queued:running", "video.completed:queued:running",
        "video.status_changed:abcdefghijklmnopqrstuv:queued"}) {
    INFO(bad);
    CHECK(parse_delivery_key(bad, profiles::phaseo).code() == errc::invalid_delivery_key);
  }
}

TEST_CASE("status_changed event ids follow the §2 rule from the key") {
  CHECK(make_event_id(kind::video, "G-1", *status_changed_key(kind::video, "queued", "in_progress")) ==
        "evt_video_G-1_video_status_changed_queued_in_progress");
  CHECK(make_event_id(kind::video, "G-1", *status_changed_key(kind::video, "", "Canceled")) ==
        "evt_video_G-1_video_status_changed_unknown_canceled");
  std::string long_id(150, 'x');
  std::string id = make_event_id(kind::video, long_id, *status_changed_key(kind::video, "queued", "in_progress"));
  CHECK(id.size() == max_event_id_length);
  CHECK(is_valid_event_id(id));
}
