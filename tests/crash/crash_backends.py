"""The calendar service side of the crash test: where the driver connects, how another
client changes the calendar, and how the test reads it back independently of calsync.

A backend offers:
  connection()          the driver's account file (crash_driver.cpp: id, kind, calendar,
                        settings, credentials or tokens/oauth)
  put_foreign(uid, start, end, summary, weekly=1)
                        create or move an event of someone else (another client);
                        weekly > 1: a series of that many weekly occurrences
  delete(event)         delete an event (ours or foreign) as another client would
  edit(event, summary, shift)
                        change an event as another client would: new summary, moved by
                        `shift` seconds, the rest (our marker included) kept
  copy(event)           a second event with the same content and marker under a new
                        identity (a client duplicating an event)
  rewrite_without_marker(event, summary, shift)
                        optional (CalDAV): edit() by an app that drops calsync's X-
                        property, keeping the UID and the resource name
  events()              every event in the calendar: dicts with id (what calsync calls
                        Event::id: the CalDAV href, the Google event id, the Graph event
                        id), uid (the other client's name for its event), marker (the
                        appointment id of our export marker, or ""), summary, start, end
                        (Unix seconds; a series: its first occurrence), status (CONFIRMED,
                        TENTATIVE or CANCELLED) and, where calsync reads a series
                        occurrence by occurrence under ids of their own (Graph), instance_ids:
                        {start: id} of each occurrence; without it every occurrence is
                        under id

CalDavBackend talks to a real CalDAV server (Radicale from the ctest fixture): writes go
out as raw HTTP, reads come through python3-caldav, which shares no code with calsync.
GoogleBackend and GraphBackend talk to the fakes (tests/fakes/google, tests/fakes/graph,
started by tests/tools/fake_service.py) over their public APIs with a token of their
own, as another client of the account; only what a user does elsewhere (make a calendar,
consent to calsync) goes through the fakes' /_control/ endpoints. crash_test.py needs
nothing else.
"""
import base64
import calendar as calendar_module
import datetime
import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import zoneinfo

import caldav
import icalendar


def _utc(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc)


