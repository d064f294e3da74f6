"""jobwire: verify and sign async video job webhooks, check callback URLs and event
subscriptions — Python bindings (ctypes, standard library only) to the jobwire C API.

Every decision is made by the jobwire library (libjobwire_c); this package converts
arguments and results. Conventions:

* Bodies are bytes and are hashed exactly as given. A ``str`` body is encoded as UTF-8;
  ``bytearray`` and ``memoryview`` are accepted as bytes.
* Secrets, header names and values, URLs and other text may be ``str`` (UTF-8 encoded)
  or ``bytes`` (passed unchanged).
* Headers are a mapping (``dict``, or any object with ``items()`` such as a framework's
  header object) or an iterable of ``(name, value)`` pairs. Names match
  case-insensitively; a header repeated with different values is rejected
  (``ambiguous_header``).
* Refusals raise :class:`VerificationError` (from :func:`verify`) or
  :class:`RejectedError` (everything else); both carry ``.code``, the stable snake_case
  reason the jobwire CLI prints (e.g. ``"signature_mismatch"``). Arguments outside their
  documented domain raise ``ValueError``/``TypeError``.
* Integers are checked where they enter the library, never reduced modulo 2**64 by
  ``ctypes``: a non-integer (``bool`` included, and ``float`` where an integer is
  documented) is a ``TypeError``, an integer outside the C type's range or the
  argument's domain a ``ValueError``. Progress values are numbers (``int`` or ``float``,
  not ``bool``); one without a bucket — huge integers included — makes no progress event.

The shared library is found through ``JOBWIRE_LIBRARY``, next to this package, or the
system loader; see ``jobwire._native``.
"""
from __future__ import annotations

import ctypes
import ipaddress
import json
import math
import operator
import time
from typing import Any, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

from . import _native
from ._native import LibraryNotFoundError

__version__ = _native.PACKAGE_VERSION

__all__ = [
    "sign",
    "sign_webhook",
    "generate_webhook_secret",
    "generate_webhook_keypair",
    "verify",
    "authenticate",
    "Verifier",
    "detect_profile",
    "check_callback_url",
    "check_resolved_address",
    "normalize_events",
    "events_subscribed",
    "effective_events",
    "parse_payload",
    "JobwireError",
    "VerificationError",
    "RejectedError",
    "LibraryNotFoundError",
    "progress_bucket",
    "delivery_key",
    "event_id",
    "is_valid_event_id",
    "validate_json",
    "error_name",
    "error_message",
    "error_http_status",
    "library_version",
]

BytesLike = Union[bytes, bytearray, memoryview]
Text = Union[str, bytes]


# --- errors ------------------------------------------------------------------------------


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def _int_arg(value: object, what: str, lo: int, hi: int) -> int:
    """An integer argument for a C parameter of range [lo, hi]: TypeError for anything
    that is not an integer (``bool`` is refused although it subclasses ``int``: ``True``
    as a status or a timestamp is a bug), ValueError outside the range — instead of
    ``ctypes`` silently reducing it modulo 2**N."""
    if isinstance(value, bool):
        raise TypeError(f"{what} must be an int, not bool")
    try:
        n = operator.index(value)  # int and int-like types; float, str, bytes refused
    except TypeError:
        raise TypeError(f"{what} must be an int, not {type(value).__name__}") from None
    if not lo <= n <= hi:
        raise ValueError(f"{what} must be in {lo}..{hi}, got {n}")
    return n


def _progress_value(p: object) -> float:
    """A progress value as the library's double: a number (int or float, not bool);
    an int too large for a double is an infinity, which makes no bucket."""
    if isinstance(p, bool) or not isinstance(p, (int, float)):
        raise TypeError(f"progress must be a number, not {type(p).__name__}")
    try:
        return float(p)
    except OverflowError:
        return math.inf if p > 0 else -math.inf


def error_name(status: int) -> str:
    """The stable snake_case name of a C API status (``0`` is ``"ok"``; an unknown status
    in the C ``int`` range is ``"unknown_error"``)."""
    return _native.lib().jobwire_error_name(_int_arg(status, "status", _INT_MIN, _INT_MAX)).decode("ascii")


def error_message(status: int) -> str:
    """The library's one-line message for a status (never contains caller data)."""
    return _native.lib().jobwire_error_message(_int_arg(status, "status", _INT_MIN, _INT_MAX)).decode("utf-8")


def error_http_status(status: int) -> int:
    """The HTTP status a receiver replies with for a status: 200 (ok), 401
    (authentication), 400 (malformed request) or 503 (local failure), from the library's
    error table (PROTOCOL.md §13)."""
    return int(_native.lib().jobwire_error_http_status(int(status)))


