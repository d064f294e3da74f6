"""Building deliveries from Python: :class:`Sender` over ``jobwire_build_delivery``, and
the retry rules (:func:`decide_attempt` over ``jobwire_decide_delivery``: PROTOCOL.md §12
for the service profiles, the Standard Webhooks etiquette of §17 for ``standard`` and
``openai``).

A sender builds the exact bytes and headers of one delivery attempt — envelope, event id,
delivery key, attempt counters, timestamp and signature (PROTOCOL.md §2, §9-§11) — for
the host to transmit with its own HTTP client.
"""
from __future__ import annotations

import ctypes
import json
import random
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


class _RetryEtiquette(ctypes.Structure):
    _fields_ = [("rules", ctypes.c_int), ("jitter_percent", ctypes.c_uint), ("max_retry_after_seconds", ctypes.c_int64),
                ("throttle_seconds", ctypes.c_int64), ("disable_after_failures", ctypes.c_uint),
                ("disable_streak_check", ctypes.c_int)]


class _AttemptObservation(ctypes.Structure):
    _fields_ = [("attempt", ctypes.c_uint), ("outcome", ctypes.c_int), ("http_status", ctypes.c_int),
                ("tried_at_ms", ctypes.c_int64), ("retry_after", ctypes.c_char_p), ("retry_after_len", ctypes.c_size_t),
                ("random", ctypes.c_uint64), ("endpoint_failure_streak", ctypes.c_uint)]


