"""Tests of the jobwire Python package against the built libjobwire_c.

Run from bindings/python with JOBWIRE_LIBRARY pointing at the shared library:
    JOBWIRE_LIBRARY=../../build/dev/lib/libjobwire_c.so python3 -m unittest discover -s tests -t .
Expected values come from PROTOCOL.md (and, for signatures, from Python's own hmac module),
never from the library under test.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
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
        # The reply class from the error table (PROTOCOL.md §13).
        self.assertEqual(jobwire.error_http_status(0), 200)
        self.assertEqual(jobwire.error_http_status(-208), 401)  # signature_mismatch
        self.assertEqual(jobwire.error_http_status(-210), 400)  # header_body_mismatch
        self.assertEqual(jobwire.error_http_status(-8), 503)  # not_found
        self.assertEqual(jobwire.VerificationError(-208).http_status, 401)

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

    def test_library_of_another_version_is_refused(self) -> None:
        saved_lib, saved_version = _native._lib, _native.PACKAGE_VERSION
        try:
            _native._lib = None
            _native.PACKAGE_VERSION = "9.9.0"
            with self.assertRaises(jobwire.LibraryNotFoundError) as ctx:
                jobwire.library_version()
            self.assertIn("does not match the package (9.9.0)", str(ctx.exception))
        finally:
            _native._lib, _native.PACKAGE_VERSION = saved_lib, saved_version

    @unittest.skipUnless(os.environ.get("JOBWIRE_LIBRARY"), "needs JOBWIRE_LIBRARY")
    def test_library_next_to_the_package_is_found(self) -> None:
        # Without JOBWIRE_LIBRARY, a libjobwire_c.so inside the package directory is used.
        with tempfile.TemporaryDirectory() as tmp:
            pkg = Path(tmp) / "jobwire"
            shutil.copytree(PACKAGE_DIR / "jobwire", pkg, ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy(os.environ["JOBWIRE_LIBRARY"], pkg / "libjobwire_c.so")
            env = {k: v for k, v in os.environ.items() if k != "JOBWIRE_LIBRARY"}
            env["PYTHONPATH"] = tmp
            code = "import jobwire, jobwire._native as n; print(jobwire.progress_bucket(47)); print(n.lib()._name)"
            out = subprocess.run([sys.executable, "-c", code], env=env, cwd=tmp, capture_output=True, text=True,
                                 check=True)
            self.assertEqual(out.stdout.splitlines(), ["50", str(pkg / "libjobwire_c.so")])


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
        # A status_changed key names its transition (PROTOCOL.md §16.1); the phase alone
        # makes none, and an event id follows from a full key by the §2 rule.
        with self.assertRaises(ValueError):
            jobwire.delivery_key("batch", "status_changed", profile="phaseo")
        self.assertEqual(jobwire.event_id("G7", "video.status_changed:unknown:queued", profile="phaseo"),
                         "evt_video_G7_video_status_changed_unknown_queued")

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


# --- signatures and verification ------------------------------------------------------------

KNOWN_SECRET = "whsec_test_123"
KNOWN_TS = "1781166600"
KNOWN_BODY = b'{"id":"evt_123","type":"batch.completed","data":{"id":"batch_123","status":"completed"}}'
NOW = 1781166600
# Invalid UTF-8, an embedded NUL, a lone continuation byte and CR LF: hashed as bytes.
BINARY_BODY = b"\xff\x00\xfe\x80x\xc3\x28\r\n"


def reference(secret: bytes, ts: str, body: bytes) -> str:
    """Python's own HMAC, the independent reference for every signature below."""
    return hmac.new(secret, ts.encode("ascii") + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, secret: bytes = KNOWN_SECRET.encode(), ts: str = KNOWN_TS,
                   prefix: str = "X-AI-Stats-") -> dict:
    return {prefix + "Timestamp": ts, prefix + "Signature": reference(secret, ts, body)}


