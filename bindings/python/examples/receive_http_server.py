#!/usr/bin/env python3
"""A webhook receiver on the standard library's threaded HTTP server and jobwire.Receiver.

    WEBHOOK_SECRETS=whsec_... python3 receive_http_server.py --store sqlite:/tmp/dedup.sqlite --port 8080

Every POST is handed to ``Receiver.receive`` with the raw body and the headers; the reply
is the receipt's HTTP status and a small JSON object. Job states live in a dict here, to
keep the example short: a real application keeps them in its database and persists
``decision.next`` in ``handle`` before returning (a 2xx reply means "durably handled").
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, Optional

import jobwire

log = logging.getLogger("receiver")

# The largest body accepted (jobwire refuses larger ones as body_too_large anyway).
MAX_BODY = 1 << 20


class JobStates:
    """The application's job states: what ``load`` reads and ``handle`` writes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._states: Dict[str, Dict[str, Any]] = {}

    def load(self, job_id: str) -> Optional[Dict[str, Any]]:
        with self._lock:
            state = self._states.get(job_id)
            return dict(state) if state is not None else None

    def handle(self, event: jobwire.Event, decision: jobwire.Decision) -> None:
        if decision.action == "refetch":
            # Fetch GET /videos/{job_id} (or queue that fetch durably) and store its state.
            log.info("refetch %s (%s)", event.job_id, decision.reason)
            return
        with self._lock:
            self._states[event.job_id] = dict(decision.next)
        log.info("%s %s -> %s", event.type, event.job_id, decision.next["lifecycle_status"])


def make_server(receiver: jobwire.Receiver, jobs: JobStates, host: str = "127.0.0.1",
                port: int = 8080) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            if length < 0 or length > MAX_BODY:
                self._reply(413, {"error": "body_too_large"})
                return
            body = self.rfile.read(length)
            receipt = receiver.receive(body, self.headers.items(), load=jobs.load, handle=jobs.handle)
            if receipt.exception is not None:
                log.error("handler failed for %s", receipt.job_id, exc_info=receipt.exception)
            self._reply(receipt.http_status, {"action": receipt.action, "reason": receipt.reason})

        def _reply(self, status: int, payload: Dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt: str, *args: Any) -> None:
            log.debug(fmt, *args)

    return ThreadingHTTPServer((host, port), Handler)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", default="memory",
                        help="memory | sqlite:PATH | redis://HOST:PORT/DB | postgresql://... (default: memory)")
    parser.add_argument("--profile", default="auto", help="auto | ai-stats | phaseo (default: auto)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    secrets = [s for s in os.environ.get("WEBHOOK_SECRETS", "").split(",") if s]
    if not secrets:
        parser.error("set WEBHOOK_SECRETS (comma-separated during a rotation)")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    with jobwire.Receiver(secrets=secrets, store=args.store, profile=args.profile) as receiver:
        server = make_server(receiver, JobStates(), args.host, args.port)
        log.info("listening on http://%s:%d/", *server.server_address[:2])
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()


if __name__ == "__main__":
    main()
