"""The receiver pipeline from Python: :class:`Receiver` over ``jobwire_receive`` and, for
Standard Webhooks deliveries (PROTOCOL.md §17), ``jobwire_receive_webhook`` (C API).

One call per incoming webhook does what ``receiver.hpp`` does — verify, parse, claim the
delivery in a dedup store, lease the job, load the state the application holds,
reconcile, run the handler, commit — so the subtle parts (deduplication, the order of
deliveries of one job, releasing the claim when the handler fails) are the library's,
not the application's. See the package README, "Receiving".

A Standard Webhooks delivery (``webhook-*`` / ``svix-*`` headers: OpenAI, Replicate, any
Svix-based sender) goes through :meth:`Receiver.receive_webhook` instead: authenticate,
claim the ``webhook-id``, run ``handle``, commit; there is no lifecycle reconciliation.

The callbacks run inside the C call, on the calling thread. An exception raised by
``load`` or ``handle`` never crosses the C boundary: it is caught in the callback, which
returns a failure, so the library releases the claim and the receipt is ``reject`` with
HTTP 503 (the sender retries); the exception is kept on ``receipt.exception``. An
exception that is not an ``Exception`` (``KeyboardInterrupt``, ``SystemExit``) is raised
again once the C call has returned, after the claim was released.
"""
from __future__ import annotations

import ctypes
import json
import threading
import time
from typing import Any, Callable, Dict, Mapping, Optional, Sequence, Union

from . import (BytesLike, HeadersLike, JobwireError, RejectedError, Text, _as_bytes, _check, _header_pairs, _int_arg,
               _INT64_MAX, _INT64_MIN, _key_format, _native, _profile, _PROFILE_OPENAI, _PROFILE_STANDARD,
               _SCHEME_WEBHOOKS, _TOLERANCE_NONE, error_name)

__all__ = ["Receiver", "Receipt", "Event", "Decision", "WebhookMessage", "WebhookEvent", "LIFECYCLE_STATUSES",
           "RECEIVER_ACTIONS", "CLAIM_STATES", "CLAIM_TOKEN_LEN"]

#: Lifecycle states in the order of the C API's JOBWIRE_LIFECYCLE_* constants.
LIFECYCLE_STATUSES = ("pending", "running", "completed", "failed", "cancelled", "expired")
#: Receipt actions in the order of the C API's JOBWIRE_RECEIVED_* constants.
RECEIVER_ACTIONS = ("process", "duplicate", "in_flight", "ignore_stale", "no_change", "refetch", "reject")
_DECISIONS = {0: "apply", 3: "refetch"}
_PROFILES = {0: "ai_stats", 1: "phaseo", 3: "standard", 4: "openai"}

_SDK_COMPAT, _ALLOW_UNSIGNED, _LENIENT_STATUS = 0x1, 0x2, 0x4
_JOB_ID_MAX, _DEDUP_KEY_MAX, _MESSAGE_ID_MAX = 256, 512, 256
# jobwire's limit on a lease (dedup.hpp max_dedup_duration: 30 days).
_LEASE_MAX_MS = 30 * 24 * 3600 * 1000


class _Options(ctypes.Structure):
    _fields_ = [("profile", ctypes.c_int), ("tolerance", ctypes.c_int64), ("flags", ctypes.c_uint),
                ("lease_ms", ctypes.c_int64)]


class _Header(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("name_len", ctypes.c_size_t), ("value", ctypes.c_char_p),
                ("value_len", ctypes.c_size_t)]


class _JobState(ctypes.Structure):
    _fields_ = [("lifecycle", ctypes.c_int), ("progress", ctypes.c_double)]


_Text = ctypes.POINTER(ctypes.c_char)


class _Event(ctypes.Structure):
    _fields_ = [("id", _Text), ("id_len", ctypes.c_size_t), ("type", _Text), ("type_len", ctypes.c_size_t),
                ("job_id", _Text), ("job_id_len", ctypes.c_size_t), ("status", _Text),
                ("status_len", ctypes.c_size_t), ("lifecycle", ctypes.c_int), ("progress", ctypes.c_double),
                ("has_progress", ctypes.c_int), ("delivery_key", _Text), ("delivery_key_len", ctypes.c_size_t),
                ("attempt", ctypes.c_uint32), ("profile", ctypes.c_int), ("dedup_key", _Text),
                ("dedup_key_len", ctypes.c_size_t)]


class _Decision(ctypes.Structure):
    _fields_ = [("action", ctypes.c_int), ("reason", ctypes.c_char_p), ("next", _JobState)]


_LOAD = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _Text, ctypes.c_size_t, ctypes.POINTER(_JobState),
                         ctypes.POINTER(ctypes.c_int))