class SignTest(unittest.TestCase):
    def test_protocol_vector(self) -> None:
        sig = jobwire.sign(KNOWN_SECRET, KNOWN_TS, KNOWN_BODY)
        self.assertEqual(sig, reference(KNOWN_SECRET.encode(), KNOWN_TS, KNOWN_BODY))
        self.assertRegex(sig, r"^[0-9a-f]{64}$")

    def test_bytes_and_str(self) -> None:
        # Non-UTF-8 bodies are hashed exactly; str bodies are UTF-8 encoded first.
        self.assertEqual(jobwire.sign(b"k", "1700000000", BINARY_BODY), reference(b"k", "1700000000", BINARY_BODY))
        text = '{"note":"café ✓"}'
        self.assertEqual(jobwire.sign("k", "1", text), reference(b"k", "1", text.encode("utf-8")))
        self.assertEqual(jobwire.sign("k", "1", bytearray(b"ab")), jobwire.sign("k", "1", memoryview(b"ab")))
        # A non-ASCII secret is its UTF-8 bytes; surrounding white space is trimmed.
        self.assertEqual(jobwire.sign("clé", "1", b"x"), reference("clé".encode("utf-8"), "1", b"x"))
        self.assertEqual(jobwire.sign(" whsec_a\n", "1", b"x"), reference(b"whsec_a", "1", b"x"))

    def test_refusals(self) -> None:
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.sign("  ", "1", b"x")
        self.assertEqual(ctx.exception.code, "empty_secret")
        self.assertIsInstance(ctx.exception, jobwire.JobwireError)
        with self.assertRaises(TypeError):
            jobwire.sign("k", "1", 42)  # type: ignore[arg-type]
        with self.assertRaises(TypeError):
            jobwire.sign(None, "1", b"x")  # type: ignore[arg-type]


class FrameworkHeaders:
    """A framework-style header object: items() yields every pair, names as sent."""

    def __init__(self, pairs: list) -> None:
        self._pairs = pairs

    def items(self) -> list:
        return list(self._pairs)


