"""The shared delivery vectors (tests/data/vectors/deliveries.json) through Python.

Each vector names one request and the verdict every surface reaches (C++, the receiver,
the CLI, the C API, Python). The signature is computed here with the standard library's
HMAC, independently of jobwire."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import unittest
from pathlib import Path
from typing import Any, Dict, List, Tuple

import jobwire

VECTORS = Path(__file__).resolve().parents[3] / "tests" / "data" / "vectors" / "deliveries.json"


def load_vectors() -> List[Dict[str, Any]]:
    doc = json.loads(VECTORS.read_text(encoding="utf-8"))
    return [{**doc["defaults"], **v} for v in doc["vectors"]]


def request_headers(v: Dict[str, Any]) -> List[Tuple[str, str]]:
    prefix = v.get("header_prefix", "x-phaseo-" if v["profile"] == "phaseo" else "x-ai-stats-")
    headers = [(name, value) for name, value in v["headers"]]
    if v["timestamp"] is not None:
        headers.append((prefix + "timestamp", v["timestamp"]))
    if "signature" in v:
        headers.append((prefix + "signature", v["signature"]))
    elif v["sign_with"] is not None:
        signed = v.get("signed_body", v["body"]).encode("utf-8")
        message = v.get("signed_timestamp", v["timestamp"]).encode("utf-8") + b"." + signed
        headers.append((prefix + "signature", hmac.new(v["sign_with"].encode("utf-8"), message,
                                                      hashlib.sha256).hexdigest()))
    return headers


class VectorTest(unittest.TestCase):
    def test_every_vector(self) -> None:
        vectors = load_vectors()
        self.assertGreater(len(vectors), 30)
        for v in vectors:
            with self.subTest(v["name"]):
                # Python takes at least one secret; unsigned vectors run in C++ and C.
                if not v["secrets"]:
                    continue
                # A library built with tiny resource limits meets a limit first where a
                # vector says so (the suite is told by JOBWIRE_TINY_LIMITS).
                tiny = os.environ.get("JOBWIRE_TINY_LIMITS") == "1"
                expect = v["expect_tiny"] if tiny and "expect_tiny" in v else v["expect"]
                try:
                    jobwire.verify(v["secrets"], v["body"].encode("utf-8"), request_headers(v), now=v["now"],
                                   profile=v["profile"].replace("_", "-"))
                    reason, http = "ok", 200
                except jobwire.VerificationError as e:
                    reason, http = e.code, e.http_status
                self.assertEqual(reason, expect["reason"])
                self.assertEqual("valid" if reason == "ok" else "rejected", expect["verdict"])
                self.assertEqual(http, expect["http_status"])


if __name__ == "__main__":
    unittest.main()
