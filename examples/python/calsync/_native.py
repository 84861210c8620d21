"""libcalsync.so.1 through ctypes: loading, prototypes, calls and handle lifetimes.

Everything that touches a raw pointer lives here. Strings the library returns stay
c_void_p (ctypes would otherwise copy them into bytes and lose the pointer) and go back
through calsync_string_free in exactly one place, take_string().
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import threading
import weakref
from typing import Any, Callable, Iterator

from . import _install_paths
from .errors import CalsyncError, error_for

ABI_VERSION = 1
CLIENT_OPTIONS_VERSION = 1
LIBRARY_ENV = "CALSYNC_LIBRARY"
INSTALLED_NAME = "libcalsync.so.1"

_p = ctypes.c_void_p
_s = ctypes.c_char_p
_out = ctypes.POINTER(ctypes.c_void_p)
_int = ctypes.c_int

# calsync_log_fn and calsync_slots_changed_fn; user_data is unused here (the Python
# callable is captured by the CFUNCTYPE object itself).
LOG_FN = ctypes.CFUNCTYPE(None, ctypes.c_int, ctypes.c_char_p, ctypes.c_void_p)
SLOTS_CHANGED_FN = ctypes.CFUNCTYPE(None, ctypes.c_char_p, ctypes.c_void_p)


class ClientOptions(ctypes.Structure):
    """struct calsync_client_options, field for field."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("store_path", ctypes.c_char_p),
        ("host_key", ctypes.POINTER(ctypes.c_ubyte)),
        ("host_key_length", ctypes.c_size_t),
        ("config_json", ctypes.c_char_p),
        ("log", LOG_FN),
        ("slots_changed", SLOTS_CHANGED_FN),
        ("user_data", ctypes.c_void_p),
    ]


class WorkerOptions(ctypes.Structure):
    """struct calsync_worker_options, field for field."""

    _fields_ = [
        ("version", ctypes.c_uint),
        ("store_url", ctypes.c_char_p),
        ("owner", ctypes.c_char_p),
        ("host_key", ctypes.POINTER(ctypes.c_ubyte)),
        ("host_key_length", ctypes.c_size_t),
        ("config_json", ctypes.c_char_p),
        ("threads", ctypes.c_uint),
        ("lease_seconds", ctypes.c_uint),
        ("log", LOG_FN),
        ("user_data", ctypes.c_void_p),
    ]


WORKER_OPTIONS_VERSION = 1

# name -> argument types; every one returns calsync_status unless listed in _VOID.
_PROTOTYPES: dict[str, list[Any]] = {
    "calsync_engine_blocked_slots": [_s, _out],
    "calsync_engine_free_slots": [_s, _out],
    "calsync_client_new": [ctypes.POINTER(ClientOptions), _out],
    "calsync_client_free": [_p],
    "calsync_client_connect": [_p, _s, _out],
    "calsync_client_authorize_begin": [_p, _s, _out],
    "calsync_client_authorize_complete": [_p, _s, _out],
    "calsync_client_connection": [_p, _s, _out],
    "calsync_client_connections": [_p, _out],
    "calsync_client_run_due": [_p, _out],
    "calsync_client_run_due_within": [_p, ctypes.c_longlong, _out],
    "calsync_worker_new": [ctypes.POINTER(WorkerOptions), _out],
    "calsync_worker_free": [_p],
    "calsync_worker_run_once": [_p, _out],
    "calsync_worker_run": [_p],
    "calsync_worker_stop": [_p],
    "calsync_worker_mark_due": [_p, _s, _s],
    "calsync_client_renew_push": [_p, _out],
    "calsync_client_handle_push": [_p, _s, _out],
    "calsync_client_blocked_slots": [_p, _s, _out],
    "calsync_client_free_slots": [_p, _s, _out],
    "calsync_client_confirm_free": [_p, _s, _out],
    "calsync_client_upsert_appointment": [_p, _s],
    "calsync_client_cancel_appointment": [_p, _s],
    "calsync_client_appointments": [_p, _out],
    "calsync_client_team_feed": [_p, _s, _out],
    "calsync_connection_free": [_p],
    "calsync_connection_info": [_p, _out],
    "calsync_connection_calendars": [_p, _out],
    "calsync_connection_select": [_p, _s],
    "calsync_connection_deselect": [_p, _s],
    "calsync_connection_sync": [_p, _out],
    "calsync_connection_request_sync": [_p],
    "calsync_connection_watch": [_p, _s, _out],
    "calsync_connection_status": [_p, _out],
    "calsync_connection_check": [_p, _out],
    "calsync_connection_disconnect": [_p, _int],
    "calsync_oauth_new": [_s, _out],
    "calsync_oauth_free": [_p],
    "calsync_oauth_begin": [_p, _s, _out],
    "calsync_oauth_complete": [_p, _s, _out],
    "calsync_oauth_device_begin": [_p, _out],
    "calsync_oauth_device_poll": [_p, _s, _out],
    "calsync_oauth_refresh": [_p, _s, _out],
    "calsync_oauth_revoke": [_p, _s],
}
_VOID = {"calsync_client_free", "calsync_connection_free", "calsync_oauth_free",
         "calsync_worker_free"}


