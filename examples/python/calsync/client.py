"""The sync service: Client (calsync_client_*) and Connection (calsync_connection_*).

A Client may be shared between threads (the library syncs different connections in
parallel); so may a Connection. Both are context managers; close() frees the handle (a
Connection's close() does not disconnect the account: disconnect() does). A Client's
close() first closes its connections and waits for calls in flight. Handles that are
never closed are freed when garbage-collected, as a safety net only.

Callbacks run on the thread doing the work (the caller's, or one of run_due's workers).
They must not close the client. An exception raised in one cannot cross into C: Python
reports it through sys.unraisablehook and the library carries on.
"""
from __future__ import annotations

import ctypes
import datetime as _dt
import logging
from typing import Any, Callable, Optional, Union

from . import _native
from .results import (Appointment, AuthorizationStart, BlockedSlots, CalendarList,
                      ConnectionInfo, Direction, FreeCheck, HealthReport, Instant, Policy,
                      PushAnswer, PushChannel, PushRenewal, SlotDiff, Status, SyncReport, TimeRange, Tokens, format_instant,
                      whole_seconds)

LogCallback = Callable[[int, str], None]
SlotsCallback = Callable[[SlotDiff], None]
Seconds = Union[_dt.timedelta, int, float]

# CALSYNC_LOG_* -> logging levels.
_LOGGING_LEVELS = {0: logging.DEBUG, 1: logging.INFO, 2: logging.WARNING, 3: logging.ERROR}


def log_to(logger: logging.Logger) -> LogCallback:
    """An on_log callback that forwards the library's lines to a logging.Logger."""
    def on_log(level: int, message: str) -> None:
        logger.log(_LOGGING_LEVELS.get(level, logging.ERROR), "%s", message)
    return on_log