class _AttemptVerdict(ctypes.Structure):
    _fields_ = [("status", ctypes.c_int), ("status_name", ctypes.c_char_p), ("attempt", ctypes.c_uint),
                ("max_attempts", ctypes.c_uint), ("next_attempt", ctypes.c_uint), ("tried_at_ms", ctypes.c_int64),
                ("next_retry_at_ms", ctypes.c_int64), ("http_status", ctypes.c_int), ("effect", ctypes.c_int),
                ("effect_name", ctypes.c_char_p), ("throttle_until_ms", ctypes.c_int64),
                ("disable_after_failures", ctypes.c_uint), ("endpoint_disabled", ctypes.c_int),
                ("disable_reason", ctypes.c_int), ("disable_reason_name", ctypes.c_char_p),
                ("retry_after", ctypes.c_int), ("retry_after_name", ctypes.c_char_p),
                ("retry_after_until_ms", ctypes.c_int64), ("retry_after_error", ctypes.c_int)]


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
                fn = lib.jobwire_retry_policy_for_profile
                fn.restype = ctypes.c_int
                fn.argtypes = [ctypes.c_int, ctypes.POINTER(_RetryPolicy), ctypes.POINTER(_RetryEtiquette)]
                fn = lib.jobwire_decide_delivery
                fn.restype = ctypes.c_int
                fn.argtypes = [ctypes.POINTER(_RetryPolicy), ctypes.POINTER(_RetryEtiquette),
                               ctypes.POINTER(_AttemptObservation), ctypes.POINTER(_AttemptVerdict)]
                fn = lib.jobwire_splitmix64
                fn.restype = ctypes.c_uint64
                fn.argtypes = [ctypes.c_uint64]
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
    ``next_attempt`` and ``next_retry_at`` (Unix milliseconds; else both ``None``).

    What it does to the endpoint (PROTOCOL.md §17 "Sending"): ``effect`` (``"success"``,
    ``"failure"``, ``"throttle"`` — with ``throttle_until``, Unix ms, else ``None`` — or
    ``"disable"`` for a 410), ``endpoint_disabled`` with ``disable_reason`` (``"gone"``,
    ``"failure_streak"``, else ``None``) and ``disable_after_failures`` (the streak limit for
    the outbox store, 0 when this attempt does not carry one). What became of the response's
    ``Retry-After``: ``retry_after`` (``"absent"``, ``"not_applied"``, ``"honoured"``,
    ``"capped"``, ``"past"`` or ``"invalid"``), ``retry_after_until`` (Unix ms or ``None``) and
    ``retry_after_error`` (``"invalid_retry_after"`` or ``None``: reported, never raised)."""

    __slots__ = ("status", "attempt", "max_attempts", "next_attempt", "next_retry_at", "effect", "throttle_until",
                 "endpoint_disabled", "disable_reason", "disable_after_failures", "retry_after", "retry_after_until",
                 "retry_after_error")

    def __init__(self, d: _AttemptVerdict) -> None:
        self.status: str = d.status_name.decode("ascii")
        self.attempt = int(d.attempt)
        self.max_attempts = int(d.max_attempts)
        retry = self.status == "scheduled_retry"
        self.next_attempt: Optional[int] = int(d.next_attempt) if retry else None
        self.next_retry_at: Optional[int] = int(d.next_retry_at_ms) if retry else None
        self.effect: str = d.effect_name.decode("ascii")
        self.throttle_until: Optional[int] = int(d.throttle_until_ms) if self.effect == "throttle" else None
        self.endpoint_disabled = bool(d.endpoint_disabled)
        self.disable_reason: Optional[str] = d.disable_reason_name.decode("ascii") if d.endpoint_disabled else None
        self.disable_after_failures = int(d.disable_after_failures)
        self.retry_after: str = d.retry_after_name.decode("ascii")
        self.retry_after_until: Optional[int] = (int(d.retry_after_until_ms)
                                                 if self.retry_after in ("honoured", "capped", "past") else None)
        self.retry_after_error: Optional[str] = (_native.lib().jobwire_error_name(d.retry_after_error).decode("ascii")
                                                 if d.retry_after_error != _native.OK else None)

    def __repr__(self) -> str:
        return (f"RetryDecision(status={self.status!r}, attempt={self.attempt}, next_attempt={self.next_attempt}, "
                f"next_retry_at={self.next_retry_at}, effect={self.effect!r})")


def decide_attempt(attempt: int, outcome: Union[int, str], tried_at: Optional[int] = None, *,
                   max_attempts: Optional[int] = None, delays: Optional[List[int]] = None,
                   request_timeout: Optional[int] = None, profile: Optional[Text] = None,
                   retry_after: Optional[Text] = None, seed: Optional[int] = None,
                   failure_streak: int = 0) -> RetryDecision:
    """The retry rules: what attempt ``attempt`` (1-based) made at ``tried_at`` (Unix
    milliseconds, default the clock) turned into. ``outcome`` is the HTTP status received
    (only 2xx is delivered), ``"timeout"`` or ``"network"``.

    ``profile`` picks the rules (default: the service's). ``"ai-stats"`` and ``"phaseo"``
    keep PROTOCOL.md §12: 4 attempts, 60/300/900 s, every other outcome a plain failure.
    ``"standard"`` and ``"openai"`` follow §17 "Sending": 10 attempts (5 s, 5 min, 30 min,
    2 h, 5 h, 10 h, 14 h, 20 h, 24 h) with ±20 % jitter (``seed`` makes it reproducible;
    default a random one), 410 disables the endpoint, 429/502/504 throttle it, and
    ``retry_after`` — the response's ``Retry-After`` value, seconds or an HTTP-date — is never
    retried before (up to 24 h; a malformed one is reported in the result, not raised).
    ``failure_streak`` is the endpoint's consecutive failures before this attempt.
    ``max_attempts``, ``delays`` (the seconds after failed attempt 1, 2, ..., exactly
    ``max_attempts - 1`` of them; by default the profile's first ``max_attempts - 1``) and
    ``request_timeout`` override the profile's schedule.

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
    lib = _lib()
    prof = 0 if profile is None else _profile(profile)
    if prof == _PROFILE_AUTO:
        raise ValueError("profile must be 'ai-stats', 'phaseo', 'standard' or 'openai', not 'auto'")
    policy = _RetryPolicy()
    etiquette = _RetryEtiquette()
    status = lib.jobwire_retry_policy_for_profile(prof, ctypes.byref(policy), ctypes.byref(etiquette))
    if status != _native.OK:  # pragma: no cover - every profile _profile returns has rules
        raise RejectedError(status)
    array = None
    profile_delays = [int(policy.retry_delay_seconds[i]) for i in range(policy.retry_delay_count)]
    if max_attempts is not None:
        policy.max_attempts = _int_arg(max_attempts, "max_attempts", 0, 2**32 - 1)
        if delays is None and profile_delays:
            # The profile's first max_attempts - 1 delays; more attempts than the schedule
            # has delays leaves the list short, which the library refuses.
            delays = profile_delays[:max(policy.max_attempts - 1, 0)]
    if request_timeout is not None:
        policy.request_timeout_seconds = _int_arg(request_timeout, "request_timeout", _INT64_MIN, _INT64_MAX)
    if delays is not None:
        values = [_int_arg(d, "delay", _INT64_MIN, _INT64_MAX) for d in delays]
        array = (ctypes.c_int64 * max(len(values), 1))(*values)
        policy.retry_delay_seconds = ctypes.cast(array, ctypes.POINTER(ctypes.c_int64))
        policy.retry_delay_count = len(values)
    obs = _AttemptObservation()
    obs.attempt = _int_arg(attempt, "attempt", 0, 2**32 - 1)
    obs.outcome, obs.http_status = kind, http
    obs.tried_at_ms = (time.time_ns() // 1_000_000 if tried_at is None
                       else _int_arg(tried_at, "tried_at", _INT64_MIN, _INT64_MAX))
    field = None
    if retry_after is not None:
        field = _as_bytes(retry_after, "retry_after")
        obs.retry_after, obs.retry_after_len = field, len(field)
    bits = random.getrandbits(64) if seed is None else lib.jobwire_splitmix64(_int_arg(seed, "seed", 0, 2**64 - 1))
    obs.random = bits
    obs.endpoint_failure_streak = _int_arg(failure_streak, "failure_streak", 0, 2**32 - 1)
    out = _AttemptVerdict()
    status = lib.jobwire_decide_delivery(ctypes.byref(policy), ctypes.byref(etiquette), ctypes.byref(obs),
                                         ctypes.byref(out))
    del array, field  # kept alive until the call returned
    if status == _native.E_INVALID_ARGUMENT:
        raise ValueError("invalid_argument: tried_at outside 1970..9999")
    if status != _native.OK:
        raise RejectedError(status)
    return RetryDecision(out)
