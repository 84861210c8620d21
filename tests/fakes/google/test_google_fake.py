"""The Google fake against what the Calendar API documentation says: error bodies as the
"Handle API errors" guide prints them, paging and sync tokens as the events.list
reference and the sync guide describe them, conditional writes, patch semantics,
sequence, recurring instances, push channels, OAuth (PKCE, loopback redirects, consent,
codes, revocation), and the faults a test injects.

Run by ctest (label google): python3 -m unittest test_google_fake
"""
import base64
import datetime
import hashlib
import http.client
import json
import os
import subprocess
import sys
import time
import unittest
import urllib.error
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
CAL = "garage@example.com"
SCOPE_ALL = "https://www.googleapis.com/auth/calendar"
LIST_SCOPE = "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
CLIENT = "test-client.apps.googleusercontent.com"


def challenge_of(verifier):
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class FakeTestCase(unittest.TestCase):
    def setUp(self):
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, "google_fake.py")],
                                     stdout=subprocess.PIPE)
        self.port = int(self.proc.stdout.readline())
        self.control("calendar", {"id": CAL, "summary": "Workshop", "primary": True,
                                  "timeZone": "Europe/Berlin", "accessRole": "owner"})
        self.token = self.control("grant", {"client_id": CLIENT, "scope": SCOPE_ALL})[1][
            "access_token"]

    def tearDown(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stdout.close()

    def call(self, method, path, body=None, headers=None, form=None, auth=True):
        data = None
        all_headers = dict(headers or {})
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["Content-Type"] = "application/json"
        if form is not None:
            data = urllib.parse.urlencode(form).encode()
        if auth:
            all_headers["Authorization"] = "Bearer " + self.token
        request = urllib.request.Request("http://127.0.0.1:%d%s" % (self.port, path), data=data,
                                         headers=all_headers, method=method)
        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(request) as r:
                return r.status, parse(r.read()), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, parse(e.read()), dict(e.headers)

    def control(self, name, body=None, **query):
        path = "/_control/%s?%s" % (name, urllib.parse.urlencode(query))
        status, answer, _ = self.call("POST" if body is not None or name in (
            "delete", "expire_sync_tokens") else "GET", path, body, auth=False)
        return status, answer

    def events(self, **query):
        return self.call("GET", "/calendar/v3/calendars/%s/events?%s" % (
            urllib.parse.quote(CAL), urllib.parse.urlencode(query)))

    def event_path(self, event_id=""):
        return "/calendar/v3/calendars/%s/events%s" % (CAL, "/" + event_id if event_id else "")

    def add(self, event_id, day="02", **extra):
        event = {"id": event_id, "summary": event_id,
                 "start": {"dateTime": "2026-03-%sT09:00:00+01:00" % day},
                 "end": {"dateTime": "2026-03-%sT10:00:00+01:00" % day}}
        event.update(extra)
        return self.control("event", event, calendar=CAL)[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args):
        return None


def parse(data):
    try:
        return json.loads(data) if data else None
    except ValueError:
        return data


class ErrorBodies(FakeTestCase):
    def test_duplicate_id_also_after_deletion(self):
        body = {"id": "abcde12345", "start": {"dateTime": "2026-03-02T09:00:00Z"},
                "end": {"dateTime": "2026-03-02T10:00:00Z"}}
        path = "/calendar/v3/calendars/%s/events" % CAL
        self.assertEqual(self.call("POST", path, body)[0], 200)
        self.assertEqual(self.call("DELETE", path + "/abcde12345")[0], 204)
        status, answer, _ = self.call("POST", path, body)
        self.assertEqual(status, 409)
        self.assertEqual(answer, {"error": {"errors": [{
            "domain": "global", "reason": "duplicate",
            "message": "The requested identifier already exists."}],
            "code": 409, "message": "The requested identifier already exists."}})
        # The deleted event persists as cancelled; deleting it again is 410 deleted.
        status, answer, _ = self.call("DELETE", path + "/abcde12345")
        self.assertEqual(status, 410)
        self.assertEqual(answer["error"]["errors"][0]["reason"], "deleted")
        self.assertEqual(self.call("GET", path + "/abcde12345")[1]["status"], "cancelled")

    def test_if_match_mismatch_is_412_condition_not_met(self):
        etag = self.add("eventone")["etag"]
        path = "/calendar/v3/calendars/%s/events/eventone" % CAL
        changed = {"start": {"dateTime": "2026-03-02T11:00:00Z"},
                   "end": {"dateTime": "2026-03-02T12:00:00Z"}}
        status, answer, _ = self.call("PUT", path, changed, {"If-Match": '"1"'})
        self.assertEqual(status, 412)
        self.assertEqual(answer["error"]["errors"][0], {
            "domain": "global", "reason": "conditionNotMet", "message": "Precondition Failed",
            "locationType": "header", "location": "If-Match"})
        status, answer, _ = self.call("PUT", path, changed, {"If-Match": etag})
        self.assertEqual(status, 200)
        self.assertNotEqual(answer["etag"], etag)

    def test_client_ids_must_be_base32hex(self):
        body = {"id": "NOT-BASE32", "start": {"date": "2026-03-02"}, "end": {"date": "2026-03-03"}}
        status, answer, _ = self.call("POST", "/calendar/v3/calendars/%s/events" % CAL, body)
        self.assertEqual(status, 400)
        self.assertEqual(answer["error"]["message"], "Invalid resource id value.")

    def test_401_without_a_valid_token(self):
        self.token = "ya29.not-issued"
        status, answer, headers = self.events()
        self.assertEqual(status, 401)
        self.assertEqual(answer["error"]["errors"][0]["reason"], "authError")
        self.assertIn("WWW-Authenticate", headers)

    def test_injected_limits(self):
        self.control("fault", {"error": "rateLimitExceeded429", "count": 1, "retry_after": "3"})
        self.control("fault", {"error": "rateLimitExceeded403", "count": 1})
        status, answer, headers = self.events()
        self.assertEqual((status, headers.get("Retry-After")), (429, "3"))
        self.assertEqual(answer["error"]["errors"][0]["domain"], "usageLimits")
        status, answer, _ = self.events()
        self.assertEqual((status, answer["error"]["errors"][0]["reason"]),
                         (403, "rateLimitExceeded"))
        self.assertEqual(self.events()[0], 200)

    def test_readers_cannot_write(self):
        self.control("calendar", {"id": "holidays@example.com", "accessRole": "reader"})
        status, answer, _ = self.call("DELETE",
                                      "/calendar/v3/calendars/holidays@example.com/events/x1234")
        self.assertEqual(status, 403)
        self.assertEqual(answer["error"]["errors"][0]["reason"], "requiredAccessLevel")
        status, _, _ = self.call("GET", "/calendar/v3/calendars/gone@example.com/events")
        self.assertEqual(status, 404)


class Sync(FakeTestCase):
    def list_all(self, **query):
        pages, token = [], None
        while True:
            q = dict(query, **({"pageToken": token} if token else {}))
            status, page, _ = self.events(**q)
            self.assertEqual(status, 200, page)
            pages.append(page)
            token = page.get("nextPageToken")
            if token is None:
                return pages

    def test_small_and_empty_pages_with_sync_token_only_on_the_last(self):
        for n in range(5):
            self.add("event%d" % n)
        self.control("config", {"page_size": 2, "empty_pages": True})
        pages = self.list_all(maxResults="2500")
        ids = [e["id"] for p in pages for e in p["items"]]
        self.assertEqual(sorted(ids), ["event%d" % n for n in range(5)])
        self.assertTrue(any(not p["items"] and "nextPageToken" in p for p in pages))
        self.assertTrue(all("nextSyncToken" not in p for p in pages[:-1]))
        self.assertIn("nextSyncToken", pages[-1])
        self.assertNotIn("nextPageToken", pages[-1])

    def test_incremental_changes_and_expiry(self):
        self.add("keepme")
        self.add("dropme")
        token = self.list_all(showDeleted="true")[-1]["nextSyncToken"]
        self.add("addedlater")
        self.control("delete", calendar=CAL, id="dropme")
        pages = self.list_all(syncToken=token)
        items = {e["id"]: e for p in pages for e in p["items"]}
        self.assertEqual(set(items), {"addedlater", "dropme"})
        # "Deleted events are only guaranteed to have the id field populated."
        self.assertEqual(items["dropme"]["status"], "cancelled")
        self.assertNotIn("summary", items["dropme"])
        self.control("expire_sync_tokens", calendar=CAL)
        status, answer, _ = self.events(syncToken=pages[-1]["nextSyncToken"])
        self.assertEqual(status, 410)
        self.assertEqual(answer, {"error": {"errors": [{
            "domain": "calendar", "reason": "fullSyncRequired",
            "message": "Sync token is no longer valid, a full sync is required.",
            "locationType": "parameter", "location": "syncToken"}], "code": 410,
            "message": "Sync token is no longer valid, a full sync is required."}})

    def test_sync_token_refuses_restrictions(self):
        token = self.list_all()[-1]["nextSyncToken"]
        for extra in ({"timeMin": "2026-01-01T00:00:00Z"}, {"iCalUID": "x"},
                      {"showDeleted": "false"}, {"updatedMin": "2026-01-01T00:00:00Z"}):
            status, answer, _ = self.events(syncToken=token, **extra)
            self.assertEqual(status, 400, extra)
            self.assertEqual(answer["error"]["message"],
                             "Sync token cannot be used with other request restrictions.")
        self.assertEqual(self.events(syncToken=token, showDeleted="true",
                                     maxResults="2500")[0], 200)

    def test_time_window_bounds_end_and_start(self):
        self.add("early", day="01")
        self.add("inside", day="05")
        self.add("late", day="20")
        pages = self.list_all(timeMin="2026-03-01T10:00:00+01:00",  # exclusive bound on end
                              timeMax="2026-03-20T09:00:00+01:00")  # exclusive bound on start
        self.assertEqual([e["id"] for e in pages[0]["items"]], ["inside"])
        status, answer, _ = self.events(timeMin="2026-03-05T00:00:00Z",
                                        timeMax="2026-03-01T00:00:00Z")
        self.assertEqual((status, answer["error"]["errors"][0]["reason"]),
                         (400, "timeRangeEmpty"))

    def test_cancelled_exceptions_and_ical_uid(self):
        self.add("series1", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
                 start={"dateTime": "2026-03-02T09:00:00+01:00", "timeZone": "Europe/Berlin"},
                 end={"dateTime": "2026-03-02T10:00:00+01:00", "timeZone": "Europe/Berlin"})
        self.control("event", {"id": "series1_20260309T080000Z", "recurringEventId": "series1",
                               "status": "cancelled", "originalStartTime": {
                                   "dateTime": "2026-03-09T09:00:00+01:00",
                                   "timeZone": "Europe/Berlin"}}, calendar=CAL)
        self.add("other")
        # Cancelled exceptions come back even without showDeleted.
        pages = self.list_all(iCalUID="series1@google.com")
        items = {e["id"]: e for p in pages for e in p["items"]}
        self.assertEqual(set(items), {"series1", "series1_20260309T080000Z"})
        self.assertEqual(set(items["series1_20260309T080000Z"]),
                         {"kind", "etag", "id", "status", "recurringEventId", "originalStartTime"})


class Faults(FakeTestCase):
    BODY = {"id": "lostanser1", "start": {"dateTime": "2026-03-02T09:00:00Z"},
            "end": {"dateTime": "2026-03-02T10:00:00Z"}}

    def test_injected_500_and_503(self):
        self.control("fault", {"error": "backendError", "count": 1})
        self.control("fault", {"error": "serviceUnavailable", "count": 1})
        status, answer, _ = self.events()
        self.assertEqual((status, answer["error"]["errors"][0]["reason"]), (500, "backendError"))
        status, answer, _ = self.events()
        self.assertEqual((status, answer["error"]["code"]), (503, 503))
        self.assertEqual(self.events()[0], 200)

    def test_a_fault_after_the_request_took_effect(self):
        self.control("fault", {"error": "backendError", "after": True, "match": "POST"})
        status, _, _ = self.call("POST", self.event_path(), self.BODY)
        self.assertEqual(status, 500)
        # The insert happened all the same: the id is taken.
        self.assertEqual(self.call("GET", self.event_path("lostanser1"))[0], 200)
        self.assertEqual(self.call("POST", self.event_path(), self.BODY)[0], 409)

    def test_a_lost_answer_drops_the_connection_after_the_write(self):
        self.control("fault", {"error": "reset", "after": True, "match": "POST"})
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            self.call("POST", self.event_path(), self.BODY)
        self.assertEqual(self.call("GET", self.event_path("lostanser1"))[0], 200)


class Strict(FakeTestCase):
    def test_date_time_is_answered_in_the_calendar_zone_without_a_time_zone(self):
        body = {"id": "offset01", "start": {"dateTime": "2026-03-02T08:00:00Z"},
                "end": {"dateTime": "2026-03-02T09:00:00Z"}}
        status, created, _ = self.call("POST", self.event_path(), body)
        self.assertEqual(status, 200)
        # The calendar is Europe/Berlin: UTC+1 in March.
        self.assertEqual(created["start"], {"dateTime": "2026-03-02T09:00:00+01:00"})
        listed = self.events()[1]["items"][0]
        self.assertEqual(listed["end"], {"dateTime": "2026-03-02T10:00:00+01:00"})
        # With a timeZone, in that zone.
        body = {"id": "offset02", "start": {"dateTime": "2026-07-02T08:00:00Z",
                                          "timeZone": "America/New_York"},
                "end": {"dateTime": "2026-07-02T09:00:00Z", "timeZone": "America/New_York"}}
        self.assertEqual(self.call("POST", self.event_path(), body)[1]["start"],
                         {"dateTime": "2026-07-02T04:00:00-04:00",
                          "timeZone": "America/New_York"})

    def test_tokens_hold_plus_slash_and_equals_and_must_be_encoded(self):
        for n in range(3):
            self.add("event%d" % n)
        self.control("config", {"page_size": 1})
        status, page, _ = self.events()
        for token in (page["nextPageToken"],):
            for c in "+/=":
                self.assertIn(c, token)
        # Unencoded, '+' reaches the server as a space: another token, refused.
        raw = self.call("GET", self.event_path() + "?pageToken=" + page["nextPageToken"])
        self.assertEqual((raw[0], raw[1]["error"]["errors"][0]["location"]), (400, "pageToken"))
        pages = []
        token = None
        while True:
            status, page, _ = self.events(**({"pageToken": token} if token else {}))
            self.assertEqual(status, 200)
            pages.append(page)
            token = page.get("nextPageToken")
            if token is None:
                break
        sync = pages[-1]["nextSyncToken"]
        for c in "+/=":
            self.assertIn(c, sync)
        self.assertEqual(self.events(syncToken=sync)[0], 200)
        self.assertEqual(self.call("GET", self.event_path() + "?syncToken=" + sync)[0], 410)

    def test_items_in_a_stable_order_unrelated_to_ids_exceptions_before_masters(self):
        series = {"recurrence": ["RRULE:FREQ=DAILY;COUNT=5"],
                  "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "Europe/Berlin"},
                  "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Berlin"}}
        for master in ("series01", "series02", "series03", "series04"):
            self.add(master, **series)
            self.control("event", {"id": master + "_20260303T080000Z", "summary": "moved",
                                   "recurringEventId": master, "originalStartTime": {
                                       "dateTime": "2026-03-03T09:00:00+01:00",
                                       "timeZone": "Europe/Berlin"},
                                   "start": {"dateTime": "2026-03-03T11:00:00+01:00"},
                                   "end": {"dateTime": "2026-03-03T12:00:00+01:00"}},
                         calendar=CAL)
        first = [e["id"] for e in self.events()[1]["items"]]
        self.assertEqual(first, [e["id"] for e in self.events()[1]["items"]])  # stable
        self.assertNotEqual(first, sorted(first))
        before = [m for m in ("series01", "series02", "series03", "series04")
                  if first.index(m + "_20260303T080000Z") < first.index(m)]
        self.assertTrue(before, first)

    def test_patch_merges_objects_replaces_arrays_deletes_nulls(self):
        self.add("patchme1", colorId="5", description="keep me",
                 reminders={"useDefault": False, "overrides": [
                     {"method": "popup", "minutes": 10}, {"method": "email", "minutes": 60}]},
                 extendedProperties={"private": {"otherApp": "x", "calsyncAppointmentId": "a"}})
        etag = self.call("GET", self.event_path("patchme1"))[1]["etag"]
        status, patched, _ = self.call("PATCH", self.event_path("patchme1"), {
            "summary": "new", "location": None,
            "reminders": {"overrides": [{"method": "popup", "minutes": 5}]},
            "extendedProperties": {"private": {"calsyncAppointmentId": "b"}}},
            {"If-Match": etag})
        self.assertEqual(status, 200)
        self.assertEqual(patched["summary"], "new")
        self.assertEqual((patched["colorId"], patched["description"]), ("5", "keep me"))
        self.assertEqual(patched["reminders"], {"useDefault": False, "overrides": [
            {"method": "popup", "minutes": 5}]})
        self.assertEqual(patched["extendedProperties"]["private"],
                         {"otherApp": "x", "calsyncAppointmentId": "b"})
        self.assertEqual(self.call("PATCH", self.event_path("patchme1"), {"summary": "x"},
                                   {"If-Match": etag})[0], 412)
        # events.update replaces the whole resource: what it does not name is gone.
        status, updated, _ = self.call("PUT", self.event_path("patchme1"), {
            "start": patched["start"], "end": patched["end"]})
        self.assertEqual(status, 200)
        self.assertNotIn("colorId", updated)
        self.assertNotIn("extendedProperties", updated)

    def test_sequence_never_goes_back_and_rises_with_the_time(self):
        created = self.add("sequence1", sequence=2)
        self.assertEqual(created["sequence"], 2)
        path = self.event_path("sequence1")
        status, answer, _ = self.call("PATCH", path, {"sequence": 1})
        self.assertEqual((status, answer["error"]["errors"][0]["reason"]), (400, "invalid"))
        self.assertIn("sequence", answer["error"]["message"])
        self.assertEqual(self.call("PATCH", path, {"summary": "renamed"})[1]["sequence"], 2)
        moved = self.call("PATCH", path, {"start": {"dateTime": "2026-03-02T09:30:00+01:00"}})
        self.assertEqual((moved[0], moved[1]["sequence"]), (200, 3))
        body = dict(moved[1], sequence=0)
        self.assertEqual(self.call("PUT", path, body)[0], 400)
        self.assertEqual(self.call("PUT", path, dict(body, sequence=3))[0], 200)

    def test_recurring_instance_ids_for_get_update_and_delete(self):
        self.add("repeat01", recurrence=["RRULE:FREQ=WEEKLY;COUNT=4"],
                 start={"dateTime": "2026-03-02T09:00:00", "timeZone": "Europe/Berlin"},
                 end={"dateTime": "2026-03-02T10:00:00", "timeZone": "Europe/Berlin"})
        status, instance, _ = self.call("GET", self.event_path("repeat01_20260309T080000Z"))
        self.assertEqual(status, 200)
        self.assertEqual(instance["recurringEventId"], "repeat01")
        self.assertEqual(instance["start"]["dateTime"], "2026-03-09T09:00:00+01:00")
        self.assertNotIn("recurrence", instance)
        # No instance there: not a Monday, or after COUNT.
        self.assertEqual(self.call("GET", self.event_path("repeat01_20260310T080000Z"))[0], 404)
        self.assertEqual(self.call("GET", self.event_path("repeat01_20260330T080000Z"))[0], 404)
        status, moved, _ = self.call("PATCH", self.event_path("repeat01_20260316T080000Z"), {
            "start": {"dateTime": "2026-03-16T11:00:00+01:00"},
            "end": {"dateTime": "2026-03-16T12:00:00+01:00"}})
        self.assertEqual(status, 200)
        self.assertEqual(moved["originalStartTime"]["dateTime"], "2026-03-16T09:00:00+01:00")
        self.assertEqual(self.call("DELETE", self.event_path("repeat01_20260323T080000Z"))[0],
                         204)
        listed = {e["id"]: e for e in self.events(iCalUID="repeat01@google.com")[1]["items"]}
        self.assertEqual(listed["repeat01_20260323T080000Z"]["status"], "cancelled")
        self.assertEqual(listed["repeat01_20260316T080000Z"]["recurringEventId"], "repeat01")