class VerifyTest(unittest.TestCase):
    def assert_refused(self, code: str, *args: object, **kwargs: object) -> None:
        with self.assertRaises(jobwire.VerificationError) as ctx:
            jobwire.verify(*args, **kwargs)  # type: ignore[arg-type]
        self.assertEqual(ctx.exception.code, code)

    def test_valid_with_mixed_case_mapping(self) -> None:
        headers = signed_headers(KNOWN_BODY)
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, headers, now=NOW)
        mixed = {"CONTENT-TYPE": "application/json", "x-AI-stats-TIMESTAMP": KNOWN_TS,
                 "X-Ai-Stats-Signature": headers["X-AI-Stats-Signature"].upper()}
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, mixed, now=NOW)

    def test_header_shapes(self) -> None:
        h = signed_headers(KNOWN_BODY)
        pairs = list(h.items())
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, pairs, now=NOW)  # list of pairs
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, iter(pairs), now=NOW)  # any iterable
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, FrameworkHeaders(pairs), now=NOW)
        as_bytes = {k.encode(): v.encode() for k, v in h.items()}
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, as_bytes, now=NOW)
        with self.assertRaises(TypeError):
            jobwire.verify(KNOWN_SECRET, KNOWN_BODY, "x-ai-stats-signature: abc", now=NOW)
        with self.assertRaises(TypeError):
            jobwire.verify(KNOWN_SECRET, KNOWN_BODY, [("only-a-name",)], now=NOW)

    def test_repeated_header_with_other_value_is_ambiguous(self) -> None:
        h = signed_headers(KNOWN_BODY)
        wrong = reference(b"other", KNOWN_TS, KNOWN_BODY)
        # The same name in two cases: a dict holds both, and both reach the library.
        self.assert_refused("ambiguous_header", KNOWN_SECRET, KNOWN_BODY,
                            {**h, "x-ai-stats-signature": wrong}, now=NOW)
        pairs = list(h.items()) + [("X-AI-STATS-SIGNATURE", wrong)]
        self.assert_refused("ambiguous_header", KNOWN_SECRET, KNOWN_BODY, pairs, now=NOW)
        same = list(h.items()) + [("x-ai-stats-signature", h["X-AI-Stats-Signature"])]
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, same, now=NOW)

    def test_non_utf8_and_str_bodies(self) -> None:
        # Bodies that are not delivery envelopes authenticate; verify (the receiver's
        # verdict) refuses them as the receiver would.
        jobwire.authenticate("k", BINARY_BODY, signed_headers(BINARY_BODY, b"k"), now=NOW)
        self.assert_refused("json_unexpected_token", "k", BINARY_BODY, signed_headers(BINARY_BODY, b"k"), now=NOW)
        text = '{"name":"vidéo"}'
        jobwire.authenticate("k", text, signed_headers(text.encode("utf-8"), b"k"), now=NOW)
        self.assert_refused("missing_field", "k", text, signed_headers(text.encode("utf-8"), b"k"), now=NOW)
        # Any other encoding of the same text does not authenticate.
        with self.assertRaises(jobwire.VerificationError) as cm:
            jobwire.authenticate("k", text.encode("latin-1"), signed_headers(text.encode("utf-8"), b"k"), now=NOW)
        self.assertEqual(cm.exception.code, "signature_mismatch")

    def test_rotation(self) -> None:
        h = signed_headers(KNOWN_BODY)
        jobwire.verify(["whsec_new", KNOWN_SECRET], KNOWN_BODY, h, now=NOW)
        with jobwire.Verifier(["whsec_new", KNOWN_SECRET.encode()]) as v:
            self.assertEqual(v.verify(KNOWN_BODY, h, now=NOW), 1)
            self.assertEqual(v.verify(KNOWN_BODY, h, now=NOW + 10), 1)  # reusable
        with self.assertRaises(ValueError):
            v.verify(KNOWN_BODY, h, now=NOW)  # closed
        self.assert_refused("signature_mismatch", ["a", "b"], KNOWN_BODY, h, now=NOW)
        with self.assertRaises(ValueError):
            jobwire.verify([], KNOWN_BODY, h, now=NOW)
        # The library's bound (8, smaller in jobwire's tiny-limits test build): exactly
        # that many secrets are accepted, one more is refused.
        most = _native.lib().jobwire_max_secrets()
        jobwire.Verifier(["k"] * most).close()
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.Verifier(["k"] * (most + 1))
        self.assertEqual(ctx.exception.code, "too_many_secrets")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.Verifier(["k", " "])
        self.assertEqual(ctx.exception.code, "empty_secret")

    def test_freshness(self) -> None:
        h = signed_headers(KNOWN_BODY)
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=NOW + 300)
        self.assert_refused("timestamp_too_old", KNOWN_SECRET, KNOWN_BODY, h, now=NOW + 301)
        self.assert_refused("timestamp_too_new", KNOWN_SECRET, KNOWN_BODY, h, now=NOW - 301)
        self.assert_refused("timestamp_too_old", KNOWN_SECRET, KNOWN_BODY, h, now=NOW + 61, tolerance=60)
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=NOW + 10**7, tolerance=None)
        with self.assertRaises(ValueError):
            jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=NOW, tolerance=-1)
        # now defaults to the current time: a delivery signed just now verifies.
        ts = str(int(time.time()))
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, signed_headers(KNOWN_BODY, ts=ts))

    def test_sdk_compat_timestamps(self) -> None:
        ms = KNOWN_TS + "000"
        h = signed_headers(KNOWN_BODY, ts=ms)
        self.assert_refused("malformed_timestamp", KNOWN_SECRET, KNOWN_BODY, h, now=NOW)
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=NOW, sdk_compat=True)

    def test_missing_and_malformed(self) -> None:
        h = signed_headers(KNOWN_BODY)
        self.assert_refused("missing_timestamp", KNOWN_SECRET, KNOWN_BODY,
                            {"X-AI-Stats-Signature": h["X-AI-Stats-Signature"]}, now=NOW)
        self.assert_refused("missing_signature", KNOWN_SECRET, KNOWN_BODY, {"X-AI-Stats-Timestamp": KNOWN_TS}, now=NOW)
        self.assert_refused("malformed_signature", KNOWN_SECRET, KNOWN_BODY,
                            {"X-AI-Stats-Timestamp": KNOWN_TS, "X-AI-Stats-Signature": "zz"}, now=NOW)
        self.assert_refused("missing_timestamp", KNOWN_SECRET, KNOWN_BODY, {}, now=NOW)

    def test_profiles(self) -> None:
        h = signed_headers(KNOWN_BODY, prefix="X-Phaseo-")
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=NOW, profile="phaseo")
        # The default, "auto", detects the profile from the header family (PROTOCOL.md §15).
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=NOW)
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, signed_headers(KNOWN_BODY), now=NOW)
        self.assertEqual(jobwire.detect_profile(h), "phaseo")
        self.assertEqual(jobwire.detect_profile(signed_headers(KNOWN_BODY)), "ai_stats")
        self.assertEqual(jobwire.detect_profile({}), "ai_stats")
        self.assert_refused("missing_timestamp", KNOWN_SECRET, KNOWN_BODY, h, now=NOW, profile="ai-stats")
        # Both families in one request: ambiguous, whichever one is correctly signed.
        both = dict(h)
        both.update(signed_headers(KNOWN_BODY))
        self.assert_refused("ambiguous_header", KNOWN_SECRET, KNOWN_BODY, both, now=NOW)
        with self.assertRaises(jobwire.VerificationError) as ctx:
            jobwire.detect_profile(both)
        self.assertEqual(ctx.exception.code, "ambiguous_header")
        # A status_changed delivery as the current service sends it (PROTOCOL.md §16.1),
        # including the queue-retry form, verifies with the default profile.
        for sc in (b'{"previous_status":"queued","status":"in_progress"}', b'{"previous_status":null,"status":"running"}'):
            body = (b'{"id":"evt_video_G1_video_status_changed_queued_in_progress","type":"video.status_changed",'
                    b'"created_at":1781166600,"delivery":{"key":"video.status_changed:queued:in_progress",'
                    b'"attempt":1,"max_attempts":4},"data":{"id":"G-1","status":"processing","progress":0},'
                    b'"status_change":' + sc + b'}')
            sh = signed_headers(body, prefix="x-phaseo-")
            sh.update({"x-phaseo-event-type": "video.status_changed", "x-phaseo-attempt": "1",
                       "x-phaseo-delivery-key": "video.status_changed:queued:in_progress"})
            jobwire.verify(KNOWN_SECRET, body, sh, now=NOW)
            self.assert_refused("missing_timestamp", KNOWN_SECRET, body, sh, now=NOW, profile="ai-stats")
            summary = jobwire.parse_payload(body, "webhook", profile="phaseo")
            self.assertEqual(summary["status_change"]["lifecycle_status"], "running")
        # Detection never weakens: a verifier with a secret refuses an unsigned delivery.
        self.assert_refused("missing_timestamp", KNOWN_SECRET, KNOWN_BODY, {"X-Phaseo-Attempt": "1"}, now=NOW)
        with self.assertRaises(ValueError):
            jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=NOW, profile="acme")

    def test_headers_must_agree_with_the_body(self) -> None:
        body = (b'{"id":"evt_video_G1_video_completed","type":"video.completed","created_at":1781166600,'
                b'"delivery":{"key":"video.completed","attempt":1,"max_attempts":4},'
                b'"data":{"id":"G-1","status":"completed"}}')
        h = signed_headers(body)
        h["X-AI-Stats-Event-Id"] = "evt_video_G1_video_completed"
        h["X-AI-Stats-Attempt"] = "1"
        jobwire.verify(KNOWN_SECRET, body, h, now=NOW)
        h["X-AI-Stats-Attempt"] = "2"
        self.assert_refused("header_body_mismatch", KNOWN_SECRET, body, h, now=NOW)

    def test_error_carries_code_and_status(self) -> None:
        with self.assertRaises(jobwire.VerificationError) as ctx:
            jobwire.verify(KNOWN_SECRET, KNOWN_BODY + b" ", signed_headers(KNOWN_BODY), now=NOW)
        err = ctx.exception
        self.assertEqual(err.code, "signature_mismatch")
        self.assertEqual(err.status, -208)
        self.assertIn("signature_mismatch", str(err))
        self.assertNotIn(KNOWN_SECRET, str(err))


