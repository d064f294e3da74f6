"""Loading libjobwire_c and declaring the C prototypes (include/jobwire_c.h).

The library is looked up, in order:
  1. the path in the JOBWIRE_LIBRARY environment variable (used alone when set);
  2. a libjobwire_c shared object placed next to this file (what `pip install` from the
     jobwire checkout bundles, or a vendored build);
  3. the system's dynamic loader search (ctypes.util.find_library, LD_LIBRARY_PATH,
     the directories `cmake --install` writes to when they are in the loader's path).
It is loaded on first use, so `import jobwire` never fails for want of it.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import sys
import threading
from pathlib import Path
from typing import List, Optional

c_int = ctypes.c_int
c_int64 = ctypes.c_int64
c_uint = ctypes.c_uint
c_size_t = ctypes.c_size_t
c_double = ctypes.c_double
c_char_p = ctypes.c_char_p
c_void_p = ctypes.c_void_p
P = ctypes.POINTER

# name: (restype, [argtypes]) — one line per function of jobwire_c.h.
PROTOTYPES = {
    "jobwire_version": (c_char_p, []),
    "jobwire_version_number": (c_int, []),
    "jobwire_error_name": (c_char_p, [c_int]),
    "jobwire_error_message": (c_char_p, [c_int]),
    "jobwire_error_http_status": (c_int, [c_int]),
    "jobwire_status_from_name": (c_int, [c_char_p, c_size_t, P(c_int)]),
    "jobwire_max_event_id_len": (c_size_t, []),
    "jobwire_no_offset": (c_size_t, []),
    "jobwire_profile_from_name": (c_int, [c_char_p, c_size_t, P(c_int)]),
    "jobwire_json_validate": (c_int, [c_char_p, c_size_t, c_uint, P(c_size_t)]),
    "jobwire_progress_bucket": (c_int, [c_double, P(c_int)]),
    "jobwire_delivery_key": (c_int, [c_int, c_char_p, c_size_t, c_double, c_int, c_char_p, c_size_t, P(c_size_t)]),
    "jobwire_delivery_key_check": (c_int, [c_char_p, c_size_t, c_int, P(c_int)]),
    "jobwire_event_id": (c_int, [c_char_p, c_size_t, c_char_p, c_size_t, c_int, c_char_p, c_size_t, P(c_size_t)]),
    "jobwire_event_id_check": (c_int, [c_char_p, c_size_t]),
    "jobwire_signature_hex_len": (c_size_t, []),
    "jobwire_max_secrets": (c_size_t, []),
    "jobwire_default_tolerance": (c_int64, []),
    "jobwire_tolerance_none": (c_int64, []),
    "jobwire_sign": (c_int, [c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, P(c_size_t)]),
    "jobwire_verifier_create": (c_int, [P(c_char_p), P(c_size_t), c_size_t, P(c_void_p)]),
    "jobwire_verifier_create_keys": (c_int, [P(c_char_p), P(c_size_t), c_size_t, P(c_char_p), P(c_size_t), c_size_t,
                                             c_uint, c_int, P(c_void_p)]),
    "jobwire_webhook_sign": (c_int, [P(c_char_p), P(c_size_t), c_size_t, P(c_char_p), P(c_size_t), c_size_t, c_int,
                                     c_int, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p, c_size_t, c_char_p,
                                     c_size_t, P(c_size_t)]),
    "jobwire_webhook_keygen": (c_int, [c_int, c_char_p, c_size_t, P(c_size_t)]),
    "jobwire_verifier_destroy": (None, [c_void_p]),
    "jobwire_verify": (c_int, [c_void_p, c_char_p, c_size_t, P(c_char_p), P(c_size_t), P(c_char_p), P(c_size_t),
                               c_size_t, c_int64, c_int64, c_uint, c_int, P(c_size_t)]),
    "jobwire_detect_profile": (c_int, [P(c_char_p), P(c_size_t), P(c_char_p), P(c_size_t), c_size_t, P(c_int)]),
    "jobwire_policy_from_name": (c_int, [c_char_p, c_size_t, P(c_int)]),
    "jobwire_check_callback_url": (c_int, [c_char_p, c_size_t, c_int, c_uint, c_char_p, c_size_t, P(c_size_t)]),
    "jobwire_check_resolved_address": (c_int, [c_char_p, c_size_t, c_int]),
    "jobwire_payload_form_from_name": (c_int, [c_char_p, c_size_t, P(c_int)]),
    "jobwire_parse_payload": (c_int, [c_int, c_char_p, c_size_t, c_int, c_uint, c_char_p, c_size_t, P(c_size_t),
                                      P(c_size_t)]),
    "jobwire_normalize_events": (c_int, [c_char_p, c_size_t, c_int, c_int, c_uint, c_char_p, c_size_t, P(c_size_t),
                                         P(c_size_t)]),
    "jobwire_events_subscribed": (c_int, [c_char_p, c_size_t, c_int, c_int, c_char_p, c_size_t, P(c_int),
                                          P(c_size_t)]),
    "jobwire_effective_events": (c_int, [c_char_p, c_size_t, c_char_p, c_size_t, c_int, c_char_p, c_size_t,
                                         P(c_size_t), P(c_size_t), P(c_int)]),
}

# Status constants the package needs by value (the header's JOBWIRE_E_* macros).
OK = 0
E_BUFFER_TOO_SMALL = -2
E_NOT_FOUND = -8
E_INVALID_ARGUMENT = -1


# The package and the library are released together; a library of another minor version
# may have other prototypes, so it is refused rather than called.
PACKAGE_VERSION = "0.1.0"


class LibraryNotFoundError(OSError):
    """libjobwire_c could not be found or loaded (see the module docstring for the search)."""


def _library_names() -> List[str]:
    if sys.platform == "darwin":
        return ["libjobwire_c.dylib"]
    if sys.platform.startswith("win"):
        return ["jobwire_c.dll"]
    return ["libjobwire_c.so"]


def _candidates() -> List[str]:
    explicit = os.environ.get("JOBWIRE_LIBRARY")
    if explicit:
        return [explicit]
    here = Path(__file__).resolve().parent
    out: List[str] = []
    for name in _library_names():
        out.append(str(here / name))
        out.extend(str(p) for p in sorted(here.glob(name + ".*")))
    found = ctypes.util.find_library("jobwire_c")
    if found:
        out.append(found)
    out.extend(_library_names())
    return out


_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None


def _declare(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes) in PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes


def lib() -> ctypes.CDLL:
    """The loaded library with every prototype declared (loaded once, thread-safely)."""
    global _lib
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        errors: List[str] = []
        for candidate in _candidates():
            if os.sep in candidate and not os.path.exists(candidate):
                errors.append(f"{candidate}: no such file")
                continue
            try:
                loaded = ctypes.CDLL(candidate)
                _declare(loaded)
            except (OSError, AttributeError) as exc:
                errors.append(f"{candidate}: {exc}")
                continue
            number = int(loaded.jobwire_version_number())
            major, minor = (int(x) for x in PACKAGE_VERSION.split(".")[:2])
            if (number // 10000, number // 100 % 100) != (major, minor):
                errors.append(f"{candidate}: library version {loaded.jobwire_version().decode()} "
                              f"does not match the package ({PACKAGE_VERSION})")
                continue
            _lib = loaded
            return loaded
        raise LibraryNotFoundError(
            "cannot load libjobwire_c; set JOBWIRE_LIBRARY to its path. Tried:\n  " + "\n  ".join(errors))