_HANDLE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_Event), ctypes.POINTER(_Decision))


class _Settings(ctypes.Structure):
    _fields_ = [("load", _LOAD), ("handle", _HANDLE), ("user_data", ctypes.c_void_p)]


_STORE_CLAIM = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _Text, ctypes.c_size_t, ctypes.c_int64, ctypes.c_int64,
                                ctypes.POINTER(ctypes.c_int), ctypes.POINTER(ctypes.c_ubyte))
_STORE_COMMIT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _Text, ctypes.c_size_t, ctypes.POINTER(ctypes.c_ubyte),
                                 ctypes.c_int64)
_STORE_RELEASE = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _Text, ctypes.c_size_t,
                                  ctypes.POINTER(ctypes.c_ubyte))


class _StoreCallbacks(ctypes.Structure):
    _fields_ = [("claim", _STORE_CLAIM), ("commit", _STORE_COMMIT), ("release", _STORE_RELEASE),
                ("user_data", ctypes.c_void_p)]


#: Claim states in the order of the C API's JOBWIRE_CLAIM_* constants.
CLAIM_STATES = ("fresh", "done", "in_flight")
#: Bytes of a claim token (JOBWIRE_CLAIM_TOKEN_LEN).
CLAIM_TOKEN_LEN = 16
_E_STORE_UNAVAILABLE, _E_STORE_ERROR, _E_CLAIM_LOST = -600, -601, -602

# What the store callbacks raised during the receive call running on this thread: they are
# called inside jobwire_receive, on the caller's thread, and report there.
_store_caught = threading.local()


def _store_failure(exc: BaseException) -> int:
    """Records an exception raised by the application's store; its C status: an OSError
    (ConnectionError, TimeoutError, ...) means the store cannot be reached now."""
    caught = getattr(_store_caught, "list", None)
    if caught is not None:
        caught.append(exc)
    return _E_STORE_UNAVAILABLE if isinstance(exc, OSError) else _E_STORE_ERROR


def _store_callbacks(store: Any) -> _StoreCallbacks:
    """The C callbacks over the application's store object (kept alive by the Receiver)."""

    def c_claim(_user: Any, key: Any, key_len: int, now_ms: int, lease_ms: int, out_state: Any, token: Any) -> int:
        try:
            result = store.claim(_text(key, key_len), int(now_ms), int(lease_ms))
            if not isinstance(result, tuple) or len(result) != 2 or result[0] not in CLAIM_STATES:
                raise TypeError(f"store.claim must return (state, token) with state one of "
                                f"{', '.join(CLAIM_STATES)}, got {result!r}")
            state, tok = result
            if state == "fresh":
                if not isinstance(tok, (bytes, bytearray)) or len(tok) != CLAIM_TOKEN_LEN:
                    raise ValueError(f"a fresh claim's token must be {CLAIM_TOKEN_LEN} bytes, got {tok!r}")
                ctypes.memmove(token, bytes(tok), CLAIM_TOKEN_LEN)
            out_state[0] = CLAIM_STATES.index(state)
            return 0
        except BaseException as exc:  # noqa: B036 - nothing may unwind into C
            return _store_failure(exc)

    def c_commit(_user: Any, key: Any, key_len: int, token: Any, now_ms: int) -> int:
        try:
            ok = store.commit(_text(key, key_len), ctypes.string_at(token, CLAIM_TOKEN_LEN), int(now_ms))
            return 0 if ok else _E_CLAIM_LOST
        except BaseException as exc:  # noqa: B036
            return _store_failure(exc)

    def c_release(_user: Any, key: Any, key_len: int, token: Any) -> int:
        try:
            ok = store.release(_text(key, key_len), ctypes.string_at(token, CLAIM_TOKEN_LEN))
            return 0 if ok else _E_CLAIM_LOST
        except BaseException as exc:  # noqa: B036
            return _store_failure(exc)

    return _StoreCallbacks(_STORE_CLAIM(c_claim), _STORE_COMMIT(c_commit), _STORE_RELEASE(c_release), None)


class _Receipt(ctypes.Structure):
    _fields_ = [("action", ctypes.c_int), ("http_status", ctypes.c_int), ("status", ctypes.c_int),
                ("reason", ctypes.c_char_p), ("job_id", ctypes.c_void_p), ("job_id_cap", ctypes.c_size_t),
                ("job_id_len", ctypes.c_size_t), ("dedup_key", ctypes.c_void_p),
                ("dedup_key_cap", ctypes.c_size_t), ("dedup_key_len", ctypes.c_size_t),
                ("attempt", ctypes.c_uint32), ("profile", ctypes.c_int)]


