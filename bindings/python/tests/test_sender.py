"""Tests of jobwire.Sender: deliveries built by the library carry a signature that the
standard library's hmac computes the same way (PROTOCOL.md §9), and a Receiver processes
them."""
from __future__ import annotations

import hashlib
import hmac
import json
import unittest

import jobwire

SECRET = "whsec_sender_test"
NOW = 1781166600


class SenderTest(unittest.TestCase):
    def test_completed_delivery_is_signed_and_received(self) -> None:
        s = jobwire.Sender(SECRET)
        d = s.build(job_id="gen_é1", internal_id="42", phase="completed",
                    data={"status": "completed", "model": "vidéo"}, now=NOW)
        headers = dict(d.headers)
        self.assertEqual(headers["x-ai-stats-timestamp"], str(NOW))
        want = hmac.new(SECRET.encode(), f"{NOW}.".encode() + d.body, hashlib.sha256).hexdigest()
        self.assertEqual(headers["x-ai-stats-signature"], want)
        self.assertEqual((d.event_id, d.delivery_key, d.attempt, d.max_attempts, d.timestamp),
                         ("evt_video_42_video_completed", "video.completed", 1, 4, NOW))
        envelope = json.loads(d.body)
        self.assertEqual(envelope["data"], {"id": "gen_é1", "status": "completed", "model": "vidéo"})
        self.assertIn("vidéo".encode("utf-8"), d.body)  # UTF-8 bytes, not \\u escapes, round-trip
        with jobwire.Receiver(secrets=[SECRET]) as r:
            receipt = r.receive(d.body, d.headers, now=NOW, load=lambda j: {"lifecycle_status": "running"})
            self.assertEqual((receipt.action, receipt.job_id), ("process", "gen_é1"))
            again = s.build(job_id="gen_é1", internal_id="42", phase="completed",
                            data={"status": "completed", "model": "vidéo"}, now=NOW + 60, created_at=NOW, attempt=2)
            self.assertEqual(json.loads(again.body)["created_at"], NOW)
            self.assertEqual(r.receive(again.body, again.headers, now=NOW + 60).action, "duplicate")

    def test_progress_and_phaseo(self) -> None:
        s = jobwire.Sender(SECRET)
        d = s.build(job_id="g", internal_id="1", phase="progress", progress=47,
                    data='{"status":"in_progress","progress":47}', now=NOW)
        self.assertEqual(d.delivery_key, "video.progress:50")
        p = jobwire.Sender(SECRET, "phaseo")
        d = p.build(job_id="g", internal_id="1", phase="status_changed", status="in_progress",
                    previous_status="queued", data={"status": "in_progress"}, now=NOW)
        self.assertEqual(d.delivery_key, "video.status_changed:queued:in_progress")
        self.assertTrue(any(n == "x-phaseo-signature" for n, _ in d.headers))
        with jobwire.Receiver(secrets=[SECRET]) as r:
            receipt = r.receive(d.body, d.headers, now=NOW, load=lambda j: {"lifecycle_status": "pending"})
            self.assertEqual((receipt.action, receipt.profile), ("process", "phaseo"))

    def test_refusals(self) -> None:
        s = jobwire.Sender(SECRET)
        for kwargs, code in (({"phase": "progress", "data": {}}, "no_progress_event"),
                             ({"phase": "nope", "data": {}}, "unknown_phase"),
                             ({"phase": "completed", "data": {"id": "other"}}, "conflicting_job_id"),
                             ({"phase": "completed", "data": "[1]"}, "json_type_mismatch"),
                             ({"phase": "completed", "data": {}, "attempt": 5}, "invalid_attempt")):
            with self.subTest(code=code), self.assertRaises(jobwire.RejectedError) as ctx:
                s.build(job_id="g", internal_id="1", now=NOW, **kwargs)
            self.assertEqual(ctx.exception.code, code)
        with self.assertRaises(jobwire.RejectedError) as ctx:
            s.build(job_id="g", internal_id="1", phase="completed", data='{"a":}', now=NOW)
        self.assertEqual(ctx.exception.offset, 5)
        # A body its receivers would refuse (no status in data) is not built (PROTOCOL.md §10).
        with self.assertRaises(jobwire.RejectedError) as ctx:
            s.build(job_id="g", internal_id="1", phase="completed", data={}, now=NOW)
        self.assertEqual(ctx.exception.code, "missing_field")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.Sender("", "phaseo").build(job_id="g", internal_id="1", phase="completed", data={"status": "completed"}, now=NOW)
        self.assertEqual(ctx.exception.code, "secret_required")
        unsigned = jobwire.Sender("").build(job_id="g", internal_id="1", phase="completed", data={"status": "completed"}, now=NOW)
        self.assertFalse(any(n.endswith("signature") for n, _ in unsigned.headers))
        with self.assertRaises(ValueError):
            jobwire.Sender(SECRET, "auto")
        with self.assertRaises(ValueError):
            s.build(job_id="g", internal_id="1", phase="completed", data={"status": "completed"}, attempt=0)
        with self.assertRaises(TypeError):
            s.build(job_id="g", internal_id="1", phase="completed", data={"status": "completed"}, now=1.5)
        with self.assertRaises(ValueError):
            s.build(job_id="g", internal_id="1", phase="completed", data={"status": "completed"}, kind="audio")