class Client(_native.HandleOwner):
    """A calsync_client: connections to calendar services kept in sync with a store.

    host_key: at least 32 secret bytes the host keeps; it seals credentials in the store,
    so a store can only be reopened with the same key.
    store_path: the SQLite file (created when absent); None keeps everything in memory.
    store_url, business_id: instead of store_path, the client of one business of a fleet
    store shared with workers and other clients ("postgresql://...", "sqlite:PATH",
    "memory:"; CLIENT_CONFIG's "store" in calsync.h); business_id defaults to "default".
    config: CLIENT_CONFIG of calsync.h ({"zone": "Europe/Berlin", "window": ...,
    "network": ...}); "version" is added.
    on_log(level, message): log lines (CALSYNC_LOG_*), never containing a secret.
    on_slots_changed(SlotDiff): blocked slots that came and went.
    """

    def __init__(self, host_key: bytes, store_path: Optional[str] = None, *,
                 config: Optional[dict[str, Any]] = None,
                 on_log: Optional[LogCallback] = None,
                 on_slots_changed: Optional[SlotsCallback] = None,
                 store_url: Optional[str] = None, business_id: Optional[str] = None):
        if store_url is not None or business_id is not None:
            store: dict[str, Any] = {} if store_url is None else {"url": store_url}
            if business_id is not None:
                store["business_id"] = business_id
            config = {**(config or {}), "store": store}
        key = bytes(host_key)
        options = _native.ClientOptions()
        options.version = _native.CLIENT_OPTIONS_VERSION
        options.store_path = _native.text(store_path)
        options.config_json = None if config is None else _native.document(config)
        # The CFUNCTYPE objects must outlive every call C can make into them: the handle
        # keeps them until after calsync_client_free.
        # (Reading a field back gives a new ctypes object: keep the ones made here.)
        keepalive = []
        if on_log is not None:
            keepalive.append(_native.log_callback(on_log))
            options.log = keepalive[-1]
        if on_slots_changed is not None:
            keepalive.append(_native.slots_changed_callback(
                lambda j: on_slots_changed(SlotDiff.from_json(j))))
            options.slots_changed = keepalive[-1]
        with _native.lent_host_key(options, key):
            ptr = _native.call_for_handle("calsync_client_new", ctypes.byref(options))
        self._own(_native.Handle(ptr, "calsync_client_free", "calsync.Client",
                                 keepalive=tuple(keepalive)))

    def _call(self, name: str, *args: Any) -> None:
        with self._handle.use() as ptr:
            _native.call(name, ptr, *args)

    def _json(self, name: str, *args: Any) -> Any:
        with self._handle.use() as ptr:
            return _native.call_for_json(name, ptr, *args)

    def _connection(self, name: str, *args: Any) -> Connection:
        with self._handle.use() as ptr:
            return Connection(self, _native.call_for_handle(name, ptr, *args))

    # --- connections

    def connect(self, kind: str, *, settings: Optional[dict[str, Any]] = None,
                password: Optional[str] = None, tokens: Union[Tokens, dict, None] = None,
                connection_id: Optional[str] = None) -> Connection:
        """Adds an account (calsync_client_connect): kind caldav, icloud or ics_feed with
        settings (url, username, name, owner_addresses) and a password, or google or
        microsoft with tokens. The account is checked before anything is stored; one
        connected before gets its old connection (and export map) back."""
        request: dict[str, Any] = {"kind": kind}
        if settings is not None:
            request["settings"] = settings
        if password is not None:
            request["password"] = password
        if tokens is not None:
            request["tokens"] = tokens.to_json() if isinstance(tokens, Tokens) else tokens
        if connection_id is not None:
            request["connection_id"] = connection_id
        return self._connection("calsync_client_connect", _native.document(request))

    def connect_caldav(self, url: str, username: str, password: str, *,
                       connection_id: Optional[str] = None) -> Connection:
        """A CalDAV server, principal, calendar home or calendar URL (RFC 6764 discovery
        finds the rest)."""
        return self.connect("caldav", settings={"url": url, "username": username},
                            password=password, connection_id=connection_id)

    def connect_icloud(self, apple_id: str, app_password: str, *,
                       connection_id: Optional[str] = None) -> Connection:
        """iCloud takes an app-specific password, never the Apple ID password."""
        return self.connect("icloud", settings={"username": apple_id}, password=app_password,
                            connection_id=connection_id)

    def connect_ics_feed(self, url: str, *, name: Optional[str] = None,
                         owner_addresses: Optional[list[str]] = None,
                         connection_id: Optional[str] = None) -> Connection:
        settings: dict[str, Any] = {"url": url}
        if name is not None:
            settings["name"] = name
        if owner_addresses is not None:
            settings["owner_addresses"] = owner_addresses
        return self.connect("ics_feed", settings=settings, connection_id=connection_id)

    def authorize_begin(self, kind: str,
                        connection_id: Optional[str] = None) -> AuthorizationStart:
        """Starts a Google or Microsoft sign-in; send the browser to the answer's url."""
        request: dict[str, Any] = {"kind": kind}
        if connection_id is not None:
            request["connection_id"] = connection_id
        j = self._json("calsync_client_authorize_begin", _native.document(request))
        return AuthorizationStart(j["connection_id"], j["url"], j["state"])

    def authorize_complete(self, *, redirect_url: Optional[str] = None,
                           state: Optional[str] = None,
                           code: Optional[str] = None) -> Connection:
        """The redirect came back: pass its whole URL, or its state and code."""
        request = ({"redirect_url": redirect_url} if redirect_url is not None
                   else {"state": state, "code": code})
        return self._connection("calsync_client_authorize_complete", _native.document(request))

    def connection(self, connection_id: str) -> Connection:
        """A handle for a stored connection; NotFoundError when there is none."""
        return self._connection("calsync_client_connection", _native.text(connection_id))

    def connections(self) -> list[ConnectionInfo]:
        j = self._json("calsync_client_connections")
        return [ConnectionInfo.from_json(c) for c in j["connections"]]

    def run_due(self) -> list[SyncReport]:
        """Syncs every connection that is due; call it every minute or so."""
        return [SyncReport.from_json(r) for r in self._json("calsync_client_run_due")["reports"]]

    def run_due_within(self, wait: Seconds) -> tuple[list[SyncReport], list[str]]:
        """run_due that returns after at most `wait` (calsync_client_run_due_within):
        the reports of the syncs that finished, and the ids of the due connections that did
        not (still running on the client's pool, or not started: due at the next call)."""
        seconds = wait.total_seconds() if isinstance(wait, _dt.timedelta) else float(wait)
        j = self._json("calsync_client_run_due_within", ctypes.c_longlong(int(seconds * 1000)))
        return [SyncReport.from_json(r) for r in j["reports"]], list(j["unfinished"])

    # --- availability

    # --- push notifications (Google channels, Graph subscriptions)

    def handle_push(self, method: str, query: str = "",
                    headers: Optional[dict[str, str]] = None, body: str = "") -> PushAnswer:
        """What the host's push endpoint received, as it came (calsync_client_handle_push).
        The answer says what to reply (`status`, `content_type`, `body`) and which
        calendars were made due (`marked`); a forged notification raises AuthError
        (reply 403)."""
        request = {"method": method, "query": query, "body": body,
                   "headers": [{"name": n, "value": v} for n, v in (headers or {}).items()]}
        return PushAnswer.from_json(
            self._json("calsync_client_handle_push", _native.document(request)))

    def renew_push(self) -> list[PushRenewal]:
        """Renews every channel with less than a day left; call it hourly. Each entry
        says whether its channel was renewed (`ok`) and, if not, why (`error`)."""
        return [PushRenewal.from_json(r)
                for r in self._json("calsync_client_renew_push")["channels"]]

    def blocked_slots(self, start: Instant, end: Instant) -> BlockedSlots:
        """The slots customers cannot book in [start, end), from what was read."""
        request = {"start": format_instant(start), "end": format_instant(end)}
        return BlockedSlots.from_json(
            self._json("calsync_client_blocked_slots", _native.document(request)))

    def free_slots(self, start: Instant, end: Instant, duration: Seconds,
                   step: Seconds = 900) -> list[TimeRange]:
        """Bookable windows of `duration` starting at start + k * step. More than 100000
        windows in one answer raise LimitError (ask for a shorter range or a longer step)."""
        request = {"within": {"start": format_instant(start), "end": format_instant(end)},
                   "duration_seconds": whole_seconds(duration, "duration"),
                   "step_seconds": whole_seconds(step, "step")}
        j = self._json("calsync_client_free_slots", _native.document(request))
        return [TimeRange.from_json(r) for r in j["free"]]

    def confirm_free(self, start: Instant, end: Instant,
                     timeout: Seconds = 3.0) -> FreeCheck:
        """Before confirming a booking: reads every import calendar again for at most
        `timeout`, then answers whether [start, end) is still free."""
        milliseconds = (timeout.total_seconds() if isinstance(timeout, _dt.timedelta)
                        else timeout) * 1000
        request = {"start": format_instant(start), "end": format_instant(end),
                   "timeout_ms": int(milliseconds)}
        return FreeCheck.from_json(
            self._json("calsync_client_confirm_free", _native.document(request)))

    # --- appointments

    def upsert_appointment(self, appointment: Appointment) -> None:
        """Adds or changes a booking; the export calendars are due at once."""
        self._call("calsync_client_upsert_appointment", _native.document(appointment.to_json()))

    def cancel_appointment(self, appointment_id: str) -> None:
        """Its exported events are deleted at the next sync; NotFoundError if unknown."""
        self._call("calsync_client_cancel_appointment", _native.text(appointment_id))

    def appointments(self) -> list[Appointment]:
        j = self._json("calsync_client_appointments")
        return [Appointment.from_json(a) for a in j["appointments"]]

    def team_feed(self, *, connection_id: Optional[str] = None,
                  calendar_name: Optional[str] = None, busy_only: bool = False,
                  refresh_interval_minutes: Optional[int] = None) -> str:
        """The appointments as one iCalendar document, for a subscription feed."""
        request: dict[str, Any] = {"busy_only": busy_only}
        for key, value in (("connection_id", connection_id), ("calendar_name", calendar_name),
                           ("refresh_interval_minutes", refresh_interval_minutes)):
            if value is not None:
                request[key] = value
        with self._handle.use() as ptr:
            return _native.call_for_string("calsync_client_team_feed", ptr,
                                           _native.document(request))


