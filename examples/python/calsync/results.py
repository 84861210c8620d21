"""What the client calls answer, as frozen dataclasses built from the library's JSON
(the schemas are documented next to each function in calsync.h).

Instants are timezone-aware datetimes in UTC. States and directions are str enums, so
`status.state == "ok"` works as well as `status.state is SyncState.OK`; a value newer than
this binding stays a plain string.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import enum
from dataclasses import dataclass, field
from typing import Any, Iterator, Optional, TypeVar, Union

Instant = Union[_dt.datetime, str]
_E = TypeVar("_E", bound=enum.Enum)


def parse_instant(value: Optional[str]) -> Optional[_dt.datetime]:
    """An RFC 3339 instant from the library ("2026-03-29T01:30:00Z"), or None for null."""
    if value is None or value == "":
        return None
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    return _dt.datetime.fromisoformat(value).astimezone(_dt.timezone.utc)


def format_instant(value: Instant) -> str:
    """An aware datetime (any zone) or an RFC 3339 string, as the library's UTC form."""
    if isinstance(value, str):
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{value!r}: a naive datetime is ambiguous; give it a tzinfo")
    return value.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def whole_seconds(value: Union[_dt.timedelta, int, float], name: str) -> int:
    seconds = value.total_seconds() if isinstance(value, _dt.timedelta) else value
    if seconds != int(seconds):
        raise ValueError(f"{name}: whole seconds only, got {seconds}")
    return int(seconds)


def _enum(kind: type[_E], value: str) -> Union[_E, str]:
    try:
        return kind(value)
    except ValueError:
        return value


class Direction(str, enum.Enum):
    """Which way a selected calendar syncs."""

    IMPORT = "import"  # its events block slots
    EXPORT = "export"  # appointments are written to it
    BOTH = "both"


class SyncState(str, enum.Enum):
    NEVER_SYNCED = "never_synced"
    OK = "ok"
    ERROR = "error"
    RATE_LIMITED = "rate_limited"
    NEEDS_REAUTHORISATION = "needs_reauthorisation"
    CALENDAR_GONE = "calendar_gone"


class ConnectionState(str, enum.Enum):
    ACTIVE = "active"
    DISCONNECTED = "disconnected"


