"""A small ctypes binding of calsync's C ABI (libcalsync.so.1).

The library is found through the CALSYNC_LIBRARY environment variable, else the system
loader's search path.
"""
import ctypes
import json
import os

CALSYNC_ABI_VERSION = 1


class CalsyncError(Exception):
    """A failed call: `status` is the C status code, the text the library's message."""

    def __init__(self, status, message):
        super().__init__(f"calsync status {status}: {message}")
        self.status = status
        self.message = message


def _load():
    lib = ctypes.CDLL(os.environ.get("CALSYNC_LIBRARY", "libcalsync.so.1"))
    lib.calsync_abi_version.restype = ctypes.c_int
    lib.calsync_version.restype = ctypes.c_char_p
    lib.calsync_last_error_message.restype = ctypes.c_char_p
    # Returned strings stay c_void_p so they can be handed back to calsync_string_free.
    lib.calsync_string_free.argtypes = [ctypes.c_void_p]
    for name in ("calsync_engine_blocked_slots", "calsync_engine_free_slots"):
        fn = getattr(lib, name)
        fn.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
        fn.restype = ctypes.c_int
    if lib.calsync_abi_version() != CALSYNC_ABI_VERSION:
        raise CalsyncError(-1, "library ABI version does not match this binding")
    return lib


_lib = _load()


def _call(fn, request):
    out = ctypes.c_void_p()
    status = fn(json.dumps(request).encode("utf-8"), ctypes.byref(out))
    if status != 0:
        raise CalsyncError(status, _lib.calsync_last_error_message().decode("utf-8"))
    try:
        return json.loads(ctypes.string_at(out).decode("utf-8"))
    finally:
        _lib.calsync_string_free(out)


def version():
    return _lib.calsync_version().decode("ascii")


def blocked_slots(request):
    """External events -> {"slots", "busy", "errors"}; see calsync.h for the schema."""
    return _call(_lib.calsync_engine_blocked_slots, request)


def free_slots(request):
    """Busy intervals -> {"free": [...]} windows of a given length."""
    return _call(_lib.calsync_engine_free_slots, request)