class JobwireError(Exception):
    """A refusal reported by the jobwire library.

    Attributes:
        code: the stable reason name, e.g. ``"signature_mismatch"``.
        status: the C API status (negative error id).
        offset: byte offset of the problem in the input, when the library reports one.
        http_status: the reply a receiver sends for this refusal (401, 400 or 503).
    """

    code: str
    status: int
    offset: Optional[int]
    http_status: int

    def __init__(self, status: int, offset: Optional[int] = None) -> None:
        self.status = int(status)
        self.code = error_name(self.status)
        self.offset = offset
        self.http_status = error_http_status(self.status)
        message = f"{self.code}: {error_message(self.status)}"
        if offset is not None:
            message += f" (at byte {offset})"
        super().__init__(message)


class VerificationError(JobwireError):
    """A webhook delivery failed verification; ``.code`` says why."""


class RejectedError(JobwireError):
    """An input was refused by the protocol rules; ``.code`` says why."""


def _check(status: int, error_class: type = RejectedError, offset: Optional[int] = None) -> None:
    if status == _native.OK:
        return
    if status == _native.E_INVALID_ARGUMENT:
        raise ValueError(f"{error_name(status)}: {error_message(status)}")
    raise error_class(status, offset)


# --- argument conversion -------------------------------------------------------------------