class AppointmentStatus(str, enum.Enum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class TimeRange:
    """Half-open [start, end)."""

    start: _dt.datetime
    end: _dt.datetime

    @classmethod
    def from_json(cls, j: dict) -> TimeRange:
        return cls(parse_instant(j["start"]), parse_instant(j["end"]))


@dataclass(frozen=True)
class BlockedSlot:
    """A time customers cannot book because of an external event."""

    start: _dt.datetime
    end: _dt.datetime
    connection_id: str
    calendar_id: str
    label: str  # the calendar's name, for the greyed-out UI
    event_id: str
    recurrence_id: _dt.datetime  # the occurrence's original start
    all_day: bool
    tentative: bool

    @classmethod
    def from_json(cls, j: dict) -> BlockedSlot:
        return cls(parse_instant(j["start"]), parse_instant(j["end"]), j["connection_id"],
                   j["calendar_id"], j["label"], j["event_id"],
                   parse_instant(j["recurrence_id"]), j["all_day"], j["tentative"])


def _slots(items: list) -> list[BlockedSlot]:
    return [BlockedSlot.from_json(s) for s in items]


@dataclass(frozen=True)
class BlockedSlots:
    slots: list[BlockedSlot]
    busy: list[TimeRange]  # merged, sorted, disjoint

    @classmethod
    def from_json(cls, j: dict) -> BlockedSlots:
        return cls(_slots(j["slots"]), [TimeRange.from_json(r) for r in j["busy"]])


@dataclass(frozen=True)
class SlotDiff:
    """Blocked slots that came and went (the on_slots_changed callback's argument)."""

    connection_id: str
    added: list[BlockedSlot]
    removed: list[BlockedSlot]

    @classmethod
    def from_json(cls, j: dict) -> SlotDiff:
        return cls(j["connection_id"], _slots(j["added"]), _slots(j["removed"]))


@dataclass(frozen=True)
class Policy:
    """Which events block: confirmed ones always; these three are choices."""

    tentative_blocks: bool = True
    unanswered_blocks: bool = True
    all_day_blocks: bool = True

    @classmethod
    def from_json(cls, j: dict) -> Policy:
        return cls(j["tentative_blocks"], j["unanswered_blocks"], j["all_day_blocks"])

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Calendar:
    id: str  # what select() takes (CalDAV: the collection URL)
    name: str
    color: str
    time_zone: str
    can_write: bool
    is_primary: bool
    selected: bool
    direction: Union[Direction, str]
    policy: Policy
    owner: str = ""  # the owner's e-mail address where the service names one (Microsoft)

    @classmethod
    def from_json(cls, j: dict) -> Calendar:
        return cls(j["id"], j["name"], j["color"], j["time_zone"], j["can_write"],
                   j["is_primary"], j["selected"], _enum(Direction, j["direction"]),
                   Policy.from_json(j["policy"]), j["owner"])


@dataclass(frozen=True)
class CalendarList:
    """An account's calendars now, and the selected ones it no longer lists (`gone`).
    Iterating yields the calendars."""

    calendars: list[Calendar]
    gone: list[str]

    @classmethod
    def from_json(cls, j: dict) -> CalendarList:
        return cls([Calendar.from_json(c) for c in j["calendars"]], list(j["gone"]))

    def __iter__(self) -> Iterator[Calendar]:
        return iter(self.calendars)

    def __len__(self) -> int:
        return len(self.calendars)

    def get(self, calendar_id: str) -> Optional[Calendar]:
        return next((c for c in self.calendars if c.id == calendar_id), None)


@dataclass(frozen=True)
class Status:
    """A connection's (or one calendar's) sync status. `calendars` holds the per-calendar
    statuses where the library reports them (Connection.status())."""

    state: Union[SyncState, str]
    last_attempt: Optional[_dt.datetime]
    last_success: Optional[_dt.datetime]
    next_due: Optional[_dt.datetime]
    last_error: str
    events_read: int
    events_exported: int
    consecutive_failures: int
    calendars: dict[str, Status] = field(default_factory=dict)

    @classmethod
    def from_json(cls, j: dict) -> Status:
        return cls(_enum(SyncState, j["state"]), parse_instant(j["last_attempt"]),
                   parse_instant(j["last_success"]), parse_instant(j["next_due"]),
                   j["last_error"], j["events_read"], j["events_exported"],
                   j["consecutive_failures"],
                   {k: Status.from_json(v) for k, v in j.get("calendars", {}).items()})


@dataclass(frozen=True)
class ConnectionInfo:
    id: str
    kind: str  # caldav, icloud, ics_feed, google, microsoft
    account: str
    state: Union[ConnectionState, str]
    status: Optional[Status] = None  # in Client.connections(), not in Connection.info()

    @classmethod
    def from_json(cls, j: dict) -> ConnectionInfo:
        status = j.get("status")
        return cls(j["id"], j["kind"], j["account"], _enum(ConnectionState, j["state"]),
                   None if status is None else Status.from_json(status))


@dataclass(frozen=True)
class SkippedEvent:
    """An event the server sent that could not be read (in `skipped`), or one left out for
    the occurrence limits (in `capped`: 10000 per event, 50000 per calendar in the sync
    window); the rest were still synced and still block."""

    event_id: str
    message: str


@dataclass(frozen=True)
class CalendarReport:
    calendar_id: str
    status: Status
    events_read: int
    exports_written: int
    skipped: list[SkippedEvent]
    capped: list[SkippedEvent] = field(default_factory=list)
    # events the periodic full read found otherwise than the incremental reads had left
    # them, corrected in this sync
    corrected: int = 0

    @classmethod
    def from_json(cls, j: dict) -> CalendarReport:
        return cls(j["calendar_id"], Status.from_json(j["status"]), j["events_read"],
                   j["exports_written"], [SkippedEvent(**e) for e in j["skipped"]],
                   [SkippedEvent(**e) for e in j.get("capped", [])], j["corrected"])


@dataclass(frozen=True)
class SyncReport:
    """One sync of one connection. A failing calendar does not stop the others: read
    `status` and each calendar's."""

    connection_id: str
    status: Status
    added: list[BlockedSlot]
    removed: list[BlockedSlot]
    calendars: list[CalendarReport]

    @classmethod
    def from_json(cls, j: dict) -> SyncReport:
        return cls(j["connection_id"], Status.from_json(j["status"]), _slots(j["added"]),
                   _slots(j["removed"]), [CalendarReport.from_json(c) for c in j["calendars"]])


@dataclass(frozen=True)
class HealthItem:
    check: str  # credentials, scopes, calendar:<id>, writable:<id>, sync
    ok: bool
    reason: str
    action: str  # what the user should do


@dataclass(frozen=True)
class HealthReport:
    connection_id: str
    ok: bool
    items: list[HealthItem]

    @classmethod
    def from_json(cls, j: dict) -> HealthReport:
        return cls(j["connection_id"], j["ok"], [HealthItem(**i) for i in j["items"]])

    @property
    def problems(self) -> list[HealthItem]:
        return [i for i in self.items if not i.ok]


@dataclass(frozen=True)
class FreeCheck:
    """confirm_free's answer. fresh=False: some calendar could not be read again in time
    (stale_connections), so the answer comes from what was read before."""

    free: bool
    fresh: bool
    stale_connections: list[str]
    conflicts: list[BlockedSlot]

    @classmethod
    def from_json(cls, j: dict) -> FreeCheck:
        return cls(j["free"], j["fresh"], list(j["stale_connections"]), _slots(j["conflicts"]))


@dataclass(frozen=True)
class Appointment:
    """A booking of the host's. `revision` is set on the ones the client lists."""

    id: str
    start: _dt.datetime
    end: _dt.datetime
    client: str = ""
    service: str = ""
    vehicle: str = ""
    notes: str = ""
    status: Union[AppointmentStatus, str] = AppointmentStatus.BOOKED
    revision: Optional[int] = None

    @classmethod
    def from_json(cls, j: dict) -> Appointment:
        return cls(j["id"], parse_instant(j["start"]), parse_instant(j["end"]), j["client"],
                   j["service"], j["vehicle"], j["notes"],
                   _enum(AppointmentStatus, j["status"]), j.get("revision"))

    def to_json(self) -> dict:
        status = self.status.value if isinstance(self.status, enum.Enum) else self.status
        return {"id": self.id, "start": format_instant(self.start),
                "end": format_instant(self.end), "client": self.client,
                "service": self.service, "vehicle": self.vehicle, "notes": self.notes,
                "status": status}


@dataclass(frozen=True)
class AuthorizationStart:
    """Client.authorize_begin's answer: send the person's browser to `url`."""

    connection_id: str
    url: str
    state: str


@dataclass(frozen=True)
class Tokens:
    """OAuth tokens. Secrets: store them sealed; repr() leaves them out."""

    access_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    scope: str = ""
    expires_at: Optional[_dt.datetime] = None

    @classmethod
    def from_json(cls, j: dict) -> Tokens:
        return cls(j.get("access_token", ""), j.get("refresh_token", ""), j.get("scope", ""),
                   parse_instant(j.get("expires_at")))

    def to_json(self) -> dict[str, Any]:
        j: dict[str, Any] = {"version": 1, "access_token": self.access_token,
                             "refresh_token": self.refresh_token, "scope": self.scope}
        if self.expires_at is not None:
            j["expires_at"] = format_instant(self.expires_at)
        return j


@dataclass(frozen=True)
class OAuthStart:
    """OAuth.begin's answer: send the browser to `url`; keep `code_verifier` (secret)
    until the redirect comes back."""

    url: str
    state: str
    code_verifier: str = field(repr=False)


@dataclass(frozen=True)
class OAuthResult:
    connection_id: str
    tokens: Tokens


@dataclass(frozen=True)
class DeviceAuthorization:
    """OAuth.device_begin's answer: show the person `user_code` and `verification_uri`
    (or `message`), then poll with `device_code`."""

    device_code: str = field(repr=False)
    user_code: str = ""
    verification_uri: str = ""
    message: str = ""
    interval_seconds: int = 5
    expires_at: Optional[_dt.datetime] = None

    @classmethod
    def from_json(cls, j: dict) -> DeviceAuthorization:
        return cls(j["device_code"], j["user_code"], j["verification_uri"], j.get("message", ""),
                   j["interval_seconds"], parse_instant(j.get("expires_at")))


@dataclass(frozen=True)
class PushTarget:
    """A calendar a push notification made due."""

    connection_id: str
    calendar_id: str


@dataclass(frozen=True)
class PushAnswer:
    """Client.handle_push's answer: reply `status` with `content_type` and `body` to the
    service that pushed; `marked` were made due (run Client.run_due soon after replying)."""

    status: int  # the HTTP status to reply (Graph 202, Google 200, the handshake 200)
    content_type: str
    body: str
    source: str  # graph_validation, graph or google
    marked: list[PushTarget]
    events: list[str]  # Graph lifecycle events and Google resource states seen
    renew_due: list[str]  # channel ids due for Client.renew_push
    forgotten: list[str]  # channel ids calsync no longer holds (watch again)
    ignored: str  # "", unknown_channel, calendar_not_selected, connection_disconnected
    refused: int  # Graph notifications with a wrong clientState

    @classmethod
    def from_json(cls, j: dict) -> PushAnswer:
        return cls(j["status"], j["content_type"], j["body"], j["source"],
                   [PushTarget(m["connection_id"], m["calendar_id"]) for m in j["marked"]],
                   list(j["events"]), list(j["renew_due"]), list(j["forgotten"]),
                   j["ignored"], j["refused"])


@dataclass(frozen=True)
class PushChannel:
    """Connection.watch's answer: a Google channel or a Graph subscription calsync holds."""

    channel_id: str
    connection_id: str
    calendar_id: str
    kind: str  # google or microsoft
    expires_at: Optional[_dt.datetime]

    @classmethod
    def from_json(cls, j: dict) -> PushChannel:
        return cls(j["channel_id"], j["connection_id"], j["calendar_id"], j["kind"],
                   parse_instant(j["expires_at"]))


@dataclass(frozen=True)
class RenewalError:
    code: str
    message: str


@dataclass(frozen=True)
class PushRenewal:
    """What Client.renew_push did for one channel; `error` says why when not `ok`."""

    connection_id: str
    calendar_id: str
    old_channel_id: str
    channel_id: str  # the same for Graph; empty on failure
    expires_at: Optional[_dt.datetime]  # None on failure
    ok: bool
    error: Optional[RenewalError] = None

    @classmethod
    def from_json(cls, j: dict) -> PushRenewal:
        error = j.get("error")
        return cls(j["connection_id"], j["calendar_id"], j["old_channel_id"], j["channel_id"],
                   parse_instant(j["expires_at"]), j["ok"],
                   None if error is None else RenewalError(error["code"], error["message"]))