def _unix(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return int(value.timestamp())
    # An all-day date: midnight UTC (the test writes none; the driver's zone is UTC).
    return calendar_module.timegm(value.timetuple())


class CalDavBackend:
    kind = "caldav"

    def __init__(self, server, calendar_name):
        """server: what tests/tools/dav_server.py start wrote (url, calendar_url, user,
        password). A calendar of its own is made next to the fixture's, so runs and other
        tests never share state."""
        self.server = server
        home = server["calendar_url"].rstrip("/").rsplit("/", 1)[0] + "/"
        self.calendar_url = home + calendar_name + "/"
        body = ('<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" '
                'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>'
                f'<d:displayname>{calendar_name}</d:displayname></d:prop></d:set>'
                '</c:mkcalendar>').encode()
        status, _, _ = self._request("MKCALENDAR", self.calendar_url, body,
                                     {"Content-Type": "application/xml"})
        if status not in (201, 207):
            raise RuntimeError(f"MKCALENDAR {self.calendar_url}: HTTP {status}")
        client = caldav.DAVClient(server["url"], username=server["user"] or None,
                                  password=server["password"] or None)
        self._calendar = caldav.Calendar(client=client, url=self.calendar_url)

    def connection(self):
        return {
            "id": "crash-caldav",
            "kind": "caldav",
            "calendar": self.calendar_url,
            "settings": {"url": self.server["url"], "username": self.server["user"]},
            "credentials": {"password": self.server["password"]},
        }

    def _request(self, method, url, body=None, headers=None):
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        if self.server["user"]:
            token = base64.b64encode(
                f"{self.server['user']}:{self.server['password']}".encode()).decode()
            req.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, r.read(), r.headers
        except urllib.error.HTTPError as e:
            return e.code, e.read(), e.headers

    def _put(self, url, ics, etag=None):
        headers = {"Content-Type": "text/calendar; charset=utf-8"}
        if etag:
            headers["If-Match"] = etag
        status, body, _ = self._request("PUT", url, ics, headers)
        return status

    def put_foreign(self, uid, start, end, summary, weekly=1):
        stamp = datetime.datetime.now(datetime.timezone.utc)
        rule = f"RRULE:FREQ=WEEKLY;COUNT={weekly}\r\n" if weekly > 1 else ""
        ics = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync crash test//other "
               "client//EN\r\nBEGIN:VEVENT\r\n"
               f"UID:{uid}\r\nDTSTAMP:{stamp:%Y%m%dT%H%M%SZ}\r\n"
               f"DTSTART:{_utc(start):%Y%m%dT%H%M%SZ}\r\n"
               f"DTEND:{_utc(end):%Y%m%dT%H%M%SZ}\r\n{rule}"
               f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n").encode()
        status = self._put(self.calendar_url + uid + ".ics", ics)
        if status not in (200, 201, 204):
            raise RuntimeError(f"PUT foreign {uid}: HTTP {status}")
        return self.calendar_url + uid + ".ics"

    def delete(self, event):
        status, _, _ = self._request("DELETE", event["id"])
        return status in (200, 204, 404)

    def _get(self, url):
        status, body, headers = self._request("GET", url)
        if status != 200:
            return None, None
        return icalendar.Calendar.from_ical(body), headers.get("ETag")

    def edit(self, event, summary, shift, keep_marker=True):
        cal, etag = self._get(event["id"])
        if cal is None:
            return False  # deleted meanwhile (the driver may be running)
        for vevent in cal.walk("VEVENT"):
            if not keep_marker:
                vevent.pop("X-CALSYNC-APPOINTMENT-ID", None)
            vevent["SUMMARY"] = icalendar.vText(summary)
            for name in ("DTSTART", "DTEND"):
                moved = vevent.decoded(name) + datetime.timedelta(seconds=shift)
                del vevent[name]
                vevent.add(name, moved)
        return self._put(event["id"], cal.to_ical(), etag) in (200, 201, 204)

    def rewrite_without_marker(self, event, summary, shift):
        """edit() as a calendar app that drops X- properties does it (issue 14, item 7):
        the UID and the resource name stay, X-CALSYNC-APPOINTMENT-ID goes."""
        return self.edit(event, summary, shift, keep_marker=False)

    def copy(self, event):
        cal, _ = self._get(event["id"])
        if cal is None:
            return False
        if not any("X-CALSYNC-APPOINTMENT-ID" in v for v in cal.walk("VEVENT")):
            return False  # a copy without the marker would be just another client's event
        uid = f"copy-{uuid.uuid4()}"
        for vevent in cal.walk("VEVENT"):
            vevent["UID"] = icalendar.vText(uid)
        return self._put(self.calendar_url + uid + ".ics", cal.to_ical()) in (200, 201, 204)

    @staticmethod
    def exported_appointment(url, uid):
        """The appointment id an event is the export of, by the identity calsync derives
        from it (providers/caldav/export_resource.hpp): resource name "<id>.ics" (other
        characters than [A-Za-z0-9._-] as "_") and UID "calsync-<id>[@domain]"; else ""."""
        name = url.rstrip("/").rsplit("/", 1)[-1]
        rest = uid[len("calsync-"):] if uid.startswith("calsync-") else ""
        length = len(name.encode()) - len(".ics")
        if not name.endswith(".ics") or length <= 0:
            return ""
        raw = rest.encode()
        if len(raw) != length and (len(raw) <= length + 1 or raw[length:length + 1] != b"@"):
            return ""
        plain = bytes(c if chr(c).isascii() and (chr(c).isalnum() or chr(c) in "-_.")
                      else ord("_") for c in raw[:length])
        return raw[:length].decode(errors="replace") if plain + b".ics" == name.encode() else ""

    def events(self):
        out = []
        for resource in self._calendar.events():
            for vevent in resource.icalendar_instance.walk("VEVENT"):
                uid = str(vevent.get("UID", ""))
                out.append({
                    "id": str(resource.url),
                    "uid": uid,
                    # The X- property is a hint: an app may have dropped it (issue 14, 7).
                    "marker": str(vevent.get("X-CALSYNC-APPOINTMENT-ID", "")) or
                    self.exported_appointment(str(resource.url), uid),
                    "summary": str(vevent.get("SUMMARY", "")),
                    "status": str(vevent.get("STATUS", "CONFIRMED")).upper(),
                    "start": _unix(vevent.decoded("DTSTART")),
                    "end": _unix(vevent.decoded("DTEND")),
                })
        return out


def _json_request(method, url, body=None, token=None, headers=None):
    """(status, decoded JSON or None, headers) of one request to a fake."""
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
    if data is not None:
        req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=20) as r:
            status, raw, got = r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        status, raw, got = e.code, e.read(), e.headers
    return status, json.loads(raw) if raw else None, got