def _as_bytes(value: object, what: str) -> bytes:
    """bytes-like values unchanged; str as UTF-8; anything else is a TypeError."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, (bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"{what} must be bytes or str, not {type(value).__name__}")


def _enum_from_name(lookup: str, value: Text, what: str, choices: str) -> int:
    """The library's number for a named choice, through its ``jobwire_*_from_name``
    function; a ValueError naming the choices for a name the library does not know."""
    name = _as_bytes(value, what)
    out = ctypes.c_int(0)
    status = getattr(_native.lib(), lookup)(name, len(name), ctypes.byref(out))
    if status == _native.E_NOT_FOUND:
        raise ValueError(f"unknown {what} {value!r} (use {choices})")
    _check(status)
    return out.value


def _profile(profile: Text) -> int:
    return _enum_from_name("jobwire_profile_from_name", profile, "profile",
                           "'auto', 'ai-stats', 'phaseo', 'standard' or 'openai'")


# jobwire_c.h: profile codes, signature schemes and key formats (PROTOCOL.md §15, §17).
_PROFILE_AUTO, _PROFILE_STANDARD, _PROFILE_OPENAI = 2, 3, 4
_SCHEME_SERVICE, _SCHEME_WEBHOOKS = 0x1, 0x2
_KEY_FORMATS = {"profile": 0, "base64": 1, "raw": 2}
_PROFILE_NAMES = {0: "ai_stats", 1: "phaseo", 3: "standard", 4: "openai"}


def _key_format(key_format: str, profile: int) -> int:
    """The C key format: "profile" follows the profile when it names a Standard Webhooks
    one (standard: base64, openai: raw bytes), so a key it cannot read fails at creation."""
    if key_format not in _KEY_FORMATS:
        raise ValueError(f"unknown key_format {key_format!r} (use 'profile', 'base64' or 'raw')")
    if key_format == "profile" and profile == _PROFILE_STANDARD:
        return _KEY_FORMATS["base64"]
    if key_format == "profile" and profile == _PROFILE_OPENAI:
        return _KEY_FORMATS["raw"]
    return _KEY_FORMATS[key_format]


_KINDS = {"video": 0, "batch": 1}


def _kind(kind: str) -> int:
    try:
        return _KINDS[kind]
    except (KeyError, TypeError):
        raise ValueError(f"unknown kind {kind!r} (use 'video' or 'batch')") from None


def _text_output(call, error_class: type = RejectedError, initial: int = 256) -> bytes:
    """Runs a C function that writes into (out, out_cap, out_len), growing the buffer once
    when the library reports the size it needs."""
    cap = initial
    for _ in range(2):
        buf = ctypes.create_string_buffer(cap)
        out_len = ctypes.c_size_t(0)
        status = call(buf, cap, ctypes.byref(out_len))
        if status == _native.E_BUFFER_TOO_SMALL and out_len.value >= cap:
            cap = out_len.value + 1
            continue
        _check(status, error_class)
        return buf.raw[: out_len.value]
    raise RuntimeError("the library asked for a larger buffer twice")  # pragma: no cover


# --- library ---------------------------------------------------------------------------------


def library_version() -> str:
    """The version of the loaded libjobwire_c, e.g. ``"0.1.0"``."""
    return _native.lib().jobwire_version().decode("ascii")


# --- events (PROTOCOL.md §2, §11) -------------------------------------------------------------


def progress_bucket(p: float) -> Optional[int]:
    """The progress bucket of a progress value (5, 10, 20, ..., 90, 95), or ``None`` when the
    value makes no progress event (0, 100, outside (0, 100), NaN, infinities).

    bucket = round(round(p) / 10) * 10 clamped to 5..95, rounding half away from zero.
    """
    value = _progress_value(p)
    out = ctypes.c_int(0)
    status = _native.lib().jobwire_progress_bucket(value, ctypes.byref(out))
    if status == _native.OK:
        return out.value
    if error_name(status) == "no_progress_event":
        return None
    _check(status)
    return None  # pragma: no cover


def delivery_key(kind: str, phase: str, progress: Optional[float] = None, profile: Text = "ai-stats") -> str:
    """The delivery key of an event: ``"video.completed"``, or ``"video.progress:50"`` for
    the progress phase (its bucket computed from ``progress``).

    Raises RejectedError (``unknown_phase``, ``no_progress_event`` — exactly when
    :func:`progress_bucket` gives ``None``), TypeError for a progress that is not a number.
    """
    phase_b = _as_bytes(phase, "phase")
    k = _kind(kind)
    prof = _profile(profile)
    value = math.nan if progress is None else _progress_value(progress)
    out = _text_output(lambda buf, cap, n: _native.lib().jobwire_delivery_key(
        k, phase_b, len(phase_b), value, prof, buf, cap, n))
    return out.decode("ascii")


def event_id(internal_id: Text, delivery_key: Text, profile: Text = "ai-stats") -> str:
    """The sender's event id for a delivery: ``evt_<kind>_<internal id>_<delivery key>``
    with runs of characters outside ``[A-Za-z0-9_-]`` replaced by ``_``, at most 160
    characters. Raises RejectedError (``invalid_delivery_key``)."""
    iid = _as_bytes(internal_id, "internal_id")
    key = _as_bytes(delivery_key, "delivery_key")
    prof = _profile(profile)
    out = _text_output(lambda buf, cap, n: _native.lib().jobwire_event_id(
        iid, len(iid), key, len(key), prof, buf, cap, n))
    return out.decode("ascii")


def is_valid_event_id(value: Text) -> bool:
    """Whether a received event id is 1 to 160 characters of ``[A-Za-z0-9_-]``."""
    b = _as_bytes(value, "event id")
    status = _native.lib().jobwire_event_id_check(b, len(b))
    if status == _native.OK:
        return True
    if error_name(status) == "invalid_event_id":
        return False
    _check(status)
    return False  # pragma: no cover


# --- JSON ---------------------------------------------------------------------------------------


def validate_json(text: Union[BytesLike, str], allow_duplicate_keys: bool = False) -> None:
    """Checks that ``text`` is exactly one well-formed, strict JSON text (RFC 8259, UTF-8,
    no repeated object keys unless allowed). Raises RejectedError with ``.code`` (e.g.
    ``"json_duplicate_key"``) and ``.offset``."""
    b = _as_bytes(text, "text")
    offset = ctypes.c_size_t(0)
    flags = 1 if allow_duplicate_keys else 0
    status = _native.lib().jobwire_json_validate(b, len(b), flags, ctypes.byref(offset))
    if status != _native.OK:
        no_offset = _native.lib().jobwire_no_offset()
        _check(status, RejectedError, None if offset.value == no_offset else offset.value)


# --- signatures and verification (PROTOCOL.md §9) --------------------------------------------


def sign(secret: Text, timestamp: Text, body: Union[BytesLike, str]) -> str:
    """The signature of one delivery: 64 lower-case hex characters of HMAC-SHA256, keyed
    with the trimmed secret, over ``timestamp + "." + body``.

    ``body`` is hashed exactly as given (``str`` is UTF-8 encoded). Raises RejectedError
    (``empty_secret``) for a secret that is empty after trimming.
    """
    s = _as_bytes(secret, "secret")
    ts = _as_bytes(timestamp, "timestamp")
    b = _as_bytes(body, "body")
    out = _text_output(lambda buf, cap, n: _native.lib().jobwire_sign(s, len(s), ts, len(ts), b, len(b), buf, cap, n),
                       initial=_SIGNATURE_HEX_LEN + 1)
    return out.decode("ascii")


_SIGNATURE_HEX_LEN = 64
_TOLERANCE_NONE = -1
_SDK_COMPAT = 0x1  # JOBWIRE_VERIFY_SDK_COMPAT
_AUTHENTICATE_ONLY = 0x2  # JOBWIRE_VERIFY_AUTHENTICATE_ONLY


def _secret_list(secret: Union[Text, Sequence[Text]]) -> List[bytes]:
    if isinstance(secret, (str, bytes, bytearray, memoryview)):
        secrets = [_as_bytes(secret, "secret")]
    elif isinstance(secret, Iterable):
        secrets = [_as_bytes(s, "secret") for s in secret]
    else:
        raise TypeError(f"secret must be str, bytes or a list of them, not {type(secret).__name__}")
    if not secrets:
        raise ValueError("at least one secret is required")
    return secrets


HeadersLike = Union[Mapping[Any, Any], Iterable[Tuple[Any, Any]]]


def _header_pairs(headers: HeadersLike) -> List[Tuple[bytes, bytes]]:
    """(name, value) pairs from a mapping or an iterable of pairs. Every pair is kept —
    including a name repeated in another case — so the library can see duplicates."""
    if isinstance(headers, (str, bytes, bytearray, memoryview)):
        raise TypeError("headers must be a mapping or an iterable of (name, value) pairs")
    items = headers.items() if hasattr(headers, "items") and callable(headers.items) else headers
    pairs: List[Tuple[bytes, bytes]] = []
    for item in items:
        try:
            name, value = item
        except (TypeError, ValueError):
            raise TypeError("each header must be a (name, value) pair") from None
        pairs.append((_as_bytes(name, "header name"), _as_bytes(value, "header value")))
    return pairs


class Verifier:
    """A prepared verifier: the HMAC keys of one or more secrets (a rotation), set up once
    and reused for many deliveries. Thread-safe without a lock: the library never writes to
    it while verifying, so one verifier serves every thread. Release it with :meth:`close`
    or a ``with`` block (not while another thread is verifying with it).

    >>> with jobwire.Verifier(["whsec_new", "whsec_old"]) as v:
    ...     v.verify(body, headers)
    """

    def __init__(self, secrets: Union[Text, Sequence[Text]] = (), profile: Text = "auto", *,
                 public_keys: Sequence[Text] = (), key_format: str = "profile") -> None:
        self._profile = _profile(profile)
        pubs = [_as_bytes(k, "public key") for k in public_keys]
        keys = _secret_list(secrets) if secrets or not pubs else []
        # Keys are prepared for the schemes the profile can use: both under "auto" (§15),
        # the named profile's otherwise, so a key it cannot use fails here (§17).
        if self._profile == _PROFILE_AUTO:
            schemes = 0
        elif self._profile in (_PROFILE_STANDARD, _PROFILE_OPENAI):
            schemes = _SCHEME_WEBHOOKS
        else:
            schemes = _SCHEME_SERVICE
        fmt = _key_format(key_format, self._profile)
        arr = (ctypes.c_char_p * len(keys))(*keys)
        lens = (ctypes.c_size_t * len(keys))(*(len(k) for k in keys))
        parr = (ctypes.c_char_p * len(pubs))(*pubs)
        plens = (ctypes.c_size_t * len(pubs))(*(len(k) for k in pubs))
        handle = ctypes.c_void_p()
        _check(_native.lib().jobwire_verifier_create_keys(arr, lens, len(keys), parr, plens, len(pubs), schemes, fmt,
                                                          ctypes.byref(handle)))
        self._handle: Optional[int] = handle.value
        self._lib = _native.lib()

    def close(self) -> None:
        """Releases the keys. Further calls raise ValueError."""
        handle, self._handle = self._handle, None
        if handle is not None:
            self._lib.jobwire_verifier_destroy(handle)

    def __enter__(self) -> "Verifier":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass

    def verify(self, body: Union[BytesLike, str], headers: HeadersLike, now: Optional[int] = None,
               tolerance: Optional[int] = 300, *, sdk_compat: bool = False) -> int:
        """Verifies one delivery as the receiver does (signature, freshness, metadata
        headers, the delivery envelope, header/body agreement); returns the index of the
        secret that matched.

        Raises VerificationError with ``.code`` (``signature_mismatch``,
        ``timestamp_too_old``, ``missing_signature``, ``ambiguous_header``,
        ``header_body_mismatch``, ``missing_field``, ...). See :func:`verify` for the
        arguments.
        """
        return self._call(body, headers, now, tolerance, sdk_compat, 0)

    def authenticate(self, body: Union[BytesLike, str], headers: HeadersLike, now: Optional[int] = None,
                     tolerance: Optional[int] = 300, *, sdk_compat: bool = False) -> int:
        """Authenticates a delivery (signature, freshness, metadata headers) without reading
        its body, for bodies that are not delivery envelopes; returns the index of the
        secret that matched. Raises VerificationError like :meth:`verify`."""
        return self._call(body, headers, now, tolerance, sdk_compat, _AUTHENTICATE_ONLY)

    def _call(self, body: Union[BytesLike, str], headers: HeadersLike, now: Optional[int],
              tolerance: Optional[int], sdk_compat: bool, flags: int) -> int:
        if self._handle is None:
            raise ValueError("the verifier is closed")
        b = _as_bytes(body, "body")
        n, names, name_lens, values, value_lens = _header_arrays(headers)
        # Range-checked here: ctypes would reduce 2**64 - 1 to -1, the "no check" value.
        now_s = int(time.time()) if now is None else _int_arg(now, "now", _INT64_MIN, _INT64_MAX)
        if tolerance is None:
            tol = _TOLERANCE_NONE
        else:
            if not isinstance(tolerance, bool) and isinstance(tolerance, int) and tolerance < 0:
                raise ValueError("tolerance must be a non-negative number of seconds, or None")
            tol = _int_arg(tolerance, "tolerance", 0, _INT64_MAX)
        matched = ctypes.c_size_t(0)
        status = self._lib.jobwire_verify(self._handle, b, len(b), names, name_lens, values, value_lens, n,
                                          now_s, tol, flags | (_SDK_COMPAT if sdk_compat else 0),
                                          self._profile,
                                          ctypes.byref(matched))
        _check(status, VerificationError)
        return matched.value


def _header_arrays(headers: HeadersLike) -> Tuple[int, Any, Any, Any, Any]:
    pairs = _header_pairs(headers)
    n = len(pairs)
    names = (ctypes.c_char_p * n)(*(p[0] for p in pairs))
    name_lens = (ctypes.c_size_t * n)(*(len(p[0]) for p in pairs))
    values = (ctypes.c_char_p * n)(*(p[1] for p in pairs))
    value_lens = (ctypes.c_size_t * n)(*(len(p[1]) for p in pairs))
    return n, names, name_lens, values, value_lens


def detect_profile(headers: HeadersLike) -> str:
    """The profile ``profile="auto"`` verifies a delivery with these headers under
    (PROTOCOL.md §15): ``"phaseo"`` for ``x-phaseo-*`` headers, ``"standard"`` for
    ``webhook-*`` or ``svix-*`` headers (§17), ``"ai_stats"`` for ``x-ai-stats-*``
    headers or when no family is present (the fallback).

    Raises VerificationError (``ambiguous_header``) when both families are present.
    """
    n, names, name_lens, values, value_lens = _header_arrays(headers)
    out = ctypes.c_int(0)
    status = _native.lib().jobwire_detect_profile(names, name_lens, values, value_lens, n, ctypes.byref(out))
    if status != 0 and error_name(status) != "not_found":
        _check(status, VerificationError)
    return _PROFILE_NAMES.get(out.value, "ai_stats")


def verify(secret: Union[Text, Sequence[Text]], body: Union[BytesLike, str], headers: HeadersLike,
           now: Optional[int] = None, tolerance: Optional[int] = 300, *, sdk_compat: bool = False,
           profile: Text = "auto", public_keys: Sequence[Text] = (), key_format: str = "profile") -> None:
    """Verifies one webhook delivery before it is trusted (PROTOCOL.md §9, §10), as the
    receiver does: signature, freshness, metadata headers, then the delivery envelope and
    the agreement of the headers with it. No error means the receiver would accept it.

    Args:
        secret: the webhook secret, or a list of secrets (rotation; any may match).
        body: the raw request body exactly as received (bytes; ``str`` is UTF-8 encoded).
        headers: the request headers, a mapping or an iterable of ``(name, value)`` pairs;
            names match case-insensitively.
        now: the current time in Unix seconds (default: ``time.time()``).
        tolerance: freshness window in seconds, or ``None`` to skip the freshness check.
        sdk_compat: also accept the official SDKs' millisecond and ISO-8601 timestamps.
        profile: ``"auto"`` (default: detected from the headers, see :func:`detect_profile`;
            a verifier holding a secret requires a signature whatever headers arrive),
            ``"ai-stats"`` (``x-ai-stats-*`` headers), ``"phaseo"``, ``"standard"`` or
            ``"openai"`` (Standard Webhooks, §17: ``webhook-*``/``svix-*`` headers, a
            ``v1``/``v1a`` signature list over ``id.timestamp.body``, any body bytes).
        public_keys: ``whpk_`` Ed25519 public keys, for ``v1a`` signatures (§17).
        key_format: how a Standard Webhooks secret without ``whsec_`` is read:
            ``"profile"`` (base64 under standard, raw bytes under openai), ``"base64"``
            or ``"raw"``.

    Raises:
        VerificationError: with ``.code`` giving the reason.
    """
    with Verifier(secret, profile, public_keys=public_keys, key_format=key_format) as v:
        v.verify(body, headers, now, tolerance, sdk_compat=sdk_compat)


def sign_webhook(secrets: Union[Text, Sequence[Text]], msg_id: Text, timestamp: Text, body: Union[BytesLike, str], *,
                 signing_keys: Sequence[Text] = (), profile: Text = "standard", key_format: str = "profile") -> str:
    """The ``webhook-signature`` header value of a Standard Webhooks delivery (PROTOCOL.md
    §17): one ``v1,<base64>`` entry per secret, then one ``v1a,<base64>`` entry per
    ``whsk_`` signing key, space separated, over ``msg_id + "." + timestamp + "." + body``.

    Raises RejectedError (``invalid_key``, ``malformed_message_id``, ...).
    """
    prof = _profile(profile)
    if prof not in (_PROFILE_STANDARD, _PROFILE_OPENAI):
        raise ValueError("profile must be 'standard' or 'openai'")
    keys = _secret_list(secrets) if secrets or not signing_keys else []
    sks = [_as_bytes(k, "signing key") for k in signing_keys]
    arr = (ctypes.c_char_p * len(keys))(*keys)
    lens = (ctypes.c_size_t * len(keys))(*(len(k) for k in keys))
    sarr = (ctypes.c_char_p * len(sks))(*sks)
    slens = (ctypes.c_size_t * len(sks))(*(len(k) for k in sks))
    i = _as_bytes(msg_id, "msg_id")
    ts = _as_bytes(timestamp, "timestamp")
    b = _as_bytes(body, "body")
    fmt = _KEY_FORMATS.get(key_format)
    if fmt is None:
        raise ValueError(f"unknown key_format {key_format!r} (use 'profile', 'base64' or 'raw')")
    out = _text_output(lambda buf, cap, n: _native.lib().jobwire_webhook_sign(
        arr, lens, len(keys), sarr, slens, len(sks), prof, fmt, i, len(i), ts, len(ts), b, len(b), buf, cap, n))
    return out.decode("ascii")


def authenticate(secret: Union[Text, Sequence[Text]], body: Union[BytesLike, str], headers: HeadersLike,
                 now: Optional[int] = None, tolerance: Optional[int] = 300, *, sdk_compat: bool = False,
                 profile: Text = "auto") -> None:
    """Authenticates a request (signature, freshness, metadata headers) without reading its
    body: for bodies that are not delivery envelopes. Arguments and errors as
    :func:`verify`."""
    with Verifier(secret, profile) as v:
        v.authenticate(body, headers, now, tolerance, sdk_compat=sdk_compat)


def generate_webhook_secret() -> str:
    """A new Standard Webhooks secret, ``whsec_`` and the base64 of 32 random bytes
    (PROTOCOL.md §17; OpenSSL's random generator)."""
    return _text_output(lambda buf, cap, n: _native.lib().jobwire_webhook_keygen(0, buf, cap, n)).decode("ascii")


def generate_webhook_keypair() -> Tuple[str, str]:
    """A new Ed25519 key pair for ``v1a`` signatures (PROTOCOL.md §17): ``(signing_key,
    public_key)``, ``whsk_…`` (seed and public key; the sender keeps it private) and
    ``whpk_…`` (for receivers)."""
    text = _text_output(lambda buf, cap, n: _native.lib().jobwire_webhook_keygen(1, buf, cap, n)).decode("ascii")
    signing, public = text.split("\n")
    return signing, public


# --- callback URLs (PROTOCOL.md §8) -----------------------------------------------------------


def _policy(policy: Text) -> int:
    return _enum_from_name("jobwire_policy_from_name", policy, "policy", "'strict', 'ai-stats' or 'phaseo'")


def check_callback_url(url: Text, policy: str = "strict", dev: bool = False) -> str:
    """Checks a webhook callback URL and returns its WHATWG serialisation.

    ``policy`` is ``"strict"`` (only globally reachable hosts, no credentials),
    ``"ai-stats"`` (the seed era's parse-time rule) or ``"phaseo"`` (the current
    service's send-time rule: https only, a wider block list, the fragment dropped).
    ``dev`` accepts exactly ``localhost``,
    ``127.0.0.1`` and ``[::1]`` over http or https for local development. The check is
    literal (no DNS). Raises RejectedError with ``.code`` (``https_required``,
    ``private_host``, ``invalid_url``, ...).
    """
    u = _as_bytes(url, "url")
    p = _policy(policy)
    flags = 1 if dev else 0
    out = _text_output(lambda buf, cap, n: _native.lib().jobwire_check_callback_url(u, len(u), p, flags, buf, cap, n),
                       initial=len(u) * 3 + 64)
    return out.decode("utf-8")


def check_resolved_address(address: Union[str, bytes], policy: str = "strict") -> None:
    """Checks one address a resolver returned for the callback host, just before
    connecting. ``address`` is text (``"203.0.113.7"``, ``"2001:db8::1"``) or the 4/16
    packed bytes. jobwire does no DNS: call this on every resolved address, connect only
    to one that passed, and do not follow redirects. Raises RejectedError with ``.code``
    (``private_host``, ``loopback_host``, ``non_global_host``, ...); ValueError for text
    that is not an IP address.
    """
    p = _policy(policy)
    if isinstance(address, str):
        packed = ipaddress.ip_address(address).packed
    elif isinstance(address, (bytes, bytearray, memoryview)):
        packed = bytes(address)
        if len(packed) not in (4, 16):
            raise ValueError("a packed address is 4 or 16 bytes")
    else:
        raise TypeError("address must be str or bytes")
    _check(_native.lib().jobwire_check_resolved_address(packed, len(packed), p))


# --- subscription event lists (PROTOCOL.md §7) --------------------------------------------------


def _events_json(events: Optional[Sequence[Any]], what: str = "events") -> bytes:
    """An ``events`` member as the C API takes it: JSON text, or b"" when omitted (None)."""
    if events is None:
        return b""
    if isinstance(events, (bytes, bytearray, memoryview)):
        raise TypeError(f"{what} must be a list of JSON values or None, not bytes")
    # Any other iterable is a list of entries. A str or a mapping is passed as the JSON
    # value it is, so that the library refuses it (invalid_events_type) as the service
    # does; entries that are not JSON values (objects, NaN) raise TypeError/ValueError.
    if not isinstance(events, (str, Mapping, list, tuple)):
        events = list(events)
    return json.dumps(events, ensure_ascii=False, allow_nan=False).encode("utf-8")


def normalize_events(events: Optional[Sequence[Any]], kind: str = "video", *, strict: bool = False,
                     profile: Text = "ai-stats") -> List[str]:
    """Normalises a subscription's ``events`` list the way the service does: trims,
    lower-cases, maps ``canceled`` to ``cancelled``, turns bare phases into ``job.<phase>``,
    drops invalid, other-kind and non-string entries and duplicates.

    ``None`` or ``[]`` gives the default list. Raises RejectedError: ``no_valid_events``
    when nothing survives a non-empty list, ``invalid_events_type`` when ``events`` is not
    a list, and — with ``strict=True`` — the reason of the first invalid entry (its index
    in ``.offset``).

    With ``profile="phaseo"`` the current service's rules apply (endpoint subscriptions):
    the result is the list the service stores, so ``None`` (omitted) and ``[]`` give
    ``[]`` — inherit the endpoint's list — and ``job.completed.extra`` is kept verbatim
    (it never matches); entries that are not strings or are ``""`` raise
    ``event_not_string`` / ``empty_event``.
    """
    k = _kind(kind)
    prof = _profile(profile)
    text = _events_json(events)
    flags = 1 if strict else 0
    offset = ctypes.c_size_t(0)

    def call(buf: Any, cap: int, n: Any) -> int:
        return _native.lib().jobwire_normalize_events(text, len(text), k, prof, flags, buf, cap, n,
                                                      ctypes.byref(offset))

    try:
        out = _text_output(call)
    except RejectedError as exc:
        if offset.value != _native.lib().jobwire_no_offset():
            exc.offset = offset.value
        raise
    return [str(name) for name in json.loads(out.decode("utf-8"))]


def events_subscribed(events: Optional[Sequence[Any]], phase: str, kind: str = "video",
                      profile: Text = "ai-stats") -> bool:
    """Whether a job of ``kind`` whose subscription has this ``events`` member is sent the
    deliveries of ``phase`` (the sender's check, PROTOCOL.md §7). ``events`` is read as by
    :func:`normalize_events` (not strict). Under ``"ai-stats"`` the normalised list (the
    defaults for ``None`` or ``[]``) must name ``job.<phase>`` or ``<kind>.<phase>``; under
    ``"phaseo"`` the stored list must, exactly, or when it is empty (inherit) the request
    defaults — pass :func:`effective_events` to take an endpoint's events into account.

    Raises RejectedError: ``unknown_phase`` for a phase the profile does not have, and the
    errors of :func:`normalize_events`."""
    k = _kind(kind)
    prof = _profile(profile)
    if not isinstance(phase, str):
        raise TypeError(f"phase must be a str, not {type(phase).__name__}")
    text = _events_json(events)
    ph = phase.encode("utf-8")
    yes = ctypes.c_int(0)
    offset = ctypes.c_size_t(0)
    status = _native.lib().jobwire_events_subscribed(text, len(text), k, prof, ph, len(ph), ctypes.byref(yes),
                                                     ctypes.byref(offset))
    _check(status, RejectedError, offset.value if offset.value != _native.lib().jobwire_no_offset() else None)
    return yes.value == 1


def effective_events(request_events: Optional[Sequence[Any]], endpoint_events: Optional[Sequence[str]] = None,
                     kind: str = "video") -> List[str]:
    """The list that decides what the current service sends for a job of ``kind``
    (profile phaseo, PROTOCOL.md §16.2): the request's stored list (its ``events`` member
    as sent, normalised), else the endpoint's events normalised for the kind, else the
    request defaults (``job.status_changed`` and the terminal phases).

    Raises RejectedError with the errors of :func:`normalize_events` for the request's
    member, or for the endpoint's events ``invalid_events_type`` / ``event_not_string``
    (``.offset``: the entry's index)."""
    k = _kind(kind)
    request = _events_json(request_events, "request_events")
    endpoint = _events_json(endpoint_events, "endpoint_events")
    offset = ctypes.c_size_t(0)
    which = ctypes.c_int(-1)

    def call(buf: Any, cap: int, n: Any) -> int:
        return _native.lib().jobwire_effective_events(request, len(request), endpoint, len(endpoint), k, buf, cap, n,
                                                      ctypes.byref(offset), ctypes.byref(which))

    try:
        out = _text_output(call)
    except RejectedError as exc:
        if offset.value != _native.lib().jobwire_no_offset():
            exc.offset = offset.value
        raise
    return [str(name) for name in json.loads(out.decode("utf-8"))]


# --- job payloads (PROTOCOL.md §4-§6, §10) -------------------------------------------------------


def parse_payload(text: Union[BytesLike, str], form: str = "status", *, lenient: bool = False,
                  profile: Text = "ai-stats") -> dict:
    """Validates a job payload and returns its normalised summary — the object
    ``jobwire parse --as <form>`` prints (fields: docs/PAYLOADS.md).

    ``form`` is ``"create"`` (create response), ``"status"`` (status object),
    ``"webhook"`` (delivery body) or ``"ws"`` (websocket message). ``lenient`` maps
    unknown status words to queued/pending as the service does. Raises RejectedError
    with ``.code`` and ``.offset`` (e.g. ``"unknown_status"``, ``"missing_field"``).
    """
    f = _enum_from_name("jobwire_payload_form_from_name", form, "payload form",
                        "'create', 'status', 'webhook' or 'ws'")
    b = _as_bytes(text, "text")
    prof = _profile(profile)
    flags = 1 if lenient else 0
    offset = ctypes.c_size_t(0)

    def call(buf: Any, cap: int, n: Any) -> int:
        return _native.lib().jobwire_parse_payload(f, b, len(b), prof, flags, buf, cap, n, ctypes.byref(offset))

    try:
        out = _text_output(call, initial=1024)
    except RejectedError as exc:
        if offset.value != _native.lib().jobwire_no_offset():
            exc.offset = offset.value
        raise
    summary = json.loads(out.decode("utf-8"))
    assert isinstance(summary, dict)
    return summary


# --- receiving (the whole pipeline: verify, dedup store, reconcile, handler) -------------------

from .receiver import (Decision, Event, Receipt, Receiver, WebhookEvent,  # noqa: E402  (uses the helpers above)
                       WebhookMessage)

__all__ += ["Receiver", "Receipt", "Event", "Decision", "WebhookMessage", "WebhookEvent"]

# --- sending: building one signed delivery ------------------------------------------------------

from .sender import Delivery, RetryDecision, Sender, decide_attempt  # noqa: E402

__all__ += ["Sender", "Delivery"]