# --- callback URLs ------------------------------------------------------------------------------


class IntegerBoundaryTest(unittest.TestCase):
    """Integers are range-checked where they enter the library: ctypes would silently
    reduce them modulo 2**64 (or 2**32), turning e.g. tolerance=2**64-1 into "no
    freshness check". ``bool`` is not an integer here (TypeError)."""

    def test_tolerance_and_now_do_not_wrap(self) -> None:
        h = signed_headers(KNOWN_BODY)
        eleven_days = NOW + 11 * 24 * 3600
        # 2**64 - 1 wrapped to -1, the "no check" value, and accepted an 11-day-old delivery.
        for tolerance in (2**64 - 1, 2**63, 2**64 + 300):
            with self.subTest(tolerance=tolerance):
                with self.assertRaises(ValueError):
                    jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=eleven_days, tolerance=tolerance)
        # 2**64 + NOW wrapped to NOW and made a stale delivery fresh.
        for now in (2**64 + NOW, -(2**63) - 1, 2**63):
            with self.subTest(now=now):
                with self.assertRaises(ValueError):
                    jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=now)
        # In-range values reach the library, which judges them: the largest int64 values
        # are outside its freshness arithmetic (invalid_argument), a real window is used.
        for kwargs in ({"now": 2**63 - 1}, {"now": eleven_days, "tolerance": 2**63 - 1}):
            with self.subTest(**kwargs):
                with self.assertRaisesRegex(ValueError, "invalid_argument"):
                    jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, **kwargs)
        self.assert_stale(h, eleven_days, 300)
        jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=eleven_days, tolerance=12 * 24 * 3600)

    def assert_stale(self, h: dict, now: int, tolerance: int) -> None:
        with self.assertRaises(jobwire.VerificationError) as ctx:
            jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=now, tolerance=tolerance)
        self.assertEqual(ctx.exception.code, "timestamp_too_old")

    def test_bool_and_non_integers_are_type_errors(self) -> None:
        h = signed_headers(KNOWN_BODY)
        for bad in (True, False, 1.5, "300", b"300"):
            with self.subTest(bad=bad):
                with self.assertRaises(TypeError):
                    jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=bad)  # type: ignore[arg-type]
                with self.assertRaises(TypeError):
                    jobwire.verify(KNOWN_SECRET, KNOWN_BODY, h, now=NOW, tolerance=bad)  # type: ignore[arg-type]
                with self.assertRaises(TypeError):
                    jobwire.error_name(bad)  # type: ignore[arg-type]
                with self.assertRaises(TypeError):
                    jobwire.error_message(bad)  # type: ignore[arg-type]

    def test_error_name_range(self) -> None:
        self.assertEqual(jobwire.error_name(2**31 - 1), "unknown_error")
        self.assertEqual(jobwire.error_name(-(2**31)), "unknown_error")
        for bad in (2**31, -(2**31) - 1, 2**32 - 208, 2**64 - 208):
            with self.subTest(bad=bad):
                # 2**32 - 208 used to wrap to -208 and answer "signature_mismatch".
                with self.assertRaises(ValueError):
                    jobwire.error_name(bad)
                with self.assertRaises(ValueError):
                    jobwire.error_message(bad)

    def test_progress_functions_agree(self) -> None:
        # progress_bucket and delivery_key read a progress value the same way: True is a
        # TypeError for both; a number without a bucket (huge ints included) is None for
        # one and no_progress_event for the other.
        for bad in (True, False, "50", [50]):
            with self.subTest(bad=bad):
                with self.assertRaises(TypeError):
                    jobwire.progress_bucket(bad)  # type: ignore[arg-type]
                with self.assertRaises(TypeError):
                    jobwire.delivery_key("video", "progress", bad)  # type: ignore[arg-type]
        for p in (10**400, -(10**400), 2**64 + 50, 100, 0, math.nan):
            with self.subTest(p=p):
                self.assertIsNone(jobwire.progress_bucket(p))
                with self.assertRaises(jobwire.RejectedError) as ctx:
                    jobwire.delivery_key("video", "progress", p)
                self.assertEqual(ctx.exception.code, "no_progress_event")
        for p in (47, 47.0, 3):
            with self.subTest(p=p):
                self.assertEqual(jobwire.delivery_key("video", "progress", p),
                                 f"video.progress:{jobwire.progress_bucket(p)}")


