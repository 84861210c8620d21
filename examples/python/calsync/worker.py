"""A fleet worker (calsync_worker_*): syncs the due connections of every business of a
shared store (PostgreSQL for many processes on many machines), with leases and fencing
tokens so that no connection is synced twice at once and a killed worker loses nothing.

    with calsync.Worker(host_key, "postgresql://calsync@db/calsync", threads=8) as w:
        w.run()            # until w.stop() from another thread

run_once() and run() from one thread at a time; stop() and mark_due() from any.
"""
from __future__ import annotations

import ctypes
from dataclasses import dataclass
from typing import Any, Optional

from . import _native
from .client import LogCallback
from .results import SyncReport


@dataclass
class WorkerPass:
    """What one run_once() did (calsync_worker_run_once's document)."""
    claimed: int
    reports: list[SyncReport]
    lost: list[str]      # leases taken over by another worker: nothing more was written
    failed: list[str]    # not synced (the log says why); due again after the first retry


class Worker(_native.HandleOwner):
    """A calsync_worker on the fleet at store_url ("postgresql://...", "sqlite:PATH",
    "memory:"), with the clients' host key and CLIENT_CONFIG."""

    def __init__(self, host_key: bytes, store_url: str, *, owner: Optional[str] = None,
                 config: Optional[dict[str, Any]] = None, threads: int = 0,
                 lease_seconds: int = 0, on_log: Optional[LogCallback] = None):
        key = bytes(host_key)
        options = _native.WorkerOptions()
        options.version = _native.WORKER_OPTIONS_VERSION
        options.store_url = _native.text(store_url)
        options.owner = _native.text(owner)
        options.config_json = None if config is None else _native.document(config)
        options.threads = threads
        options.lease_seconds = lease_seconds
        keepalive = []
        if on_log is not None:
            keepalive.append(_native.log_callback(on_log))
            options.log = keepalive[-1]
        with _native.lent_host_key(options, key):
            ptr = _native.call_for_handle("calsync_worker_new", ctypes.byref(options))
        self._own(_native.Handle(ptr, "calsync_worker_free", "calsync.Worker",
                                 keepalive=tuple(keepalive)))

    def run_once(self) -> WorkerPass:
        """Claims what is due now, syncs it, returns when done."""
        with self._handle.use() as ptr:
            j = _native.call_for_json("calsync_worker_run_once", ptr)
        return WorkerPass(claimed=j["claimed"],
                          reports=[SyncReport.from_json(r) for r in j["reports"]],
                          lost=list(j["lost"]), failed=list(j["failed"]))

    def run(self) -> None:
        """Syncs due connections until stop() (from another thread): up to the worker's
        threads at once, claiming again as threads free up (calsync_worker_run), and
        sleeps while nothing is due."""
        with self._handle.use() as ptr:
            _native.call("calsync_worker_run", ptr)

    def stop(self) -> None:
        # Not through use(): run() holds the handle in use on another thread, and stop()
        # is what ends it.
        _native.call("calsync_worker_stop", self._handle._ptr)

    def mark_due(self, business_id: str, connection_id: str) -> None:
        """A connection is due now (a push, "sync now", a sign-in), for any worker."""
        with self._handle.use() as ptr:
            _native.call("calsync_worker_mark_due", ptr, _native.text(business_id),
                         _native.text(connection_id))
