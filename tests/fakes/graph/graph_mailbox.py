"""One Outlook mailbox as Microsoft Graph v1.0 shows it: calendars, events, recurring series
expanded into occurrences and exceptions, and a change log for delta queries.

Facts followed (microsoft-graph-docs-contrib): resources/event.md, resources/calendar.md,
api/event-delta.md, concepts/delta-query-events.md, resources/datetimetimezone.md,
extended-properties-overview.md, singlevaluelegacyextendedproperty-get.md.
"""
import base64
import datetime
import hashlib
import itertools
import os
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

UTC = datetime.timezone.utc
WINDOWS_ZONES_XML = "/usr/share/unicode/cldr/common/supplemental/windowsZones.xml"


def load_windows_zones(path=WINDOWS_ZONES_XML):
    """Windows name -> IANA name (CLDR territory 001), as Exchange resolves them."""
    zones = {}
    if os.path.exists(path):
        for m in ET.parse(path).iter("mapZone"):
            if m.get("territory") == "001":
                zones[m.get("other")] = m.get("type")
    return zones


WINDOWS_ZONES = load_windows_zones()


class GraphError(Exception):
    """An answer with Graph's error body {"error": {"code", "message", "innerError"}}."""

    def __init__(self, status, code, message, headers=()):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, list(headers)

    def body(self):
        return {"error": {"code": self.code, "message": self.message,
                          "innerError": {"date": now_utc().strftime("%Y-%m-%dT%H:%M:%S"),
                                         "request-id": "00000000-0000-0000-0000-000000000000"}}}


def not_found():
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def now_utc():
    return datetime.datetime.now(UTC).replace(microsecond=0)


def zone_for(name):
    """The tzinfo of a Prefer: outlook.timezone / dateTimeTimeZone name (Windows or IANA)."""
    if name in ("", "UTC", "tzone://Microsoft/Utc"):
        return UTC
    iana = WINDOWS_ZONES.get(name, name)
    try:
        return ZoneInfo(iana)
    except Exception:
        raise GraphError(400, "ErrorInvalidTimeZone", f"The time zone '{name}' is not supported.")


def parse_instant(text, zone_name="UTC"):
    """An ISO 8601 date-time; without an offset it is read in `zone_name`."""
    text = text.strip().replace("Z", "+00:00")
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(\.\d+)?([+-]\d\d:\d\d)?$", text)
    if not m:
        raise GraphError(400, "ErrorInvalidParameter", f"'{text}' is not a valid date-time.")
    base = datetime.datetime.fromisoformat(m.group(1))
    if m.group(3):
        return base.replace(tzinfo=datetime.datetime.strptime(m.group(3).replace(":", ""),
                                                               "%z").tzinfo).astimezone(UTC)
    return base.replace(tzinfo=zone_for(zone_name)).astimezone(UTC)


def graph_datetime(moment, zone):
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S.0000000")


def new_id(prefix, seed):
    # Long, base64-looking and case-sensitive like Exchange ids, with '=' and '-'.
    digest = base64.urlsafe_b64encode(hashlib.sha256(seed.encode()).digest()).decode()
    return f"AAMk{prefix}{digest[:40]}="


class Calendar:
    def __init__(self, cid, name, can_edit=True, default=False, color="auto", hex_color="",
                 owner=("Garage Owner", "owner@garage.example")):
        self.id, self.name, self.can_edit, self.default = cid, name, can_edit, default
        self.color, self.hex_color, self.owner = color, hex_color, owner

    def to_json(self):
        return {"id": self.id, "name": self.name, "color": self.color, "hexColor": self.hex_color,
                "isDefaultCalendar": self.default, "changeKey": "ck-" + self.id[-8:],
                "canShare": self.can_edit, "canViewPrivateItems": True, "canEdit": self.can_edit,
                "isRemovable": not self.default, "isTallyingResponses": True,
                "owner": {"name": self.owner[0], "address": self.owner[1]}}


