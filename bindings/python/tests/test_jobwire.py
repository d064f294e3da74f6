"""Tests of the jobwire Python package against the built libjobwire_c.

Run from bindings/python with JOBWIRE_LIBRARY pointing at the shared library:
    JOBWIRE_LIBRARY=../../build/dev/lib/libjobwire_c.so python3 -m unittest discover -s tests -t .
Expected values come from PROTOCOL.md (and, for signatures, from Python's own hmac module),
never from the library under test.
"""
from __future__ import annotations

import math
import os
import re
import unittest
from pathlib import Path

import jobwire
from jobwire import _native

HERE = Path(__file__).resolve().parent
PACKAGE_DIR = HERE.parent


class LibraryTest(unittest.TestCase):
    def test_versions_agree(self) -> None:
        # The package, its pyproject.toml and the loaded library are one release.
        pyproject = (PACKAGE_DIR / "pyproject.toml").read_text(encoding="utf-8")
        declared = re.search(r'^version = "([^"]+)"', pyproject, re.M)
        assert declared is not None
        self.assertEqual(jobwire.__version__, declared.group(1))
        self.assertEqual(jobwire.library_version(), jobwire.__version__)

    def test_error_names_and_messages(self) -> None:
        self.assertEqual(jobwire.error_name(0), "ok")
        self.assertEqual(jobwire.error_name(-208), "signature_mismatch")
        self.assertEqual(jobwire.error_name(208), "signature_mismatch")
        self.assertEqual(jobwire.error_name(-99999), "unknown_error")
        self.assertTrue(jobwire.error_message(-208))
        self.assertNotIn("whsec", jobwire.error_message(-208))

    def test_missing_library_is_reported_with_the_paths_tried(self) -> None:
        saved_lib, saved_env = _native._lib, os.environ.get("JOBWIRE_LIBRARY")
        try:
            _native._lib = None
            os.environ["JOBWIRE_LIBRARY"] = "/nonexistent/libjobwire_c.so"
            with self.assertRaises(jobwire.LibraryNotFoundError) as ctx:
                jobwire.library_version()
            self.assertIn("/nonexistent/libjobwire_c.so", str(ctx.exception))
        finally:
            _native._lib = saved_lib
            if saved_env is None:
                os.environ.pop("JOBWIRE_LIBRARY", None)
            else:
                os.environ["JOBWIRE_LIBRARY"] = saved_env


class ProgressBucketTest(unittest.TestCase):
    def test_protocol_examples(self) -> None:
        # PROTOCOL.md §11: 3→5, 47→50, 44.4→40, 96→95, 0 and 100 → no event.
        self.assertEqual(jobwire.progress_bucket(3), 5)
        self.assertEqual(jobwire.progress_bucket(47), 50)
        self.assertEqual(jobwire.progress_bucket(44.4), 40)
        self.assertEqual(jobwire.progress_bucket(96), 95)
        self.assertEqual(jobwire.progress_bucket(4.5), 10)  # half away from zero, then 0.5 → 1
        self.assertIsNone(jobwire.progress_bucket(0))
        self.assertIsNone(jobwire.progress_bucket(100))

    def test_values_that_make_no_event(self) -> None:
        for p in (-1, 100.5, math.nan, math.inf, -math.inf, 10**400):
            with self.subTest(p=p):
                self.assertIsNone(jobwire.progress_bucket(p))

    def test_non_numbers_are_type_errors(self) -> None:
        for p in ("50", None, True, [50]):
            with self.subTest(p=p):
                with self.assertRaises(TypeError):
                    jobwire.progress_bucket(p)  # type: ignore[arg-type]


class DeliveryKeyAndEventIdTest(unittest.TestCase):
    def test_delivery_keys(self) -> None:
        self.assertEqual(jobwire.delivery_key("video", "completed"), "video.completed")
        self.assertEqual(jobwire.delivery_key("video", "progress", 47), "video.progress:50")
        self.assertEqual(jobwire.delivery_key("batch", "status_changed", profile="phaseo"), "batch.status_changed")

    def test_delivery_key_refusals(self) -> None:
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.delivery_key("video", "status_changed")  # not a phase of ai-stats
        self.assertEqual(ctx.exception.code, "unknown_phase")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.delivery_key("video", "progress", 100)
        self.assertEqual(ctx.exception.code, "no_progress_event")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.delivery_key("video", "progress")  # no value, no bucket
        self.assertEqual(ctx.exception.code, "no_progress_event")
        with self.assertRaises(ValueError):
            jobwire.delivery_key("audio", "completed")
        with self.assertRaises(ValueError):
            jobwire.delivery_key("video", "completed", profile="nope")

    def test_event_ids(self) -> None:
        # PROTOCOL.md §2: evt_<kind>_<internal id>_<key>, runs outside [A-Za-z0-9_-] → "_".
        self.assertEqual(jobwire.event_id("job_123", "video.progress:50"), "evt_video_job_123_video_progress_50")
        long_id = jobwire.event_id("x" * 500, "video.completed")
        self.assertEqual(len(long_id), 160)
        self.assertTrue(jobwire.is_valid_event_id(long_id))
        self.assertFalse(jobwire.is_valid_event_id("evt.1"))
        self.assertFalse(jobwire.is_valid_event_id(""))
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.event_id("job_1", "video.progress")
        self.assertEqual(ctx.exception.code, "invalid_delivery_key")


