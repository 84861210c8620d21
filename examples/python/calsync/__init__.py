"""calsync for Python: libcalsync.so.1 through ctypes, no compiled extension.

The library is CALSYNC_LIBRARY when that is set (e.g. a build tree's libcalsync.so.1), else
the one installed where `pip install` found calsync.pc (pkg-config), else the
libcalsync.so.1 the system loader finds; when none loads, the import raises an ImportError
saying what was tried.

    import calsync
    with calsync.Client(host_key, "calsync.sqlite", config={"zone": "Europe/Berlin"}) as c:
        with c.connect_caldav(url, "garage", password) as k:
            k.select(calendar_id, calsync.Direction.BOTH)
            k.sync()
        print(c.blocked_slots(start, end).slots)
"""
from .client import Client, Connection, log_to
from .engine import blocked_slots, free_slots, version
from .errors import (AuthError, CalsyncError, ConflictError, HttpError, InternalError,
                     InvalidArgumentError, LeaseLostError, LimitError, NetworkError, NotFoundError,
                     OutOfMemoryError, ParseError, PendingError, RateLimitError, StatusCode,
                     ZoneError)
from .oauth import OAuth
from .worker import Worker, WorkerPass
from .results import (Appointment, AppointmentStatus, AuthorizationStart, BlockedSlot,
                      BlockedSlots, Calendar, CalendarList, CalendarReport, ConnectionInfo,
                      ConnectionState, DeviceAuthorization, Direction, FreeCheck, HealthItem,
                      HealthReport, OAuthResult, OAuthStart, Policy, PushAnswer, PushChannel,
                      PushRenewal, PushTarget, RenewalError, SkippedEvent, SlotDiff, Status,
                      SyncReport, SyncState, TimeRange, Tokens)

__version__ = "0.1.0"

__all__ = [
    "Client", "Connection", "OAuth", "log_to", "blocked_slots", "free_slots", "version",
    "StatusCode", "CalsyncError", "InvalidArgumentError", "ParseError", "ZoneError",
    "OutOfMemoryError", "InternalError", "LimitError", "AuthError", "NetworkError",
    "HttpError", "RateLimitError", "NotFoundError", "ConflictError", "PendingError",
    "LeaseLostError",
    "Appointment", "AppointmentStatus", "AuthorizationStart", "BlockedSlot", "BlockedSlots",
    "Calendar", "CalendarList", "CalendarReport", "ConnectionInfo", "ConnectionState",
    "DeviceAuthorization", "Direction", "FreeCheck", "HealthItem", "HealthReport",
    "OAuthResult", "OAuthStart", "Policy", "PushAnswer", "PushChannel", "PushRenewal",
    "PushTarget", "RenewalError", "SkippedEvent", "SlotDiff", "Status",
    "SyncReport", "SyncState", "TimeRange", "Tokens",
]
