"""The fake Graph API's strict rules, each against the document it follows: state-token
links followed as given (delta-query-overview.md), expired delta tokens as 400 too, series
expanded in their own zone (patternedrecurrence.md, recurrencerange.md), bodies checked as
OData's reader checks them (event.md), an immutable transactionId, $filter honoured and
$select checked on calendarView (filter-query-parameter.md, select-parameter), and Outlook's
throttling (throttling.md). Run: python3 -m unittest test_graph_fake_api"""
import time
import unittest
import urllib.parse

from test_graph_fake import WINDOW, Fake

WEEKLY_BERLIN = {
    "subject": "Weekly check", "start": {"dateTime": "2026-03-16T09:00:00",
                                         "timeZone": "W. Europe Standard Time"},
    "end": {"dateTime": "2026-03-16T10:00:00", "timeZone": "W. Europe Standard Time"},
    "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                   "range": {"type": "numbered", "startDate": "2026-03-16",
                             "numberOfOccurrences": 4}}}


def utc(dt):
    return dt["dateTime"][:19] + "Z"


class ApiRulesTest(unittest.TestCase):
    def setUp(self):
        self.fake = Fake()
        self.workshop = self.fake.control("calendars")[1]["id"]
        self.events = f"/v1.0/me/calendars/{urllib.parse.quote(self.workshop, safe='')}/events"
        self.view = self.events[:-len("events")] + "calendarView"

    def tearDown(self):
        self.fake.stop()

    def post(self, body):
        return self.fake.call("POST", self.events, body)

    def event(self, subject, start, end, **fields):
        body = dict(fields, subject=subject, start={"dateTime": start, "timeZone": "UTC"},
                    end={"dateTime": end, "timeZone": "UTC"})
        status, _, made = self.post(body)
        self.assertEqual(status, 201, made)
        return made

    def test_links_are_followed_as_given(self):
        for day in (2, 3):
            self.fake.event(f"e{day}", f"2026-03-0{day}T09:00:00Z", f"2026-03-0{day}T10:00:00Z")
        first = "/v1.0/me/calendarView/delta?" + WINDOW
        status, _, page = self.fake.call("GET", first, headers={"Prefer": "odata.maxpagesize=1"})
        self.assertEqual(status, 200)
        next_link = page["@odata.nextLink"]
        for extra in ("&$top=5", "&startDateTime=2026-03-01T00:00:00Z", "&$select=subject"):
            status, _, body = self.fake.call("GET", next_link + extra)
            self.assertEqual((status, body["error"]["code"]), (400, "BadRequest"), extra)
        status, _, page = self.fake.call("GET", next_link)
        self.assertEqual(status, 200)
        delta_link = page["@odata.deltaLink"]
        status, _, _ = self.fake.call("GET", delta_link + "&endDateTime=2026-05-01T00:00:00Z")
        self.assertEqual(status, 400)
        status, _, _ = self.fake.call("GET", delta_link)
        self.assertEqual(status, 200)

    def test_an_expired_delta_token_can_be_a_400(self):
        status, _, page = self.fake.call("GET", "/v1.0/me/calendarView/delta?" + WINDOW)
        self.fake.control("expire_delta", {"mode": "syncStateNotFound", "status": 400})
        status, _, body = self.fake.call("GET", page["@odata.deltaLink"])
        self.assertEqual((status, body["error"]["code"]), (400, "SyncStateNotFound"))

    def test_series_keep_their_wall_clock_across_dst_with_start_date_on_the_master(self):
        status, _, weekly = self.post(WEEKLY_BERLIN)
        self.assertEqual(status, 201, weekly)
        monthly = dict(WEEKLY_BERLIN, subject="Second Tuesday",
                       start={"dateTime": "2026-02-10T10:00:00",
                              "timeZone": "Pacific Standard Time"},
                       end={"dateTime": "2026-02-10T11:00:00",
                            "timeZone": "Pacific Standard Time"},
                       recurrence={"pattern": {"type": "relativeMonthly", "interval": 1,
                                               "daysOfWeek": ["tuesday"], "index": "second"},
                                   "range": {"type": "endDate", "startDate": "2026-02-01",
                                             "endDate": "2026-04-30"}})
        status, _, made = self.post(monthly)
        self.assertEqual(status, 201, made)
        window = "startDateTime=2026-02-01T00:00:00Z&endDateTime=2026-05-01T00:00:00Z"
        status, _, view = self.fake.call("GET", self.view + "?" + window,
                                         headers={"Prefer": "odata.maxpagesize=50"})
        starts = {}
        for e in view["value"]:
            starts.setdefault(e["subject"], []).append(utc(e["start"]))
        # Berlin: CET until 29 March, CEST after; Los Angeles: PST until 8 March.
        self.assertEqual(starts["Weekly check"], ["2026-03-16T08:00:00Z", "2026-03-23T08:00:00Z",
                                                  "2026-03-30T07:00:00Z", "2026-04-06T07:00:00Z"])
        self.assertEqual(starts["Second Tuesday"], ["2026-02-10T18:00:00Z",
                                                    "2026-03-10T17:00:00Z",
                                                    "2026-04-14T17:00:00Z"])
        status, _, master = self.fake.call("GET", f"/v1.0/me/events/{weekly['id']}")
        self.assertEqual(master["type"], "seriesMaster")
        self.assertEqual(master["recurrence"]["range"]["startDate"], "2026-03-16")
        self.assertEqual(master["recurrence"]["pattern"]["daysOfWeek"], ["monday"])
        no_start = dict(WEEKLY_BERLIN, recurrence={"pattern": WEEKLY_BERLIN["recurrence"][
            "pattern"], "range": {"type": "noEnd"}})
        status, _, _ = self.post(no_start)
        self.assertEqual(status, 400)

    def test_unknown_properties_and_bad_enums_are_refused(self):
        base = {"subject": "x", "start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC"},
                "end": {"dateTime": "2026-03-02T10:00:00", "timeZone": "UTC"}}
        for wrong in ({"colour": "red"}, {"showAs": "busyish"}, {"sensitivity": "secret"},
                      {"importance": "urgent"}, {"body": {"contentType": "markdown"}},
                      {"body": {"text": "x"}}, {"location": {"name": "Bay 1"}},
                      {"start": {"dateTime": "2026-03-02T09:00:00", "timeZone": "UTC",
                                 "offset": 0}},
                      {"singleValueExtendedProperties": [{"id": "String {x} Name y",
                                                          "value": "v", "type": "String"}]}):
            status, _, body = self.post(dict(base, **wrong))
            self.assertEqual((status, body["error"]["code"]), (400, "RequestBodyRead"), wrong)
        self.assertEqual(self.fake.control("events"), [])
        made = self.event("ok", "2026-03-02T09:00:00", "2026-03-02T10:00:00")
        status, _, body = self.fake.call("PATCH", f"/v1.0/me/events/{made['id']}",
                                         {"showAs": "maybe"})
        self.assertEqual(status, 400)

    def test_transaction_id_is_immutable_and_outlives_a_deletion(self):
        made = self.event("with", "2026-03-02T09:00:00", "2026-03-02T10:00:00",
                          transactionId="tx-1")
        self.assertEqual(made["transactionId"], "tx-1")
        plain = self.event("without", "2026-03-03T09:00:00", "2026-03-03T10:00:00")
        self.assertNotIn("transactionId", plain)  # "only returned ... if an app has set it"
        url = f"/v1.0/me/events/{made['id']}"
        status, _, body = self.fake.call("PATCH", url, {"transactionId": "tx-2"})
        self.assertEqual((status, body["error"]["code"]), (400, "ErrorInvalidPropertyUpdate"))
        status, _, _ = self.fake.call("PATCH", url, {"transactionId": "tx-1", "subject": "w"})
        self.assertEqual(status, 200)
        status, _, _ = self.fake.call("DELETE", url)
        self.assertEqual(status, 204)
        # The deleted event sits in Deleted Items and still holds tx-1: a POST with it is
        # answered with that event, and nothing appears in the calendar.
        status, _, again = self.post({"subject": "again", "transactionId": "tx-1",
                                      "start": {"dateTime": "2026-03-02T09:00:00",
                                                "timeZone": "UTC"},
                                      "end": {"dateTime": "2026-03-02T10:00:00",
                                              "timeZone": "UTC"}})
        self.assertEqual(status, 201)
        self.assertEqual(again["subject"], "w")
        self.assertEqual([e["subject"] for e in self.fake.control("events")], ["without"])
        self.assertEqual([e["id"] for e in self.fake.control("deleted_items")], [again["id"]])
        status, _, _ = self.fake.call("GET", f"/v1.0/me/events/{made['id']}")
        self.assertEqual(status, 404)

    def test_calendar_view_honours_filter_and_checks_select(self):
        self.event("Brakes", "2026-03-02T09:00:00", "2026-03-02T10:00:00")
        self.event("Lunch", "2026-03-02T12:00:00", "2026-03-02T13:00:00", showAs="free")
        self.event("Tyres", "2026-03-03T09:00:00", "2026-03-03T10:00:00")

        def view(**q):
            query = WINDOW + "&" + urllib.parse.urlencode(q) if q else WINDOW
            return self.fake.call("GET", self.view + "?" + query)

        for flt, subjects in (("subject eq 'Lunch'", ["Lunch"]),
                              ("showAs ne 'free'", ["Brakes", "Tyres"]),
                              ("start/dateTime ge '2026-03-03T00:00:00' or "
                               "startswith(subject,'lu')", ["Lunch", "Tyres"]),
                              ("not (subject eq 'Brakes') and isAllDay eq false",
                               ["Lunch", "Tyres"])):
            status, _, body = view(**{"$filter": flt})
            self.assertEqual(status, 200, (flt, body))
            self.assertEqual([e["subject"] for e in body["value"]], subjects, flt)
        for flt in ("colour eq 'red'", "subject eq", "subject like 'B%'"):
            status, _, body = view(**{"$filter": flt})
            self.assertEqual(status, 400, flt)
        status, _, body = view(**{"$select": "subject,start"})
        self.assertEqual(status, 200)
        self.assertEqual(set(body["value"][0]) - {"@odata.etag", "@odata.type"},
                         {"id", "subject", "start"})
        for url in (self.view + "?" + WINDOW + "&$select=subject,colour",
                    "/v1.0/me/calendars?$select=name,colour"):
            status, _, body = self.fake.call("GET", url)
            self.assertEqual((status, body["error"]["code"]), (400, "BadRequest"), url)

    def test_throttling_checks_that_retry_after_was_waited(self):
        self.fake.control("fault", {"path": "/v1.0/me/calendars", "status": 429,
                                    "retry_after": "1"})
        status, headers, body = self.fake.call("GET", "/v1.0/me/calendars")
        self.assertEqual((status, body["error"]["code"], headers["Retry-After"]),
                         (429, "ApplicationThrottled", "1"))
        status, headers, body = self.fake.call("GET", "/v1.0/me/calendars")  # too early
        self.assertEqual((status, body["error"]["code"]), (429, "ApplicationThrottled"))
        self.assertEqual(self.fake.control("stats")["throttle_violations"],
                         ["GET /me/calendars"])
        time.sleep(1.1)
        status, _, _ = self.fake.call("GET", "/v1.0/me/calendars")
        self.assertEqual(status, 200)
        self.assertEqual(len(self.fake.control("stats")["throttle_violations"]), 1)


if __name__ == "__main__":
    unittest.main()