class JsonTest(unittest.TestCase):
    def test_valid_and_invalid(self) -> None:
        jobwire.validate_json(b'{"a":[1,true,null]}')
        jobwire.validate_json('{"é":"ü"}')  # str is UTF-8 encoded
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.validate_json(b'{"a":1,"a":2}')
        self.assertEqual(ctx.exception.code, "json_duplicate_key")
        self.assertEqual(ctx.exception.offset, 7)
        jobwire.validate_json(b'{"a":1,"a":2}', allow_duplicate_keys=True)
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.validate_json(b'"\xff"')
        self.assertEqual(ctx.exception.code, "json_invalid_utf8")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.validate_json(b"")
        self.assertEqual(ctx.exception.code, "json_empty_input")


# --- callback URLs ------------------------------------------------------------------------------


class CheckCallbackUrlTest(unittest.TestCase):
    def assert_rejected(self, code: str, *args: object, **kwargs: object) -> None:
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.check_callback_url(*args, **kwargs)  # type: ignore[arg-type]
        self.assertEqual(ctx.exception.code, code)

    def test_accepted_urls_are_serialised(self) -> None:
        self.assertEqual(jobwire.check_callback_url("https://example.com/hook"), "https://example.com/hook")
        self.assertEqual(jobwire.check_callback_url(" HTTPS://Example.COM:443\\a "), "https://example.com/a")
        self.assertEqual(jobwire.check_callback_url(b"https://example.com/"), "https://example.com/")
        # PROTOCOL.md §8: the service accepts [::ffff:8.8.8.8], serialised [::ffff:808:808].
        self.assertEqual(jobwire.check_callback_url("https://[::ffff:8.8.8.8]/", policy="ai-stats"),
                         "https://[::ffff:808:808]/")

    def test_rejections(self) -> None:
        self.assert_rejected("https_required", "http://example.com/")
        self.assert_rejected("private_host", "https://192.168.1.1/")
        self.assert_rejected("loopback_host", "https://127.0.0.1/")
        self.assert_rejected("userinfo_not_allowed", "https://u:p@example.com/")
        self.assert_rejected("non_global_host", "https://100.64.0.1/")
        self.assertEqual(jobwire.check_callback_url("https://100.64.0.1/", "ai_stats"), "https://100.64.0.1/")
        self.assert_rejected("missing_host", "https://")
        self.assert_rejected("invalid_url", "no scheme")

    def test_local_development(self) -> None:
        self.assert_rejected("https_required", "http://localhost:8080/cb")
        self.assertEqual(jobwire.check_callback_url("http://localhost:8080/cb", dev=True), "http://localhost:8080/cb")
        self.assertEqual(jobwire.check_callback_url("http://[::1]/cb", dev=True), "http://[::1]/cb")
        self.assert_rejected("localhost_name", "https://api.localhost/", dev=True)

    def test_arguments(self) -> None:
        with self.assertRaises(ValueError):
            jobwire.check_callback_url("https://example.com/", policy="lenient")
        with self.assertRaises(TypeError):
            jobwire.check_callback_url(None)  # type: ignore[arg-type]


# --- event lists ------------------------------------------------------------------------------------

DEFAULTS = ["job.completed", "job.failed", "job.cancelled", "job.expired"]


class NormalizeEventsTest(unittest.TestCase):
    def test_defaults(self) -> None:
        self.assertEqual(jobwire.normalize_events(None), DEFAULTS)
        self.assertEqual(jobwire.normalize_events([]), DEFAULTS)
        self.assertEqual(jobwire.normalize_events(None, "batch"), DEFAULTS)

    def test_normalisation(self) -> None:
        events = [" Video.Completed ", "canceled", "batch.failed", 3, None, "progress", "video.completed"]
        self.assertEqual(jobwire.normalize_events(events), ["video.completed", "job.cancelled", "job.progress"])
        self.assertEqual(jobwire.normalize_events(("batch.completed", "video.failed"), kind="batch"),
                         ["batch.completed"])
        self.assertEqual(jobwire.normalize_events(e for e in ["failed"]), ["job.failed"])
        self.assertEqual(jobwire.normalize_events(["status_changed", "failed"], profile="phaseo"),
                         ["job.status_changed", "job.failed"])

    def test_refusals(self) -> None:
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.normalize_events(["nope", 1])
        self.assertEqual(ctx.exception.code, "no_valid_events")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.normalize_events({"events": []})  # type: ignore[arg-type]
        self.assertEqual(ctx.exception.code, "invalid_events_type")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.normalize_events("job.completed")  # type: ignore[arg-type]
        self.assertEqual(ctx.exception.code, "invalid_events_type")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.normalize_events(["completed", "batch.failed"], strict=True)
        self.assertEqual(ctx.exception.code, "cross_kind_event")
        self.assertEqual(ctx.exception.offset, 1)
        with self.assertRaises(ValueError):
            jobwire.normalize_events(None, kind="audio")
        with self.assertRaises(TypeError):
            jobwire.normalize_events([object()])


if __name__ == "__main__":
    unittest.main()
