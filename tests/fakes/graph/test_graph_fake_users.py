"""Many users in one Graph fake: /me is the token's user's mailbox only (a fleet of garages,
one consent each), and another user's calendars and events are not found, as Graph answers
for items of a mailbox the caller has no access to. Run: python3 -m unittest
test_graph_fake_users"""
import base64
import json
import hashlib
import unittest
import urllib.parse

from test_graph_fake import Fake

OTHER = "other-garage@example.org"
SCOPE = "Calendars.ReadWrite offline_access"
WINDOW = "startDateTime=2026-03-01T00:00:00Z&endDateTime=2026-03-31T00:00:00Z"


class UsersTest(unittest.TestCase):
    def setUp(self):
        self.fake = Fake()
        self.mine = self.fake.event("mine", "2026-03-02T09:00:00Z", "2026-03-02T10:00:00Z")
        self.other = self.fake.control("account", {"user": OTHER, "scope": SCOPE, "calendars": [
            {"name": "Workshop B", "events": [{"subject": "theirs",
                                               "start": "2026-03-03T09:00:00Z",
                                               "end": "2026-03-03T10:00:00Z"}]}]})
        self.other_calendar = self.other["calendars"][0]

    def tearDown(self):
        self.fake.stop()

    def calendars(self, token=None):
        status, _, body = self.fake.call("GET", "/v1.0/me/calendars?$top=50", token=token)
        self.assertEqual(status, 200, body)
        return {c["name"]: c["id"] for c in body["value"]}

    def view(self, calendar, token=None):
        return self.fake.call("GET", f"/v1.0/me/calendars/{calendar}/calendarView?{WINDOW}",
                              token=token)

    def test_each_user_lists_its_own_calendars_with_ids_of_its_own(self):
        mine = self.calendars()
        theirs = self.calendars(self.other["access_token"])
        self.assertNotIn("Workshop B", mine)
        self.assertIn("Workshop B", theirs)
        # Both have a default calendar, under different ids.
        self.assertNotEqual(mine["Calendar"], theirs["Calendar"])
        self.assertFalse(set(mine.values()) & set(theirs.values()))
        status, _, body = self.view(self.other_calendar, self.other["access_token"])
        self.assertEqual((status, [e["subject"] for e in body["value"]]), (200, ["theirs"]))

    def test_another_users_calendar_and_events_are_not_found(self):
        self.assertEqual(self.view(self.other_calendar)[0], 404)
        status, _, _ = self.fake.call("POST", f"/v1.0/me/calendars/{self.other_calendar}/events",
                                      {"subject": "x", "start": {"dateTime": "2026-03-04T09:00:00",
                                                                 "timeZone": "UTC"},
                                       "end": {"dateTime": "2026-03-04T10:00:00",
                                               "timeZone": "UTC"}})
        self.assertEqual(status, 404)
        token = self.other["access_token"]
        self.assertEqual(self.fake.call("GET", f"/v1.0/me/events/{self.mine}", token=token)[0],
                         404)
        self.assertEqual(self.fake.call("PATCH", f"/v1.0/me/events/{self.mine}",
                                        {"subject": "changed"}, token=token)[0], 404)
        self.assertEqual(self.fake.call("DELETE", f"/v1.0/me/events/{self.mine}",
                                        token=token)[0], 404)
        status, _, body = self.fake.call("GET", "/v1.0/me/events", token=token)
        self.assertEqual([e["subject"] for e in body["value"]], ["theirs"])
        status, _, body = self.fake.call("GET", f"/v1.0/me/events/{self.mine}")
        self.assertEqual((status, body["subject"]), (200, "mine"))

    def test_a_transaction_id_is_the_users_own(self):
        body = {"subject": "booked", "transactionId": "tx-1",
                "start": {"dateTime": "2026-03-05T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-03-05T10:00:00", "timeZone": "UTC"}}
        status, _, mine = self.fake.call("POST", "/v1.0/me/events", body)
        self.assertEqual(status, 201)
        status, _, theirs = self.fake.call("POST", "/v1.0/me/events", body,
                                           token=self.other["access_token"])
        self.assertEqual(status, 201)
        self.assertNotEqual(mine["id"], theirs["id"])
        made = self.fake.control("events?user=*&api=true")
        self.assertEqual(sorted((e["user"], e["id"]) for e in made),
                         sorted([("owner@garage.example", mine["id"]), (OTHER, theirs["id"])]))

    def test_refresh_and_login_hint_keep_the_user(self):
        status, _, data = self.fake.raw("POST", "/common/oauth2/v2.0/token", form={
            "grant_type": "refresh_token", "client_id": "public-app",
            "refresh_token": self.other["refresh_token"]})
        self.assertEqual(status, 200)
        fresh = json.loads(data)["access_token"]
        self.assertIn("Workshop B", self.calendars(fresh))
        verifier = "v" * 43
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()) \
            .rstrip(b"=").decode()
        q = urllib.parse.urlencode({"client_id": "c", "response_type": "code",
                                    "redirect_uri": "http://localhost/cb", "scope": SCOPE,
                                    "code_challenge": challenge, "code_challenge_method": "S256",
                                    "login_hint": OTHER})
        _, headers, _ = self.fake.raw("GET", "/common/oauth2/v2.0/authorize?" + q)
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(headers["Location"]).query)["code"][0]
        status, _, data = self.fake.raw("POST", "/common/oauth2/v2.0/token", form={
            "grant_type": "authorization_code", "code": code, "client_id": "c",
            "redirect_uri": "http://localhost/cb", "code_verifier": verifier})
        self.assertEqual(status, 200)
        self.assertIn("Workshop B", self.calendars(json.loads(data)["access_token"]))

    def test_the_request_log_names_each_requests_user(self):
        before = self.fake.control("stats")["requests"]
        self.calendars(self.other["access_token"])
        self.calendars()
        self.fake.call("GET", "/v1.0/me/calendars", token="not-a-token")
        stats = self.fake.control(f"stats?since={before}")
        self.assertEqual([line.split("?")[0] for line in stats["log"]],
                         ["GET /v1.0/me/calendars"] * 3)
        self.assertEqual(stats["log_users"], [OTHER, "owner@garage.example", None])


if __name__ == "__main__":
    unittest.main()