class CheckCallbackUrlTest(unittest.TestCase):
    def assert_rejected(self, code: str, *args: object, **kwargs: object) -> None:
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.check_callback_url(*args, **kwargs)  # type: ignore[arg-type]
        self.assertEqual(ctx.exception.code, code)

    def test_accepted_urls_are_serialised(self) -> None:
        self.assertEqual(jobwire.check_callback_url("https://example.com/hook"), "https://example.com/hook")
        self.assertEqual(jobwire.check_callback_url("https://Example.com/a#frag", policy="phaseo"),
                         "https://example.com/a")
        for url, code in (("http://localhost/", "https_required"), ("https://100.64.0.1/", "non_global_host"),
                          ("https://x.localhost/", "localhost_name"), ("  ", "empty_url")):
            with self.assertRaises(jobwire.RejectedError) as ctx:
                jobwire.check_callback_url(url, policy="phaseo")
            self.assertEqual(ctx.exception.code, code)
        self.assertEqual(jobwire.check_callback_url("https://100.64.0.1/", policy="ai-stats"), "https://100.64.0.1/")
        # resolved addresses: every one is checked just before connecting
        jobwire.check_resolved_address("93.184.216.34", policy="phaseo")
        jobwire.check_resolved_address(bytes([93, 184, 216, 34]))
        for addr, policy, code in (("169.254.169.254", "phaseo", "link_local_host"),
                                   ("64:ff9b::a00:1", "phaseo", "private_host"),
                                   ("100.64.0.1", "strict", "non_global_host"),
                                   (bytes(15) + b"\x01", "ai-stats", "loopback_host")):
            with self.assertRaises(jobwire.RejectedError) as ctx:
                jobwire.check_resolved_address(addr, policy=policy)
            self.assertEqual(ctx.exception.code, code)
        jobwire.check_resolved_address("100.64.0.1", policy="ai-stats")
        with self.assertRaises(ValueError):
            jobwire.check_resolved_address("example.com")
        with self.assertRaises(ValueError):
            jobwire.check_resolved_address(b"\x01\x02\x03")
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
    def test_events_subscribed_and_effective_events(self) -> None:
        # ai_stats: the defaults are the terminal phases; job.<phase> or the kind's own name
        self.assertTrue(jobwire.events_subscribed(None, "completed"))
        self.assertFalse(jobwire.events_subscribed([], "progress"))
        self.assertTrue(jobwire.events_subscribed([" Progress "], "progress", "batch"))
        self.assertFalse(jobwire.events_subscribed(["video.completed", "batch.failed"], "failed"))
        self.assertTrue(jobwire.events_subscribed(["canceled"], "cancelled"))
        for events, phase, code in ((["job.completed"], "status_changed", "unknown_phase"),
                                    (["nope"], "completed", "no_valid_events"),
                                    ({"a": 1}, "completed", "invalid_events_type")):
            with self.assertRaises(jobwire.RejectedError) as ctx:
                jobwire.events_subscribed(events, phase)
            self.assertEqual(ctx.exception.code, code)
        # phaseo: the stored list decides exactly; [] inherits (the request defaults here)
        self.assertTrue(jobwire.events_subscribed(["status_changed"], "status_changed", profile="phaseo"))
        self.assertTrue(jobwire.events_subscribed([], "status_changed", profile="phaseo"))
        self.assertFalse(jobwire.events_subscribed(None, "progress", profile="phaseo"))
        self.assertFalse(jobwire.events_subscribed(["job.completed.extra"], "completed", profile="phaseo"))
        # effective events: the request's list, else the endpoint's for the kind, else defaults
        self.assertEqual(jobwire.effective_events(["Completed"], ["video.progress"]), ["job.completed"])
        self.assertEqual(jobwire.effective_events([], ["video.completed", "batch.failed", "progress"]),
                         ["video.completed", "job.progress"])
        self.assertEqual(jobwire.effective_events(None, ["video.completed", "batch.failed"], "batch"),
                         ["batch.failed"])
        self.assertEqual(jobwire.effective_events(None),
                         ["job.status_changed", "job.completed", "job.failed", "job.cancelled", "job.expired"])
        effective = jobwire.effective_events([], ["video.progress"])
        self.assertTrue(jobwire.events_subscribed(effective, "progress", profile="phaseo"))
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.effective_events([], ["video.completed", 7])
        self.assertEqual((ctx.exception.code, ctx.exception.offset), ("event_not_string", 1))
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.effective_events("video.completed")
        self.assertEqual(ctx.exception.code, "invalid_events_type")

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
        # phaseo (§16.2): the stored list; [] and None mean "inherit", tails are kept verbatim
        self.assertEqual(jobwire.normalize_events(None, profile="phaseo"), [])
        self.assertEqual(jobwire.normalize_events([], profile="phaseo"), [])
        self.assertEqual(jobwire.normalize_events(["job.completed.extra", " ", "Canceled"], profile="phaseo"),
                         ["job.completed.extra", "job.cancelled"])
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.normalize_events(["completed", ""], profile="phaseo")
        self.assertEqual(ctx.exception.code, "empty_event")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.normalize_events(["completed", 1], profile="phaseo")
        self.assertEqual(ctx.exception.code, "event_not_string")

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
        with self.assertRaises(TypeError):
            jobwire.normalize_events(b'["job.completed"]')  # type: ignore[arg-type]