class Event:
    """A single event or a series master; `every_days` + `count` make it recurring."""
    FIELDS = ("subject", "body", "location", "showAs", "isCancelled", "response", "isOrganizer",
              "sensitivity", "isAllDay", "originalStartTimeZone", "broken")

    def __init__(self, eid, calendar_id, fields):
        self.id, self.calendar_id = eid, calendar_id
        self.subject, self.body, self.location = "", "", ""
        self.showAs, self.isCancelled, self.response, self.isOrganizer = "busy", False, "organizer", True
        self.sensitivity, self.isAllDay = "normal", False
        self.broken = False  # test hook: rendered without its start, as a malformed event
        self.originalStartTimeZone = "W. Europe Standard Time"
        self.start = self.end = None  # aware UTC datetimes; all-day ones at UTC midnight
        self.every_days, self.count = 0, 0
        self.transaction_id = None
        self.properties = {}  # single-value extended properties: id -> value
        self.overrides, self.cancelled = {}, set()  # occurrence index -> fields / cancelled
        self.change_key_counter = 0
        self.ical_uid = "040000008200E00074C5B7101A82E008" + hashlib.sha1(eid.encode()).hexdigest()
        self.apply(fields)

    def apply(self, fields):
        for key in self.FIELDS:
            if key in fields:
                setattr(self, key, fields[key])
        if "start" in fields:
            self.start = fields["start"]
        if "end" in fields:
            self.end = fields["end"]
        if "recurrence" in fields and fields["recurrence"]:
            self.every_days = int(fields["recurrence"]["every_days"])
            self.count = int(fields["recurrence"]["count"])
        self.change_key_counter += 1

    def change_key(self, extra=""):
        digest = hashlib.sha256(f"{self.id}/{self.change_key_counter}/{extra}".encode()).digest()
        return base64.b64encode(digest[:15]).decode()

    def instances(self):
        """(instance id, type, occurrence index or None, start, end, override fields)."""
        if not self.every_days:
            yield self.id, "singleInstance", None, self.start, self.end, {}
            return
        step = datetime.timedelta(days=self.every_days)
        for k in range(self.count):
            if k in self.cancelled:
                continue
            over = self.overrides.get(k, {})
            start = over.get("start", self.start + k * step)
            end = over.get("end", self.end + k * step)
            yield f"{self.id}_OCC{k}", "exception" if over else "occurrence", k, start, end, over


