"""The calendars and events the Google fake holds, and the listing rules of the Calendar
API v3 reference: events.list paging (a page may be short or empty and still carry
nextPageToken; nextSyncToken only on the last page), sync tokens (changes since; 410 when
expired), the parameters a syncToken refuses, the time window (timeMin bounds an event's
end, timeMax its start, both exclusive), iCalUID, showDeleted, and the deleted events
Google keeps as "cancelled". Items come "in an unspecified, stable order" (here: by a hash
of their id, so an exception may come before its master, even a page before); page and
sync tokens are opaque and hold '+', '/' and '=' (a client that does not percent-encode
them sends another token); a page token is bound to the query it continues; a dateTime
is answered with the offset of its timeZone, or of the calendar's zone when it has none.

Accounts: each calendar belongs to one Google account (the person who consented), and
calendarList.list shows a token only its own account's calendars; the events of another
account's calendar answer 404 notFound, as Google answers for a calendar the caller cannot
see ("primary" names the caller's own primary calendar). Calendars made without an
account belong to DEFAULT_ACCOUNT, so a test of one account names none.

Every change bumps one version counter; an event's etag and a sync token are both read
off it. Not thread safe by itself: the server holds `lock` around every call.
"""
import base64
import datetime
import hashlib
import json
import re
import threading
import zoneinfo

import google_errors as errors

ID_PATTERN = re.compile(r"^[a-v0-9]{5,1024}$")  # base32hex, 5 to 1024 characters
SYNC_FORBIDDEN = ("iCalUID", "orderBy", "privateExtendedProperty", "q",
                  "sharedExtendedProperty", "timeMin", "timeMax", "updatedMin")
MAX_EVENTS_PAGE = 2500
MAX_CALENDARS_PAGE = 250
FAR_FUTURE = datetime.datetime(9999, 1, 1, tzinfo=datetime.timezone.utc)
DEFAULT_ACCOUNT = "owner@garage.example"


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _encode(obj):
    """An opaque token: standard base64 (not the URL-safe kind), so it holds '+' and '/',
    padded to end in "=="; the "+/" in front makes sure of both."""
    data = json.dumps(obj, sort_keys=True).encode()
    data += b" " * ((1 - len(data)) % 3)
    return "+/" + base64.b64encode(data).decode()


def _decode(text):
    """The token's content, or None for a token not issued here (a '+' a client left
    unencoded arrives as a space, and is not)."""
    if not isinstance(text, str) or not text.startswith("+/"):
        return None
    try:
        return json.loads(base64.b64decode(text[2:].encode(), validate=True).decode())
    except (ValueError, UnicodeError):
        return None


def _zone(name):
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return datetime.timezone.utc


def parse_instant(text):
    """RFC 3339 with a mandatory offset (the window parameters), else None."""
    if not isinstance(text, str) or not re.search(r"(Z|[+-]\d\d:\d\d)$", text):
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def event_instant(when, zone_name):
    """An EventDateTime as a UTC instant: a date is midnight in the calendar's zone."""
    if not isinstance(when, dict):
        return None
    zone = _zone(when.get("timeZone") or zone_name)
    try:
        if "date" in when:
            day = datetime.date.fromisoformat(when["date"])
            return datetime.datetime(day.year, day.month, day.day, tzinfo=zone)
        stamp = datetime.datetime.fromisoformat(when.get("dateTime", "").replace("Z", "+00:00"))
    except ValueError:
        return None  # another client's malformed write: listed, never filtered out
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=zone)


def answered_time(when, zone_name):
    """An EventDateTime as the API answers it: dateTime with the offset of its timeZone,
    or of the calendar's zone (`zone_name`) when it has none ("2026-03-02T09:00:00+01:00"
    for a write of "2026-03-02T08:00:00Z" to a Berlin calendar); a date as it is."""
    if not isinstance(when, dict) or "dateTime" not in when:
        return when
    instant = event_instant(when, zone_name)
    if instant is None:
        return when
    text = instant.astimezone(_zone(when.get("timeZone") or zone_name)).isoformat(
        timespec="seconds")
    return dict(when, dateTime=text[:-6] + "Z" if text.endswith("+00:00") else text)