# --- job payloads ---------------------------------------------------------------------------------

PAYLOADS = HERE.parents[2] / "tests" / "data" / "payloads"


class ParsePayloadTest(unittest.TestCase):
    def test_summaries(self) -> None:
        s = jobwire.parse_payload(b'{"id":"G-1","status":"processing","progress":47}')
        self.assertEqual((s["kind"], s["id"], s["status"], s["lifecycle_status"], s["terminal"], s["progress"]),
                         ("status", "G-1", "processing", "running", False, 47))
        c = jobwire.parse_payload('{"video_id":"G-1","status":"in_progress"}', "create")
        self.assertEqual((c["id"], c["id_key"], c["lifecycle_status"]), ("G-1", "video_id", "running"))
        self.assertEqual(jobwire.parse_payload(b'{"type":"pong"}', "ws"), {"kind": "ws", "type": "pong"})

    def test_refusals_and_leniency(self) -> None:
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.parse_payload(b'{"id":"G-1","status":"rendering"}')
        self.assertEqual((ctx.exception.code, ctx.exception.offset), ("unknown_status", 21))
        lenient = jobwire.parse_payload(b'{"id":"G-1","status":"rendering"}', lenient=True)
        self.assertEqual((lenient["status"], lenient["lifecycle_status"]), ("queued", "pending"))
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.parse_payload(b'{"id":"G-1","video_id":"G-2"}', "create")
        self.assertEqual(ctx.exception.code, "conflicting_job_id")
        with self.assertRaises(jobwire.RejectedError) as ctx:
            jobwire.parse_payload(b'{"id":"G-1","status":"\xff"}')
        self.assertEqual(ctx.exception.code, "json_invalid_utf8")
        with self.assertRaises(ValueError):
            jobwire.parse_payload(b"{}", "json")

    @unittest.skipUnless(os.environ.get("JOBWIRE_CLI") and PAYLOADS.is_dir(), "needs JOBWIRE_CLI and the fixtures")
    def test_same_summary_as_the_cli(self) -> None:
        # Every fixture: the binding returns exactly what `jobwire parse --as <form>` prints.
        forms = {"create": "create", "status": "status", "envelope": "webhook", "ws": "ws"}
        cli = os.environ["JOBWIRE_CLI"]
        checked = 0
        for path in sorted(PAYLOADS.glob("*.json")):
            form = forms[path.name.split("_")[0]]
            with self.subTest(fixture=path.name):
                out = subprocess.run([cli, "parse", "--as", form, "@" + str(path)], capture_output=True, check=True)
                self.assertEqual(jobwire.parse_payload(path.read_bytes(), form), json.loads(out.stdout))
                checked += 1
        self.assertGreater(checked, 10)


