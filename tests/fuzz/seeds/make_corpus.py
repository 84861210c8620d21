#!/usr/bin/python3
"""Writes the fuzz targets' seed corpora, tests/fuzz/corpus/<target>/, from the project's test
data (tests/data, examples/data, the iCalendar and JSON documents written into the tests'
sources) and from what the fake servers of tests/fakes answer when they are asked as calsync
asks them. Each file is named by the SHA-1 of its content, as libFuzzer names its own, so a
document met twice is kept once.

    python3 tests/fuzz/seeds/make_corpus.py        (from anywhere; Debian's python3)

The corpus directories are emptied first: what is in them is what this script writes. The
inputs found by fuzzing that crashed are kept elsewhere (regressions/, found/).
"""
import glob
import hashlib
import http.client
import http.server
import json
import os
import re
import subprocess
import sys
import threading
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
FUZZ = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(FUZZ))
FAKES = os.path.join(ROOT, "tests", "fakes")
SEPARATOR = "\n~~~\n"  # fuzz_support.hpp: kAnswerSeparator
WINDOW = ("2026-02-28T10:00:00Z", "2027-03-01T10:00:00Z")  # fuzz_support.cpp: sync_window()
LIMIT = 16 * 1024  # a seed larger than this teaches the fuzzer nothing a smaller one does not

corpus = {}  # target -> {content}


def add(target, text):
    data = text.encode() if isinstance(text, str) else text
    if len(data) <= LIMIT:
        corpus.setdefault(target, set()).add(data)


def answer(status, body, headers=()):
    """An answer in fuzz_support.hpp's script format."""
    if status == 200 and not headers:
        return body
    lines = [f"HTTP/1.1 {status}"] + [f"{n}: {v}" for n, v in headers]
    return "\n".join(lines) + "\n\n" + body


def script(*answers):
    return SEPARATOR.join(answers)


# --- the fakes -------------------------------------------------------------------------------

class Fake:
    def __init__(self, *command):
        self.process = subprocess.Popen([sys.executable, *command], stdout=subprocess.PIPE,
                                        text=True)
        self.ports = [int(p) for p in self.process.stdout.readline().split()]

    def call(self, method, path, body=None, headers=None, port=None, form=None):
        connection = http.client.HTTPConnection("127.0.0.1", port or self.ports[0], timeout=30)
        headers = dict(headers or {})
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        connection.request(method, path, body=data, headers=headers)
        reply = connection.getresponse()
        kept = [(n, v) for n, v in reply.getheaders() if n.lower() in ("retry-after", "etag")]
        text = reply.read().decode("utf-8", "replace")
        connection.close()
        return reply.status, text, kept

    def json(self, method, path, body=None, **kw):
        return json.loads(self.call(method, path, body, **kw)[1] or "null")

    def stop(self):
        self.process.terminate()
        self.process.wait()


