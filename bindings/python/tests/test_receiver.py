"""Tests of jobwire.Receiver (the receiver pipeline over the C API) with every store:
memory and SQLite always, Redis and PostgreSQL when tests/services.sh exported their
addresses (JOBWIRE_TEST_REDIS_HOST/PORT, JOBWIRE_TEST_PG_CONNINFO). Signatures are
computed here with the standard library's hmac, independently of jobwire."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from pathlib import Path

import jobwire

SECRET = "whsec_python_receiver_test"
RUN = f"{os.getpid()}-{time.time_ns()}"  # Redis and PostgreSQL keep keys between runs


def delivery(job: str, status: str = "completed", key: str = "completed", extra: dict = None,
             secret: str = SECRET, now: int = None):
    """A signed ai_stats delivery (PROTOCOL.md §9): (body, headers)."""
    now = int(time.time()) if now is None else now
    data = {"id": job, "status": status}
    data.update(extra or {})
    kind_phase = key.split(":")[0]
    body = json.dumps({"id": f"evt_video_{job}_video_{key.replace(':', '_')}", "type": f"video.{kind_phase}",
                       "created_at": now, "delivery": {"key": f"video.{key}", "attempt": 1, "max_attempts": 4},
                       "data": data}, separators=(",", ":")).encode()
    sig = hmac.new(secret.encode(), str(now).encode() + b"." + body, hashlib.sha256).hexdigest()
    return body, {"X-AI-Stats-Timestamp": str(now), "X-AI-Stats-Signature": sig}


def pg_uri(conninfo: str) -> str:
    parts = dict(p.split("=", 1) for p in conninfo.split())
    return (f"postgresql://{parts.get('user', 'postgres')}@{parts.get('host', '127.0.0.1')}:"
            f"{parts.get('port', '5432')}/{parts.get('dbname', 'postgres')}?connect_timeout=5")


def store_specs(tmp: str):
    specs = [("memory", "memory"), ("sqlite", f"sqlite:{tmp}/dedup.sqlite")]
    if os.environ.get("JOBWIRE_TEST_REDIS_HOST") and os.environ.get("JOBWIRE_TEST_REDIS_PORT"):
        specs.append(("redis", f"redis://{os.environ['JOBWIRE_TEST_REDIS_HOST']}:"
                               f"{os.environ['JOBWIRE_TEST_REDIS_PORT']}/2"))
    elif os.environ.get("CI") == "true":
        raise AssertionError("CI starts Redis (tests/services.sh): JOBWIRE_TEST_REDIS_HOST/PORT must be set")
    if os.environ.get("JOBWIRE_TEST_PG_CONNINFO"):
        specs.append(("postgresql", pg_uri(os.environ["JOBWIRE_TEST_PG_CONNINFO"])))
    elif os.environ.get("CI") == "true":
        raise AssertionError("CI starts PostgreSQL (tests/services.sh): JOBWIRE_TEST_PG_CONNINFO must be set")
    return specs


class Host:
    """The application: job states it holds and the side effects it ran."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.states = {}
        self.effects = []

    def load(self, job_id):
        with self.lock:
            return self.states.get(job_id, {"lifecycle_status": "pending"})

    def handle(self, event, decision):
        with self.lock:
            self.effects.append((event, decision))
            if decision.action == "apply":
                self.states[event.job_id] = decision.next


