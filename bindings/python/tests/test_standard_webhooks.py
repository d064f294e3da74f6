"""Standard Webhooks through Python (PROTOCOL.md §17): ``jobwire.verify(...,
profile="standard")``, OpenAI's raw keys, ``v1a`` public keys and ``sign_webhook``.

Expected ``v1`` values are the specification's published vector and HMACs computed here
with the standard library (``hmac``, ``base64``), independently of jobwire."""
from __future__ import annotations

import base64
import hashlib
import hmac
import unittest

import jobwire

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TS = "1614265330"
NOW = 1614265330
BODY = b'{"test": 2432232314}'
SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="  # the published vector


def v1(key: bytes, msg_id: str, ts: str, body: bytes) -> str:
    mac = hmac.new(key, msg_id.encode() + b"." + ts.encode() + b"." + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(sig: str, msg_id: str = MSG_ID, ts: str = TS, prefix: str = "webhook-"):
    return {prefix + "id": msg_id, prefix + "timestamp": ts, prefix + "signature": sig}


class StandardWebhooksTest(unittest.TestCase):
    def test_published_vector(self) -> None:
        self.assertEqual(v1(base64.b64decode(SECRET[6:]), MSG_ID, TS, BODY), SIG)
        self.assertEqual(jobwire.sign_webhook(SECRET, MSG_ID, TS, BODY), SIG)
        jobwire.verify(SECRET, BODY, headers(SIG), now=NOW, profile="standard")
        jobwire.verify(SECRET, BODY, headers(SIG, prefix="svix-"), now=NOW)  # auto detects the family
        self.assertEqual(jobwire.detect_profile(headers(SIG)), "standard")

    def test_reference_scenarios(self) -> None:
        cases = [
            (headers("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="), NOW, "signature_mismatch"),
            (headers("v1,"), NOW, "malformed_signature"),
            (headers(SIG), NOW + 301, "timestamp_too_old"),
            (headers(SIG), NOW - 301, "timestamp_too_new"),
            ({"webhook-timestamp": TS, "webhook-signature": SIG}, NOW, "missing_message_id"),
            (headers("a" * 64), NOW, "signature_scheme_mismatch"),
        ]
        for h, now, code in cases:
            with self.subTest(code):
                with self.assertRaises(jobwire.VerificationError) as cm:
                    jobwire.verify(SECRET, BODY, h, now=now, profile="standard")
                self.assertEqual(cm.exception.code, code)
        multi = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,x " + SIG
        jobwire.verify(SECRET, BODY, headers(multi), now=NOW, profile="standard")

    def test_openai_raw_key(self) -> None:
        raw = "my-openai-webhook-secret"
        sig = v1(raw.encode(), MSG_ID, TS, BODY)
        jobwire.verify(raw, BODY, headers(sig), now=NOW, profile="openai")
        self.assertEqual(jobwire.sign_webhook(raw, MSG_ID, TS, BODY, profile="openai"), sig)
        with self.assertRaises(jobwire.JobwireError) as cm:
            jobwire.verify(raw, BODY, headers(sig), now=NOW, profile="standard")
        self.assertEqual(cm.exception.code, "invalid_key")
        jobwire.verify(raw, BODY, headers(sig), now=NOW, profile="standard", key_format="raw")

    def test_public_keys(self) -> None:
        # RFC 8032 §7.1 TEST 1 key; jobwire signs with the seed and verifies with the public key.
        seed = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
        pub = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
        whsk = "whsk_" + base64.b64encode(seed).decode()
        whpk = "whpk_" + base64.b64encode(pub).decode()
        sig = jobwire.sign_webhook([], MSG_ID, TS, BODY, signing_keys=[whsk])
        self.assertTrue(sig.startswith("v1a,"))
        jobwire.verify([], BODY, headers(sig), now=NOW, profile="standard", public_keys=[whpk])
        with jobwire.Verifier([SECRET], "standard", public_keys=[whpk]) as v:
            self.assertEqual(v.verify(BODY, headers(SIG), now=NOW), 0)
            self.assertEqual(v.verify(BODY, headers(sig), now=NOW), 1)  # numbered after the secrets
        with self.assertRaises(jobwire.VerificationError) as cm:
            jobwire.verify([], BODY + b" ", headers(sig), now=NOW, profile="standard", public_keys=[whpk])
        self.assertEqual(cm.exception.code, "signature_mismatch")
        with self.assertRaises(jobwire.JobwireError) as cm:
            jobwire.verify([], BODY, headers(sig), now=NOW, profile="standard", public_keys=[SECRET])
        self.assertEqual(cm.exception.code, "key_format_mismatch")

    def test_keygen(self) -> None:
        secret = jobwire.generate_webhook_secret()
        self.assertTrue(secret.startswith("whsec_"))
        self.assertEqual(len(base64.b64decode(secret[6:])), 32)
        self.assertNotEqual(secret, jobwire.generate_webhook_secret())
        sig = jobwire.sign_webhook(secret, MSG_ID, TS, BODY)
        self.assertEqual(sig, v1(base64.b64decode(secret[6:]), MSG_ID, TS, BODY))
        signing, public = jobwire.generate_webhook_keypair()
        self.assertTrue(signing.startswith("whsk_") and public.startswith("whpk_"))
        self.assertEqual(base64.b64decode(signing[5:])[32:], base64.b64decode(public[5:]))
        sig_a = jobwire.sign_webhook([], MSG_ID, TS, BODY, signing_keys=[signing])
        jobwire.verify([], BODY, headers(sig_a), now=NOW, profile="standard", public_keys=[public])


if __name__ == "__main__":
    unittest.main()