class _WebhookMessage(ctypes.Structure):
    _fields_ = [("id", _Text), ("id_len", ctypes.c_size_t), ("timestamp", _Text), ("timestamp_len", ctypes.c_size_t),
                ("body", _Text), ("body_len", ctypes.c_size_t), ("profile", ctypes.c_int),
                ("matched_key", ctypes.c_size_t), ("dedup_key", _Text), ("dedup_key_len", ctypes.c_size_t)]


_WEBHOOK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(_WebhookMessage))


class _WebhookEvent(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("type", _Text), ("type_len", ctypes.c_size_t), ("timestamp", _Text),
                ("timestamp_len", ctypes.c_size_t), ("created_at", ctypes.c_int64), ("has_created_at", ctypes.c_int),
                ("data", _Text), ("data_len", ctypes.c_size_t), ("data_id", _Text), ("data_id_len", ctypes.c_size_t),
                ("id", _Text), ("id_len", ctypes.c_size_t), ("object", _Text), ("object_len", ctypes.c_size_t)]


class _WebhookReceipt(ctypes.Structure):
    _fields_ = [("action", ctypes.c_int), ("http_status", ctypes.c_int), ("status", ctypes.c_int),
                ("reason", ctypes.c_char_p), ("message_id", ctypes.c_void_p), ("message_id_cap", ctypes.c_size_t),
                ("message_id_len", ctypes.c_size_t), ("dedup_key", ctypes.c_void_p),
                ("dedup_key_cap", ctypes.c_size_t), ("dedup_key_len", ctypes.c_size_t), ("profile", ctypes.c_int)]


_declared_lock = threading.Lock()
_declared: Optional[ctypes.CDLL] = None


def _lib() -> ctypes.CDLL:
    """The library with the receiver's prototypes declared (once)."""
    global _declared
    if _declared is not None:
        return _declared
    with _declared_lock:
        if _declared is None:
            lib = _native.lib()
            P = ctypes.POINTER
            protos = {
                "jobwire_receiver_options_init": (None, [P(_Options)]),
                "jobwire_receiver_store_supported": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t]),
                "jobwire_receiver_create": (ctypes.c_int, [P(ctypes.c_char_p), P(ctypes.c_size_t), ctypes.c_size_t,
                                                           ctypes.c_char_p, ctypes.c_size_t, P(_Options),
                                                           P(ctypes.c_void_p)]),
                "jobwire_receiver_create_with_store": (ctypes.c_int, [P(ctypes.c_char_p), P(ctypes.c_size_t),
                                                                      ctypes.c_size_t, P(_StoreCallbacks),
                                                                      P(_Options), P(ctypes.c_void_p)]),
                "jobwire_receiver_create_keys": (ctypes.c_int, [P(ctypes.c_char_p), P(ctypes.c_size_t),
                                                                ctypes.c_size_t, P(ctypes.c_char_p), P(ctypes.c_size_t),
                                                                ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                                                ctypes.c_char_p, ctypes.c_size_t, P(_StoreCallbacks),
                                                                P(_Options), P(ctypes.c_void_p)]),
                "jobwire_receiver_free": (None, [ctypes.c_void_p]),
                "jobwire_parse_webhook_event": (ctypes.c_int, [ctypes.c_char_p, ctypes.c_size_t, P(_WebhookEvent),
                                                               P(ctypes.c_size_t)]),
                "jobwire_receive_webhook": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t,
                                                           P(_Header), ctypes.c_size_t, ctypes.c_int64, _WEBHOOK,
                                                           ctypes.c_void_p, P(_WebhookReceipt)]),
                "jobwire_receive": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, P(_Header),
                                                   ctypes.c_size_t, ctypes.c_int64, P(_Settings), P(_Receipt)]),
            }
            for name, (restype, argtypes) in protos.items():
                fn = getattr(lib, name)
                fn.restype = restype
                fn.argtypes = argtypes
            _declared = lib
    return _declared


def _text(p: Any, n: int) -> str:
    return ctypes.string_at(p, n).decode("utf-8", "replace") if n else ""


def _state_mapping(lifecycle: int, progress: float) -> Dict[str, Any]:
    return {"lifecycle_status": LIFECYCLE_STATUSES[lifecycle], "progress": progress}