def _library_candidates() -> Iterator[tuple[str, str]]:
    """Where libcalsync.so.1 is looked for, in order, as (what, path or name to dlopen):
    the installed prefix's library directory, which `pip install` recorded from
    `pkg-config --variable=libdir calsync` (see setup.py), then the system loader
    (LD_LIBRARY_PATH, the ldconfig cache, /lib and /usr/lib) by the SONAME, then
    whatever ctypes.util.find_library("calsync") finds."""
    if _install_paths.LIBDIR:
        yield "the installed prefix", os.path.join(_install_paths.LIBDIR, INSTALLED_NAME)
    yield "the system loader", INSTALLED_NAME
    found = ctypes.util.find_library("calsync")
    if found and found != INSTALLED_NAME:
        yield "ctypes.util.find_library", found


def _open_library() -> ctypes.CDLL:
    """libcalsync: CALSYNC_LIBRARY when set (an explicit choice: a wrong one is reported,
    never replaced by another library), else the first candidate that loads. Failing
    that, an ImportError that lists what was tried and what to do."""
    explicit = os.environ.get(LIBRARY_ENV)
    candidates = ([(LIBRARY_ENV, explicit)] if explicit else list(_library_candidates()))
    tried = []
    for what, where in candidates:
        try:
            return ctypes.CDLL(where)
        except OSError as e:
            tried.append(f"  {what}: {where}: {e}")
    advice = (f"set {LIBRARY_ENV} to an existing libcalsync.so.1, or unset it to search"
              if explicit else
              f"install the C library (cmake --install <build> --strip, then ldconfig for "
              f"a system prefix) and reinstall this package with its pkgconfig directory on "
              f"PKG_CONFIG_PATH, or set {LIBRARY_ENV} to the library's path "
              f"(e.g. build/release/libcalsync.so.1)")
    raise ImportError("calsync cannot load libcalsync.so.1; tried:\n" + "\n".join(tried)
                      + "\n" + advice, name="calsync")


def _load() -> ctypes.CDLL:
    lib = _open_library()
    lib.calsync_abi_version.restype = ctypes.c_int
    lib.calsync_abi_version.argtypes = []
    if lib.calsync_abi_version() != ABI_VERSION:
        raise CalsyncError(f"the loaded library speaks ABI {lib.calsync_abi_version()}, "
                           f"this binding ABI {ABI_VERSION}")
    lib.calsync_version.restype = ctypes.c_char_p
    lib.calsync_version.argtypes = []
    lib.calsync_last_error_message.restype = ctypes.c_char_p
    lib.calsync_last_error_message.argtypes = []
    lib.calsync_last_error_http_status.restype = ctypes.c_int
    lib.calsync_last_error_http_status.argtypes = []
    lib.calsync_last_error_retry_after.restype = ctypes.c_longlong
    lib.calsync_last_error_retry_after.argtypes = []
    lib.calsync_string_free.restype = None
    lib.calsync_string_free.argtypes = [ctypes.c_void_p]
    for name, argtypes in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.argtypes = argtypes
        fn.restype = None if name in _VOID else ctypes.c_int
    return lib


lib = _load()


@contextlib.contextmanager
def lent_host_key(options: Any, key: bytes) -> Iterator[None]:
    """Points options.host_key at a copy of `key`, wiped once the call inside has returned
    (the library keeps its own copy)."""
    buffer = (ctypes.c_ubyte * max(len(key), 1)).from_buffer_copy(key or b"\0")
    options.host_key = ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ubyte))
    options.host_key_length = len(key)
    try:
        yield
    finally:
        ctypes.memset(buffer, 0, ctypes.sizeof(buffer))


