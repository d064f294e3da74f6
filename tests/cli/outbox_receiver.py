#!/usr/bin/env python3
"""A scripted webhook receiver on loopback for the outbox tests (tests/cli/test_outbox*.sh).

Verifies every request's signature itself (Python's hmac, independently of jobwire):
  ai_stats / phaseo   hex HMAC-SHA256 of "timestamp.body" under the raw secret (PROTOCOL.md §9)
  standard            base64 HMAC-SHA256 of "id.timestamp.body" under the base64 key after
                      "whsec_" (§17)
and the timestamp's freshness (300 s). It answers by path from a script, a JSON object
mapping a path to a list of answers; an answer is a status or [status, {header: value}];
after the list the last answer repeats; a path not in the script gets 200. An unverified
request gets 401. The pseudo-header X-Trickle-Ms N is not sent: it makes the body 40 bytes
written one byte every N ms (a receiver that never trips a per-read timeout); X-Drip-Headers-Ms
N sends the status line at once and then a 40-byte header one byte every N ms (the same
during the headers, where no body callback runs). Every request is appended to the log as
one JSON line.

usage: outbox_receiver.py --secret S --profile P --script JSON --log PATH --port-file PATH
                          [--delay-ms N]
"""
import argparse
import base64
import hashlib
import hmac
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--secret", required=True)
    ap.add_argument("--profile", default="ai_stats")
    ap.add_argument("--script", default="{}")
    ap.add_argument("--log", required=True)
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--delay-ms", type=int, default=0)
    args = ap.parse_args()
    script = json.loads(args.script)
    served = {}
    lock = threading.Lock()
    log = open(args.log, "a", buffering=1)
    prefix = {"ai_stats": "x-ai-stats-", "phaseo": "x-phaseo-"}.get(args.profile)

    def verify(headers, body):
        h = {k.lower(): v for k, v in headers.items()}
        if prefix is not None:
            ts, sig = h.get(prefix + "timestamp"), h.get(prefix + "signature")
            if ts is None or sig is None:
                return False, None
            want = hmac.new(args.secret.strip().encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
            ok = hmac.compare_digest(want, sig.strip().lower())
        else:
            msg_id, ts, sigs = h.get("webhook-id"), h.get("webhook-timestamp"), h.get("webhook-signature")
            if msg_id is None or ts is None or sigs is None:
                return False, None
            key = args.secret[len("whsec_"):] if args.secret.startswith("whsec_") else args.secret
            key = base64.b64decode(key + "=" * (-len(key) % 4))
            want = base64.b64encode(
                hmac.new(key, msg_id.encode() + b"." + ts.encode() + b"." + body, hashlib.sha256).digest()).decode()
            ok = any(e.startswith("v1,") and hmac.compare_digest(e[3:], want) for e in sigs.split())
        try:
            fresh = abs(time.time() - int(ts)) <= 300
        except ValueError:
            fresh = False
        return ok and fresh, int(ts) if ts.isdigit() else None

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def do_POST(self):
            n = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(n)
            if args.delay_ms:
                time.sleep(args.delay_ms / 1000)
            verified, ts = verify(self.headers, body)
            path = self.path
            with lock:
                k = served.get(path, 0)
                served[path] = k + 1
            answers = script.get(path, [200])
            answer = answers[min(k, len(answers) - 1)]
            status, extra = (answer, {}) if isinstance(answer, int) else (answer[0], answer[1])
            if not verified:
                status, extra = 401, {}
            entry = {"path": path, "verified": verified, "answered": status, "ts": ts}
            try:
                env = json.loads(body)
                entry.update(event_id=env.get("id"), key=env["delivery"]["key"], attempt=env["delivery"]["attempt"],
                             job_id=env["data"]["id"])
            except (ValueError, KeyError, TypeError):
                entry["body_unreadable"] = True
            entry["headers"] = {k.lower(): v for k, v in self.headers.items()}
            with lock:
                log.write(json.dumps(entry) + "\n")
            payload = b'{"ok":true}'
            extra = dict(extra)
            trickle_ms = int(extra.pop("X-Trickle-Ms", 0))
            if trickle_ms:
                payload = b"x" * 40
            drip_ms = int(extra.pop("X-Drip-Headers-Ms", 0))
            try:
                if drip_ms:
                    self.wfile.write(b"HTTP/1.1 %d OK\r\n" % status)
                    self.wfile.flush()
                    for byte in b"X-Pad: " + b"a" * 31 + b"\r\n":
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(drip_ms / 1000)
                    self.wfile.write(b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(payload))
                    self.wfile.write(payload)
                    self.wfile.flush()
                    return
                self.send_response(status)
                for name, value in extra.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if trickle_ms:
                    for i in range(len(payload)):
                        self.wfile.write(payload[i:i + 1])
                        self.wfile.flush()
                        time.sleep(trickle_ms / 1000)
                else:
                    self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender was killed while waiting: the request still arrived

    class Server(ThreadingHTTPServer):
        def handle_error(self, request, client_address):
            pass  # a sender killed mid-request resets its connection: not the receiver's error

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(tmp, args.port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