class Event:
    """The delivery being handled (given to ``handle``).

    Attributes: ``id``, ``type`` (``"video.completed"``), ``job_id``, ``status`` (the
    normalised ``data.status``), ``lifecycle_status``, ``progress`` (``None`` when absent),
    ``delivery_key`` (``None`` without a ``delivery`` member), ``attempt``, ``profile``
    (``"ai_stats"`` or ``"phaseo"``), ``dedup_key`` and ``data``, the raw ``data`` member
    as a dict (decoded from the authenticated body on first use).
    """

    __slots__ = ("id", "type", "job_id", "status", "lifecycle_status", "progress", "delivery_key", "attempt",
                 "profile", "dedup_key", "body", "_data")

    def __init__(self, ev: _Event, body: bytes) -> None:
        self.id = _text(ev.id, ev.id_len)
        self.type = _text(ev.type, ev.type_len)
        self.job_id = _text(ev.job_id, ev.job_id_len)
        self.status = _text(ev.status, ev.status_len)
        self.lifecycle_status = LIFECYCLE_STATUSES[ev.lifecycle]
        self.progress: Optional[float] = ev.progress if ev.has_progress else None
        self.delivery_key: Optional[str] = _text(ev.delivery_key, ev.delivery_key_len) if ev.delivery_key_len else None
        self.attempt = int(ev.attempt)
        self.profile = _PROFILES.get(ev.profile, "ai_stats")
        self.dedup_key = _text(ev.dedup_key, ev.dedup_key_len)
        self.body = body
        self._data: Optional[Dict[str, Any]] = None

    @property
    def data(self) -> Dict[str, Any]:
        if self._data is None:
            self._data = json.loads(self.body)["data"]
        return self._data

    def __repr__(self) -> str:
        return f"Event(id={self.id!r}, type={self.type!r}, job_id={self.job_id!r}, status={self.status!r})"


class Decision:
    """What reconciliation decided (given to ``handle``): ``action`` is ``"apply"``
    (persist ``next`` and run the side effect) or ``"refetch"`` (fetch the status object,
    or durably schedule that fetch); ``reason`` (``"forward"``, ``"more_progress"``,
    ``"unknown_job"``, ...); ``next``, the state to hold afterwards, as the same kind of
    mapping ``load`` returns."""

    __slots__ = ("action", "reason", "next")

    def __init__(self, d: _Decision) -> None:
        self.action = _DECISIONS.get(d.action, "apply")
        self.reason = d.reason.decode("ascii")
        self.next = _state_mapping(d.next.lifecycle, d.next.progress)

    def __repr__(self) -> str:
        return f"Decision(action={self.action!r}, reason={self.reason!r}, next={self.next!r})"


class WebhookMessage:
    """The Standard Webhooks message being handled (given to ``handle`` by
    :meth:`Receiver.receive_webhook`).

    Attributes: ``id`` (the ``webhook-id``, the idempotency key), ``timestamp`` (the
    ``webhook-timestamp`` text), ``body`` (the authenticated bytes, JSON or not),
    ``profile`` (``"standard"`` or ``"openai"``), ``matched_key`` (the index of the key
    that matched: a secret's, or the number of secrets plus a public key's for ``v1a``)
    and ``dedup_key``. :meth:`json` decodes the body.
    """

    __slots__ = ("id", "timestamp", "body", "profile", "matched_key", "dedup_key")

    def __init__(self, m: _WebhookMessage) -> None:
        self.id = _text(m.id, m.id_len)
        self.timestamp = _text(m.timestamp, m.timestamp_len)
        self.body = ctypes.string_at(m.body, m.body_len) if m.body_len else b""
        self.profile = _PROFILES.get(m.profile, "standard")
        self.matched_key = int(m.matched_key)
        self.dedup_key = _text(m.dedup_key, m.dedup_key_len)

    def json(self) -> Any:
        """The body decoded as JSON (raises ``ValueError`` when it is not JSON: the
        specification makes JSON optional). OpenAI's events are
        ``{"id", "object": "event", "created_at", "type", "data": {"id"}}``."""
        return json.loads(self.body)

    def event(self) -> "WebhookEvent":
        """The typed view of the body (:class:`WebhookEvent`), read by the library's JSON
        reader as the C and C++ receivers read it. Raises :class:`RejectedError` with the
        JSON reader's code when the body is not JSON, or ``json_type_mismatch`` when it is
        not an object or a field has another type than the shapes give it."""
        return WebhookEvent(self.body)

    def __repr__(self) -> str:
        return f"WebhookMessage(id={self.id!r}, profile={self.profile!r}, body={self.body[:40]!r})"


