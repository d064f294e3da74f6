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


if __name__ == "__main__":
    unittest.main()