class DictStore:
    """The application's own dedup store (Receiver(store=<object>)): the claim/commit/release
    rules of the package README over a dict, with failures to inject."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.keys = {}  # key -> [done, token, expiry_ms]
        self.counter = 0
        self.calls = []
        self.fail = {}  # method -> (call number counted from the last reset, exception or value)

    def reset(self, **fail) -> None:
        self.calls, self.fail = [], fail

    def _injected(self, method):
        n = sum(1 for c in self.calls if c[0] == method)
        if method in self.fail and self.fail[method][0] == n:
            what = self.fail[method][1]
            if isinstance(what, BaseException):
                raise what
            return (what,)
        return None

    def claim(self, key, now_ms, lease_ms):
        with self.lock:
            self.calls.append(("claim", key))
            injected = self._injected("claim")
            if injected is not None:
                return injected[0]
            entry = self.keys.get(key)
            if entry is not None and entry[2] > now_ms:
                return ("done" if entry[0] else "in_flight", None)
            self.counter += 1
            token = self.counter.to_bytes(16, "big")
            self.keys[key] = [False, token, now_ms + lease_ms]
            return ("fresh", token)

    def commit(self, key, token, now_ms):
        with self.lock:
            self.calls.append(("commit", key))
            injected = self._injected("commit")
            if injected is not None:
                return injected[0]
            entry = self.keys.get(key)
            if entry is None or entry[1] != token:
                return False
            entry[0], entry[2] = True, now_ms + 88 * 60 * 1000
            return True

    def release(self, key, token):
        with self.lock:
            self.calls.append(("release", key))
            entry = self.keys.get(key)
            if entry is None or entry[0] or entry[1] != token:
                return False
            del self.keys[key]
            return True

    def held(self):
        """Keys claimed and not done (leases live for the tests' durations)."""
        with self.lock:
            return [k for k, e in self.keys.items() if not e[0]]


class ReceiverTest(unittest.TestCase):
    def setUp(self) -> None:
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def test_pipeline_over_every_store(self) -> None:
        for name, spec in store_specs(self.tmp.name):
            with self.subTest(store=name), jobwire.Receiver(secrets=[SECRET], store=spec, profile="auto") as r:
                self.pipeline(r, f"{name}-{RUN}")

    def pipeline(self, r: jobwire.Receiver, tag: str) -> None:
        host = Host()
        job = f"J-{tag}-1"
        body, headers = delivery(job, extra={"progress": 100})
        # process
        receipt = r.receive(body, headers, load=host.load, handle=host.handle)
        self.assertEqual((receipt.action, receipt.http_status, receipt.reason, receipt.code),
                         ("process", 200, "forward", "ok"))
        self.assertTrue(receipt.acknowledged)
        self.assertEqual(receipt.job_id, job)
        self.assertEqual(receipt.profile, "ai_stats")
        self.assertEqual(receipt.attempt, 1)
        self.assertIsNone(receipt.exception)
        self.assertEqual(len(host.effects), 1)
        event, decision = host.effects[0]
        self.assertEqual((event.id, event.type, event.job_id, event.status, event.lifecycle_status, event.progress),
                         (f"evt_video_{job}_video_completed", "video.completed", job, "completed", "completed", 100.0))
        self.assertEqual(event.data, {"id": job, "status": "completed", "progress": 100})
        self.assertEqual(event.delivery_key, "video.completed")
        self.assertEqual(event.dedup_key, receipt.dedup_key)
        self.assertIn(job, receipt.dedup_key)
        self.assertEqual((decision.action, decision.reason), ("apply", "forward"))
        self.assertEqual(decision.next, {"lifecycle_status": "completed", "progress": 100.0})
        # duplicate
        again = r.receive(body, headers, load=host.load, handle=host.handle)
        self.assertEqual((again.action, again.http_status, again.reason), ("duplicate", 200, "done"))
        self.assertEqual(len(host.effects), 1)
        # an older delivery after the terminal state: acknowledged and dropped
        body_p, headers_p = delivery(job, "in_progress", "progress:50", {"progress": 50})
        stale = r.receive(body_p, headers_p, load=host.load, handle=host.handle)
        self.assertEqual((stale.action, stale.http_status), ("ignore_stale", 200))
        self.assertEqual(len(host.effects), 1)
        # forged
        job2 = f"J-{tag}-2"
        forged_body, forged_headers = delivery(job2, secret="whsec_someone_else")
        forged = r.receive(forged_body, forged_headers, load=host.load, handle=host.handle)
        self.assertEqual((forged.action, forged.http_status, forged.reason), ("reject", 401, "signature_mismatch"))
        self.assertEqual((forged.job_id, forged.dedup_key, forged.profile), ("", "", None))
        # malformed (authentic, but no envelope)
        now = int(time.time())
        bad = b'{"id":1}'
        sig = hmac.new(SECRET.encode(), str(now).encode() + b"." + bad, hashlib.sha256).hexdigest()
        malformed = r.receive(bad, {"x-ai-stats-timestamp": str(now), "x-ai-stats-signature": sig})
        self.assertEqual((malformed.action, malformed.http_status), ("reject", 400))
        # the handler raises: 503, the exception kept, the retry processed
        body2, headers2 = delivery(job2)

        def failing(event, decision):
            raise RuntimeError("database down")

        failed = r.receive(body2, headers2, load=host.load, handle=failing)
        self.assertEqual((failed.action, failed.http_status, failed.reason), ("reject", 503, "handler_failed"))
        self.assertIsInstance(failed.exception, RuntimeError)
        self.assertEqual(str(failed.exception), "database down")
        retried = r.receive(body2, headers2, load=host.load, handle=host.handle)
        self.assertEqual((retried.action, retried.http_status), ("process", 200))
        self.assertEqual(len(host.effects), 2)
        # the loader raises, or returns something that is no state: 503, then processed
        job3 = f"J-{tag}-3"
        body3, headers3 = delivery(job3)

        def broken_load(job_id):
            raise KeyError(job_id)

        for bad_load, exc_type in ((broken_load, KeyError), (lambda j: {"lifecycle_status": "done"}, ValueError),
                                   (lambda j: "running", TypeError),
                                   (lambda j: {"lifecycle_status": "running", "progress": 101}, ValueError)):
            failed = r.receive(body3, headers3, load=bad_load, handle=host.handle)
            self.assertEqual((failed.action, failed.http_status, failed.reason), ("reject", 503, "handler_failed"))
            self.assertIsInstance(failed.exception, exc_type)
        self.assertEqual(len(host.effects), 2)
        retried = r.receive(body3, headers3, load=host.load, handle=host.handle)
        self.assertEqual(retried.action, "process")
        # an unknown job: refetch; the claim is released, so a copy is reconciled again
        job4 = f"J-{tag}-4"
        body4, headers4 = delivery(job4)
        first = r.receive(body4, headers4, load=lambda j: None, handle=host.handle)
        self.assertEqual((first.action, first.http_status, first.reason), ("refetch", 200, "unknown_job"))
        self.assertEqual(host.effects[-1][1].action, "refetch")
        second = r.receive(body4, headers4, load=lambda j: None, handle=host.handle)
        self.assertEqual(second.action, "refetch")
        # no callbacks at all: nothing known, nothing to do
        job5 = f"J-{tag}-5"
        body5, headers5 = delivery(job5)
        self.assertEqual(r.receive(body5, headers5).action, "refetch")

    def test_own_store(self) -> None:
        store = DictStore()
        with jobwire.Receiver(secrets=[SECRET], store=store) as r:
            # the whole pipeline over it, as over the built-in stores
            self.pipeline(r, f"own-{RUN}")
            self.assertTrue(any(c[0] == "commit" for c in store.calls))
            self.assertEqual(store.held(), [])  # every claim committed or released
            self.assertTrue(any(k.startswith("jls:") for k in (c[1] for c in store.calls)))
            host = Host()
            body, headers = delivery(f"J-own-{RUN}-f")
            # the store cannot be reached: 503 store_unavailable, the exception kept
            store.reset(claim=(1, ConnectionError("refused")))
            receipt = r.receive(body, headers, load=host.load, handle=host.handle)
            self.assertEqual((receipt.action, receipt.http_status, receipt.reason), ("reject", 503,
                                                                                     "store_unavailable"))
            self.assertIsInstance(receipt.exception, ConnectionError)
            self.assertEqual(host.effects, [])
            # the job lease's claim raises: 503 store_error, the delivery's claim released
            store.reset(claim=(2, RuntimeError("lock table full")))
            receipt = r.receive(body, headers, load=host.load, handle=host.handle)
            self.assertEqual((receipt.action, receipt.http_status, receipt.reason), ("reject", 503, "store_error"))
            self.assertIsInstance(receipt.exception, RuntimeError)
            self.assertEqual([c[0] for c in store.calls], ["claim", "claim", "release"])
            self.assertEqual(store.held(), [])
            # claim returns something that is no claim: 503 store_error, a TypeError kept
            store.reset(claim=(1, "fresh"))
            receipt = r.receive(body, headers, load=host.load, handle=host.handle)
            self.assertEqual((receipt.http_status, receipt.reason), (503, "store_error"))
            self.assertIsInstance(receipt.exception, TypeError)
            store.reset(claim=(1, ("fresh", b"short")))
            receipt = r.receive(body, headers, load=host.load, handle=host.handle)
            self.assertEqual((receipt.http_status, receipt.reason), (503, "store_error"))
            self.assertIsInstance(receipt.exception, ValueError)
            self.assertEqual(host.effects, [])
            # healthy again: processed once, then a duplicate
            store.reset()
            receipt = r.receive(body, headers, load=host.load, handle=host.handle)
            self.assertEqual((receipt.action, receipt.http_status, receipt.code), ("process", 200, "ok"))
            self.assertIsNone(receipt.exception)
            self.assertEqual(r.receive(body, headers, load=host.load, handle=host.handle).action, "duplicate")
            self.assertEqual(len(host.effects), 1)
            # the commit reports the claim lost after the effect: still 200, the code says so
            body2, headers2 = delivery(f"J-own-{RUN}-g")
            store.reset(commit=(1, False))
            receipt = r.receive(body2, headers2, load=host.load, handle=host.handle)
            self.assertEqual((receipt.action, receipt.http_status, receipt.code), ("process", 200, "claim_lost"))
            self.assertEqual(len(host.effects), 2)
        with self.assertRaises(TypeError):
            jobwire.Receiver(secrets=[SECRET], store=object())

    def test_threads_share_one_receiver(self) -> None:
        for name, spec in store_specs(self.tmp.name):
            with self.subTest(store=name), jobwire.Receiver(secrets=SECRET, store=spec) as r:
                host = Host()
                jobs = [f"J-{name}-{RUN}-t{i}" for i in range(4)]
                deliveries = [delivery(j) for j in jobs]
                actions = []
                lock = threading.Lock()

                def worker() -> None:
                    for _ in range(10):
                        for body, headers in deliveries:
                            a = r.receive(body, headers, load=host.load, handle=host.handle).action
                            with lock:
                                actions.append(a)

                threads = [threading.Thread(target=worker) for _ in range(6)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                self.assertEqual(len(actions), 240)
                self.assertEqual(actions.count("process"), 4)
                self.assertEqual(set(actions) - {"process", "duplicate", "in_flight"}, set())
                self.assertEqual(sorted(e.job_id for e, _ in host.effects), sorted(jobs))

    def test_processes_share_one_sqlite_file(self) -> None:
        """Several processes deliver the same event through one SQLite file: one effect."""
        path = Path(self.tmp.name) / "shared.sqlite"
        effects = Path(self.tmp.name) / "effects.txt"
        body, headers = delivery(f"J-proc-{RUN}")
        script = (
            "import json, sys, jobwire\n"
            "body = sys.argv[1].encode(); headers = json.loads(sys.argv[2])\n"
            f"r = jobwire.Receiver(secrets=[{SECRET!r}], store={('sqlite:' + str(path))!r})\n"
            "def handle(event, decision):\n"
            f"    with open({str(effects)!r}, 'a') as f: f.write(event.id + '\\n')\n"
            "for _ in range(5):\n"
            "    print(r.receive(body, headers, load=lambda j: {'lifecycle_status': 'running'},"
            " handle=handle).action)\n")
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
        self.assertEqual(len(effects.read_text().splitlines()), 1)

    def test_base_exceptions_are_raised_after_the_claim_is_released(self) -> None:
        with jobwire.Receiver(secrets=[SECRET]) as r:
            body, headers = delivery(f"J-kbd-{RUN}")

            def interrupted(event, decision):
                raise KeyboardInterrupt

            with self.assertRaises(KeyboardInterrupt):
                r.receive(body, headers, load=lambda j: {"lifecycle_status": "running"}, handle=interrupted)
            self.assertEqual(r.receive(body, headers, load=lambda j: {"lifecycle_status": "running"}).action,
                             "process")

    def test_phaseo_detected(self) -> None:
        now = int(time.time())
        body = (b'{"id":"evt_video_G1_video_completed","type":"video.completed","created_at":%d,'
                b'"delivery":{"key":"video.completed","attempt":1,"max_attempts":4},'
                b'"data":{"id":"G-%s","status":"completed"}}' % (now, RUN.encode()))
        sig = hmac.new(SECRET.encode(), str(now).encode() + b"." + body, hashlib.sha256).hexdigest()
        headers = {"x-phaseo-timestamp": str(now), "x-phaseo-signature": sig}
        with jobwire.Receiver(secrets=[SECRET]) as r:
            seen = []
            receipt = r.receive(body, headers, load=lambda j: {"lifecycle_status": "running", "progress": 40},
                                handle=lambda e, d: seen.append(e.profile))
            self.assertEqual((receipt.action, receipt.profile), ("process", "phaseo"))
            self.assertEqual(seen, ["phaseo"])
        with jobwire.Receiver(secrets=[SECRET], profile="ai-stats") as r:
            self.assertEqual(r.receive(body, headers).reason, "missing_timestamp")

    def test_arguments(self) -> None:
        with self.assertRaises(TypeError):
            jobwire.Receiver(secrets=[SECRET], store=5)
        for spec in ("bogus", "sqlite:", "redis://h:0", "redis://h:1/x", ""):
            with self.assertRaises(ValueError, msg=spec):
                jobwire.Receiver(secrets=[SECRET], store=spec)
        with self.assertRaises(ValueError):
            jobwire.Receiver(secrets=[SECRET], profile="nope")
        with self.assertRaises(ValueError):
            jobwire.Receiver(secrets=[SECRET], lease_ms=0)
        with self.assertRaises(ValueError):
            jobwire.Receiver(secrets=[SECRET], tolerance=-5)
        with self.assertRaises(jobwire.JobwireError) as ctx:
            jobwire.Receiver(secrets=[""])
        self.assertEqual(ctx.exception.code, "empty_secret")
        with self.assertRaises(jobwire.JobwireError) as ctx:
            jobwire.Receiver(secrets=[SECRET], store="sqlite:/nonexistent-dir/x/y.sqlite")
        self.assertEqual(ctx.exception.code, "store_unavailable")
        r = jobwire.Receiver(secrets=[SECRET])
        body, headers = delivery(f"J-args-{RUN}")
        with self.assertRaises(TypeError):
            r.receive(body, headers, now=True)
        with self.assertRaises(TypeError):
            r.receive(body, headers, now=1.5)
        with self.assertRaises(ValueError):
            r.receive(body, headers, now=2**62)
        with self.assertRaises(TypeError):
            r.receive(body, headers, load=5)
        with self.assertRaises(TypeError):
            r.receive(body, "x-ai-stats-timestamp: 1")
        # no secret and no allow_unsigned: every delivery is 503
        with jobwire.Receiver(secrets=[]) as unsigned:
            receipt = unsigned.receive(body, headers)
            self.assertEqual((receipt.http_status, receipt.reason), (503, "unsigned_not_allowed"))
        # stale against an explicit clock
        stale = r.receive(body, headers, now=int(headers["X-AI-Stats-Timestamp"]) + 301)
        self.assertEqual((stale.http_status, stale.reason), (401, "timestamp_too_old"))
        r.close()
        r.close()
        with self.assertRaises(ValueError):
            r.receive(body, headers)


class HttpServerExampleTest(unittest.TestCase):
    """examples/receive_http_server.py answers real HTTP requests with the receipts."""

    def test_example_server(self) -> None:
        import importlib.util
        import urllib.error
        import urllib.request
        path = Path(__file__).resolve().parent.parent / "examples" / "receive_http_server.py"
        spec = importlib.util.spec_from_file_location("receive_http_server", path)
        example = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(example)
        jobs = example.JobStates()
        with jobwire.Receiver(secrets=[SECRET]) as r:
            server = example.make_server(r, jobs, "127.0.0.1", 0)
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            try:
                url = f"http://127.0.0.1:{server.server_address[1]}/webhooks/video"

                def post(body, headers):
                    req = urllib.request.Request(url, data=body, headers=headers, method="POST")
                    try:
                        with urllib.request.urlopen(req, timeout=30) as resp:
                            return resp.status, json.loads(resp.read())
                    except urllib.error.HTTPError as exc:
                        return exc.code, json.loads(exc.read())

                job = f"J-http-{RUN}"
                body, headers = delivery(job, "in_progress", "progress:50", {"progress": 50})
                self.assertEqual(post(body, headers), (200, {"action": "refetch", "reason": "unknown_job"}))
                jobs._states[job] = {"lifecycle_status": "pending", "progress": 0}
                self.assertEqual(post(body, headers), (200, {"action": "process", "reason": "forward"}))
                self.assertEqual(jobs.load(job), {"lifecycle_status": "running", "progress": 50.0})
                self.assertEqual(post(body, headers), (200, {"action": "duplicate", "reason": "done"}))
                forged, forged_headers = delivery(job, secret="whsec_other")
                self.assertEqual(post(forged, forged_headers),
                                 (401, {"action": "reject", "reason": "signature_mismatch"}))
            finally:
                server.shutdown()
                server.server_close()


if __name__ == "__main__":
    unittest.main()