def _rfc3339(seconds):
    return _utc(seconds).strftime("%Y-%m-%dT%H:%M:%SZ")


def _expires_at(expires_in):
    return _rfc3339(int(time.time()) + int(expires_in))


class _OAuthFake:
    """What GoogleBackend and GraphBackend share: the fake's root, a token of the other
    client's own (granted again once when the fake stops taking it, as a long soak can
    outlive an access token), and the other client's names for its events."""

    def __init__(self, server):
        self.root = server["url"]
        self.server = server
        self._token = self._grant_own()
        self.ids = {}     # uid -> the event's id
        self.weekly = {}  # uid -> occurrences

    def control(self, path, body=None):
        status, answer, _ = _json_request("POST" if body is not None else "GET",
                                          self.root + "/_control/" + path, body)
        if status != 200:
            raise RuntimeError(f"/_control/{path}: HTTP {status} {answer}")
        return answer

    def call(self, method, path, body=None, headers=None):
        url = path if path.startswith("http") else self.root + path
        status, answer, got = _json_request(method, url, body, self._token, headers)
        if status == 401:
            self._token = self._grant_own()
            status, answer, got = _json_request(method, url, body, self._token, headers)
        return status, answer, got

    def uid_of(self, event_id, fallback):
        return next((uid for uid, known in self.ids.items() if known == event_id), fallback)