class Listener:
    """A host's push endpoint: answers Graph's validation handshake, keeps what it gets."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode()
                query = urllib.parse.urlsplit(self.path).query
                token = urllib.parse.parse_qs(query).get("validationToken")
                received.append((query, body))
                reply = token[0].encode() if token else b""
                self.send_response(200 if token else 202)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"


GOOGLE_EVENTS = [
    {"id": "timed0001", "summary": "MOT", "start": {"dateTime": "2026-03-02T09:00:00+01:00"},
     "end": {"dateTime": "2026-03-02T10:00:00+01:00"}},
    {"id": "zoned0001", "summary": "Tyres", "location": "Bay 2",
     "start": {"dateTime": "2026-03-03T14:00:00", "timeZone": "Europe/Berlin"},
     "end": {"dateTime": "2026-03-03T15:30:00", "timeZone": "Europe/Berlin"},
     "transparency": "transparent"},
    {"id": "allday001", "summary": "Closed", "start": {"date": "2026-04-06"},
     "end": {"date": "2026-04-07"}, "status": "tentative"},
    {"id": "series001", "summary": "Team meeting",
     "start": {"dateTime": "2026-03-02T08:00:00", "timeZone": "Europe/Berlin"},
     "end": {"dateTime": "2026-03-02T08:30:00", "timeZone": "Europe/Berlin"},
     "recurrence": ["RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260630T000000Z",
                    "EXDATE;TZID=Europe/Berlin:20260304T080000"]},
    {"id": "series001_20260309T070000Z", "recurringEventId": "series001",
     "originalStartTime": {"dateTime": "2026-03-09T08:00:00+01:00",
                           "timeZone": "Europe/Berlin"},
     "start": {"dateTime": "2026-03-09T09:00:00+01:00", "timeZone": "Europe/Berlin"},
     "end": {"dateTime": "2026-03-09T09:30:00+01:00", "timeZone": "Europe/Berlin"},
     "summary": "Team meeting (moved)"},
    {"id": "series001_20260311T070000Z", "recurringEventId": "series001",
     "originalStartTime": {"dateTime": "2026-03-11T08:00:00+01:00"}, "status": "cancelled"},
    {"id": "invite001", "summary": "Supplier call",
     "start": {"dateTime": "2026-03-05T11:00:00Z"}, "end": {"dateTime": "2026-03-05T11:45:00Z"},
     "attendees": [{"email": "garage@example.com", "self": True, "responseStatus": "declined"},
                   {"email": "supplier@example.com", "organizer": True,
                    "responseStatus": "accepted"}]},
    {"id": "export001", "summary": "Busy", "start": {"dateTime": "2026-03-06T07:00:00Z"},
     "end": {"dateTime": "2026-03-06T08:00:00Z"},
     "extendedProperties": {"private": {"calsyncAppointmentId": "appt-42"}}},
    {"id": "daily0001", "summary": "Lunch", "start": {"date": "2026-03-02"},
     "end": {"date": "2026-03-03"}, "recurrence": ["RRULE:FREQ=DAILY;COUNT=5",
                                                  "RDATE;VALUE=DATE:20260320"]},
]


def google_seeds():
    fake = Fake(os.path.join(FAKES, "google", "google_fake.py"))
    try:
        fake.json("POST", "/_control/client", {"client_id": "fuzz", "client_secret": "s"})
        fake.json("POST", "/_control/calendar", {
            "id": "garage@example.com", "summary": "Workshop", "accessRole": "owner",
            "primary": True, "timeZone": "Europe/Berlin", "backgroundColor": "#9fe1e7"})
        fake.json("POST", "/_control/calendar", {
            "id": "holidays@group.v.calendar.google.com", "summary": "Holidays",
            "accessRole": "reader", "timeZone": "Europe/Berlin"})
        for event in GOOGLE_EVENTS:
            stored = fake.json("POST", "/_control/event?calendar=garage%40example.com", event)
            add("google_event", json.dumps(stored))
        tokens = fake.json("POST", "/_control/grant", {
            "client_id": "fuzz", "scope": "https://www.googleapis.com/auth/calendar"})
        auth = {"Authorization": "Bearer " + tokens["access_token"]}
        api = "/calendar/v3"

        status, page, _ = fake.call("GET", api + "/users/me/calendarList", headers=auth)
        add("google_page", "c" + answer(status, page))
        fake.json("POST", "/_control/config", {"page_size": 2})
        status, first, _ = fake.call("GET", api + "/users/me/calendarList?maxResults=1",
                                     headers=auth)
        token = json.loads(first).get("nextPageToken", "")
        _, second, _ = fake.call("GET", api + "/users/me/calendarList?maxResults=1&pageToken=" +
                                 urllib.parse.quote(token), headers=auth)
        add("google_page", "c" + script(first, second))

        events = api + "/calendars/garage%40example.com/events"
        window = "&timeMin=" + WINDOW[0] + "&timeMax=" + WINDOW[1]
        pages, url = [], events + "?showDeleted=true&maxResults=2500" + window
        for _ in range(10):
            status, page, _ = fake.call("GET", url, headers=auth)
            pages.append(page)
            doc = json.loads(page)
            for item in doc.get("items", []):
                add("google_event", json.dumps(item))
            if "nextPageToken" not in doc:
                break
            url = (events + "?showDeleted=true&maxResults=2500" + window + "&pageToken=" +
                   urllib.parse.quote(doc["nextPageToken"]))
        add("google_page", "f" + script(*pages))
        add("google_page", "f" + script(*pages[-2:]))
        sync_token = json.loads(pages[-1]).get("nextSyncToken", "")

        fake.json("POST", "/_control/config", {"page_size": 2500})
        status, whole, _ = fake.call("GET", events + "?showDeleted=true" + window, headers=auth)
        add("google_page", "f" + whole)
        # Changes since the token, then the series touched, read again by iCalUID.
        fake.json("POST", "/_control/event?calendar=garage%40example.com",
                  dict(GOOGLE_EVENTS[4], summary="Team meeting (moved again)"))
        fake.call("POST", "/_control/delete?calendar=garage%40example.com&id=timed0001")
        status, changes, _ = fake.call("GET", events + "?syncToken=" +
                                       urllib.parse.quote(sync_token), headers=auth)
        series = fake.json("GET", "/_control/stored?calendar=garage%40example.com&id=series001")
        status, reread, _ = fake.call(
            "GET", events + "?showDeleted=true&iCalUID=" +
            urllib.parse.quote(series.get("iCalUID", "")), headers=auth)
        add("google_page", "i" + script(changes, reread))
        add("google_page", "i" + changes)
        fake.json("POST", "/_control/expire_sync_tokens?calendar=garage%40example.com")
        gone = fake.call("GET", events + "?syncToken=" + urllib.parse.quote(sync_token),
                         headers=auth)
        add("google_page", "i" + script(answer(*gone), whole))

        status, one, _ = fake.call("GET", events + "/export001", headers=auth)
        add("google_page", "e" + answer(status, one))
        add("google_page", "e" + answer(*fake.call("GET", events + "/missing01", headers=auth)))

        watch = {"id": "chan-g", "type": "web_hook", "address": "https://host.example/push",
                 "token": "@TOKEN@"}
        status, channel, _ = fake.call("POST", events + "/watch", watch, headers=auth)
        add("google_page", "w" + answer(status, channel))
        add("google_page", "w" + answer(*fake.call("POST", events + "/watch", watch,
                                                   headers=auth)))
        fake.json("POST", "/_control/event?calendar=garage%40example.com", GOOGLE_EVENTS[0])
        for sent in fake.json("GET", "/_control/notifications"):
            lines = [f"{n}: {v}" for n, v in sent["headers"].items()]
            add("push", "\n" + "\n".join(lines) + "\n\n")
            # The same for the fuzz store's other channels (fuzz_push.cpp): one of a
            # calendar not selected, one of a disconnected connection.
            other = "\n".join(lines).replace("chan-g", "chan-other")
            add("push", "\n" + other.replace("@TOKEN@", "@TOKEN g other@") + "\n\n")
            add("push", "\n" + "\n".join(lines).replace("@TOKEN@", "@TOKEN d primary@") +
                "\n\n")

        for name in ("rateLimitExceeded403", "userRateLimitExceeded", "quotaExceeded",
                     "rateLimitExceeded429", "authError", "backendError", "notFound"):
            fake.json("POST", "/_control/fault", {"error": name, "count": 1,
                                                  "retry_after": "2"})
            failed = fake.call("GET", events + "?showDeleted=true" + window, headers=auth)
            add("google_page", "f" + script(answer(*failed), whole))
            add("google_page", "c" + answer(*failed))

        status, refreshed, _ = fake.call("POST", "/token", form={
            "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
            "client_id": "fuzz", "client_secret": "s"})
        add("oauth_token", "r" + answer(status, refreshed))
        add("oauth_token", "s" + script(answer(status, refreshed), whole))
        add("google_page", "f" + script(answer(401, json.dumps(
            {"error": {"code": 401, "message": "Invalid Credentials"}})), refreshed, whole))
        refused = fake.call("POST", "/token", form={
            "grant_type": "refresh_token", "refresh_token": "revoked", "client_id": "fuzz",
            "client_secret": "s"})
        add("oauth_token", "r" + answer(*refused))
        add("oauth_token", "e" + answer(*fake.call("POST", "/token", form={
            "grant_type": "authorization_code", "code": "nope", "client_id": "fuzz",
            "client_secret": "s", "redirect_uri": "http://127.0.0.1/cb",
            "code_verifier": "v" * 43})))
        add("oauth_token", "v" + answer(*fake.call("POST", "/revoke",
                                                   form={"token": "unknown"})))
        add("oauth_token", "v" + answer(*fake.call("POST", "/revoke",
                                                   form={"token": tokens["refresh_token"]})))
    finally:
        fake.stop()


def graph_seeds():
    fake = Fake(os.path.join(FAKES, "graph", "graph_fake.py"))
    listener = Listener()
    try:
        granted = fake.json("POST", "/_control/grant",
                            {"scope": "Calendars.ReadWrite offline_access"})
        auth = {"Authorization": "Bearer " + granted["access_token"]}
        other = fake.json("POST", "/_control/calendar", {"name": "Workshop"})["id"]
        fake.json("POST", "/_control/calendar", {"name": "Holidays", "can_edit": False})
        for event in [
                {"subject": "MOT", "start": "2026-03-02T09:00:00Z", "end": "2026-03-02T10:00:00Z"},
                {"subject": "Closed", "start": "2026-04-06", "end": "2026-04-07",
                 "isAllDay": True},
                {"subject": "Lunch", "start": "2026-03-02T12:00:00Z",
                 "end": "2026-03-02T12:30:00Z", "recurrence": {"every_days": 1, "count": 4}},
                {"subject": "Maybe", "start": "2026-03-04T15:00:00Z",
                 "end": "2026-03-04T16:00:00Z", "showAs": "tentative"},
                {"subject": "Free", "start": "2026-03-04T17:00:00Z",
                 "end": "2026-03-04T18:00:00Z", "showAs": "free"},
                {"subject": "Invite", "start": "2026-03-05T08:00:00Z",
                 "end": "2026-03-05T09:00:00Z", "response": "declined", "isOrganizer": False},
                {"subject": "Cancelled", "start": "2026-03-06T08:00:00Z",
                 "end": "2026-03-06T09:00:00Z", "isCancelled": True},
                {"subject": "Busy", "start": "2026-03-07T08:00:00Z", "end": "2026-03-07T09:00:00Z",
                 "transactionId": "calsync-appt-42-0123456789abcdef",
                 "properties": {"String {6B1F4C2E-8D3A-4E57-9A0B-3C5D7E9F1A24} Name "
                                "calsyncAppointmentId": "appt-42"}},
                {"calendar": other, "subject": "Bay 1", "start": "2026-03-03T10:00:00Z",
                 "end": "2026-03-03T11:00:00Z"}]:
            fake.json("POST", "/_control/event", event)

        status, calendars, _ = fake.call("GET", "/v1.0/me/calendars", headers=auth)
        add("graph_page", "l" + answer(status, calendars))
        window = "?startDateTime=" + WINDOW[0] + "&endDateTime=" + WINDOW[1]
        prefer = dict(auth, Prefer='odata.maxpagesize=3, outlook.timezone="UTC"')

        def round_from(url):
            pages = []
            for _ in range(10):
                status, page, headers = fake.call("GET", url, headers=prefer)
                pages.append(answer(status, page, headers if status != 200 else ()))
                doc = json.loads(page)
                for item in doc.get("value", []):
                    add("graph_event", json.dumps(item))
                url = doc.get("@odata.nextLink", "")
                if not url:
                    return pages, doc.get("@odata.deltaLink", "")
                url = url[url.index("/v1.0"):]
            return pages, ""

        base = f"http://127.0.0.1:{fake.ports[0]}/v1.0"
        to_fuzz = lambda text: text.replace(base, "https://graph.microsoft.com/v1.0")
        delta, delta_link = round_from("/v1.0/me/calendarView/delta" + window)
        fake.json("POST", "/_control/event", {"subject": "Late", "start": "2026-03-09T08:00:00Z",
                                              "end": "2026-03-09T09:00:00Z"})
        again, _ = round_from(delta_link[delta_link.index("/v1.0"):])
        add("graph_page", "d" + to_fuzz(script(*delta, *again)))
        add("graph_page", "d" + to_fuzz(script(*delta)))
        add("graph_page", "f" + to_fuzz(script(answer(status, calendars), *delta)))
        fake.json("POST", "/_control/expire_delta", {"mode": "syncStateNotFound"})
        expired = fake.call("GET", delta_link[delta_link.index("/v1.0"):], headers=prefer)
        add("graph_page", "d" + to_fuzz(script(*delta, answer(*expired), *delta)))
        listing, _ = round_from("/v1.0/me/calendars/" + urllib.parse.quote(other) +
                                "/calendarView" + window)
        add("graph_page", "s" + to_fuzz(script(*listing, *listing)))
        status, found, _ = fake.call(
            "GET", "/v1.0/me/events?$filter=" + urllib.parse.quote(
                "singleValueExtendedProperties/Any(ep: ep/id eq 'String "
                "{6B1F4C2E-8D3A-4E57-9A0B-3C5D7E9F1A24} Name calsyncAppointmentId' and "
                "ep/value eq 'appt-42')"), headers=auth)
        add("graph_page", "x" + to_fuzz(answer(status, found)))
        for status, code in ((429, "TooManyRequests"), (503, "ServiceUnavailable"),
                             (404, "ErrorItemNotFound"), (403, "ErrorAccessDenied")):
            fake.json("POST", "/_control/fault", {"status": status, "count": 1,
                                                  "retry_after": "1", "path": "/v1.0/me"})
            failed = fake.call("GET", "/v1.0/me/calendars", headers=auth)
            add("graph_page", "l" + answer(*failed))
            add("graph_page", "d" + to_fuzz(script(answer(*failed), *delta)))

        token = fake.call("POST", "/common/oauth2/v2.0/token", form={
            "grant_type": "refresh_token", "refresh_token": granted["refresh_token"],
            "client_id": "fuzz", "scope": "Calendars.ReadWrite offline_access"})
        add("oauth_token", "r" + answer(*token))
        add("oauth_token", "s" + script(answer(*token), answer(401, ""), answer(*token),
                                        calendars))
        add("graph_page", "l" + script(answer(401, json.dumps(
            {"error": {"code": "InvalidAuthenticationToken", "message": "expired"}})),
            answer(*token), calendars))
        device = fake.call("POST", "/common/oauth2/v2.0/devicecode",
                           form={"client_id": "fuzz", "scope": "Calendars.Read offline_access"})
        for responses in (["authorization_pending"], ["slow_down"], ["access_denied"],
                          ["expired_token"]):
            fake.json("POST", "/_control/device_script", {"responses": responses})
            poll = fake.call("POST", "/common/oauth2/v2.0/token", form={
                "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
                "client_id": "fuzz", "device_code": json.loads(device[1])["device_code"]})
            add("oauth_token", "b" + script(answer(*device), answer(*poll)))
            add("oauth_token", "p" + answer(*poll))
        add("oauth_token", "b" + script(answer(*device), answer(*token)))
        add("oauth_token", "p" + answer(*token))

        hook = listener.url("/graph/hook?calsync_connection=m&calsync_calendar=calendar-1")
        subscription = fake.json("POST", "/v1.0/subscriptions", {
            "changeType": "created,updated,deleted", "notificationUrl": hook,
            "resource": "me/calendars/calendar-1/events", "clientState": "@STATE@",
            "expirationDateTime": "2099-01-01T00:00:00Z"}, headers=auth)
        if "id" not in subscription:  # the fake caps the expiry at its own clock
            subscription = fake.json("POST", "/v1.0/subscriptions", {
                "changeType": "created,updated,deleted", "notificationUrl": hook,
                "resource": "me/calendars/calendar-1/events", "clientState": "@STATE@",
                "expirationDateTime": fake_expiry()}, headers=auth)
        fake.json("POST", "/_control/notify", {"subscription_id": subscription["id"],
                                               "change_type": "updated"})
        fake.json("POST", "/_control/notify", {"subscription_id": subscription["id"],
                                               "change_type": "deleted",
                                               "client_state": "forged"})
        for query, body in listener.received:
            add("push", query + "\n\n" + body)
            add("push", query + "\nContent-Type: application/json\n\n" +
                body.replace(subscription["id"], "sub-m"))
        # Lifecycle notifications (Graph "Reduce missing subscriptions and change
        # notifications"), for the fuzz store's subscription sub-m.
        query = urllib.parse.urlsplit(hook).query
        for event in ("missed", "reauthorizationRequired", "subscriptionRemoved"):
            add("push", query + "\n\n" + json.dumps({"value": [{
                "subscriptionId": "sub-m", "subscriptionExpirationDateTime":
                "2026-03-03T10:00:00Z", "tenantId": "84bd8158-6d4d-4958-8b9f-9d6445542f95",
                "clientState": "@STATE@", "lifecycleEvent": event}]}))
    finally:
        listener.server.shutdown()
        fake.stop()


def fake_expiry():
    import datetime
    later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=24)
    return later.strftime("%Y-%m-%dT%H:%M:%SZ")


def caldav_seeds():
    fake = Fake(os.path.join(FAKES, "caldav_fake.py"))
    a, b = fake.ports
    auth = {"Authorization": "Basic Z2FyYWdlOnRlc3Qtb25seS1wYXNzd29yZA=="}
    try:
        for path in glob.glob(os.path.join(ROOT, "tests", "data", "ics", "*.ics")) + \
                glob.glob(os.path.join(ROOT, "examples", "data", "*.ics")):
            with open(path) as f:
                name = os.path.basename(path)
                fake.call("POST", "/_admin/put?name=" + name, f.read())
        fake.call("POST", "/_admin/delete?name=no-name.ics")
        propfind = ('<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:">'
                    '<D:prop><D:current-user-principal/></D:prop></D:propfind>')
        for port, path, method, body in (
                (a, "/dav/", "PROPFIND", propfind),
                (a, "/dav/principals/garage/", "PROPFIND", propfind),
                (b, "/home/", "PROPFIND", propfind),
                (b, "/home/cal/", "REPORT",
                 '<D:sync-collection xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                 '<D:sync-token/><D:sync-level>1</D:sync-level><D:prop><D:getetag/>'
                 '</D:prop></D:sync-collection>'),
                (b, "/home/cal/", "REPORT",
                 '<C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                 '<D:prop><D:getetag/><C:calendar-data/></D:prop></C:calendar-query>'),
                (b, "/home/cal/", "REPORT",
                 '<C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                 '<D:prop><D:getetag/><C:calendar-data/></D:prop>'
                 '<D:href>/home/cal/series.ics</D:href><D:href>/home/cal/gone.ics</D:href>'
                 '</C:calendar-multiget>')):
            status, text, _ = fake.call(method, path, body, headers=auth, port=port)
            add("dav_multistatus", text)
        fake.call("POST", "/_admin/config?page=2")
        status, text, _ = fake.call("REPORT", "/home/cal/", (
            '<D:sync-collection xmlns:D="DAV:"><D:sync-token/><D:sync-level>1</D:sync-level>'
            '<D:prop><D:getetag/></D:prop></D:sync-collection>'), headers=auth, port=b)
        add("dav_multistatus", text)
    finally:
        fake.stop()
    # What other servers write: other prefixes, a default namespace, errors.
    add("dav_multistatus", (
        '<?xml version="1.0"?>\n<multistatus xmlns="DAV:" '
        'xmlns:cal="urn:ietf:params:xml:ns:caldav"><response><href>/dav/calendars/user/work/'
        '</href><propstat><prop><resourcetype><collection/><cal:calendar/></resourcetype>'
        '<displayname>Work</displayname><cal:supported-calendar-component-set><cal:comp '
        'name="VEVENT"/><cal:comp name="VTODO"/></cal:supported-calendar-component-set>'
        '</prop><status>HTTP/1.1 200 OK</status></propstat><propstat><prop><getctag '
        'xmlns="http://calendarserver.org/ns/"/></prop><status>HTTP/1.1 404 Not Found</status>'
        '</propstat></response><sync-token>http://radicale.org/ns/sync/abc</sync-token>'
        '</multistatus>'))
    add("dav_multistatus", (
        '<?xml version="1.0" encoding="utf-8"?>\n<ns0:error xmlns:ns0="DAV:">'
        '<ns0:valid-sync-token/></ns0:error>'))
    add("dav_multistatus", (
        '<d:multistatus xmlns:d="DAV:"><d:response><d:href>/cal/a.ics</d:href>'
        '<d:status>HTTP/1.1 404 Not Found</d:status></d:response><d:response>'
        '<d:href>/cal/</d:href><d:status>HTTP/1.1 507 Insufficient Storage</d:status>'
        '<d:error><d:number-of-matches-within-limits/></d:error></d:response>'
        '<d:sync-token>42</d:sync-token></d:multistatus>'))


# --- documents from the sources --------------------------------------------------------------

RAW_STRING = re.compile(r'R"(\w*)\((.*?)\)\1"', re.S)


def raw_strings(pattern):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
        with open(path, errors="replace") as f:
            for m in RAW_STRING.finditer(f.read()):
                yield m.group(2)


# Adjacent C string literals ("BEGIN:VEVENT\r\n" "UID:a\r\n" ...) and their escapes.
LITERALS = re.compile(r'(?:"(?:[^"\\\n]|\\.)*"\s*)+')
ESCAPES = {"r": "\r", "n": "\n", "t": "\t", "\\": "\\", '"': '"'}


def string_literals(pattern):
    for path in sorted(glob.glob(os.path.join(ROOT, pattern), recursive=True)):
        with open(path, errors="replace") as f:
            for run in LITERALS.finditer(f.read()):
                pieces = re.findall(r'"((?:[^"\\\n]|\\.)*)"', run.group(0))
                yield re.sub(r"\\(.)", lambda m: ESCAPES.get(m.group(1), m.group(1)),
                             "".join(pieces))


def vcalendar(body):
    """As the unit tests wrap their events (tests/unit/expand_helpers.hpp)."""
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//calsync tests//EN\r\n" + body + \
        "END:VCALENDAR\r\n"


def ics_seeds():
    for path in glob.glob(os.path.join(ROOT, "tests", "data", "ics", "*.ics")) + \
            glob.glob(os.path.join(ROOT, "examples", "data", "*.ics")):
        with open(path, "rb") as f:
            add("ics_import", f.read())
    for text in string_literals("tests/unit/*.*pp"):
        if "BEGIN:VCALENDAR" in text:
            add("ics_import", text)
        elif "BEGIN:VEVENT" in text or "BEGIN:VTIMEZONE" in text:
            add("ics_import", vcalendar(text))
    sys.path.insert(0, os.path.join(ROOT, "tests", "differential"))
    import gen_calendars
    import known_disagreements
    for case in known_disagreements.CASES:
        add("ics_import", vcalendar(case["ics"]))
    rng = __import__("random").Random(12)  # a fixed seed: the same calendars every time
    for index in range(12):
        add("ics_import", gen_calendars.calendar(rng, index))


CAPI_DOCUMENTS = {
    "c": ['{"version":1,"zone":"Europe/Berlin","window":{"days_back":1,"days_ahead":365},'
          '"policy":{"tentative_blocks":true,"unanswered_blocks":false,"all_day_blocks":true},'
          '"export":{"busy_only":true,"busy_summary":"Busy","uid_domain":"garage.example",'
          '"include_notes":false,"location":"Werkstatt","on_remote_edit":"keep_remote",'
          '"on_remote_delete":"leave_deleted"},"google":{"client_id":"g","client_secret":"s",'
          '"redirect_uri":"http://127.0.0.1:8080/cb","api_base_url":"https://g.example/v3"},'
          '"microsoft":{"client_id":"m","tenant":"organizations"},"network":'
          '{"allow_private_addresses":false,"connect_timeout_seconds":10,'
          '"total_timeout_seconds":120},"schedule":{"min_interval_minutes":15,'
          '"max_interval_minutes":30,"first_retry_seconds":60,"max_backoff_minutes":30},'
          '"max_concurrent_syncs":4}', '{}', '{"zone":"Mars/Olympus"}'],
    "b": ['{"version":1,"zone":"Europe/Berlin","window":{"start":"2026-03-01T00:00:00Z",'
          '"end":"2026-04-01T00:00:00Z"},"policy":{"default":{"tentative_blocks":false},'
          '"calendars":{"work":{"all_day_blocks":false}}},"calendars":[{"id":"home",'
          '"name":"Home","owner_addresses":["me@example.com"],"ics":"BEGIN:VCALENDAR\\r\\n'
          'VERSION:2.0\\r\\nBEGIN:VEVENT\\r\\nUID:a\\r\\nDTSTART:20260302T090000Z\\r\\n'
          'DURATION:PT1H\\r\\nRRULE:FREQ=DAILY;COUNT=3\\r\\nEND:VEVENT\\r\\nEND:VCALENDAR\\r\\n"},'
          '{"id":"work","events":[{"id":"e1","uid":"u1","summary":"Fit","start":{"date_time":'
          '"2026-03-03T09:00:00","time_zone":"Europe/Berlin"},"end":{"date_time":'
          '"2026-03-03T10:00:00","time_zone":"Europe/Berlin"},"status":"tentative",'
          '"transparency":"opaque","owner_response":"accepted","recurrence":{"rrule":'
          '["FREQ=WEEKLY;BYDAY=TU"],"rdate":[{"date":"2026-03-20"}],"exdate":[{"date_time":'
          '"2026-03-10T08:00:00Z"}]},"overrides":[{"recurrence_id":{"date_time":'
          '"2026-03-17T08:00:00Z"},"this_and_future":false,"start":{"date_time":'
          '"2026-03-17T11:00:00Z"},"end":{"date_time":"2026-03-17T12:00:00Z"}}]},'
          '{"id":"e2","start":{"date":"2026-03-05"},"duration":"P2D"},{"id":"e3","start":'
          '{"date_time":"2026-03-06T07:00:00+02:00"},"export_marker":"appt-1"}]}]}'],
    "f": ['{"version":1,"busy":[{"start":"2026-03-02T09:00:00Z","end":"2026-03-02T10:00:00Z"}'
          '],"within":{"start":"2026-03-02T08:00:00Z","end":"2026-03-02T18:00:00Z"},'
          '"duration_seconds":3600,"step_seconds":900}'],
    "p": ['{"version":1,"kind":"caldav","url":"https://dav.example.com/","username":"u",'
          '"password":"p","network":{"allow_private_addresses":false,"ca_bundle":"/x.pem",'
          '"connect_timeout_seconds":5,"total_timeout_seconds":60}}',
          '{"version":1,"kind":"ics_feed","url":"webcal://feeds.example/h.ics","name":"H",'
          '"owner_addresses":["me@example.com"]}',
          '{"version":1,"kind":"google","oauth":{"client_id":"c","client_secret":"s"},'
          '"tokens":{"version":1,"access_token":"a","refresh_token":"r","scope":"x",'
          '"expires_at":"2026-03-01T11:00:00Z"},"api_base_url":"https://g.example/v3"}',
          '{"version":1,"kind":"microsoft","oauth":{"client_id":"c","tenant":"common",'
          '"authority_url":"https://login.microsoftonline.us"},"tokens":{"access_token":"a",'
          '"refresh_token":"r","expires_at":"2026-03-01T11:00:00Z"}}',
          '{"version":1,"kind":"icloud","username":"a@icloud.com","password":"abcd-efgh"}'],
    "o": ['{"version":1,"kind":"google","client_id":"c","client_secret":"s","redirect_uri":'
          '"http://127.0.0.1:8080/cb","exports":false,"scopes":["a","b"],"host_key":'
          '"fuzz-host-key-0123456789abcdef-0123456789abcdef"}',
          '{"version":1,"kind":"microsoft","client_id":"c","tenant":"consumers",'
          '"authority_url":"https://login.microsoftonline.com","token_url":"https://t.example/",'
          '"device_authorization_url":"https://d.example/","host_key":'
          '"fuzz-host-key-0123456789abcdef-0123456789abcdef","network":{}}'],
    "a": ['{"version":1,"id":"appt-7","start":"2026-03-02T09:00:00Z","end":'
          '"2026-03-02T10:30:00+01:00","client":"Grace","service":"Brakes","vehicle":"B-CS 42",'
          '"notes":"Customer waits","status":"booked"}',
          '{"version":1,"id":"appt-1","start":"2026-03-02T09:00:00Z","end":'
          '"2026-03-02T10:00:00Z","status":"cancelled"}'],
    "r": ['{"version":1,"start":"2026-03-01T00:00:00Z","end":"2026-04-01T00:00:00Z"}'],
    "q": ['{"version":1,"within":{"start":"2026-03-02T08:00:00Z","end":'
          '"2026-03-03T18:00:00Z"},"duration_seconds":3600,"step_seconds":1800}'],
    "k": ['{"version":1,"start":"2026-03-02T09:00:00Z","end":"2026-03-02T10:00:00Z",'
          '"timeout_ms":50}'],
    "t": ['{"version":1,"connection_id":"c1","calendar_name":"Team","busy_only":true,'
          '"refresh_interval_minutes":30}', '{"version":1}'],
    "h": ['{"version":1,"method":"POST","query":"validationToken=Validation%3A+x","headers":'
          '[],"body":""}',
          '{"version":1,"method":"POST","query":"","headers":[{"name":"X-Goog-Channel-ID",'
          '"value":"chan-g"},{"name":"X-Goog-Channel-Token","value":"v1.Zw.cHJpbWFyeQ.x"},'
          '{"name":"X-Goog-Resource-State","value":"exists"},{"name":"X-Goog-Resource-ID",'
          '"value":"r"}],"body":""}',
          '{"version":1,"method":"POST","query":"calsync_connection=m&calsync_calendar=c",'
          '"headers":[{"name":"Content-Type","value":"application/json"}],"body":'
          '"{\\"value\\":[{\\"subscriptionId\\":\\"s\\",\\"clientState\\":\\"x\\",'
          '\\"lifecycleEvent\\":\\"missed\\"}]}"}'],
    "O": ['{"version":1,"state":"v1.abc.def","code":"4/0Ab","code_verifier":"' + "v" * 43 +
          '"}'],
    "n": ['{"version":1,"kind":"caldav","url":"https://dav.example.com/","username":"u",'
          '"password":"p","connection_id":"c1"}',
          '{"version":1,"kind":"google","tokens":{"access_token":"a","refresh_token":"r",'
          '"expires_at":"2026-03-01T11:00:00Z"}}',
          '{"version":1,"kind":"ics_feed","url":"https://feeds.example/a.ics"}'],
    "s": ['{"version":1,"calendar_id":"work","direction":"both","policy":'
          '{"tentative_blocks":false}}', '{"calendar_id":"x","direction":"export"}'],
    "w": ['{"version":1,"calendar_id":"primary","address":"https://host.example/push"}'],
    "B": ['{"version":1,"kind":"microsoft","connection_id":"c9"}'],
    "C": ['{"version":1,"state":"s","code":"c"}',
          '{"version":1,"redirect_url":"http://127.0.0.1:8080/cb?state=s&code=c"}',
          '{"version":1,"redirect_url":"http://127.0.0.1:8080/cb?error=access_denied&state=s"}'],
    "P": ['{"version":1,"calendar_id":"https://dav.example.com/cal/","zone":"UTC","window":'
          '{"start":"2026-03-01T00:00:00Z","end":"2026-04-01T00:00:00Z"},"policy":'
          '{"default":{"all_day_blocks":false}}}'],
    "T": ['{"version":1,"access_token":"a","refresh_token":"r","scope":"s","expires_at":'
          '"2026-03-01T11:00:00Z"}'],
}


def capi_seeds():
    for letter, documents in CAPI_DOCUMENTS.items():
        for document in documents:
            json.loads(document)
            add("capi_json", letter + document)
    with open(os.path.join(ROOT, "examples", "data", "appointments.json")) as f:
        for appointment in json.load(f).get("appointments", []):
            add("capi_json", "a" + json.dumps(appointment))
    # The tests' own request documents, by the members that say what they are for.
    kinds = (("calendars", "b"), ("busy", "f"), ("within", "q"), ("timeout_ms", "k"),
             ("direction", "s"), ("address", "w"), ("redirect_url", "C"), ("kind", "p"))
    for text in raw_strings("tests/capi/*.cpp"):
        try:
            doc = json.loads(text)
        except ValueError:
            continue
        if isinstance(doc, dict):
            letter = next((l for key, l in kinds if key in doc), None)
            if letter is not None:
                add("capi_json", letter + text)


def cli_seeds():
    for text in ("90", "90m", "1h", "1h30m", "45s", "2h15m30s", "0", "1h30", "999999h"):
        add("cli_time", "d" + text)
    for text in ("2026-06-01", "2026-03-29", "2026-10-25", "2026-06-01T07:00:00Z",
                 "0000-00-00"):
        add("cli_time", "w" + text)
    for text in ("2026-06-01T07:00:00Z", "2026-06-01T07:00:00.123+02:00",
                 "2026-06-01T07:00:00-05:30", "2026-06-01T07:00:00", "9999-12-31T23:59:59Z"):
        add("cli_time", "u" + text)
        add("cli_time", "l" + text)


def write():
    total = 0
    for target, documents in sorted(corpus.items()):
        directory = os.path.join(FUZZ, "corpus", target)
        os.makedirs(directory, exist_ok=True)
        for old in glob.glob(os.path.join(directory, "*")):
            os.remove(old)
        for data in documents:
            with open(os.path.join(directory, hashlib.sha1(data).hexdigest()), "wb") as f:
                f.write(data)
        size = sum(len(d) for d in documents)
        total += size
        print(f"{target:16} {len(documents):4} files {size // 1024:5} KiB")
    print(f"{'all':16} {total // 1024:15} KiB")


def main():
    ics_seeds()
    caldav_seeds()
    google_seeds()
    graph_seeds()
    capi_seeds()
    cli_seeds()
    write()


if __name__ == "__main__":
    main()