class Connection(_native.HandleOwner):
    """A calsync_connection: one connection of a Client. Keeps its Client alive; closed
    with it at the latest. close() frees this handle; the connection itself stays (see
    disconnect())."""

    def __init__(self, client: Client, ptr: int):
        self.client = client
        self._own(_native.Handle(ptr, "calsync_connection_free", "calsync.Connection",
                                 parent=client._handle))
        self.id = self.info().id

    def __repr__(self) -> str:
        return f"<calsync.Connection {self.id!r}{' closed' if self.closed else ''}>"

    def _call(self, name: str, *args: Any) -> None:
        with self._handle.use() as ptr:
            _native.call(name, ptr, *args)

    def _json(self, name: str, *args: Any) -> Any:
        with self._handle.use() as ptr:
            return _native.call_for_json(name, ptr, *args)

    def info(self) -> ConnectionInfo:
        return ConnectionInfo.from_json(self._json("calsync_connection_info"))

    def calendars(self) -> CalendarList:
        """The account's calendars now (one request), with what is selected."""
        return CalendarList.from_json(self._json("calsync_connection_calendars"))

    def select(self, calendar_id: str, direction: Union[Direction, str] = Direction.IMPORT,
               policy: Optional[Policy] = None) -> None:
        """Syncs a calendar in a direction (export needs one the account can write)."""
        request: dict[str, Any] = {"calendar_id": calendar_id,
                                   "direction": Direction(direction).value}
        if policy is not None:
            request["policy"] = policy.to_json()
        self._call("calsync_connection_select", _native.document(request))

    def deselect(self, calendar_id: str) -> None:
        """Its events stop blocking at once; exports stay."""
        self._call("calsync_connection_deselect", _native.text(calendar_id))

    def sync(self) -> SyncReport:
        """Syncs now. A report is made even when calendars failed: read its status."""
        return SyncReport.from_json(self._json("calsync_connection_sync"))

    def request_sync(self) -> None:
        """Due at once (a push notification, "sync now")."""
        self._call("calsync_connection_request_sync")

    def watch(self, calendar_id: str, address: str) -> PushChannel:
        """Asks Google or Microsoft to notify `address` (the host's HTTPS endpoint, which
        hands what it receives to Client.handle_push) when the calendar changes. CalDAV,
        iCloud and ICS feeds have no push (InvalidArgumentError); they are polled."""
        return PushChannel.from_json(self._json(
            "calsync_connection_watch",
            _native.document({"calendar_id": calendar_id, "address": address})))

    def status(self) -> Status:
        return Status.from_json(self._json("calsync_connection_status"))

    def check(self) -> HealthReport:
        """The health check (doctor), talking to the service."""
        return HealthReport.from_json(self._json("calsync_connection_check"))

    def disconnect(self, revoke: bool = False) -> None:
        """Imported events and blocked slots go at once; exported events stay, and the
        export map is kept for a reconnect. revoke first revokes the OAuth grant; where
        that cannot be done (InvalidArgumentError: no grant, or Microsoft; NetworkError,
        HttpError) nothing is disconnected."""
        self._call("calsync_connection_disconnect", 1 if revoke else 0)
