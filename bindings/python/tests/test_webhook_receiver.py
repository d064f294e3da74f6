"""Tests of jobwire.Receiver.receive_webhook: Standard Webhooks deliveries (PROTOCOL.md §17)
through the receiver pipeline (authenticate, claim the webhook-id, handle, commit) with
every store the receiver tests use: memory and SQLite always, Redis and PostgreSQL when
tests/services.sh exported their addresses. The v1 signatures are computed here with the
standard library's hmac and base64, independently of jobwire; the published vector is
checked verbatim."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import time
import unittest
from pathlib import Path

import jobwire

from .test_receiver import RUN, DictStore, delivery, store_specs

# The reference library's published vector (PROTOCOL.md §17, "Known vector").
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TS = 1614265330
VECTOR_BODY = b'{"test": 2432232314}'
VECTOR_SIG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
# Message ids unique to this run (Redis and PostgreSQL keep keys between runs), short
# enough for the tiny-limits build's webhook-id limit.
RUN_ID = hashlib.sha256(RUN.encode()).hexdigest()[:10]


def webhook(msg_id: str, body: bytes, now: int = None, secret: str = VECTOR_SECRET):
    """A v1-signed Standard Webhooks delivery: (body, headers)."""
    now = int(time.time()) if now is None else now
    key = base64.b64decode(secret[len("whsec_"):])
    mac = hmac.new(key, f"{msg_id}.{now}.".encode() + body, hashlib.sha256).digest()
    return body, {"webhook-id": msg_id, "webhook-timestamp": str(now),
                  "webhook-signature": "v1," + base64.b64encode(mac).decode()}


class Effects:
    """The application's side effects: the messages handled."""

    def __init__(self) -> None:
        self.messages = []
        self.fail = None

    def handle(self, message) -> None:
        if self.fail is not None:
            raise self.fail
        self.messages.append(message)


class WebhookReceiverTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_published_vector(self) -> None:
        """The vector is processed once, then a duplicate; a forged copy is 401."""
        for name, spec in [("memory", "memory"), ("sqlite", f"sqlite:{self.tmp.name}/vector.sqlite"),
                           ("own store", DictStore())]:
            with self.subTest(store=name), jobwire.Receiver(secrets=[VECTOR_SECRET], store=spec) as r:
                fx = Effects()
                headers = {"webhook-id": VECTOR_ID, "webhook-timestamp": str(VECTOR_TS),
                           "webhook-signature": VECTOR_SIG}
                got = r.receive_webhook(VECTOR_BODY, headers, now=VECTOR_TS, handle=fx.handle)
                self.assertEqual((got.action, got.http_status, got.reason), ("process", 200, "processed"))
                self.assertEqual(got.message_id, VECTOR_ID)
                self.assertEqual(got.profile, "standard")
                self.assertTrue(got.dedup_key)
                self.assertEqual(got.job_id, "")
                self.assertEqual(len(fx.messages), 1)
                m = fx.messages[0]
                self.assertEqual((m.id, m.timestamp, m.body, m.profile, m.matched_key),
                                 (VECTOR_ID, str(VECTOR_TS), VECTOR_BODY, "standard", 0))
                self.assertEqual(m.json(), {"test": 2432232314})
                self.assertEqual(m.dedup_key, got.dedup_key)

                again = r.receive_webhook(VECTOR_BODY, headers, now=VECTOR_TS + 5, handle=fx.handle)
                self.assertEqual((again.action, again.http_status, again.reason), ("duplicate", 200, "done"))
                self.assertEqual(again.message_id, VECTOR_ID)
                forged = r.receive_webhook(b'{"test": 2432232315}', headers, now=VECTOR_TS, handle=fx.handle)
                self.assertEqual((forged.action, forged.http_status, forged.code),
                                 ("reject", 401, "signature_mismatch"))
                self.assertEqual(forged.message_id, "")
                stale = r.receive_webhook(VECTOR_BODY, headers, now=VECTOR_TS + 3600, handle=fx.handle)
                self.assertEqual((stale.action, stale.http_status), ("reject", 401))
                self.assertEqual(len(fx.messages), 1)

    def test_event_view(self) -> None:
        # OpenAI's shape and the recommended one, read by the library's JSON reader
        openai = jobwire.WebhookEvent(b'{"id":"evt_1","object":"event","created_at":1750287018,'
                                      b'"type":"video.completed","data":{"id":"video_68f10"}}')
        self.assertEqual((openai.type, openai.id, openai.object, openai.created_at, openai.data_id),
                         ("video.completed", "evt_1", "event", 1750287018, "video_68f10"))
        self.assertIsNone(openai.timestamp)
        recommended = jobwire.WebhookEvent('{"type":"invoice.paid","timestamp":"2022-11-03T20:26:10Z","data":[1]}')
        self.assertEqual((recommended.type, recommended.timestamp, recommended.data), ("invoice.paid",
                                                                                      "2022-11-03T20:26:10Z", "[1]"))
        self.assertIsNone(recommended.created_at)
        self.assertIsNone(recommended.data_id)
        empty = jobwire.WebhookEvent(b"{}")
        self.assertEqual((empty.type, empty.data, empty.created_at), (None, None, None))
        for body, code in [(b"[1]", "json_type_mismatch"), (b'{"type":7}', "json_type_mismatch"),
                           (b'{"created_at":"7"}', "json_type_mismatch"), (b"", "json_empty_input")]:
            with self.subTest(body=body), self.assertRaises(jobwire.RejectedError) as raised:
                jobwire.WebhookEvent(body)
            self.assertEqual(raised.exception.code, code)

    def test_pipeline_over_every_store(self) -> None:
        for name, spec in store_specs(self.tmp.name) + [("own store", DictStore())]:
            with self.subTest(store=name), jobwire.Receiver(secrets=[VECTOR_SECRET], store=spec) as r:
                fx = Effects()
                body, headers = webhook(f"msg_{RUN_ID}_{name[:3]}_fail", b'{"type":"video.completed","data":{"id":"v1"}}')
                # handle raises: 503, the claim released, the exception kept; the retry is processed
                fx.fail = ConnectionError("object storage down")
                failed = r.receive_webhook(body, headers, handle=fx.handle)
                self.assertEqual((failed.action, failed.http_status, failed.reason),
                                 ("reject", 503, "handler_failed"))
                self.assertIs(failed.exception, fx.fail)
                self.assertEqual(failed.message_id, headers["webhook-id"])
                fx.fail = None
                ok = r.receive_webhook(body, headers, handle=fx.handle)
                self.assertEqual((ok.action, ok.http_status, ok.exception), ("process", 200, None))
                self.assertEqual(r.receive_webhook(body, headers, handle=fx.handle).action, "duplicate")
                self.assertEqual([m.id for m in fx.messages], [headers["webhook-id"]])
                self.assertEqual(fx.messages[0].json()["data"]["id"], "v1")
                event = fx.messages[0].event()
                self.assertEqual((event.type, event.data_id, event.data), ("video.completed", "v1", '{"id":"v1"}'))

                # any bytes: an empty body, a body that is not JSON
                for i, raw in enumerate([b"", b"\x00\xffnot json"]):
                    body, headers = webhook(f"msg_{RUN_ID}_{name[:3]}_raw{i}", raw)
                    self.assertEqual(r.receive_webhook(body, headers, handle=fx.handle).action, "process")
                    self.assertEqual(fx.messages[-1].body, raw)
                with self.assertRaises(ValueError):
                    fx.messages[-1].json()
                with self.assertRaises(jobwire.RejectedError) as raised:
                    fx.messages[-1].event()
                self.assertEqual((raised.exception.code, raised.exception.offset), ("json_unexpected_token", 0))

                # each family has its own entry point
                svc_body, svc_headers = delivery(f"J-wh-{RUN}-{name}", secret=VECTOR_SECRET)
                wrong = r.receive_webhook(svc_body, svc_headers, handle=fx.handle)
                self.assertEqual((wrong.action, wrong.http_status, wrong.code),
                                 ("reject", 401, "signature_scheme_mismatch"))
                body, headers = webhook(f"msg_{RUN_ID}_{name[:3]}_svc", b"{}")
                routed = r.receive(body, headers, handle=lambda e, d: self.fail("not a service delivery"))
                self.assertEqual((routed.action, routed.http_status, routed.code),
                                 ("reject", 503, "webhook_delivery_misrouted"))
                self.assertEqual(routed.dedup_key, "")  # nothing claimed
                self.assertEqual(r.receive_webhook(body, headers, handle=fx.handle).action, "process")
                self.assertEqual(len(fx.messages), 4)

    def test_profiles_and_public_keys(self) -> None:
        signing, public = jobwire.generate_webhook_keypair()
        now = int(time.time())
        body = b'{"type":"video.completed"}'
        msg_id = f"msg_{RUN_ID}_v1a"
        sig = jobwire.sign_webhook([], msg_id, str(now), body, signing_keys=[signing])
        self.assertTrue(sig.startswith("v1a,"))
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(now), "webhook-signature": sig}
        fx = Effects()
        with jobwire.Receiver(store="memory", profile="standard", public_keys=[public]) as r:
            self.assertEqual(r.receive_webhook(body, headers, handle=fx.handle).action, "process")
            self.assertEqual(fx.messages[-1].matched_key, 0)
            self.assertEqual(r.receive_webhook(body, headers, handle=fx.handle).action, "duplicate")
            forged = r.receive_webhook(body + b" ", headers, handle=fx.handle)
            self.assertEqual((forged.action, forged.http_status), ("reject", 401))
        # a secret and the public key: the public key is numbered after the secret
        with jobwire.Receiver(secrets=[VECTOR_SECRET], store="memory", public_keys=[public]) as r:
            self.assertEqual(r.receive_webhook(body, headers, handle=fx.handle).action, "process")
            self.assertEqual(fx.messages[-1].matched_key, 1)
        # openai: a prefix-less secret is its bytes
        raw_secret = "openai-raw-secret-bytes"
        key = raw_secret.encode()
        mac = hmac.new(key, f"{msg_id}.{now}.".encode() + body, hashlib.sha256).digest()
        headers = {"webhook-id": msg_id, "webhook-timestamp": str(now),
                   "webhook-signature": "v1," + base64.b64encode(mac).decode()}
        with jobwire.Receiver(secrets=[raw_secret], store="memory", profile="openai") as r:
            got = r.receive_webhook(body, headers, handle=fx.handle)
            self.assertEqual((got.action, got.profile), ("process", "openai"))
            self.assertEqual(fx.messages[-1].profile, "openai")
        # keys a profile cannot use fail at creation
        with self.assertRaises(jobwire.JobwireError) as caught:
            jobwire.Receiver(secrets=[public], store="memory", profile="standard")
        self.assertEqual(caught.exception.code, "key_format_mismatch")
        with self.assertRaises(jobwire.JobwireError) as caught:
            jobwire.Receiver(store="memory", public_keys=["whpk_AAAA"])
        self.assertEqual(caught.exception.code, "invalid_key")
        with self.assertRaises(jobwire.JobwireError) as caught:
            jobwire.Receiver(secrets=["not base64!"], store="memory", profile="standard")
        self.assertEqual(caught.exception.code, "invalid_key")

    def test_arguments(self) -> None:
        with jobwire.Receiver(secrets=[VECTOR_SECRET]) as r:
            body, headers = webhook(f"msg_{RUN_ID}_args", b"{}")
            with self.assertRaises(TypeError):
                r.receive_webhook(body, headers, handle=42)
            with self.assertRaises(TypeError):
                jobwire.Receiver(secrets=[VECTOR_SECRET], public_keys="whpk_x")
            with self.assertRaises(ValueError):
                jobwire.Receiver(secrets=[VECTOR_SECRET], key_format="hex")
            # no handler: deduplication only
            self.assertEqual(r.receive_webhook(body, headers).action, "process")
            self.assertEqual(r.receive_webhook(body, headers).action, "duplicate")
            # no headers: refused before any claim
            none = r.receive_webhook(body, {})
            self.assertEqual((none.action, none.dedup_key, none.message_id), ("reject", "", ""))
            self.assertGreaterEqual(none.http_status, 400)

            def interrupted(message):
                raise KeyboardInterrupt

            body, headers = webhook(f"msg_{RUN_ID}_kbd", b"{}")
            with self.assertRaises(KeyboardInterrupt):
                r.receive_webhook(body, headers, handle=interrupted)
            self.assertEqual(r.receive_webhook(body, headers).action, "process")  # the claim was released
        with self.assertRaises(ValueError):
            r.receive_webhook(body, headers)

    def test_own_store_failures(self) -> None:
        store = DictStore()
        with jobwire.Receiver(secrets=[VECTOR_SECRET], store=store) as r:
            fx = Effects()
            body, headers = webhook(f"msg_{RUN_ID}_own", b"{}")
            store.reset(claim=(1, ConnectionError("store down")))
            got = r.receive_webhook(body, headers, handle=fx.handle)
            self.assertEqual((got.action, got.http_status, got.reason), ("reject", 503, "store_unavailable"))
            self.assertIsInstance(got.exception, ConnectionError)
            store.reset()
            self.assertEqual(r.receive_webhook(body, headers, handle=fx.handle).action, "process")
            self.assertEqual(store.held(), [])
            self.assertEqual(len(fx.messages), 1)

    def test_processes_share_one_sqlite_file(self) -> None:
        """Several processes deliver the same message through one SQLite file: one effect."""
        path = Path(self.tmp.name) / "shared.sqlite"
        effects = Path(self.tmp.name) / "effects.txt"
        body, headers = webhook(f"msg_{RUN_ID}_proc", b'{"type":"video.completed"}')
        script = (
            "import json, sys, time, jobwire\n"
            "body = sys.argv[1].encode(); headers = json.loads(sys.argv[2])\n"
            f"r = jobwire.Receiver(secrets=[{VECTOR_SECRET!r}], store={('sqlite:' + str(path))!r})\n"
            "def handle(message):\n"
            "    time.sleep(0.01)\n"
            f"    with open({str(effects)!r}, 'a') as f: f.write(message.id + '\\n')\n"
            "for _ in range(5):\n"
            "    print(r.receive_webhook(body, headers, handle=handle).action)\n")
        env = dict(os.environ)
        env["PYTHONPATH"] = str(Path(jobwire.__file__).resolve().parent.parent)
        procs = [subprocess.Popen([sys.executable, "-c", script, body.decode(), json.dumps(headers)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(4)]
        outputs = [p.communicate(timeout=120) for p in procs]
        for p, (out, err) in zip(procs, outputs):
            self.assertEqual(p.returncode, 0, err.decode())
        actions = b"".join(out for out, _ in outputs).decode().split()
        self.assertEqual(len(actions), 20)
        self.assertEqual(actions.count("process"), 1)
        self.assertEqual(set(actions) - {"process", "duplicate", "in_flight"}, set())
        self.assertEqual(effects.read_text().splitlines(), [headers["webhook-id"]])


if __name__ == "__main__":
    unittest.main()