def text(value: str | None) -> bytes | None:
    return None if value is None else value.encode("utf-8")


def document(request: dict[str, Any]) -> bytes:
    """A request as the library's JSON, with the schema version it expects."""
    return json.dumps({"version": 1, **request}).encode("utf-8")


def check(status: int) -> None:
    """Raises the exception for a failed call. The last error is per thread, and ctypes
    runs the call on this thread, so it is the error of this call."""
    if status != 0:
        http_status = lib.calsync_last_error_http_status()
        retry_after = lib.calsync_last_error_retry_after()
        raise error_for(status, lib.calsync_last_error_message().decode("utf-8", "replace"),
                        http_status=http_status or None,
                        retry_after=retry_after if retry_after >= 0 else None)


def take_string(out: ctypes.c_void_p) -> str:
    """The text of a string the library returned; frees it."""
    try:
        return ctypes.string_at(out).decode("utf-8")
    finally:
        lib.calsync_string_free(out)


def call(name: str, *args: Any) -> None:
    check(getattr(lib, name)(*args))


def call_for_string(name: str, *args: Any) -> str:
    """Calls a function whose last parameter is a char** output; returns its text."""
    out = ctypes.c_void_p()
    check(getattr(lib, name)(*args, ctypes.byref(out)))
    return take_string(out)


def call_for_json(name: str, *args: Any) -> Any:
    return json.loads(call_for_string(name, *args))


def call_for_handle(name: str, *args: Any) -> int:
    """Calls a constructor whose last parameter is a handle output; returns the pointer."""
    out = ctypes.c_void_p()
    check(getattr(lib, name)(*args, ctypes.byref(out)))
    return out.value


class Handle:
    """One owned C object: freed exactly once, never while a call is using it.

    Calls run inside `with handle.use() as ptr:`; close() refuses new uses, waits for the
    ones in flight, closes the children (connections of a client) and frees the object.
    `keepalive` holds what C may call back into (CFUNCTYPE objects) until after the free.
    """

    def __init__(self, ptr: int, free: str, what: str, parent: Handle | None = None,
                 keepalive: tuple = ()):
        self._ptr: int | None = ptr
        self._free = free
        self._what = what
        self._parent = parent
        self._keepalive = keepalive
        self._busy = 0
        self._closing = False
        self._cond = threading.Condition()
        self._children: set[Handle] = set()
        if parent is not None:
            parent._adopt(self)

    def _adopt(self, child: Handle) -> None:
        with self._cond:
            self._children.add(child)

    def _orphan(self, child: Handle) -> None:
        with self._cond:
            self._children.discard(child)

    @property
    def closed(self) -> bool:
        return self._ptr is None or self._closing

    @contextlib.contextmanager
    def use(self) -> Iterator[int]:
        with self._cond:
            if self._ptr is None or self._closing:
                raise ValueError(f"this {self._what} is closed")
            self._busy += 1
        try:
            # A child (a connection) is only used while its parent (the client) is too.
            with self._parent.use() if self._parent else contextlib.nullcontext():
                yield self._ptr
        finally:
            with self._cond:
                self._busy -= 1
                self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            if self._ptr is None or self._closing:
                return
            self._closing = True
            while self._busy:
                self._cond.wait()
            children = list(self._children)
        for child in children:
            child.close()
        getattr(lib, self._free)(self._ptr)
        with self._cond:
            self._ptr = None
            self._keepalive = ()
        if self._parent is not None:
            self._parent._orphan(self)


class HandleOwner:
    """close(), `closed` and the context manager of a Python object that owns one Handle.
    A finalizer closes the handle if the object is collected unclosed (a safety net)."""

    _handle: Handle

    def _own(self, handle: Handle) -> None:
        self._handle = handle
        self._finalizer = weakref.finalize(self, handle.close)

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return self._handle.closed

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def log_callback(on_log: Callable[[int, str], None]) -> Any:
    def trampoline(level: int, message: bytes, _user: int) -> None:
        on_log(level, message.decode("utf-8", "replace"))
    return LOG_FN(trampoline)


def slots_changed_callback(on_diff: Callable[[dict], None]) -> Any:
    def trampoline(diff_json: bytes, _user: int) -> None:
        on_diff(json.loads(diff_json))
    return SLOTS_CHANGED_FN(trampoline)
