"""One Outlook mailbox as Microsoft Graph v1.0 shows it: calendars, events, recurring series
expanded into occurrences and exceptions, and a change log for delta queries.

Facts followed (microsoft-graph-docs-contrib): resources/event.md, resources/calendar.md,
api/event-delta.md, concepts/delta-query-events.md, resources/datetimetimezone.md,
extended-properties-overview.md, singlevaluelegacyextendedproperty-get.md.
"""
import base64
import copy
import hashlib
import itertools
import re

import graph_recurrence
from graph_values import graph_datetime, not_found, zone_for


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
    """A single event or a series master (`recurrence`: a checked patternedRecurrence)."""
    FIELDS = ("subject", "body", "location", "showAs", "isCancelled", "response", "isOrganizer",
              "sensitivity", "importance", "isAllDay", "originalStartTimeZone", "broken")

    def __init__(self, eid, calendar_id, fields):
        self.id, self.calendar_id = eid, calendar_id
        self.subject, self.body, self.location = "", "", ""
        self.showAs, self.isCancelled, self.response, self.isOrganizer = "busy", False, "organizer", True
        self.sensitivity, self.importance, self.isAllDay = "normal", "normal", False
        self.broken = False  # test hook: rendered without its start, as a malformed event
        self.originalStartTimeZone = "W. Europe Standard Time"
        self.start = self.end = None  # aware UTC datetimes; all-day ones at UTC midnight
        self.recurrence = None
        self.transaction_id = None
        self.via_api = False  # created by a POST of the API (not by the control API)
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
        if fields.get("recurrence"):
            r = fields["recurrence"]
            self.recurrence = graph_recurrence.daily_shortcut(r["every_days"], r["count"],
                                                              self.start) \
                if "every_days" in r else graph_recurrence.check(r)
        self.change_key_counter += 1

    def change_key(self, extra=""):
        digest = hashlib.sha256(f"{self.id}/{self.change_key_counter}/{extra}".encode()).digest()
        return base64.b64encode(digest[:15]).decode()

    def occurrences(self):
        """(start, end) of every occurrence of the series as its pattern makes them."""
        return graph_recurrence.expand(self.recurrence, self.start, self.end - self.start,
                                       self.originalStartTimeZone)

    def instances(self):
        """(instance id, type, occurrence index or None, start, end, override fields)."""
        if not self.recurrence:
            yield self.id, "singleInstance", None, self.start, self.end, {}
            return
        for k, (start, end) in enumerate(self.occurrences()):
            if k in self.cancelled:
                continue
            over = self.overrides.get(k, {})
            yield (f"{self.id}_OCC{k}", "exception" if over else "occurrence", k,
                   over.get("start", start), over.get("end", end), over)


class Mailbox:
    def __init__(self, user=None):
        """The mailbox of `user` (None: the default user's, whose ids are as they always
        were); ids differ between mailboxes, as Exchange's do."""
        self.user = user
        seed = f"{user}/" if user else ""
        owner = (user, user) if user else ("Garage Owner", "owner@garage.example")
        self.calendars = {}
        self.events = {}  # id -> Event (masters and single instances)
        self.version = 0
        self.instance_version = {}  # instance id -> version of its last change
        self.tombstones = set()     # instance ids deleted
        # Deleted events go to Deleted Items (under a new id, as a move gives them) and keep
        # their transactionId: Graph does not promise that a POST with it no longer meets
        # them, so the fake does the worst and answers such a POST with the deleted event.
        self.deleted_items = {}
        self.ids = itertools.count(1)
        self.add_calendar(Calendar(new_id("Cal", seed + "default"), "Calendar", default=True,
                                   owner=owner))
        self.add_calendar(Calendar(new_id("Cal", seed + "workshop"), "Workshop",
                                   hex_color="#FF8800", color="lightOrange", owner=owner))
        self.add_calendar(Calendar(new_id("Cal", seed + "holidays"), "Holidays", can_edit=False,
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
            if event.recurrence and k < len(event.occurrences()) and k not in event.cancelled:
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
            event.id = new_id("Del", f"{event.id}/{next(self.ids)}")
            self.deleted_items[event.id] = event
        else:
            event.cancelled.add(k)
            self._touch(before, event)

    def find_by_transaction(self, transaction_id):
        """The event, in any calendar or in Deleted Items, created with `transaction_id`."""
        return next((e for e in list(self.events.values()) + list(self.deleted_items.values())
                     if e.transaction_id == transaction_id), None)

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
            "categories": [],
            "originalStartTimeZone": event.originalStartTimeZone,
            "originalEndTimeZone": event.originalStartTimeZone,
            "iCalUId": event.ical_uid + (f"{k:04d}" if k is not None else ""),
            "subject": field("subject"), "bodyPreview": field("body")[:255],
            "body": {"contentType": "text", "content": field("body")},
            "importance": field("importance"), "sensitivity": field("sensitivity"),
            "isAllDay": field("isAllDay"), "isCancelled": field("isCancelled"),
            "isOrganizer": field("isOrganizer"), "showAs": field("showAs"),
            "type": kind, "seriesMasterId": event.id if k is not None else None,
            "responseStatus": {"response": field("response"), "time": "0001-01-01T00:00:00Z"},
            "start": when(start), "end": when(end),
            "location": {"displayName": field("location")},
            "attendees": [], "organizer": {"emailAddress": {"name": "Garage Owner",
                                                            "address": "owner@garage.example"}},
        }
        if event.transaction_id:  # "only returned in a response payload if an app has set it"
            out["transactionId"] = event.transaction_id
        if field("broken"):
            del out["start"]
        if k is not None:
            out["originalStart"] = event.occurrences()[k][0].strftime("%Y-%m-%dT%H:%M:%SZ")
        props = [{"id": pid, "value": v} for pid, v in event.properties.items()
                 if any(pid.lower() == e.lower() for e in expand_ids)]
        if props:
            out["singleValueExtendedProperties"] = props
        return out

    def render_master(self, event, zone_name, expand_ids=()):
        """An event as /me/events lists it: the single instance, or the series master."""
        if not event.recurrence:
            inst = next(event.instances())
            return self.render(event, *inst, zone_name, expand_ids)
        out = self.render(event, event.id, "seriesMaster", None, event.start, event.end, {},
                          zone_name, expand_ids)
        out["recurrence"] = copy.deepcopy(event.recurrence)
        return out