class Mailbox:
    def __init__(self):
        self.calendars = {}
        self.events = {}  # id -> Event (masters and single instances)
        self.version = 0
        self.instance_version = {}  # instance id -> version of its last change
        self.tombstones = set()     # instance ids deleted
        self.ids = itertools.count(1)
        self.add_calendar(Calendar(new_id("Cal", "default"), "Calendar", default=True))
        self.add_calendar(Calendar(new_id("Cal", "workshop"), "Workshop", hex_color="#FF8800",
                                   color="lightOrange"))
        self.add_calendar(Calendar(new_id("Cal", "holidays"), "Holidays", can_edit=False,
                                   owner=("Holiday Service", "holidays@example.org")))

    def add_calendar(self, calendar):
        self.calendars[calendar.id] = calendar
        return calendar

    def default_calendar(self):
        return next(c for c in self.calendars.values() if c.default)

    def calendar(self, cid):
        if cid not in self.calendars:
            raise not_found()
        return self.calendars[cid]

    # --- the change log -------------------------------------------------------------------

    def _touch(self, before, event):
        """Bumps the version of every instance that appeared, changed or went away."""
        after = {i[0] for i in event.instances()} if event and event.id in self.events else set()
        self.version += 1
        for iid in before | after:
            self.instance_version[iid] = self.version
            if iid in after:
                self.tombstones.discard(iid)
            else:
                self.tombstones.add(iid)

    def _ids_of(self, event):
        return {i[0] for i in event.instances()}

    def create(self, calendar_id, fields, transaction_id=None, properties=None):
        self.calendar(calendar_id)
        eid = new_id("Evt", f"{calendar_id}/{next(self.ids)}")
        event = Event(eid, calendar_id, fields)
        event.transaction_id = transaction_id
        event.properties = dict(properties or {})
        self.events[eid] = event
        self._touch(set(), event)
        return event

    def find_master(self, instance_id):
        """The event and occurrence index an instance id names."""
        if instance_id in self.events:
            return self.events[instance_id], None
        m = re.match(r"^(.*)_OCC(\d+)$", instance_id)
        if m and m.group(1) in self.events:
            event, k = self.events[m.group(1)], int(m.group(2))
            if k < event.count and k not in event.cancelled:
                return event, k
        raise not_found()

    def update(self, instance_id, fields):
        event, k = self.find_master(instance_id)
        before = self._ids_of(event)
        if k is None:
            event.apply(fields)
        else:  # an occurrence becomes an exception
            event.overrides.setdefault(k, {}).update(fields)
            event.change_key_counter += 1
        self._touch(before, event)
        return event

    def delete(self, instance_id):
        event, k = self.find_master(instance_id)
        before = self._ids_of(event)
        if k is None:
            del self.events[event.id]
            self._touch(before, None)
        else:
            event.cancelled.add(k)
            self._touch(before, event)

    def find_by_transaction(self, transaction_id):
        return next((e for e in self.events.values() if e.transaction_id == transaction_id), None)

    # --- reading --------------------------------------------------------------------------

    def all_instances(self, calendar_id):
        for event in self.events.values():
            if event.calendar_id != calendar_id:
                continue
            for iid, kind, k, start, end, over in event.instances():
                yield event, iid, kind, k, start, end, over

    def instance(self, instance_id):
        event, k = self.find_master(instance_id)
        for inst in event.instances():
            if inst[0] == instance_id or (k is None and inst[2] is None):
                return (event,) + inst
        raise not_found()

    @staticmethod
    def overlaps(start, end, window):
        # calendarView: events that overlap [startDateTime, endDateTime).
        return start < window[1] and (end > window[0] or (end == start and start >= window[0]))

    def render(self, event, iid, kind, k, start, end, over, zone_name, expand_ids=()):
        """The Graph JSON of one instance, its times in the Prefer: outlook.timezone zone."""
        zone = zone_for(zone_name)
        shown_zone = zone_name or "UTC"
        field = lambda name: over.get(name, getattr(event, name))
        change_key = event.change_key(iid)

        def when(moment):
            if field("isAllDay"):
                # All-day: midnight to midnight; the date is kept as it is.
                return {"dateTime": moment.strftime("%Y-%m-%dT00:00:00.0000000"),
                        "timeZone": shown_zone}
            return {"dateTime": graph_datetime(moment, zone), "timeZone": shown_zone}

        out = {
            "@odata.type": "#microsoft.graph.event",
            "@odata.etag": f'W/"{change_key}"',
            "id": iid, "changeKey": change_key,
            "createdDateTime": "2026-01-01T00:00:00Z", "lastModifiedDateTime": "2026-01-02T00:00:00Z",
            "categories": [], "transactionId": event.transaction_id,
            "originalStartTimeZone": event.originalStartTimeZone,
            "originalEndTimeZone": event.originalStartTimeZone,
            "iCalUId": event.ical_uid + (f"{k:04d}" if k is not None else ""),
            "subject": field("subject"), "bodyPreview": field("body")[:255],
            "body": {"contentType": "text", "content": field("body")},
            "importance": "normal", "sensitivity": field("sensitivity"),
            "isAllDay": field("isAllDay"), "isCancelled": field("isCancelled"),
            "isOrganizer": field("isOrganizer"), "showAs": field("showAs"),
            "type": kind, "seriesMasterId": event.id if k is not None else None,
            "responseStatus": {"response": field("response"), "time": "0001-01-01T00:00:00Z"},
            "start": when(start), "end": when(end),
            "location": {"displayName": field("location")},
            "attendees": [], "organizer": {"emailAddress": {"name": "Garage Owner",
                                                            "address": "owner@garage.example"}},
        }
        if field("broken"):
            del out["start"]
        if k is not None:
            out["originalStart"] = (event.start + k * datetime.timedelta(days=event.every_days)
                                    ).strftime("%Y-%m-%dT%H:%M:%SZ")
        props = [{"id": pid, "value": v} for pid, v in event.properties.items()
                 if any(pid.lower() == e.lower() for e in expand_ids)]
        if props:
            out["singleValueExtendedProperties"] = props
        return out

    def render_master(self, event, zone_name, expand_ids=()):
        """An event as /me/events lists it: the single instance, or the series master."""
        if not event.every_days:
            inst = next(event.instances())
            return self.render(event, *inst, zone_name, expand_ids)
        out = self.render(event, event.id, "seriesMaster", None, event.start, event.end, {},
                          zone_name, expand_ids)
        out["recurrence"] = {"pattern": {"type": "daily", "interval": event.every_days},
                             "range": {"type": "numbered",
                                       "numberOfOccurrences": event.count}}
        return out