def listing_order(event):
    """"An unspecified, stable order": the same for the same ids, unrelated to what they
    mean (an exception may precede its master)."""
    return hashlib.sha256(event["id"].encode()).hexdigest()


def series_end(event, zone_name):
    """When a recurring master's last instance may end: its UNTIL, else never (COUNT is
    read as open-ended; a fake may include a master the real server would not)."""
    for line in event.get("recurrence", []):
        match = re.search(r"UNTIL=(\d{8})(T(\d{6})Z?)?", line)
        if line.upper().startswith("RRULE") and match:
            day = datetime.datetime.strptime(match.group(1), "%Y%m%d")
            return day.replace(tzinfo=datetime.timezone.utc) + datetime.timedelta(days=2)
    return FAR_FUTURE


class Calendar:
    def __init__(self, entry, serial, account=DEFAULT_ACCOUNT):
        self.id = entry["id"]
        self.account = account  # whose calendar list shows it
        self.entry = entry  # the CalendarListEntry fields a test gave
        self.events = {}
        self.token_floor = 0  # sync tokens older than this version answer 410
        self.resource_id = "fake-resource-%d" % serial

    @property
    def writable(self):
        return self.entry.get("accessRole", "owner") in ("writer", "owner")

    def list_entry(self):
        e = {"kind": "calendar#calendarListEntry", "etag": '"%d"' % (1700000000000 +
                                                                     len(self.id)),
             "id": self.id, "summary": self.entry.get("summary", self.id),
             "timeZone": self.entry.get("timeZone", "UTC"), "colorId": "14",
             "backgroundColor": self.entry.get("backgroundColor", "#9fe1e7"),
             "foregroundColor": "#000000", "selected": True,
             "accessRole": self.entry.get("accessRole", "owner"),
             "defaultReminders": [], "conferenceProperties": {
                 "allowedConferenceSolutionTypes": ["hangoutsMeet"]}}
        for optional in ("primary", "summaryOverride", "hidden"):
            if optional in self.entry:
                e[optional] = self.entry[optional]
        return e


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.version = 0
        self.calendars = {}
        self.by_account = {}  # account -> {calendar id: calendar}, in the order made
        self.page_cap = MAX_EVENTS_PAGE  # a test may make pages small
        self.empty_pages = False         # every other page empty (still with nextPageToken)
        self._serial = 0

    # -- changes ------------------------------------------------------------------
    def add_calendar(self, entry, account=DEFAULT_ACCOUNT):
        """A new calendar of `account`, or new list-entry fields for one (its events stay:
        the owner changed its sharing, say from writer to reader; it keeps its account)."""
        if entry["id"] in self.calendars:
            self.calendars[entry["id"]].entry.update(entry)
            return self.calendars[entry["id"]]
        self._serial += 1
        calendar = self.calendars[entry["id"]] = Calendar(entry, self._serial, account)
        self.by_account.setdefault(account, {})[calendar.id] = calendar
        return calendar

    def remove_calendar(self, calendar_id):
        calendar = self.calendars.pop(calendar_id, None)
        if calendar is not None:
            del self.by_account[calendar.account][calendar_id]

    def calendar_of(self, account, calendar_id):
        """The calendar `calendar_id` as `account` sees it ("primary": its primary one), or
        None when it does not exist or is another account's."""
        if calendar_id == "primary":
            return next((c for c in self.by_account.get(account, {}).values()
                         if c.entry.get("primary")), None)
        calendar = self.calendars.get(calendar_id)
        return calendar if calendar is not None and calendar.account == account else None

    def stamp(self, event):
        self.version += 1
        event["etag"] = '"%d"' % (3181161784712000 + self.version)
        event["updated"] = now_rfc3339()
        event["_version"] = self.version

    def put_event(self, calendar, event):
        """Creates or replaces an event as any client's write would leave it."""
        old = calendar.events.get(event["id"], {})
        stored = dict(event)
        stored.setdefault("kind", "calendar#event")
        stored.setdefault("status", "confirmed")
        stored["created"] = old.get("created", now_rfc3339())
        if old.get("_api"):
            stored["_api"] = True  # created through the API: still so after any write
        master = calendar.events.get(stored.get("recurringEventId", ""))
        default_uid = master["iCalUID"] if master else stored["id"] + "@google.com"
        stored.setdefault("iCalUID", old.get("iCalUID", default_uid))
        stored.setdefault("sequence", old.get("sequence", 0))
        stored.setdefault("organizer", {"email": calendar.id, "self": True})
        stored.setdefault("creator", {"email": calendar.id, "self": True})
        stored.setdefault("eventType", "default")
        stored.setdefault("reminders", {"useDefault": True})
        self.stamp(stored)
        calendar.events[stored["id"]] = stored
        return stored

    def cancel_event(self, calendar, event):
        """Deleting keeps the event as "cancelled" (so its id stays taken)."""
        event["status"] = "cancelled"
        self.stamp(event)

    def expire_tokens(self, calendar):
        calendar.token_floor = self.version + 1

    # -- what clients see -----------------------------------------------------------
    @staticmethod
    def public(event, listed=True, zone="UTC"):
        """An event as the API shows it, its times answered in `zone` (the calendar's)
        where they name none. In a listing a deleted event guarantees only its id, and a
        cancelled exception only id, recurringEventId and originalStartTime; events.get
        "always returns them" whole."""
        if listed and event.get("status") == "cancelled":
            keep = ("kind", "etag", "id", "status", "recurringEventId", "originalStartTime")
            shown = {k: event[k] for k in keep if k in event}
        else:
            shown = {k: v for k, v in event.items() if not k.startswith("_")}
        for name in ("start", "end", "originalStartTime"):
            if name in shown:
                shown[name] = answered_time(shown[name], zone)
        return shown

    def sync_token(self, calendar, version):
        return "CP" + _encode({"c": calendar.id, "v": version})

    def _in_window(self, calendar, event, start_min, start_max):
        zone = calendar.entry.get("timeZone", "UTC")
        if event.get("status") == "cancelled" and "originalStartTime" in event:
            begin = event_instant(event["originalStartTime"], zone)
            if begin is None:
                return True
            end = begin + datetime.timedelta(seconds=1)
        elif event.get("status") == "cancelled":
            return True
        else:
            begin = event_instant(event.get("start"), zone)
            end = event_instant(event.get("end"), zone) or begin
            if begin is None or end is None:
                return True
            if event.get("recurrence"):
                end = series_end(event, zone)
        if start_min is not None and not end > start_min:
            return False
        if start_max is not None and not begin < start_max:
            return False
        return True

    def list_events(self, calendar, query):
        """events.list: (status, body). `query` maps a name to its list of values."""
        one = {k: v[-1] for k, v in query.items()}
        try:
            asked = int(one.get("maxResults", "250"))
        except ValueError:
            asked = 0
        if asked < 1:
            return 400, errors.error_body(400, "invalid", "Invalid value '%s'. Values must be "
                                          "within the range: [1, 2500]" % one.get("maxResults"),
                                          "global", "parameter", "maxResults")
        size = min(asked, MAX_EVENTS_PAGE, self.page_cap)
        if one.get("singleEvents") == "true":
            return 400, errors.error_body(400, "invalid", "singleEvents=true is not served by "
                                          "this fake")
        page = _decode(one["pageToken"]) if "pageToken" in one else {"o": 0, "n": 0,
                                                                      "v": self.version}
        fingerprint = _encode({k: v for k, v in sorted(query.items()) if k != "pageToken"})
        if page is None or page.get("q", fingerprint) != fingerprint:
            return errors.INVALID_PAGE_TOKEN
        if "syncToken" in one:
            if any(name in query for name in SYNC_FORBIDDEN) or one.get("showDeleted") == "false":
                return errors.SYNC_TOKEN_WITH_RESTRICTIONS
            token = _decode(one["syncToken"][2:]) if one["syncToken"].startswith("CP") else None
            if (token is None or token.get("c") != calendar.id or
                    token.get("v", -1) < calendar.token_floor):
                return errors.FULL_SYNC_REQUIRED
            chosen = [e for e in calendar.events.values() if e["_version"] > token["v"]]
        else:
            start_min = start_max = None
            for name in ("timeMin", "timeMax"):
                if name in one and parse_instant(one[name]) is None:
                    return 400, errors.error_body(400, "invalid", "Bad Request")
            if "timeMin" in one:
                start_min = parse_instant(one["timeMin"])
            if "timeMax" in one:
                start_max = parse_instant(one["timeMax"])
            if start_min is not None and start_max is not None and start_min >= start_max:
                return errors.TIME_RANGE_EMPTY
            show_deleted = one.get("showDeleted") == "true"
            chosen = []
            for e in calendar.events.values():
                cancelled = e.get("status") == "cancelled"
                # Cancelled exceptions come back even without showDeleted.
                if cancelled and not show_deleted and "recurringEventId" not in e:
                    continue
                if "iCalUID" in one and e.get("iCalUID") != one["iCalUID"]:
                    continue
                if self._in_window(calendar, e, start_min, start_max):
                    chosen.append(e)
        chosen.sort(key=listing_order)
        body = {"kind": "calendar#events", "etag": '"p%d"' % page["v"],
                "summary": calendar.entry.get("summary", calendar.id), "description": "",
                "updated": now_rfc3339(), "timeZone": calendar.entry.get("timeZone", "UTC"),
                "accessRole": calendar.entry.get("accessRole", "owner"),
                "defaultReminders": [], "items": []}
        offset = page["o"]
        empty_now = self.empty_pages and page["n"] % 2 == 0
        if not empty_now:
            zone = calendar.entry.get("timeZone", "UTC")
            body["items"] = [self.public(e, zone=zone) for e in chosen[offset:offset + size]]
            offset += size
        if empty_now or offset < len(chosen):
            body["nextPageToken"] = _encode({"o": offset, "n": page["n"] + 1, "v": page["v"],
                                             "q": fingerprint})
        else:
            # The token of the state the listing started from: a change made while the
            # pages were read is reported again by the next incremental sync.
            body["nextSyncToken"] = self.sync_token(calendar, page["v"])
        return 200, body

    def list_calendars(self, query, account=DEFAULT_ACCOUNT, hidden_too=False):
        """calendarList.list for `account`: its own calendars only."""
        one = {k: v[-1] for k, v in query.items()}
        size = min(int(one.get("maxResults", "100")), MAX_CALENDARS_PAGE, self.page_cap)
        entries = [c.list_entry() for c in self.by_account.get(account, {}).values()
                   if hidden_too or one.get("showHidden") == "true" or not c.entry.get("hidden")]
        # A page token continues the listing it came from: with other parameters it is
        # refused, as events.list refuses one.
        fingerprint = _encode({k: v for k, v in sorted(query.items()) if k != "pageToken"})
        page = _decode(one["pageToken"]) if "pageToken" in one else {"o": 0, "q": fingerprint}
        if page is None or page.get("q") != fingerprint:
            return errors.INVALID_PAGE_TOKEN
        offset = page["o"]
        body = {"kind": "calendar#calendarList", "etag": '"c%d"' % self.version,
                "items": entries[offset:offset + size]}
        if offset + size < len(entries):
            body["nextPageToken"] = _encode({"o": offset + size, "q": fingerprint})
        else:
            body["nextSyncToken"] = "CL" + _encode({"v": self.version})
        return 200, body