class WebhookEvent:
    """What a Standard Webhooks body says (PROTOCOL.md §17), from the recommended shape
    ``{type, timestamp, data}`` or OpenAI's ``{id, object, created_at, type, data: {id}}``.

    Attributes, ``None`` when the body has no such field: ``type``, ``timestamp`` (the
    recommended shape's ISO 8601 text), ``created_at`` (OpenAI: Unix seconds), ``data_id``
    (``data.id`` when ``data`` is an object with a string id), ``id`` and ``object``
    (OpenAI's event id and ``"event"``), and ``data``, the exact JSON text of ``data``
    (``json.loads`` it for the value). Texts are the JSON strings as written: escapes are
    not decoded (a text holding a backslash has some).
    """

    __slots__ = ("type", "timestamp", "created_at", "data", "data_id", "id", "object")

    def __init__(self, body: Union[BytesLike, str]) -> None:
        raw = _as_bytes(body, "body")
        ev = _WebhookEvent()
        ev.size = ctypes.sizeof(_WebhookEvent)
        offset = ctypes.c_size_t(0)
        status = _lib().jobwire_parse_webhook_event(raw, len(raw), ctypes.byref(ev), ctypes.byref(offset))
        _check(status, RejectedError, None if offset.value == _native.lib().jobwire_no_offset() else offset.value)

        def text(p: Any, n: int) -> Optional[str]:
            return None if not p else ctypes.string_at(p, n).decode("utf-8", "replace")

        self.type = text(ev.type, ev.type_len)
        self.timestamp = text(ev.timestamp, ev.timestamp_len)
        self.created_at: Optional[int] = int(ev.created_at) if ev.has_created_at else None
        self.data = text(ev.data, ev.data_len)
        self.data_id = text(ev.data_id, ev.data_id_len)
        self.id = text(ev.id, ev.id_len)
        self.object = text(ev.object, ev.object_len)

    def __repr__(self) -> str:
        return f"WebhookEvent(type={self.type!r}, data_id={self.data_id!r})"


class Receipt:
    """The outcome of :meth:`Receiver.receive` and :meth:`Receiver.receive_webhook`:
    reply with ``http_status``.

    ``action`` is one of ``process``, ``duplicate``, ``in_flight``, ``ignore_stale``,
    ``no_change``, ``refetch``, ``reject``; ``reason`` a stable snake_case word (the error
    for a reject, else the reconcile reason, or ``done``/``in_flight``); ``job_id`` and
    ``dedup_key`` are ``""`` when the delivery did not get that far; ``code`` is the
    error name (``"ok"`` unless something failed); ``exception`` holds what ``load`` or
    ``handle`` raised (then the action is ``reject``, HTTP 503, reason
    ``handler_failed``), or what the application's store raised (the store's failure:
    ``store_unavailable`` for an ``OSError``, else ``store_error``).

    For :meth:`Receiver.receive_webhook`: ``message_id`` is the ``webhook-id`` (``""``
    before authentication succeeded), ``job_id`` is ``""`` and ``attempt`` 0; the action
    is ``process`` (reason ``processed``), ``duplicate``, ``in_flight`` or ``reject``."""

    __slots__ = ("action", "http_status", "reason", "code", "job_id", "message_id", "dedup_key", "attempt", "profile",
                 "exception")

    def __init__(self, r: Union[_Receipt, _WebhookReceipt], job_id: bytes, dedup_key: bytes,
                 exception: Optional[BaseException], message_id: bytes = b"") -> None:
        self.action = RECEIVER_ACTIONS[r.action]
        self.http_status = int(r.http_status)
        self.reason = r.reason.decode("ascii")
        self.code = error_name(r.status)
        self.job_id = job_id.decode("utf-8", "replace")
        self.message_id = message_id.decode("utf-8", "replace")
        self.dedup_key = dedup_key.decode("utf-8", "replace")
        self.attempt = int(getattr(r, "attempt", 0))
        self.profile: Optional[str] = _PROFILES.get(r.profile)
        self.exception = exception

    @property
    def acknowledged(self) -> bool:
        """True for the 2xx replies."""
        return 200 <= self.http_status < 300

    def __repr__(self) -> str:
        which = f"message_id={self.message_id!r}" if self.message_id else f"job_id={self.job_id!r}"
        return f"Receipt(action={self.action!r}, http_status={self.http_status}, reason={self.reason!r}, {which})"


LoadFn = Callable[[str], Optional[Mapping[str, Any]]]
HandleFn = Callable[[Event, Decision], Any]
WebhookHandleFn = Callable[[WebhookMessage], Any]


def _state_from(value: Any) -> _JobState:
    """A state `load` returned, checked: a mapping with a known ``lifecycle_status`` and a
    ``progress`` in 0..100 (default 0)."""
    if not isinstance(value, Mapping):
        raise TypeError(f"load must return None or a mapping, not {type(value).__name__}")
    life = value.get("lifecycle_status")
    if life not in LIFECYCLE_STATUSES:
        raise ValueError(f"lifecycle_status must be one of {', '.join(LIFECYCLE_STATUSES)}, got {life!r}")
    progress = value.get("progress", 0)
    if progress is None:
        progress = 0
    if isinstance(progress, bool) or not isinstance(progress, (int, float)) or not 0 <= progress <= 100:
        raise ValueError(f"progress must be a number in 0..100, got {progress!r}")
    return _JobState(LIFECYCLE_STATUSES.index(life), float(progress))


