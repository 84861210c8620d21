"""The fake's change-notification rules against subscription.md (the current maximum for
Outlook events: 10,080 minutes) and change-notifications-lifecycle-events.md (lifecycle
notifications go to a validated lifecycleNotificationUrl, and without one missed and
subscriptionRemoved are not delivered). Run: python3 -m unittest test_graph_fake_subscriptions"""
import datetime
import http.server
import json
import threading
import unittest
import urllib.parse

from test_graph_fake import Fake


class Endpoint:
    """A webhook endpoint that passes Graph's validation and keeps what it is sent."""

    def __init__(self):
        received = self.received = []
        validations = self.validations = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                q = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
                length = int(self.headers.get("Content-Length", "0"))
                data = self.rfile.read(length)
                if "validationToken" in q:
                    validations.append(self.path)
                    body = q["validationToken"][0].encode()
                else:
                    received.append((self.path, json.loads(data)))
                    body = b""
                self.send_response(200 if "validationToken" in q else 202)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path):
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def in_minutes(minutes):
    return (datetime.datetime.now(datetime.timezone.utc) +
            datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


class SubscriptionRulesTest(unittest.TestCase):
    def setUp(self):
        self.fake = Fake()
        self.endpoint = Endpoint()
        cal = self.fake.control("calendars")[1]["id"]
        self.request = {"changeType": "created,updated,deleted",
                        "notificationUrl": self.endpoint.url("/hook"),
                        "resource": f"me/calendars/{cal}/events",
                        "expirationDateTime": in_minutes(60), "clientState": "s"}

    def tearDown(self):
        self.fake.stop()
        self.endpoint.stop()

    def subscribe(self, **fields):
        return self.fake.call("POST", "/v1.0/subscriptions", dict(self.request, **fields))

    def test_event_subscriptions_live_at_most_10080_minutes(self):
        status, _, made = self.subscribe(expirationDateTime=in_minutes(10080 - 1))
        self.assertEqual(status, 201, made)
        status, _, body = self.subscribe(expirationDateTime=in_minutes(10080 + 2))
        self.assertEqual(status, 400)
        self.assertIn("10080 minutes", body["error"]["message"])
        status, _, body = self.fake.call("PATCH", f"/v1.0/subscriptions/{made['id']}",
                                         {"expirationDateTime": in_minutes(10080 + 2)})
        self.assertEqual(status, 400)

    def test_unknown_subscription_properties_are_refused(self):
        status, _, body = self.subscribe(lifetimeMinutes=60)
        self.assertEqual((status, body["error"]["code"]), (400, "RequestBodyRead"))

    def test_lifecycle_notifications_need_a_validated_lifecycle_url(self):
        status, _, bare = self.subscribe()
        self.assertEqual(status, 201)
        self.assertIsNone(bare["lifecycleNotificationUrl"])
        for event in ("missed", "subscriptionRemoved"):
            self.assertIsNone(self.fake.control("lifecycle", {"subscription_id": bare["id"],
                                                              "event": event})["status"])
        self.assertEqual(self.endpoint.received, [])

        status, _, sub = self.subscribe(lifecycleNotificationUrl=self.endpoint.url("/life"))
        self.assertEqual(status, 201)
        self.assertEqual([urllib.parse.urlsplit(v).path for v in self.endpoint.validations],
                         ["/hook", "/hook", "/life"])
        answer = self.fake.control("lifecycle", {"subscription_id": sub["id"], "event": "missed"})
        self.assertEqual(answer["status"], 202)
        path, note = self.endpoint.received[-1]
        self.assertTrue(path.startswith("/life"))
        self.assertEqual((note["value"][0]["lifecycleEvent"], note["value"][0]["clientState"],
                          note["value"][0]["subscriptionId"]), ("missed", "s", sub["id"]))
        self.fake.control("lifecycle", {"subscription_id": sub["id"],
                                        "event": "subscriptionRemoved"})
        status, _, _ = self.fake.call("GET", f"/v1.0/subscriptions/{sub['id']}")
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