class PushAndOAuth(FakeTestCase):
    def test_watch_sends_sync_then_exists_and_stop(self):
        status, channel, _ = self.call("POST", "/calendar/v3/calendars/%s/events/watch" % CAL, {
            "id": "chan-1", "type": "web_hook", "address": "https://hooks.example/g",
            "token": "t0k"})
        self.assertEqual(status, 200)
        self.assertEqual(channel["kind"], "api#channel")
        self.assertTrue(channel["expiration"].isdigit())  # int64 milliseconds, as a string
        self.add("changed")
        notes = self.control("notifications")[1]
        self.assertEqual([n["headers"]["X-Goog-Resource-State"] for n in notes],
                         ["sync", "exists"])
        self.assertEqual(notes[1]["headers"]["X-Goog-Channel-Token"], "t0k")
        self.assertEqual(notes[1]["headers"]["X-Goog-Message-Number"], "2")
        self.assertEqual(self.call("POST", "/calendar/v3/calendars/%s/events/watch" % CAL, {
            "id": "chan-1", "type": "web_hook", "address": "https://hooks.example/g"})[0], 400)
        stop = {"id": "chan-1", "resourceId": channel["resourceId"]}
        self.assertEqual(self.call("POST", "/calendar/v3/channels/stop", stop)[0], 204)
        self.assertEqual(self.call("POST", "/calendar/v3/channels/stop", stop)[0], 404)

    def test_code_flow_with_pkce_then_refresh_and_revoke(self):
        verifier = "v" * 43
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        query = urllib.parse.urlencode({
            "client_id": CLIENT, "redirect_uri": "http://127.0.0.1:9/cb", "response_type": "code",
            "scope": SCOPE_ALL, "state": "s1", "code_challenge": challenge,
            "code_challenge_method": "S256", "access_type": "offline", "prompt": "consent"})
        status, _, headers = self.call("GET", "/o/oauth2/v2/auth?" + query, auth=False)
        self.assertEqual(status, 302)
        back = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)
        self.assertEqual(back["state"], ["s1"])
        form = {"grant_type": "authorization_code", "code": back["code"][0],
                "redirect_uri": "http://127.0.0.1:9/cb", "client_id": CLIENT,
                "client_secret": "test-client-secret", "code_verifier": "wrong" * 9}
        status, answer, _ = self.call("POST", "/token", form=form, auth=False)
        self.assertEqual((status, answer["error"]), (400, "invalid_grant"))
        status, _, headers = self.call("GET", "/o/oauth2/v2/auth?" + query, auth=False)
        form["code"] = urllib.parse.parse_qs(
            urllib.parse.urlparse(headers["Location"]).query)["code"][0]
        form["code_verifier"] = verifier
        status, tokens, _ = self.call("POST", "/token", form=form, auth=False)
        self.assertEqual(status, 200)
        self.assertEqual(tokens["token_type"], "Bearer")
        refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                   "client_id": CLIENT, "client_secret": "test-client-secret"}
        status, fresh, _ = self.call("POST", "/token", form=refresh, auth=False)
        self.assertEqual(status, 200)
        self.assertNotIn("refresh_token", fresh)  # Google does not rotate it
        self.assertEqual(self.call("POST", "/revoke", form={"token": tokens["refresh_token"]},
                                   auth=False)[0], 200)
        status, answer, _ = self.call("POST", "/token", form=refresh, auth=False)
        self.assertEqual((status, answer["error"]), (400, "invalid_grant"))
        # What the control API tells a test about them.
        _, held = self.control("tokens")
        for token in (tokens["access_token"], tokens["refresh_token"], fresh["access_token"]):
            self.assertIn(token, held["issued"])
        self.assertEqual(held["revoked"], [tokens["refresh_token"]])
        self.assertNotIn(tokens["refresh_token"], held["refresh"])

    def test_consent_page_allow_and_deny(self):
        self.control("config", {"consent_page": True})
        params = {"client_id": CLIENT, "redirect_uri": "http://127.0.0.1:9/cb?x=1",
                  "response_type": "code", "scope": SCOPE_ALL, "state": "s<1>",
                  "code_challenge": "c" * 43, "code_challenge_method": "S256"}
        path = "/o/oauth2/v2/auth?" + urllib.parse.urlencode(params)
        status, page, headers = self.call("GET", path, auth=False)
        self.assertEqual(status, 200)
        self.assertTrue(headers["Content-Type"].startswith("text/html"))
        self.assertIn(b'value="s&lt;1&gt;"', page)  # the state, escaped, in the form
        self.assertIn(SCOPE_ALL.encode(), page)
        self.assertEqual(self.control("authorizations")[1], [])  # nothing consented yet

        status, _, headers = self.call("POST", "/o/oauth2/v2/auth",
                                       form=dict(params, consent="allow"), auth=False)
        self.assertEqual(status, 302)
        back = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)
        self.assertEqual((back["x"], back["state"]), (["1"], ["s<1>"]))
        self.assertTrue(back["code"][0])

        status, _, headers = self.call("POST", "/o/oauth2/v2/auth",
                                       form=dict(params, consent="deny"), auth=False)
        self.assertEqual(status, 302)
        back = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)
        self.assertEqual((back["error"], back["state"]), (["access_denied"], ["s<1>"]))
        self.assertNotIn("code", back)
    def authorize(self, **overrides):
        query = {"client_id": CLIENT, "redirect_uri": "http://127.0.0.1:9/cb",
                 "response_type": "code", "scope": SCOPE_ALL + " " + LIST_SCOPE, "state": "s1",
                 "code_challenge": challenge_of("v" * 43), "code_challenge_method": "S256",
                 "access_type": "offline"}
        query.update(overrides)
        query = {k: v for k, v in query.items() if v is not None}
        return self.call("GET", "/o/oauth2/v2/auth?" + urllib.parse.urlencode(query), auth=False)

    def exchange(self, location, verifier="v" * 43):
        back = urllib.parse.parse_qs(urllib.parse.urlparse(location).query)
        form = {"grant_type": "authorization_code", "code": back["code"][0],
                "redirect_uri": "http://127.0.0.1:9/cb", "client_id": CLIENT,
                "client_secret": "test-client-secret", "code_verifier": verifier}
        return self.call("POST", "/token", form=form, auth=False), form

    def test_pkce_is_required_with_s256_only(self):
        for missing in ({"code_challenge": None}, {"code_challenge_method": "plain"},
                        {"code_challenge_method": None}):
            status, page, _ = self.authorize(**missing)
            self.assertEqual(status, 400, missing)
            self.assertIn(b"invalid_request", page if isinstance(page, bytes) else b"")
        self.assertEqual(self.authorize()[0], 302)

    def test_only_loopback_or_registered_redirects(self):
        for uri in ("http://example.com/cb", "https://127.0.0.1:9/cb", "http://10.0.0.1:9/cb"):
            status, page, _ = self.authorize(redirect_uri=uri)
            self.assertEqual((status, page), (400, b"Error 400: redirect_uri_mismatch"), uri)
        for uri in ("http://127.0.0.1:9/cb", "http://[::1]:9/cb", "http://localhost:9/x"):
            self.assertEqual(self.authorize(redirect_uri=uri)[0], 302, uri)
        self.control("client", {"client_id": CLIENT, "client_secret": "test-client-secret",
                                "redirect_uris": ["https://app.example/oauth"]})
        self.assertEqual(self.authorize(redirect_uri="https://app.example/oauth")[0], 302)

    def test_access_denied_and_partial_consent(self):
        self.control("consent", {"deny": True})
        status, _, headers = self.authorize()
        back = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)
        self.assertEqual((status, back), (302, {"error": ["access_denied"], "state": ["s1"]}))
        self.control("consent", {"untick": [SCOPE_ALL]})
        status, _, headers = self.authorize()
        back = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)
        self.assertEqual(back["scope"], [LIST_SCOPE])
        (status, tokens, _), _ = self.exchange(headers["Location"])
        self.assertEqual((status, tokens["scope"]), (200, LIST_SCOPE))
        self.token = tokens["access_token"]
        self.assertEqual(self.events()[0], 403)  # no events permission granted

    def test_codes_expire_and_a_reused_code_revokes_its_tokens(self):
        _, _, headers = self.authorize()
        (status, tokens, _), form = self.exchange(headers["Location"])
        self.assertEqual(status, 200)
        self.token = tokens["access_token"]
        self.assertEqual(self.events()[0], 200)
        status, answer, _ = self.call("POST", "/token", form=form, auth=False)
        self.assertEqual((status, answer["error"]), (400, "invalid_grant"))
        self.assertEqual(self.events()[0], 401)  # the first exchange's tokens are revoked
        refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                   "client_id": CLIENT, "client_secret": "test-client-secret"}
        self.assertEqual(self.call("POST", "/token", form=refresh, auth=False)[0], 400)
        self.control("config", {"code_lifetime": 0.5})
        _, _, headers = self.authorize()
        time.sleep(0.6)
        (status, answer, _), _ = self.exchange(headers["Location"])
        self.assertEqual((status, answer["error"]), (400, "invalid_grant"))

    def test_revoking_an_access_token_revokes_its_refresh_token(self):
        _, _, headers = self.authorize()
        (_, tokens, _), _ = self.exchange(headers["Location"])
        self.assertEqual(self.call("POST", "/revoke", form={"token": tokens["access_token"]},
                                   auth=False)[0], 200)
        refresh = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
                   "client_id": CLIENT, "client_secret": "test-client-secret"}
        status, answer, _ = self.call("POST", "/token", form=refresh, auth=False)
        self.assertEqual((status, answer["error"]), (400, "invalid_grant"))
        self.assertNotIn(tokens["refresh_token"], self.control("tokens")[1]["refresh"])

    def test_calendar_list_page_tokens_are_bound_to_their_query(self):
        for n in range(3):
            self.control("calendar", {"id": "cal%d@example.com" % n, "hidden": True})
        path = "/calendar/v3/users/me/calendarList?"
        _, first, _ = self.call("GET", path + urllib.parse.urlencode(
            {"maxResults": "2", "showHidden": "true"}))
        token = first["nextPageToken"]
        status, answer, _ = self.call("GET", path + urllib.parse.urlencode(
            {"maxResults": "2", "pageToken": token}))
        self.assertEqual((status, answer["error"]["errors"][0]["location"]), (400, "pageToken"))
        status, second, _ = self.call("GET", path + urllib.parse.urlencode(
            {"maxResults": "2", "showHidden": "true", "pageToken": token}))
        self.assertEqual((status, len(second["items"])), (200, 2))

    def test_calendar_list_pages_and_scopes(self):
        for n in range(3):
            self.control("calendar", {"id": "cal%d@example.com" % n, "accessRole": "reader"})
        self.control("config", {"page_size": 2})
        status, first, _ = self.call("GET", "/calendar/v3/users/me/calendarList")
        self.assertEqual((status, len(first["items"])), (200, 2))
        self.assertNotIn("nextSyncToken", first)
        status, last, _ = self.call("GET", "/calendar/v3/users/me/calendarList?pageToken=" +
                                    urllib.parse.quote(first["nextPageToken"], safe=""))
        self.assertEqual(len(last["items"]), 2)
        self.assertIn("nextSyncToken", last)
        self.token = self.control("grant", {
            "client_id": CLIENT,
            "scope": "https://www.googleapis.com/auth/calendar.events.readonly"})[1][
                "access_token"]
        status, answer, _ = self.call("GET", "/calendar/v3/users/me/calendarList")
        self.assertEqual((status, answer["error"]["errors"][0]["reason"]),
                         (403, "insufficientPermissions"))

