"""The Graph fake checked against the documented examples it imitates (delta-query-events.md,
event-delta.md, errors.md, the identity platform's device-code and token pages,
change-notifications-delivery-webhooks.md). Run: python3 -m unittest test_graph_fake"""
import base64
import datetime
import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
WINDOW = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-04-01T00:00:00Z"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Fake:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, os.path.join(HERE, "graph_fake.py")],
                                        stdout=subprocess.PIPE)
        self.port = int(self.process.stdout.readline())
        self.root = f"http://127.0.0.1:{self.port}"
        self.token = self.control("grant", {"scope": "Calendars.ReadWrite offline_access"})

    def stop(self):
        self.process.terminate()
        self.process.wait()
        self.process.stdout.close()

    def raw(self, method, url, body=None, headers=None, form=None):
        data = None
        headers = dict(headers or {})
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        url = url if url.startswith("http") else self.root + url
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request) as reply:
                return reply.status, dict(reply.headers), reply.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def call(self, method, url, body=None, headers=None, token=None):
        h = {"Authorization": "Bearer " + (token or self.token["access_token"])}
        h.update(headers or {})
        status, headers, data = self.raw(method, url, body, h)
        return status, headers, json.loads(data) if data else None

    def control(self, what, body=None):
        status, _, data = self.raw("POST", "/_control/" + what, body if body is not None else {})
        assert status == 200, (what, status, data)
        return json.loads(data)

    def event(self, subject, start, end, **fields):
        return self.control("event", dict(fields, subject=subject, start=start, end=end))["id"]