class Receiver:
    """The idempotent receiver: secrets, options and a dedup store.

    >>> r = jobwire.Receiver(secrets=["whsec_..."], store="sqlite:/var/lib/app/dedup.sqlite")
    >>> receipt = r.receive(body, headers, load=load_job, handle=apply_update)
    >>> respond(receipt.http_status)

    Args:
        secrets: the webhook secret or secrets (a rotation); may be empty only with
            ``allow_unsigned`` (otherwise every delivery is 503 ``unsigned_not_allowed``).
        store: ``"memory"`` (this process only), ``"sqlite:PATH"``,
            ``"redis://HOST[:PORT][/DB]"`` or ``"postgresql://..."``. Several processes
            sharing one SQLite file, Redis or PostgreSQL deduplicate together. Or the
            application's own store: an object with ``claim(key, now_ms, lease_ms) ->
            (state, token)`` (state ``"fresh"`` with a new 16-byte token, ``"done"`` or
            ``"in_flight"`` with ``None``), ``commit(key, token, now_ms) -> bool`` and
            ``release(key, token) -> bool`` (False: the key is not claimed with that
            token), following the rules of the package README ("Your own store").
        profile: ``"auto"`` (detected per delivery from its headers; ``webhook-*`` and
            ``svix-*`` deliveries are ``"standard"``), ``"ai-stats"``, ``"phaseo"``, or for
            :meth:`receive_webhook` ``"standard"`` or ``"openai"`` (PROTOCOL.md §17).
        public_keys: ``whpk_`` Ed25519 public keys, for senders that sign ``v1a``.
        key_format: how a Standard Webhooks secret without ``whsec_`` is read:
            ``"profile"`` (base64 under ``standard``, its bytes under ``openai``),
            ``"base64"`` or ``"raw"``.
        tolerance: freshness window in seconds, ``None`` to skip the check.
        sdk_compat: accept the official SDKs' timestamp forms.
        allow_unsigned: accept unsigned deliveries when no secret is given (never under
            phaseo).
        lenient_statuses: map unknown status words as the service does instead of 400.
        lease_ms: how long a claim is held while ``handle`` runs (default: jobwire's).

    Thread-safe: one Receiver may serve every thread of a server (each call uses its own
    verifier and store connection from a pool inside the library). Release it with
    :meth:`close` or a ``with`` block.
    """

    def __init__(self, secrets: Union[Text, Sequence[Text]] = (), store: Any = "memory", profile: Text = "auto",
                 *, tolerance: Optional[int] = 300, sdk_compat: bool = False, allow_unsigned: bool = False,
                 lenient_statuses: bool = False, lease_ms: Optional[int] = None, public_keys: Sequence[Text] = (),
                 key_format: str = "profile") -> None:
        lib = _lib()
        if isinstance(public_keys, (str, bytes, bytearray, memoryview)):
            raise TypeError("public_keys must be a list of keys")
        pubs = [_as_bytes(k, "public key") for k in public_keys]
        if isinstance(secrets, (str, bytes, bytearray, memoryview)):
            keys = [_as_bytes(secrets, "secret")]
        else:
            keys = [_as_bytes(s, "secret") for s in secrets]
        callbacks: Optional[_StoreCallbacks] = None
        if isinstance(store, str):
            spec = store.encode("utf-8")
        elif all(callable(getattr(store, m, None)) for m in ("claim", "commit", "release")):
            callbacks = _store_callbacks(store)
            spec = b""
        else:
            raise TypeError(f"store must be a str or an object with claim, commit and release methods, "
                            f"not {type(store).__name__}")
        opt = _Options()
        lib.jobwire_receiver_options_init(ctypes.byref(opt))
        opt.profile = _profile(profile)
        # A Standard Webhooks profile prepares only that scheme's keys, so a key it cannot
        # use fails here (§17); otherwise both, as the receiver always did (§15).
        schemes = _SCHEME_WEBHOOKS if opt.profile in (_PROFILE_STANDARD, _PROFILE_OPENAI) else 0
        fmt = _key_format(key_format, opt.profile)
        if tolerance is None:
            opt.tolerance = _TOLERANCE_NONE
        else:
            opt.tolerance = _int_arg(tolerance, "tolerance", 0, _INT64_MAX)
        opt.flags = ((_SDK_COMPAT if sdk_compat else 0) | (_ALLOW_UNSIGNED if allow_unsigned else 0) |
                     (_LENIENT_STATUS if lenient_statuses else 0))
        opt.lease_ms = 0 if lease_ms is None else _int_arg(lease_ms, "lease_ms", 1, _LEASE_MAX_MS)
        if callbacks is None:
            supported = lib.jobwire_receiver_store_supported(spec, len(spec))
            if supported == _native.E_INVALID_ARGUMENT:
                raise ValueError(f"invalid store {store!r} (use 'memory', 'sqlite:PATH', 'redis://HOST:PORT/DB' or "
                                 "'postgresql://...')")
            _check(supported, JobwireError)
        arr = (ctypes.c_char_p * max(len(keys), 1))(*keys)
        lens = (ctypes.c_size_t * max(len(keys), 1))(*(len(k) for k in keys))
        parr = (ctypes.c_char_p * max(len(pubs), 1))(*pubs)
        plens = (ctypes.c_size_t * max(len(pubs), 1))(*(len(k) for k in pubs))
        handle = ctypes.c_void_p()
        _check(lib.jobwire_receiver_create_keys(arr, lens, len(keys), parr, plens, len(pubs), schemes, fmt,
                                                spec if callbacks is None else None, len(spec),
                                                ctypes.byref(callbacks) if callbacks is not None else None,
                                                ctypes.byref(opt), ctypes.byref(handle)), JobwireError)
        # The C callbacks must live as long as the receiver that calls them.
        self._store_callbacks = callbacks
        self._lib = lib
        self._handle: Optional[int] = handle.value
        # close() waits for the calls in flight: the handle is freed only when none is.
        self._cond = threading.Condition()
        self._active = 0

    def close(self) -> None:
        """Waits for the calls in flight, then releases the store connections and keys.
        Further calls raise ValueError. Must not be called from inside ``load``/``handle``."""
        with self._cond:
            handle, self._handle = self._handle, None
            while self._active:
                self._cond.wait()
        if handle is not None:
            self._lib.jobwire_receiver_free(handle)

    def __enter__(self) -> "Receiver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def _call(self, invoke: Callable[[int], int], caught: list) -> None:
        """Runs one C receive call on the open handle (close() waits for it), with the
        store callbacks reporting into `caught`."""
        with self._cond:
            if self._handle is None:
                raise ValueError("the receiver is closed")
            h = self._handle
            self._active += 1
        outer = getattr(_store_caught, "list", None)
        _store_caught.list = caught  # what the store callbacks raise during this call
        try:
            # ctypes releases the GIL for the call; the callbacks take it back.
            status = invoke(h)
        finally:
            _store_caught.list = outer
            with self._cond:
                self._active -= 1
                self._cond.notify_all()
        _check(status, JobwireError)

    def receive(self, body: Union[BytesLike, str], headers: HeadersLike, now: Optional[int] = None, *,
                load: Optional[LoadFn] = None, handle: Optional[HandleFn] = None) -> Receipt:
        """Handles one delivery end to end; returns the :class:`Receipt`.

        Args:
            body: the raw request body exactly as received.
            headers: a mapping or an iterable of ``(name, value)`` pairs.
            now: the current time in Unix seconds (default: the system clock).
            load: ``load(job_id) -> None | {"lifecycle_status": ..., "progress": ...}``,
                the job state the application holds (``None``: not known, which makes
                ``refetch``). Runs while the delivery's claim and the job's lease are held.
            handle: ``handle(event, decision)`` for ``apply`` (persist ``decision.next``
                and run the side effect) and ``refetch``. Raise to fail: the claim is
                released and the reply is 503, so the sender's retry is processed.
        """
        b = _as_bytes(body, "body")
        pairs = _header_pairs(headers)
        if now is None:
            now_ms = time.time_ns() // 1_000_000
        else:
            now_ms = _int_arg(now, "now", _INT64_MIN // 1000, _INT64_MAX // 1000) * 1000
        if load is not None and not callable(load):
            raise TypeError("load must be callable")
        if handle is not None and not callable(handle):
            raise TypeError("handle must be callable")
        hs = (_Header * max(len(pairs), 1))()
        for i, (name, value) in enumerate(pairs):
            hs[i].name, hs[i].name_len, hs[i].value, hs[i].value_len = name, len(name), value, len(value)

        caught: list = []

        def c_load(_user: Any, job_id: Any, job_id_len: int, out: Any, found: Any) -> int:
            try:
                value = load(_text(job_id, job_id_len))  # type: ignore[misc]
                if value is not None:
                    out[0] = _state_from(value)
                    found[0] = 1
                return 0
            except BaseException as exc:  # noqa: B036 - nothing may unwind into C
                caught.append(exc)
                return 1

        def c_handle(_user: Any, ev: Any, dec: Any) -> int:
            try:
                handle(Event(ev[0], b), Decision(dec[0]))  # type: ignore[misc]
                return 0
            except BaseException as exc:  # noqa: B036
                caught.append(exc)
                return 1

        settings = _Settings()
        if load is not None:
            settings.load = _LOAD(c_load)
        if handle is not None:
            settings.handle = _HANDLE(c_handle)
        job_buf = ctypes.create_string_buffer(_JOB_ID_MAX + 1)
        key_buf = ctypes.create_string_buffer(_DEDUP_KEY_MAX + 1)
        out = _Receipt()
        out.job_id = ctypes.cast(job_buf, ctypes.c_void_p)
        out.job_id_cap = len(job_buf)
        out.dedup_key = ctypes.cast(key_buf, ctypes.c_void_p)
        out.dedup_key_cap = len(key_buf)

        self._call(lambda h: self._lib.jobwire_receive(h, b, len(b), hs, len(pairs), now_ms, ctypes.byref(settings),
                                                       ctypes.byref(out)), caught)
        exc = caught[0] if caught else None
        if exc is not None and not isinstance(exc, Exception):
            raise exc  # KeyboardInterrupt, SystemExit: the claim is already released
        return Receipt(out, job_buf.raw[: out.job_id_len], key_buf.raw[: out.dedup_key_len], exc)

    def receive_webhook(self, body: Union[BytesLike, str], headers: HeadersLike, now: Optional[int] = None, *,
                        handle: Optional[WebhookHandleFn] = None) -> Receipt:
        """Handles one Standard Webhooks delivery (PROTOCOL.md §17) end to end: authenticate,
        claim the ``webhook-id`` in the store, run ``handle``, commit. Returns the
        :class:`Receipt` (``message_id`` set).

        A retry of a processed message is ``duplicate`` (200) and ``handle`` does not run
        again. A service delivery (``x-ai-stats-*``, ``x-phaseo-*``) is refused with
        ``signature_scheme_mismatch`` (401): it belongs to :meth:`receive`, which in turn
        answers a ``webhook-*`` delivery 503 (``webhook_delivery_misrouted``: the wiring,
        not the delivery; nothing is claimed, so the sender's retry is processed once it is
        routed here) without handling it.

        Args:
            body: the raw request body exactly as received (any bytes).
            headers: a mapping or an iterable of ``(name, value)`` pairs.
            now: the current time in Unix seconds (default: the system clock).
            handle: ``handle(message)`` (:class:`WebhookMessage`), the side effect. Raise
                to fail: the claim is released and the reply is 503, so the sender's retry
                is processed; the exception is on ``receipt.exception``.
        """
        b = _as_bytes(body, "body")
        pairs = _header_pairs(headers)
        if now is None:
            now_ms = time.time_ns() // 1_000_000
        else:
            now_ms = _int_arg(now, "now", _INT64_MIN // 1000, _INT64_MAX // 1000) * 1000
        if handle is not None and not callable(handle):
            raise TypeError("handle must be callable")
        hs = (_Header * max(len(pairs), 1))()
        for i, (name, value) in enumerate(pairs):
            hs[i].name, hs[i].name_len, hs[i].value, hs[i].value_len = name, len(name), value, len(value)

        caught: list = []

        def c_handle(_user: Any, message: Any) -> int:
            try:
                handle(WebhookMessage(message[0]))  # type: ignore[misc]
                return 0
            except BaseException as exc:  # noqa: B036 - nothing may unwind into C
                caught.append(exc)
                return 1

        callback = _WEBHOOK(c_handle) if handle is not None else _WEBHOOK()
        id_buf = ctypes.create_string_buffer(_MESSAGE_ID_MAX + 1)
        key_buf = ctypes.create_string_buffer(_DEDUP_KEY_MAX + 1)
        out = _WebhookReceipt()
        out.message_id = ctypes.cast(id_buf, ctypes.c_void_p)
        out.message_id_cap = len(id_buf)
        out.dedup_key = ctypes.cast(key_buf, ctypes.c_void_p)
        out.dedup_key_cap = len(key_buf)
        self._call(lambda h: self._lib.jobwire_receive_webhook(h, b, len(b), hs, len(pairs), now_ms, callback, None,
                                                               ctypes.byref(out)), caught)
        exc = caught[0] if caught else None
        if exc is not None and not isinstance(exc, Exception):
            raise exc  # KeyboardInterrupt, SystemExit: the claim is already released
        return Receipt(out, b"", key_buf.raw[: out.dedup_key_len], exc, id_buf.raw[: out.message_id_len])