class GoogleBackend(_OAuthFake):
    """The Google fake (Calendar API v3). calsync's Event::id is the Google event id;
    its marker is extendedProperties.private.calsyncAppointmentId
    (providers/google/google_event_json.hpp)."""

    kind = "google"
    MARKER = "calsyncAppointmentId"
    CALSYNC_SCOPES = ("https://www.googleapis.com/auth/calendar.calendarlist.readonly "
                      "https://www.googleapis.com/auth/calendar.events")
    OWNER = "crash-owner@garage.example"

    def __init__(self, server, calendar_name):
        """A primary calendar (the account calsync names the connection by) when the
        fake has none, and a secondary calendar of this test's own, as a user makes in
        Google Calendar (the fake takes a CalendarListEntry)."""
        super().__init__(server)
        status, listed, _ = self.call("GET", "/calendar/v3/users/me/calendarList?maxResults=250")
        if status != 200:
            raise RuntimeError(f"calendarList.list: HTTP {status} {listed}")
        if not any(c.get("primary") for c in listed["items"]):
            self.control("calendar", {"id": self.OWNER, "summary": self.OWNER, "primary": True,
                                      "accessRole": "owner", "timeZone": "UTC"})
        self.calendar_id = calendar_name + "@group.calendar.google.com"
        self.control("calendar", {"id": self.calendar_id, "summary": calendar_name,
                                  "accessRole": "owner", "timeZone": "UTC"})
        self.events_path = ("/calendar/v3/calendars/"
                            + urllib.parse.quote(self.calendar_id, safe="") + "/events")

    def _grant_own(self):
        return self.control("grant", {"client_id": self.server["client_id"],
                                      "scope": "https://www.googleapis.com/auth/calendar",
                                      "expires_in": 6 * 3600})["access_token"]

    def connection(self):
        # The token set calsync_oauth_device_poll would hand over (provider_config.cpp
        # read_tokens), from a consent to calsync's own scopes.
        granted = self.control("grant", {"client_id": self.server["client_id"],
                                         "scope": self.CALSYNC_SCOPES})
        return {
            "id": "crash-google",
            "kind": "google",
            "calendar": self.calendar_id,
            "tokens": {"version": 1, "access_token": granted["access_token"],
                       "refresh_token": granted["refresh_token"],
                       "scope": self.CALSYNC_SCOPES, "expires_at": _expires_at(3599)},
            "oauth": {"client_id": self.server["client_id"],
                      "client_secret": self.server["client_secret"],
                      "token_url": self.root + "/token",
                      "revocation_url": self.root + "/revoke",
                      "api_base_url": self.root + "/calendar/v3"},
        }

    def _event_path(self, event_id):
        return self.events_path + "/" + urllib.parse.quote(event_id, safe="")

    @staticmethod
    def _body(start, end, summary, weekly):
        # A recurring event needs start.timeZone (events reference: "For recurring events
        # this field is required").
        body = {"summary": summary,
                "start": {"dateTime": _rfc3339(start), "timeZone": "UTC"},
                "end": {"dateTime": _rfc3339(end), "timeZone": "UTC"}}
        if weekly > 1:
            body["recurrence"] = [f"RRULE:FREQ=WEEKLY;COUNT={weekly}"]
        return body

    def put_foreign(self, uid, start, end, summary, weekly=1):
        body = self._body(start, end, summary, weekly)
        if uid in self.ids:
            # events.update replaces the event: a move, into a series or out of one.
            status, answer, _ = self.call("PUT", self._event_path(self.ids[uid]), body)
        else:
            status, answer, _ = self.call("POST", self.events_path, body)
        if status != 200:
            raise RuntimeError(f"writing foreign {uid}: HTTP {status} {answer}")
        self.ids[uid] = answer["id"]
        self.weekly[uid] = weekly
        return answer["id"]

    def delete(self, event):
        status, _, _ = self.call("DELETE", self._event_path(event["id"]))
        # 404: never there; 410: deleted already (Google keeps it as cancelled).
        return status in (200, 204, 404, 410)

    def _get(self, event_id):
        status, answer, _ = self.call("GET", self._event_path(event_id))
        if status != 200 or answer.get("status") == "cancelled":
            return None
        return answer

    def edit(self, event, summary, shift):
        held = self._get(event["id"])
        if held is None:
            return False  # deleted meanwhile (the driver may be running)
        held["summary"] = summary
        for name in ("start", "end"):
            held[name] = {"dateTime": _rfc3339(_google_time(held[name]) + shift),
                          "timeZone": held[name].get("timeZone", "UTC")}
        status, _, _ = self.call("PUT", self._event_path(event["id"]), held,
                                 {"If-Match": held["etag"]})
        return status == 200

    def copy(self, event):
        held = self._get(event["id"])
        if held is None:
            return False
        # A new event of the same content (marker included); the server picks its id.
        body = {k: v for k, v in held.items()
                if k not in ("id", "etag", "iCalUID", "htmlLink", "created", "updated",
                             "kind", "sequence", "creator", "organizer")}
        status, _, _ = self.call("POST", self.events_path, body)
        return status == 200

    def events(self):
        out = []
        token = None
        while True:
            query = "?maxResults=250" + (f"&pageToken={urllib.parse.quote(token)}"
                                         if token else "")
            status, page, _ = self.call("GET", self.events_path + query)
            if status != 200:
                raise RuntimeError(f"events.list: HTTP {status} {page}")
            for item in page["items"]:
                if item.get("status") == "cancelled":
                    continue  # deleted (listed only with showDeleted)
                private = item.get("extendedProperties", {}).get("private", {})
                out.append({
                    "id": item["id"],
                    "uid": self.uid_of(item["id"], item.get("iCalUID", "")),
                    "marker": private.get(self.MARKER, ""),
                    "summary": item.get("summary", ""),
                    "status": item.get("status", "confirmed").upper(),
                    "start": _google_time(item["start"]),
                    "end": _google_time(item["end"]),
                })
            token = page.get("nextPageToken")
            if not token:
                return out