class RetryScheduleTest(unittest.TestCase):
    """jobwire.decide_attempt: PROTOCOL.md §12's schedule, 4 attempts 60/300/900 s apart."""

    def test_service_schedule(self) -> None:
        t = NOW * 1000
        for attempt, delay in ((1, 60), (2, 300), (3, 900)):
            d = jobwire.decide_attempt(attempt, 503, t)
            self.assertEqual((d.status, d.attempt, d.max_attempts, d.next_attempt, d.next_retry_at),
                             ("scheduled_retry", attempt, 4, attempt + 1, t + delay * 1000))
        last = jobwire.decide_attempt(4, "timeout", t)
        self.assertEqual((last.status, last.next_attempt, last.next_retry_at), ("failed_permanently", None, None))
        self.assertEqual(jobwire.decide_attempt(2, 204, t).status, "delivered")
        self.assertEqual(jobwire.decide_attempt(1, 302, t).status, "scheduled_retry")  # redirects are not followed
        self.assertEqual(jobwire.decide_attempt(1, "network", t).next_retry_at, t + 60000)

    def test_own_policy_and_refusals(self) -> None:
        t = NOW * 1000
        d = jobwire.decide_attempt(5, 500, t, max_attempts=6, delays=[1, 2, 3, 4, 5])
        self.assertEqual((d.next_attempt, d.next_retry_at), (6, t + 5000))
        self.assertEqual(jobwire.decide_attempt(1, 500, t, max_attempts=1, delays=[]).status, "failed_permanently")
        for kwargs, code in (({"max_attempts": 6, "delays": [1, 2]}, "invalid_retry_policy"),
                             ({"max_attempts": 4, "delays": []}, "invalid_retry_policy"),
                             ({"max_attempts": 5}, "invalid_retry_policy"),  # the service's 3 delays
                             ({"max_attempts": 4, "delays": [60, 0, 900]}, "invalid_retry_policy"),
                             ({"max_attempts": 17}, "invalid_attempt"),
                             ({"request_timeout": 0}, "invalid_timeout")):
            with self.assertRaises(jobwire.RejectedError, msg=kwargs) as ctx:
                jobwire.decide_attempt(1, 500, t, **kwargs)
            self.assertEqual(ctx.exception.code, code)
        for attempt, outcome, code in ((0, 500, "invalid_attempt"), (5, 500, "invalid_attempt"),
                                       (1, 99, "invalid_outcome"), (1, 600, "invalid_outcome")):
            with self.assertRaises(jobwire.RejectedError) as ctx:
                jobwire.decide_attempt(attempt, outcome, t)
            self.assertEqual(ctx.exception.code, code)
        with self.assertRaises(ValueError):
            jobwire.decide_attempt(1, "eventually", t)
        with self.assertRaises(TypeError):
            jobwire.decide_attempt(1, True, t)
        with self.assertRaises(ValueError):
            jobwire.decide_attempt(1, 500, -1)

    def test_service_profiles_keep_the_schedule(self) -> None:
        t = NOW * 1000
        for profile in ("ai-stats", "phaseo"):
            for status in (410, 429, 502):
                d = jobwire.decide_attempt(1, status, t, profile=profile, retry_after="3600")
                self.assertEqual((d.status, d.next_retry_at, d.effect, d.throttle_until, d.endpoint_disabled),
                                 ("scheduled_retry", t + 60000, "failure", None, False))
                self.assertEqual(d.retry_after, "not_applied")
        self.assertEqual(jobwire.decide_attempt(1, 200, t).effect, "success")
        with self.assertRaises(ValueError):
            jobwire.decide_attempt(1, 500, t, profile="auto")
        with self.assertRaises(ValueError):
            jobwire.decide_attempt(1, 500, t, profile="nosuch")


    def test_next_attempt_is_received_as_a_duplicate(self) -> None:
        """The decided retry, built as attempt 2 of the same event, is the same delivery to
        a receiver: processed once."""
        s = jobwire.Sender(SECRET)
        event = dict(job_id="gen_retry", internal_id="7", phase="completed", data={"status": "completed"},
                     created_at=NOW)
        first = s.build(**event, now=NOW)
        decision = jobwire.decide_attempt(first.attempt, 503, NOW * 1000)
        retry = s.build(**event, now=decision.next_retry_at // 1000, attempt=decision.next_attempt)
        self.assertEqual((retry.event_id, retry.delivery_key, retry.attempt), (first.event_id, first.delivery_key, 2))
        self.assertNotEqual(dict(retry.headers)["x-ai-stats-signature"], dict(first.headers)["x-ai-stats-signature"])
        effects = []
        with jobwire.Receiver(secrets=[SECRET], tolerance=None) as r:
            load = lambda job_id: {"lifecycle_status": "running"}  # noqa: E731
            handle = lambda event, decision: effects.append(event.attempt)  # noqa: E731
            self.assertEqual(r.receive(first.body, first.headers, now=NOW, load=load, handle=handle).action,
                             "process")
            again = r.receive(retry.body, retry.headers, now=NOW + 60, load=load, handle=handle)
            self.assertEqual((again.action, again.attempt), ("duplicate", 2))
        self.assertEqual(effects, [1])


class EtiquetteTest(unittest.TestCase):
    """jobwire.decide_attempt(profile="standard"): PROTOCOL.md §17 "Sending"."""

    WAITS = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)

    def test_schedule_with_jitter(self) -> None:
        t = NOW * 1000
        for attempt, wait in enumerate(self.WAITS, start=1):
            seen = set()
            for seed in range(50):
                d = jobwire.decide_attempt(attempt, 500, t, profile="standard", seed=seed)
                self.assertEqual((d.status, d.max_attempts, d.next_attempt), ("scheduled_retry", 10, attempt + 1))
                self.assertGreaterEqual(d.next_retry_at, t + wait * 800)
                self.assertLessEqual(d.next_retry_at, t + wait * 1200)
                seen.add(d.next_retry_at)
            self.assertGreater(len(seen), 25)
        # The same seed, the same time; openai has the same rules.
        a = jobwire.decide_attempt(6, "timeout", t, profile="standard", seed=9)
        b = jobwire.decide_attempt(6, "timeout", t, profile="openai", seed=9)
        self.assertEqual(a.next_retry_at, b.next_retry_at)
        last = jobwire.decide_attempt(10, "network", t, profile="standard")
        self.assertEqual((last.status, last.next_retry_at, last.effect), ("failed_permanently", None, "failure"))
        # A shorter schedule of the profile's first delays.
        d = jobwire.decide_attempt(3, 500, t, profile="standard", max_attempts=3, seed=1)
        self.assertEqual(d.status, "failed_permanently")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.decide_attempt(1, 500, t, profile="standard", max_attempts=11)
        self.assertEqual(ctx.exception.code, "invalid_retry_policy")

    def test_gone_throttle_and_redirects(self) -> None:
        t = NOW * 1000
        d = jobwire.decide_attempt(2, 410, t, profile="standard")
        self.assertEqual((d.status, d.effect, d.endpoint_disabled, d.disable_reason),
                         ("failed_permanently", "disable", True, "gone"))
        for status in (429, 502, 504):
            d = jobwire.decide_attempt(1, status, t, profile="standard", seed=3)
            self.assertEqual((d.effect, d.throttle_until), ("throttle", t + 60000))
            self.assertGreaterEqual(d.next_retry_at, d.throttle_until)
        d = jobwire.decide_attempt(1, 302, t, profile="standard", seed=3)
        self.assertEqual((d.status, d.effect), ("scheduled_retry", "failure"))

    def test_retry_after(self) -> None:
        t = NOW * 1000  # 2026-06-11T08:30:00Z, a Thursday
        for value in ("600", "Thu, 11 Jun 2026 08:40:00 GMT", "Thursday, 11-Jun-26 08:40:00 GMT",
                      "Thu Jun 11 08:40:00 2026", b"600"):
            d = jobwire.decide_attempt(1, 429, t, profile="standard", retry_after=value, seed=4)
            self.assertEqual((d.retry_after, d.retry_after_until, d.throttle_until, d.retry_after_error),
                             ("honoured", t + 600000, t + 600000, None))
            self.assertGreaterEqual(d.next_retry_at, t + 600000)
            self.assertLessEqual(d.next_retry_at, t + 720000)
        d = jobwire.decide_attempt(1, 503, t, profile="standard", retry_after="9" * 40, seed=4)
        self.assertEqual((d.retry_after, d.retry_after_until, d.effect), ("capped", t + 86400000, "failure"))
        d = jobwire.decide_attempt(3, 502, t, profile="standard", retry_after="Sun, 06 Nov 1994 08:49:37 GMT")
        self.assertEqual((d.retry_after, d.throttle_until), ("past", t))
        for bad in ("soon", "-1", "", "Mon, 06 Nov 1994 08:49:37 GMT"):
            d = jobwire.decide_attempt(1, 429, t, profile="standard", retry_after=bad, seed=4)
            self.assertEqual((d.retry_after, d.retry_after_error, d.throttle_until),
                             ("invalid", "invalid_retry_after", t + 60000))

    def test_failure_streak(self) -> None:
        t = NOW * 1000
        d = jobwire.decide_attempt(10, 500, t, profile="standard", failure_streak=8)
        self.assertEqual((d.endpoint_disabled, d.disable_after_failures), (False, 10))
        d = jobwire.decide_attempt(10, 500, t, profile="standard", failure_streak=9)
        self.assertEqual((d.endpoint_disabled, d.disable_reason), (True, "failure_streak"))
        d = jobwire.decide_attempt(2, 500, t, profile="standard", failure_streak=1000)
        self.assertEqual((d.endpoint_disabled, d.disable_after_failures), (False, 0))


if __name__ == "__main__":
    unittest.main()