class GraphFakeTest(unittest.TestCase):
    def setUp(self):
        self.fake = Fake()

    def tearDown(self):
        self.fake.stop()

    def delta_round(self, url, page_size=2, zone=None):
        headers = {"Prefer": f"odata.maxpagesize={page_size}"}
        if zone:
            headers["Prefer"] += f', outlook.timezone="{zone}"'
        pages = []
        while True:
            status, _, body = self.fake.call("GET", url, headers=headers)
            self.assertEqual(status, 200, body)
            pages.append(body)
            if "@odata.nextLink" in body:
                self.assertNotIn("@odata.deltaLink", body)
                url = body["@odata.nextLink"]
                continue
            return pages, body["@odata.deltaLink"]

    def test_delta_example_five_events_in_pages_of_two(self):
        # delta-query-events.md: 5 events, maxpagesize 2 -> 3 requests, then a deltaLink.
        for day in range(9, 14):
            self.fake.event(f"e{day}", f"2026-03-{day:02d}T20:30:00Z", f"2026-03-{day:02d}T22:00:00Z")
        pages, delta_link = self.delta_round("/v1.0/me/calendarView/delta?" + WINDOW)
        self.assertEqual([len(p["value"]) for p in pages], [2, 2, 1])
        self.assertIn("$skiptoken=", pages[0]["@odata.nextLink"])
        self.assertIn("$deltatoken=", delta_link)
        first = pages[0]["value"][0]
        self.assertEqual(first["@odata.type"], "#microsoft.graph.event")
        self.assertEqual(first["start"], {"dateTime": "2026-03-09T20:30:00.0000000",
                                          "timeZone": "UTC"})
        self.assertTrue(first["@odata.etag"].startswith('W/"'))

        # The next round: a deletion and an event moved out of the window come as @removed.
        ids = [e["id"] for p in pages for e in p["value"]]
        self.fake.control("delete", {"id": ids[0]})
        self.fake.control("update", {"id": ids[1], "start": "2026-05-01T10:00:00Z",
                                     "end": "2026-05-01T11:00:00Z"})
        pages, _ = self.delta_round(delta_link, page_size=10)
        items = pages[0]["value"]
        self.assertEqual(sorted(i["id"] for i in items), sorted(ids[:2]))
        for item in items:
            self.assertEqual(item["@removed"], {"reason": "deleted"})

    def test_expired_delta_token_is_410_sync_state_not_found(self):
        _, delta_link = self.delta_round("/v1.0/me/calendarView/delta?" + WINDOW)
        self.fake.control("expire_delta", {"mode": "syncStateNotFound"})
        status, _, body = self.fake.call("GET", delta_link)
        self.assertEqual(status, 410)
        self.assertEqual(body["error"]["code"], "SyncStateNotFound")
        self.assertIn("innerError", body["error"])
        self.fake.control("expire_delta", {"mode": "reset"})
        status, headers, body = self.fake.call("GET", delta_link)
        self.assertEqual(status, 410)
        self.assertTrue(headers["Location"].endswith("$deltatoken="))

    def test_empty_pages_still_carry_a_next_link(self):
        self.fake.event("a", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z")
        self.fake.control("config", {"empty_pages": True})
        pages, _ = self.delta_round("/v1.0/me/calendarView/delta?" + WINDOW)
        self.assertEqual([len(p["value"]) for p in pages], [1, 0])
        self.assertIn("@odata.nextLink", pages[0])

    def test_windows_zone_preference_is_echoed(self):
        self.fake.event("a", "2026-03-02T17:00:00Z", "2026-03-02T18:00:00Z")
        self.fake.event("d", "2026-03-03", "2026-03-04", isAllDay=True)
        pages, _ = self.delta_round("/v1.0/me/calendarView/delta?" + WINDOW, page_size=5,
                                    zone="Pacific Standard Time")
        timed, all_day = pages[0]["value"]
        self.assertEqual(timed["start"], {"dateTime": "2026-03-02T09:00:00.0000000",
                                          "timeZone": "Pacific Standard Time"})
        self.assertEqual(all_day["start"]["dateTime"], "2026-03-03T00:00:00.0000000")
        self.assertEqual(all_day["end"]["dateTime"], "2026-03-04T00:00:00.0000000")

    def test_series_come_as_occurrences_and_exceptions(self):
        master = self.fake.event("weekly", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z",
                                 recurrence={"every_days": 7, "count": 3})
        self.fake.control("update", {"id": master + "_OCC1", "subject": "moved",
                                     "start": "2026-03-10T09:00:00Z",
                                     "end": "2026-03-10T10:00:00Z"})
        status, _, body = self.fake.call("GET", "/v1.0/me/calendarView?" + WINDOW)
        self.assertEqual(status, 200)
        self.assertEqual([(e["type"], e["seriesMasterId"]) for e in body["value"]],
                         [("occurrence", master), ("exception", master), ("occurrence", master)])

    def test_a_calendar_made_through_control_is_listed_and_holds_events(self):
        made = self.fake.control("calendar", {"name": "Bay 2"})["id"]
        status, _, listed = self.fake.call("GET", "/v1.0/me/calendars")
        self.assertEqual(status, 200)
        entry = next(c for c in listed["value"] if c["id"] == made)
        self.assertEqual((entry["name"], entry["canEdit"], entry["isDefaultCalendar"]),
                         ("Bay 2", True, False))
        self.fake.event("in bay 2", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z",
                        calendar=made)
        url = f"/v1.0/me/calendars/{urllib.parse.quote(made, safe='')}/calendarView?" + WINDOW
        status, _, view = self.fake.call("GET", url)
        self.assertEqual([e["subject"] for e in view["value"]], ["in bay 2"])
        # Not in the default calendar, and a second one of the same name is another.
        status, _, default = self.fake.call("GET", "/v1.0/me/calendarView?" + WINDOW)
        self.assertEqual(default["value"], [])
        self.assertNotEqual(self.fake.control("calendar", {"name": "Bay 2"})["id"], made)

    def test_transaction_id_makes_a_repeated_post_return_the_first_event(self):
        cal = self.fake.control("calendars")[1]["id"]
        prop = "String {6B1F4C2E-8D3A-4E57-9A0B-3C5D7E9F1A24} Name calsyncAppointmentId"
        event = {"subject": "Service", "transactionId": "calsync-YXBwdC0x",
                 "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
                 "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"},
                 "singleValueExtendedProperties": [{"id": prop, "value": "appt-1"}]}
        url = f"/v1.0/me/calendars/{urllib.parse.quote(cal, safe='')}/events"
        s1, _, first = self.fake.call("POST", url, event)
        s2, _, second = self.fake.call("POST", url, event)
        self.assertEqual((s1, s2), (201, 201))
        self.assertEqual(first["id"], second["id"])
        self.assertEqual(len(self.fake.control("events")), 1)
        # singlevaluelegacyextendedproperty-get.md: $filter on id and value (value
        # compared case-insensitively).
        flt = f"singleValueExtendedProperties/Any(ep: ep/id eq '{prop}' and ep/value eq 'APPT-1')"
        status, _, found = self.fake.call("GET", url + "?$filter=" + urllib.parse.quote(flt))
        self.assertEqual(status, 200)
        self.assertEqual([e["id"] for e in found["value"]], [first["id"]])

    def test_errors_have_graph_bodies(self):
        eid = self.fake.event("a", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z")
        status, _, body = self.fake.call("PATCH", f"/v1.0/me/events/{eid}", {"subject": "b"},
                                         headers={"If-Match": 'W/"stale"'})
        self.assertEqual((status, body["error"]["code"]), (412, "ErrorIrresolvableConflict"))
        status, _, body = self.fake.call("GET", "/v1.0/me/events/AAMkNoSuchEvent=")
        self.assertEqual((status, body["error"]["code"]), (404, "ErrorItemNotFound"))
        holidays = self.fake.control("calendars")[2]["id"]
        status, _, body = self.fake.call(
            "POST", f"/v1.0/me/calendars/{holidays}/events",
            {"subject": "x", "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
             "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"}})
        self.assertEqual((status, body["error"]["code"]), (403, "ErrorAccessDenied"))
        status, headers, _ = self.fake.call("GET", "/v1.0/me/calendars",
                                            token="not-a-token")
        self.assertEqual(status, 401)
        self.fake.control("fault", {"path": "/v1.0/me/calendars", "status": 429,
                                    "retry_after": "7"})
        status, headers, body = self.fake.call("GET", "/v1.0/me/calendars")
        self.assertEqual((status, headers["Retry-After"]), (429, "7"))
        self.assertEqual(body["error"]["code"], "ApplicationThrottled")  # Outlook's code

    def test_refresh_tokens_rotate_on_every_use(self):
        form = {"grant_type": "refresh_token", "client_id": "c",
                "refresh_token": self.fake.token["refresh_token"]}
        status, _, data = self.fake.raw("POST", "/common/oauth2/v2.0/token", form=form)
        first = json.loads(data)
        self.assertEqual(status, 200)
        self.assertNotEqual(first["refresh_token"], self.fake.token["refresh_token"])
        held = self.fake.control("tokens")
        for token in (first["access_token"], first["refresh_token"],
                      self.fake.token["refresh_token"]):
            self.assertIn(token, held["issued"])
        self.assertIn(first["refresh_token"], held["refresh"])
        self.fake.control("revoke_refresh_tokens")
        self.assertEqual(self.fake.control("tokens")["refresh"], [])
        status, _, data = self.fake.raw("POST", "/common/oauth2/v2.0/token", form=form)
        body = json.loads(data)
        self.assertEqual((status, body["error"]), (400, "invalid_grant"))
        self.assertTrue(body["error_description"].startswith("AADSTS"))
        self.assertIsInstance(body["error_codes"], list)

    def test_authorization_code_with_pkce(self):
        verifier = "v" * 43
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
            .rstrip(b"=").decode()
        q = urllib.parse.urlencode({"client_id": "c", "response_type": "code",
                                    "redirect_uri": "http://localhost/cb", "state": "s1",
                                    "scope": "Calendars.Read offline_access",
                                    "code_challenge": challenge, "code_challenge_method": "S256"})
        status, headers, _ = self.fake.raw("GET", "/organizations/oauth2/v2.0/authorize?" + q)
        self.assertEqual(status, 302)
        back = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)
        self.assertEqual(back["state"], ["s1"])
        form = {"grant_type": "authorization_code", "code": back["code"][0], "client_id": "c",
                "redirect_uri": "http://localhost/cb", "code_verifier": "wrong" * 9}
        status, _, _ = self.fake.raw("POST", "/organizations/oauth2/v2.0/token", form=form)
        self.assertEqual(status, 400)

    def test_consent_page_allow_and_deny(self):
        self.fake.control("config", {"consent_page": True})
        q = {"client_id": "c", "response_type": "code", "redirect_uri": "http://localhost/cb",
             "state": "s1", "scope": "Calendars.Read offline_access",
             "code_challenge": "c" * 43, "code_challenge_method": "S256"}
        path = "/common/oauth2/v2.0/authorize"
        status, headers, page = self.fake.raw("GET", path + "?" + urllib.parse.urlencode(q))
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn(b'name="state" value="s1"', page)
        status, headers, _ = self.fake.raw("POST", path, form=dict(q, consent="allow"))
        self.assertEqual(status, 302)
        back = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)
        self.assertEqual(back["state"], ["s1"])
        self.assertTrue(back["code"][0])
        status, headers, _ = self.fake.raw("POST", path, form=dict(q, consent="deny"))
        back = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)
        self.assertEqual((status, back["error"], back["state"]), (302, ["access_denied"], ["s1"]))

    def test_device_code_flow(self):
        self.fake.control("config", {"device_interval": 0})
        status, _, data = self.fake.raw("POST", "/consumers/oauth2/v2.0/devicecode",
                                        form={"client_id": "c",
                                              "scope": "Calendars.Read offline_access"})
        grant = json.loads(data)
        self.assertEqual(status, 200)
        for key in ("device_code", "user_code", "verification_uri", "expires_in", "interval",
                    "message"):
            self.assertIn(key, grant)
        poll = {"grant_type": "urn:ietf:params:oauth:grant-type:device_code", "client_id": "c",
                "device_code": grant["device_code"]}

        def answer():
            status, _, data = self.fake.raw("POST", "/consumers/oauth2/v2.0/token", form=poll)
            return status, json.loads(data)

        self.assertEqual(answer()[1]["error"], "authorization_pending")
        self.fake.control("device_script", {"responses": ["slow_down"]})
        self.assertEqual(answer()[1]["error"], "slow_down")
        self.fake.control("approve_device", {"user_code": grant["user_code"]})
        # Polled at once, faster than the 5 s slow_down added: (test_graph_fake_identity.py)
        self.fake.control("device_script", {"responses": ["success"]})
        status, tokens = answer()
        self.assertEqual(status, 200)
        self.assertIn("refresh_token", tokens)
        self.assertEqual(answer()[1]["error"], "bad_verification_code")  # used once
        self.fake.control("config", {"device_expires_in": -1})
        _, _, data = self.fake.raw("POST", "/consumers/oauth2/v2.0/devicecode",
                                   form={"client_id": "c", "scope": "Calendars.Read"})
        poll["device_code"] = json.loads(data)["device_code"]
        self.assertEqual(answer()[1]["error"], "expired_token")

    def test_subscription_needs_the_validation_handshake(self):
        received = []

        class Endpoint(http.server.BaseHTTPRequestHandler):
            echo = True

            def log_message(self, *args):
                pass

            def do_POST(self):
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                length = int(self.headers.get("Content-Length", "0"))
                received.append(self.rfile.read(length))
                body = q["validationToken"][0].encode() if Endpoint.echo and \
                    "validationToken" in q else b"wrong"
                self.send_response(200 if "validationToken" in q else 202)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        server = http.server.HTTPServer(("127.0.0.1", 0), Endpoint)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            cal = self.fake.control("calendars")[0]["id"]
            request = {"changeType": "created,updated,deleted",
                       "notificationUrl": f"http://127.0.0.1:{server.server_address[1]}/hook?c=1",
                       "resource": f"me/calendars/{cal}/events",
                       "expirationDateTime": "2099-01-01T00:00:00Z", "clientState": "s"}
            status, _, body = self.fake.call("POST", "/v1.0/subscriptions", request)
            self.assertEqual(status, 400)  # beyond the maximum lifetime
            request["expirationDateTime"] = (datetime.datetime.now(datetime.timezone.utc) +
                                             datetime.timedelta(hours=1)).strftime(
                "%Y-%m-%dT%H:%M:%SZ")
            Endpoint.echo = False
            status, _, body = self.fake.call("POST", "/v1.0/subscriptions", request)
            self.assertEqual(status, 400)
            self.assertIn("validation request failed", body["error"]["message"])
            Endpoint.echo = True
            status, _, sub = self.fake.call("POST", "/v1.0/subscriptions", request)
            self.assertEqual(status, 201)
            result = self.fake.control("notify", {"subscription_id": sub["id"], "event_id": "e1"})
            self.assertEqual(result["status"], 202)
            note = json.loads(received[-1])["value"][0]
            self.assertEqual((note["clientState"], note["subscriptionId"]), ("s", sub["id"]))
            status, _, _ = self.fake.call("DELETE", f"/v1.0/subscriptions/{sub['id']}")
            self.assertEqual(status, 204)
        finally:
            server.shutdown()
            server.server_close()


if __name__ == "__main__":
    unittest.main()