def _google_time(when):
    """An EventDateTime as Unix seconds: dateTime with its offset, else in timeZone; a
    date at midnight UTC (the test writes none; the driver's zone is UTC)."""
    if "date" in when:
        return _unix(datetime.date.fromisoformat(when["date"]))
    moment = datetime.datetime.fromisoformat(when["dateTime"].replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zoneinfo.ZoneInfo(when.get("timeZone") or "UTC"))
    return int(moment.timestamp())


class GraphBackend(_OAuthFake):
    """The Microsoft Graph fake (v1.0). calsync's Event::id is the Graph event id, and
    calendarView gives each occurrence of a series an id of its own, which calsync keeps
    (providers/microsoft/graph_event.hpp); its marker is the single-value extended
    property kAppointmentPropertyId."""

    kind = "microsoft"
    MARKER = "String {6B1F4C2E-8D3A-4E57-9A0B-3C5D7E9F1A24} Name calsyncAppointmentId"
    SCOPE = "Calendars.ReadWrite offline_access"

    def __init__(self, server, calendar_name):
        """A calendar of this test's own, as a user makes in Outlook."""
        super().__init__(server)
        self.calendar_id = self.control("calendar", {"name": calendar_name})["id"]
        self.calendar_path = "/v1.0/me/calendars/" + urllib.parse.quote(self.calendar_id, safe="")

    def _grant_own(self):
        return self.control("grant", {"scope": self.SCOPE})["access_token"]

    def connection(self):
        # A consent to calsync's scopes, as the token set add_oauth_connection takes.
        granted = self.control("grant", {"scope": self.SCOPE})
        return {
            "id": "crash-microsoft",
            "kind": "microsoft",
            "calendar": self.calendar_id,
            "tokens": {"version": 1, "access_token": granted["access_token"],
                       "refresh_token": granted["refresh_token"], "scope": granted["scope"],
                       "expires_at": _expires_at(granted["expires_in"])},
            "oauth": {"client_id": self.server["client_id"], "tenant": "consumers",
                      "authority_url": self.root, "api_base_url": self.root + "/v1.0"},
        }

    @staticmethod
    def _event_path(event_id):
        return "/v1.0/me/events/" + urllib.parse.quote(event_id, safe="")

    @staticmethod
    def _when(seconds):
        return {"dateTime": _utc(seconds).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}

    def _create_single(self, start, end, summary, properties=()):
        body = {"subject": summary, "start": self._when(start), "end": self._when(end)}
        if properties:
            body["singleValueExtendedProperties"] = list(properties)
        status, answer, _ = self.call("POST", self.calendar_path + "/events", body)
        if status != 201:
            raise RuntimeError(f"POST event: HTTP {status} {answer}")
        return answer["id"]

    def put_foreign(self, uid, start, end, summary, weekly=1):
        known = self.ids.get(uid)
        if known is not None and weekly == 1 and self.weekly[uid] == 1:
            status, answer, _ = self.call("PATCH", self._event_path(known), {
                "subject": summary, "start": self._when(start), "end": self._when(end)})
            if status != 200:
                raise RuntimeError(f"moving foreign {uid}: HTTP {status} {answer}")
        elif weekly > 1:
            # A series in the fake's own form (weekly: every 7 days); Outlook keeps the
            # series' id when its pattern or times change.
            fields = {"subject": summary, "start": _rfc3339(start), "end": _rfc3339(end),
                      "recurrence": {"every_days": 7, "count": weekly}}
            if known is None:
                known = self.control("event", dict(fields, calendar=self.calendar_id))["id"]
            else:
                self.control("update", dict(fields, id=known))
        else:
            # A series made a single event: Outlook cannot; the other client deletes the
            # series and makes a new event.
            if known is not None:
                self.call("DELETE", self._event_path(known))
            known = self._create_single(start, end, summary)
        self.ids[uid] = known
        self.weekly[uid] = weekly
        return known

    def delete(self, event):
        status, _, _ = self.call("DELETE", self._event_path(event["id"]))
        return status in (200, 204, 404)

    def _get(self, event_id):
        query = ("?$expand=" + urllib.parse.quote(
            f"singleValueExtendedProperties($filter=id eq '{self.MARKER}')"))
        status, answer, _ = self.call("GET", self._event_path(event_id) + query,
                                      headers={"Prefer": 'outlook.timezone="UTC"'})
        return answer if status == 200 else None

    def edit(self, event, summary, shift):
        held = self._get(event["id"])
        if held is None:
            return False  # deleted meanwhile (the driver may be running)
        status, _, _ = self.call("PATCH", self._event_path(event["id"]), {
            "subject": summary, "start": self._when(_graph_time(held["start"]) + shift),
            "end": self._when(_graph_time(held["end"]) + shift)},
            {"If-Match": held["@odata.etag"]})
        return status == 200

    def copy(self, event):
        held = self._get(event["id"])
        if held is None:
            return False
        # The same content and marker, no transactionId (it would name the original).
        self._create_single(_graph_time(held["start"]), _graph_time(held["end"]),
                            held["subject"], held.get("singleValueExtendedProperties", []))
        return True

    def events(self):
        """The calendarView over every time the test writes to: single events, and each
        series folded back into one dict under its master's id."""
        now = int(time.time())
        url = (self.calendar_path + "/calendarView?" + urllib.parse.urlencode({
            "startDateTime": _rfc3339(now - 30 * 86400),
            "endDateTime": _rfc3339(now + 3 * 365 * 86400),
            "$expand": f"singleValueExtendedProperties($filter=id eq '{self.MARKER}')"}))
        prefer = {"Prefer": 'outlook.timezone="UTC", odata.maxpagesize=100'}
        by_id = {}
        while url:
            status, page, _ = self.call("GET", url, headers=prefer)
            if status != 200:
                raise RuntimeError(f"calendarView: HTTP {status} {page}")
            for item in page["value"]:
                marker = next((p["value"] for p in item.get("singleValueExtendedProperties", [])
                               if p["id"].lower() == self.MARKER.lower()), "")
                start, end = _graph_time(item["start"]), _graph_time(item["end"])
                master = item.get("seriesMasterId") or item["id"]
                held = by_id.get(master)
                if held is None or start < held["start"]:
                    instances = held["instance_ids"] if held else {}
                    held = by_id[master] = {
                        "id": master, "uid": self.uid_of(master, item.get("iCalUId", "")),
                        "marker": marker, "summary": item.get("subject", ""),
                        "status": ("CANCELLED" if item.get("isCancelled") else
                                   "TENTATIVE" if item.get("showAs") == "tentative" else
                                   "CONFIRMED"),
                        "start": start, "end": end, "instance_ids": instances}
                if item.get("seriesMasterId"):
                    held["instance_ids"][start] = item["id"]
            url = page.get("@odata.nextLink")
        for held in by_id.values():
            if not held["instance_ids"]:
                del held["instance_ids"]
        return list(by_id.values())


def _graph_time(when):
    """A dateTimeTimeZone in UTC (Prefer: outlook.timezone="UTC") as Unix seconds."""
    if when.get("timeZone") not in ("UTC", "tzone://Microsoft/Utc"):
        raise RuntimeError(f"a time not in UTC: {when}")
    return _unix(datetime.datetime.fromisoformat(when["dateTime"][:19]))


BACKENDS = {"caldav": CalDavBackend, "google": GoogleBackend, "graph": GraphBackend}