# --- the README's Flask handler ------------------------------------------------------------------------

try:
    import flask
except ImportError:  # pragma: no cover - Flask is optional
    flask = None


@unittest.skipIf(flask is None, "Flask is not installed")
class FlaskHandlerTest(unittest.TestCase):
    def setUp(self) -> None:
        from flask import Flask, request

        app = Flask(__name__)
        verifier = jobwire.Verifier(["whsec_new", KNOWN_SECRET])
        self.addCleanup(verifier.close)
        received: list = []

        @app.post("/webhooks/video")
        def video_webhook():  # the handler of README.md
            body = request.get_data()
            try:
                verifier.verify(body, request.headers, now=NOW)
            except jobwire.VerificationError as exc:
                return {"error": exc.code}, 401
            received.append(request.get_json())
            return "", 204

        self.client = app.test_client()
        self.received = received

    def test_signed_delivery_is_accepted(self) -> None:
        # The test client sends the names as given; Flask exposes them Title-Cased.
        headers = {"content-type": "application/json", "x-ai-stats-timestamp": KNOWN_TS,
                   "x-ai-stats-signature": reference(KNOWN_SECRET.encode(), KNOWN_TS, KNOWN_BODY)}
        reply = self.client.post("/webhooks/video", data=KNOWN_BODY, headers=headers)
        self.assertEqual(reply.status_code, 204)
        self.assertEqual(self.received[0]["id"], "evt_123")

    def test_tampered_delivery_is_refused(self) -> None:
        headers = signed_headers(KNOWN_BODY)
        reply = self.client.post("/webhooks/video", data=KNOWN_BODY.replace(b"123", b"124"), headers=headers)
        self.assertEqual(reply.status_code, 401)
        self.assertEqual(reply.get_json(), {"error": "signature_mismatch"})
        reply = self.client.post("/webhooks/video", data=KNOWN_BODY, headers={"X-AI-Stats-Timestamp": KNOWN_TS})
        self.assertEqual(reply.get_json(), {"error": "missing_signature"})
        self.assertEqual(self.received, [])


if __name__ == "__main__":
    unittest.main()
