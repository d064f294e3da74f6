"""Building deliveries from Python: :class:`Sender` over ``jobwire_build_delivery``, and
the retry schedule (:func:`decide_attempt` over ``jobwire_decide_attempt``).

A sender builds the exact bytes and headers of one delivery attempt — envelope, event id,
delivery key, attempt counters, timestamp and signature (PROTOCOL.md §2, §9-§11) — for
the host to transmit with its own HTTP client.
"""
from __future__ import annotations

import ctypes
import json
import threading
import time
from typing import Any, List, Mapping, Optional, Tuple, Union

from . import (JobwireError, RejectedError, Text, _as_bytes, _int_arg, _INT64_MAX, _INT64_MIN, _kind, _native,
               _profile, _progress_value)

__all__ = ["Sender", "Delivery", "RetryDecision", "decide_attempt"]

_PROFILE_AUTO = 2


class _DeliverySpec(ctypes.Structure):
    _fields_ = [("kind", ctypes.c_int), ("job_id", ctypes.c_char_p), ("job_id_len", ctypes.c_size_t),
                ("internal_id", ctypes.c_char_p), ("internal_id_len", ctypes.c_size_t),
                ("phase", ctypes.c_char_p), ("phase_len", ctypes.c_size_t), ("progress", ctypes.c_double),
                ("status", ctypes.c_char_p), ("status_len", ctypes.c_size_t),
                ("previous_status", ctypes.c_char_p), ("previous_status_len", ctypes.c_size_t),
                ("data", ctypes.c_char_p), ("data_len", ctypes.c_size_t), ("has_created_at", ctypes.c_int),
                ("created_at", ctypes.c_int64)]


class _RetryPolicy(ctypes.Structure):
    _fields_ = [("max_attempts", ctypes.c_uint), ("retry_delay_seconds", ctypes.POINTER(ctypes.c_int64)),
                ("retry_delay_count", ctypes.c_size_t), ("request_timeout_seconds", ctypes.c_int64)]


class _RetryDecision(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("status_name", ctypes.c_char_p), ("attempt", ctypes.c_uint),
                ("max_attempts", ctypes.c_uint), ("next_attempt", ctypes.c_uint), ("next_retry_at_ms", ctypes.c_int64)]


_OUTCOME_HTTP, _OUTCOME_TIMEOUT, _OUTCOME_NETWORK = 0, 1, 2

_lock = threading.Lock()
_declared: Optional[ctypes.CDLL] = None


def _lib() -> ctypes.CDLL:
    global _declared
    if _declared is None:
        with _lock:
            if _declared is None:
                lib = _native.lib()
                fn = lib.jobwire_build_delivery
                fn.restype = ctypes.c_int
                fn.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, ctypes.POINTER(_DeliverySpec),
                               ctypes.c_int64, ctypes.c_uint, ctypes.c_char_p, ctypes.c_size_t,
                               ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_size_t)]
                fn = lib.jobwire_decide_attempt
                fn.restype = ctypes.c_int
                fn.argtypes = [ctypes.POINTER(_RetryPolicy), ctypes.c_uint, ctypes.c_int, ctypes.c_int, ctypes.c_int64,
                               ctypes.POINTER(_RetryDecision)]
                _declared = lib
    return _declared


class Delivery:
    """One built attempt: ``body`` (bytes, send exactly these), ``headers`` (a list of
    ``(name, value)`` in transmission order), ``event_id``, ``delivery_key``, ``attempt``,
    ``max_attempts`` and ``timestamp`` (the timestamp header, Unix seconds)."""

    __slots__ = ("body", "headers", "event_id", "delivery_key", "attempt", "max_attempts", "timestamp")

    def __init__(self, obj: Mapping[str, Any]) -> None:
        self.body: bytes = obj["body"].encode("utf-8")
        self.headers: List[Tuple[str, str]] = [(n, v) for n, v in obj["headers"]]
        self.event_id: str = obj["event_id"]
        self.delivery_key: str = obj["delivery_key"]
        self.attempt: int = obj["attempt"]
        self.max_attempts: int = obj["max_attempts"]
        self.timestamp: int = obj["timestamp"]

    def __repr__(self) -> str:
        return f"Delivery(event_id={self.event_id!r}, delivery_key={self.delivery_key!r}, attempt={self.attempt})"


