"""The background thread that keeps calendars in sync: run_due every tick (a minute by
default), renew_push every hour. A push notification, a booking or a new calendar choice
wakes it at once (wake()), so what they made due is synced within a second or so, not at
the next tick.

calsync decides what is due (15-30 minutes after a good sync, at once after a push or a
change, later after failures), so the thread only has to ask often; one run_due syncs
the due connections in parallel (max_concurrent_syncs).
"""
from __future__ import annotations

import logging
import threading
import time

import calsync

RENEW_EVERY_SECONDS = 3600
log = logging.getLogger("calsync_web.scheduler")


class Scheduler:
    def __init__(self, client: calsync.Client, tick_seconds: float):
        self._client = client
        self._tick = tick_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._renew_now = False
        self._thread = threading.Thread(target=self._run, name="calsync-scheduler",
                                        daemon=True)

    def start(self) -> None:
        self._thread.start()

    def wake(self, renew: bool = False) -> None:
        """Runs run_due (and renew_push when `renew`) now instead of at the next tick."""
        if renew:
            self._renew_now = True
        self._wake.set()

    def stop(self) -> None:
        """Returns once the thread finished what it was doing."""
        self._stopping.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        next_renewal = 0.0
        while not self._stopping.is_set():
            self._wake.clear()
            self._run_due()
            if self._renew_now or time.monotonic() >= next_renewal:
                self._renew_now = False
                self._renew_push()
                next_renewal = time.monotonic() + RENEW_EVERY_SECONDS
            self._wake.wait(self._tick)

    def _run_due(self) -> None:
        try:
            reports = self._client.run_due()
        except calsync.CalsyncError as e:  # the store failed: the next tick tries again
            log.error("could not run the due syncs: %s", e.message)
            return
        for report in reports:
            status = report.status
            if status.state == calsync.SyncState.OK:
                log.info("synced %s: %d slot(s) added, %d removed", report.connection_id,
                         len(report.added), len(report.removed))
            else:
                log.warning("sync of %s: %s: %s", report.connection_id,
                            getattr(status.state, "value", status.state), status.last_error)

    def _renew_push(self) -> None:
        try:
            channels = self._client.renew_push()
        except calsync.CalsyncError as e:
            log.error("could not renew the push channels: %s", e.message)
            return
        for channel in channels:
            if channel.ok:
                log.info("push channel of %s renewed until %s", channel.calendar_id,
                         channel.expires_at)
            else:
                log.warning("push channel of %s not renewed: %s", channel.calendar_id,
                            channel.error.message)
