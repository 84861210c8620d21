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
  events()              every event in the calendar: dicts with id (what calsync calls
                        Event::id: the CalDAV href), uid, marker (X-CALSYNC-APPOINTMENT-ID
                        or ""), summary, start, end (Unix seconds), status

CalDavBackend talks to a real CalDAV server (Radicale from the ctest fixture): writes go
out as raw HTTP, reads come through python3-caldav, which shares no code with calsync.
The Google and Microsoft fakes (tests/fakes/) can get a backend of their own with the same
methods over their APIs; crash_test.py needs nothing else.
"""
import base64
import calendar as calendar_module
import datetime
import urllib.error
import urllib.request
import uuid

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

    def edit(self, event, summary, shift):
        cal, etag = self._get(event["id"])
        if cal is None:
            return False  # deleted meanwhile (the driver may be running)
        for vevent in cal.walk("VEVENT"):
            vevent["SUMMARY"] = icalendar.vText(summary)
            for name in ("DTSTART", "DTEND"):
                moved = vevent.decoded(name) + datetime.timedelta(seconds=shift)
                del vevent[name]
                vevent.add(name, moved)
        return self._put(event["id"], cal.to_ical(), etag) in (200, 201, 204)

    def copy(self, event):
        cal, _ = self._get(event["id"])
        if cal is None:
            return False
        uid = f"copy-{uuid.uuid4()}"
        for vevent in cal.walk("VEVENT"):
            vevent["UID"] = icalendar.vText(uid)
        return self._put(self.calendar_url + uid + ".ics", cal.to_ical()) in (200, 201, 204)

    def events(self):
        out = []
        for resource in self._calendar.events():
            for vevent in resource.icalendar_instance.walk("VEVENT"):
                out.append({
                    "id": str(resource.url),
                    "uid": str(vevent.get("UID", "")),
                    "marker": str(vevent.get("X-CALSYNC-APPOINTMENT-ID", "")),
                    "summary": str(vevent.get("SUMMARY", "")),
                    "status": str(vevent.get("STATUS", "CONFIRMED")).upper(),
                    "start": _unix(vevent.decoded("DTSTART")),
                    "end": _unix(vevent.decoded("DTEND")),
                })
        return out


BACKENDS = {"caldav": CalDavBackend}