class Sender:
    """A sender for one secret and profile (``"ai-stats"`` or ``"phaseo"``; an empty
    secret builds unsigned deliveries, which ``phaseo`` refuses with ``secret_required``).

    >>> s = jobwire.Sender("whsec_...")
    >>> d = s.build(job_id="gen_1", internal_id="42", phase="completed", data={"status": "completed"})
    >>> http_post(url, d.body, d.headers)
    """

    def __init__(self, secret: Text = "", profile: Text = "ai-stats") -> None:
        self._secret = _as_bytes(secret, "secret")
        self._profile = _profile(profile)
        if self._profile == _PROFILE_AUTO:
            raise ValueError("a sender needs a concrete profile ('ai-stats' or 'phaseo'), not 'auto'")

    def build(self, *, job_id: Text, internal_id: Text, phase: Text, data: Union[Mapping[str, Any], str, bytes],
              kind: str = "video", progress: Optional[float] = None, status: Optional[Text] = None,
              previous_status: Optional[Text] = None, created_at: Optional[int] = None, now: Optional[int] = None,
              attempt: int = 1) -> Delivery:
        """Builds attempt ``attempt`` of one event. ``data`` is the job object (a mapping,
        serialised compactly, or JSON text inserted byte for byte); ``progress`` is needed
        for the ``progress`` phase, ``status``/``previous_status`` for ``status_changed``
        (phaseo); ``created_at`` stays the same across retries (default: ``now``).

        Raises RejectedError with ``.code`` (``unknown_phase``, ``no_progress_event``,
        ``conflicting_job_id``, ``invalid_attempt``, ...)."""
        if isinstance(data, Mapping):
            data_b = json.dumps(data, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
        else:
            data_b = _as_bytes(data, "data")
        job = _as_bytes(job_id, "job_id")
        internal = _as_bytes(internal_id, "internal_id")
        ph = _as_bytes(phase, "phase")
        st = _as_bytes(status, "status") if status is not None else b""
        prev = _as_bytes(previous_status, "previous_status") if previous_status is not None else None
        spec = _DeliverySpec(_kind(kind), job, len(job), internal, len(internal), ph, len(ph),
                             float("nan") if progress is None else _progress_value(progress), st, len(st),
                             prev, len(prev) if prev is not None else 0, data_b, len(data_b),
                             0 if created_at is None else 1,
                             0 if created_at is None else _int_arg(created_at, "created_at", _INT64_MIN, _INT64_MAX))
        now_s = int(time.time()) if now is None else _int_arg(now, "now", _INT64_MIN, _INT64_MAX)
        att = _int_arg(attempt, "attempt", 1, 2**32 - 1)
        lib = _lib()
        cap = 4096 + 2 * len(data_b)
        for _ in range(2):
            buf = ctypes.create_string_buffer(cap)
            out_len = ctypes.c_size_t(0)
            offset = ctypes.c_size_t(0)
            status_code = lib.jobwire_build_delivery(self._secret, len(self._secret), self._profile,
                                                     ctypes.byref(spec), now_s, att, buf, cap,
                                                     ctypes.byref(out_len), ctypes.byref(offset))
            if status_code == _native.E_BUFFER_TOO_SMALL and out_len.value >= cap:
                cap = out_len.value + 1
                continue
            if status_code == _native.E_INVALID_ARGUMENT:
                raise ValueError("invalid_argument: the library refused an argument")
            if status_code != _native.OK:
                no_offset = _native.lib().jobwire_no_offset()
                raise RejectedError(status_code, None if offset.value == no_offset else offset.value)
            return Delivery(json.loads(buf.raw[: out_len.value].decode("utf-8")))
        raise JobwireError(_native.E_BUFFER_TOO_SMALL)  # pragma: no cover


class RetryDecision:
    """What one attempt turned into: ``status`` (``"delivered"``, ``"scheduled_retry"`` or
    ``"failed_permanently"``), ``attempt``, ``max_attempts``, and for a scheduled retry
    ``next_attempt`` and ``next_retry_at`` (Unix milliseconds; else both ``None``)."""

    __slots__ = ("status", "attempt", "max_attempts", "next_attempt", "next_retry_at")

    def __init__(self, d: _RetryDecision) -> None:
        self.status: str = d.status_name.decode("ascii")
        self.attempt = int(d.attempt)
        self.max_attempts = int(d.max_attempts)
        retry = self.status == "scheduled_retry"
        self.next_attempt: Optional[int] = int(d.next_attempt) if retry else None
        self.next_retry_at: Optional[int] = int(d.next_retry_at_ms) if retry else None

    def __repr__(self) -> str:
        return (f"RetryDecision(status={self.status!r}, attempt={self.attempt}, next_attempt={self.next_attempt}, "
                f"next_retry_at={self.next_retry_at})")


def decide_attempt(attempt: int, outcome: Union[int, str], tried_at: Optional[int] = None, *,
                   max_attempts: int = 4, delays: Optional[List[int]] = None,
                   request_timeout: int = 30) -> RetryDecision:
    """The retry schedule (PROTOCOL.md §12): what attempt ``attempt`` (1-based) made at
    ``tried_at`` (Unix milliseconds, default the clock) turned into. ``outcome`` is the
    HTTP status received (only 2xx is delivered), ``"timeout"`` or ``"network"``. The
    policy defaults to the service's (4 attempts, 60/300/900 s); ``delays`` are the
    seconds after failed attempt 1, 2, ..., exactly ``max_attempts - 1`` of them.

    Raises RejectedError (``invalid_attempt``, ``invalid_outcome``,
    ``invalid_retry_policy``, ``invalid_timeout``) or ValueError/TypeError for arguments
    of the wrong kind."""
    if isinstance(outcome, bool):
        raise TypeError("outcome must be an HTTP status, 'timeout' or 'network'")
    if isinstance(outcome, int):
        kind, http = _OUTCOME_HTTP, _int_arg(outcome, "outcome", -2**31, 2**31 - 1)
    elif outcome == "timeout":
        kind, http = _OUTCOME_TIMEOUT, 0
    elif outcome in ("network", "network_error"):
        kind, http = _OUTCOME_NETWORK, 0
    else:
        raise ValueError(f"outcome must be an HTTP status, 'timeout' or 'network', not {outcome!r}")
    att = _int_arg(attempt, "attempt", 0, 2**32 - 1)
    when = time.time_ns() // 1_000_000 if tried_at is None else _int_arg(tried_at, "tried_at", _INT64_MIN, _INT64_MAX)
    policy = _RetryPolicy()
    policy.max_attempts = _int_arg(max_attempts, "max_attempts", 0, 2**32 - 1)
    policy.request_timeout_seconds = _int_arg(request_timeout, "request_timeout", _INT64_MIN, _INT64_MAX)
    array = None
    if delays is not None:
        values = [_int_arg(d, "delay", _INT64_MIN, _INT64_MAX) for d in delays]
        array = (ctypes.c_int64 * max(len(values), 1))(*values)
        policy.retry_delay_seconds = ctypes.cast(array, ctypes.POINTER(ctypes.c_int64))
        policy.retry_delay_count = len(values)
    out = _RetryDecision()
    status = _lib().jobwire_decide_attempt(ctypes.byref(policy), att, kind, http, when, ctypes.byref(out))
    if status == _native.E_INVALID_ARGUMENT:
        raise ValueError("invalid_argument: tried_at outside 1970..9999")
    if status != _native.OK:
        raise RejectedError(status)
    return RetryDecision(out)