class Accounts(FakeTestCase):
    """One fake, many Google accounts: a token is its account's, and sees nothing of
    another's (a fleet of garages, one consent each)."""

    OTHER = "other-garage@example.org"
    OTHER_CAL = "other-workshop@group.calendar.google.com"

    def setUp(self):
        super().setUp()
        self.add("abcde00001")  # the default account's event
        _, made = self.control("account", {
            "account": self.OTHER, "client_id": CLIENT, "scope": SCOPE_ALL,
            "calendars": [{"id": self.OTHER_CAL, "summary": "Other", "primary": True,
                           "accessRole": "owner", "timeZone": "UTC",
                           "events": [{"id": "fghij00002", "summary": "theirs",
                                       "start": {"dateTime": "2026-03-02T09:00:00Z"},
                                       "end": {"dateTime": "2026-03-02T10:00:00Z"}}]}]})
        self.other = made

    def as_other(self):
        self.token = self.other["access_token"]

    def test_each_token_lists_its_own_calendars_only(self):
        _, mine, _ = self.call("GET", "/calendar/v3/users/me/calendarList")
        self.assertEqual([c["id"] for c in mine["items"]], [CAL])
        self.as_other()
        _, theirs, _ = self.call("GET", "/calendar/v3/users/me/calendarList")
        self.assertEqual([c["id"] for c in theirs["items"]], [self.OTHER_CAL])
        status, primary, _ = self.call("GET", "/calendar/v3/calendars/primary/events")
        self.assertEqual((status, [e["id"] for e in primary["items"]]), (200, ["fghij00002"]))

    def test_another_accounts_calendar_and_events_are_not_found(self):
        mine = "/calendar/v3/calendars/%s/events" % urllib.parse.quote(CAL)
        theirs = "/calendar/v3/calendars/%s/events" % urllib.parse.quote(self.OTHER_CAL)
        self.assertEqual(self.call("GET", theirs)[0], 404)
        self.assertEqual(self.call("GET", theirs + "/fghij00002")[0], 404)
        body = {"id": "klmno00003", "start": {"dateTime": "2026-03-02T09:00:00Z"},
                "end": {"dateTime": "2026-03-02T10:00:00Z"}}
        self.assertEqual(self.call("POST", theirs, body)[0], 404)
        self.assertEqual(self.call("DELETE", theirs + "/fghij00002")[0], 404)
        self.as_other()
        self.assertEqual(self.call("GET", mine)[0], 404)
        self.assertEqual(self.call("GET", mine + "/abcde00001")[0], 404)
        self.assertEqual(self.call("PATCH", mine + "/abcde00001", {"summary": "x"})[0], 404)
        # Nothing of either was touched.
        self.assertEqual(self.control("stored", calendar=CAL, id="abcde00001")[1]["summary"],
                         "abcde00001")
        self.assertEqual(self.control("stored", calendar=self.OTHER_CAL, id="klmno00003")[0], 404)

    def test_refresh_and_login_hint_keep_the_account(self):
        refresh = {"grant_type": "refresh_token", "refresh_token": self.other["refresh_token"],
                   "client_id": CLIENT, "client_secret": "test-client-secret"}
        _, fresh, _ = self.call("POST", "/token", form=refresh, auth=False)
        self.token = fresh["access_token"]
        _, listed, _ = self.call("GET", "/calendar/v3/users/me/calendarList")
        self.assertEqual([c["id"] for c in listed["items"]], [self.OTHER_CAL])
        verifier = "w" * 43
        query = urllib.parse.urlencode({
            "client_id": CLIENT, "redirect_uri": "http://127.0.0.1:9/cb", "response_type": "code",
            "scope": SCOPE_ALL, "code_challenge": challenge_of(verifier),
            "code_challenge_method": "S256", "access_type": "offline",
            "login_hint": self.OTHER})
        _, _, headers = self.call("GET", "/o/oauth2/v2/auth?" + query, auth=False)
        code = urllib.parse.parse_qs(urllib.parse.urlparse(headers["Location"]).query)["code"][0]
        _, tokens, _ = self.call("POST", "/token", auth=False, form={
            "grant_type": "authorization_code", "code": code, "client_id": CLIENT,
            "redirect_uri": "http://127.0.0.1:9/cb", "client_secret": "test-client-secret",
            "code_verifier": verifier})
        self.token = tokens["access_token"]
        _, listed, _ = self.call("GET", "/calendar/v3/users/me/calendarList")
        self.assertEqual([c["id"] for c in listed["items"]], [self.OTHER_CAL])

    def test_request_log_names_the_account_and_api_events_are_listed(self):
        before = len(self.control("requests")[1])
        self.as_other()
        theirs = "/calendar/v3/calendars/%s/events" % urllib.parse.quote(self.OTHER_CAL)
        body = {"id": "pqrst00004", "start": {"dateTime": "2026-03-03T09:00:00Z"},
                "end": {"dateTime": "2026-03-03T10:00:00Z"}}
        self.assertEqual(self.call("POST", theirs, body)[0], 200)
        logged = self.control("requests", since=before)[1]
        self.assertEqual([(r["route"], r["account"]) for r in logged],
                         [("events.insert", self.OTHER)])
        made = self.control("events", api="true")[1]
        self.assertEqual([(e["id"], e["calendar"]) for e in made],
                         [("pqrst00004", self.OTHER_CAL)])


if __name__ == "__main__":
    unittest.main()
