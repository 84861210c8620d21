"""The fleet benchmark's counts (run_fleet_bench.py) against fakes' states and logs made by
hand: a duplicated, a lost and a stray export, a connection read twice with and without a
killed worker that had claimed it. The benchmark's --check rests on these counts, so they
must see every such case. Run: python3 -m unittest test_fleet_counts"""
import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run_fleet_bench as bench  # noqa: E402

MARKER = "String {6B1F4C2E-8D3A-4E57-9A0B-3C5D7E9F1A24} Name calsyncAppointmentId"
PLAN = [
    {"business": "garage-00000", "kind": "google", "id": "garage-00000-c0",
     "account": "garage-00000@garage.example", "calendar": "g0@group.calendar.google.com",
     "appointments": [{"id": "garage-00000-a0"}, {"id": "garage-00000-a1"}]},
    {"business": "garage-00001", "kind": "microsoft", "id": "garage-00001-c0",
     "account": "garage-00001@garage.example", "calendar": "AAMkCal1=", "appointments": [{"id": "garage-00001-a0"}]},
    {"business": "garage-00001", "kind": "ics_feed", "id": "garage-00001-c1"},
]


def google_event(appointment, calendar="g0@group.calendar.google.com", status="confirmed"):
    return {"calendar": calendar, "status": status,
            "extendedProperties": {"private": {"calsyncAppointmentId": appointment}}}


def graph_event(appointment, calendar="AAMkCal1="):
    return {"calendar": calendar, "singleValueExtendedProperties": [
        {"id": MARKER.lower(), "value": appointment}]}


class ExportCounts(unittest.TestCase):
    def test_each_appointment_once(self):
        counts = bench.count_exports(PLAN, [google_event("garage-00000-a0"),
                                            google_event("garage-00000-a1")],
                                     [graph_event("garage-00001-a0")])
        self.assertEqual(counts, (3, 0, 0, 0))

    def test_a_duplicate_is_counted_twice(self):
        counts = bench.count_exports(PLAN, [google_event("garage-00000-a0"),
                                            google_event("garage-00000-a1")],
                                     [graph_event("garage-00001-a0"),
                                      graph_event("garage-00001-a0")])
        self.assertEqual(counts, (2, 0, 1, 0))

    def test_a_lost_one_and_a_cancelled_one_are_lost(self):
        counts = bench.count_exports(PLAN, [google_event("garage-00000-a1", status="cancelled")],
                                     [graph_event("garage-00001-a0")])
        self.assertEqual(counts, (1, 2, 0, 0))

    def test_one_in_another_calendar_is_lost_there_and_stray_here(self):
        counts = bench.count_exports(PLAN, [google_event("garage-00000-a0"),
                                            google_event("garage-00000-a1")],
                                     [graph_event("garage-00001-a0", calendar="AAMkOther=")])
        self.assertEqual(counts, (2, 1, 0, 1))


class ReadCounts(unittest.TestCase):
    def test_a_second_read_is_explained_only_by_the_killed_workers_claim(self):
        started = {"garage-00000-c0": 2, "garage-00001-c0": 1}
        self.assertEqual(bench.read_counts(PLAN, started, None), (1, 1, 1, 1))
        self.assertEqual(bench.read_counts(PLAN, started, {"garage-00000-c0"}), (1, 1, 1, 0))
        self.assertEqual(bench.read_counts(PLAN, started, {"garage-00001-c0"}), (1, 1, 1, 1))

    def test_graph_exports_are_not_reads_and_requests_count_by_user(self):
        user = "garage-00001@garage.example"
        graph_log = [("GET /v1.0/me/calendars/AAMkCal1%3D/calendarView?startDateTime=x", user,
                      None),
                     ("GET /v1.0/me/calendars/AAMkCal1%3D/calendarView?$skiptoken=y", user, None),
                     ("GET /v1.0/me/calendars?$select=id", user, None),
                     ("POST /v1.0/me/calendars/AAMkCal1%3D/events", user, "{}"),
                     ("GET /v1.0/me/calendars/AAMkCal1%3D/calendarView?startDateTime=x",
                      "someone-else@example.org", None)]
        started, requests = bench.syncs_per_connection(PLAN, {}, [], graph_log, {})
        self.assertEqual((started["garage-00001-c0"], requests["garage-00001-c0"]), (1, 4))

    def test_google_requests_count_by_account(self):
        account = "garage-00000@garage.example"
        google_log = [{"route": "events.list", "query": {}, "account": account},
                      {"route": "events.list", "query": {"pageToken": ["p"]}, "account": account},
                      {"route": "events.insert", "query": {}, "account": account},
                      {"route": "events.list", "query": {}, "account": None}]
        started, requests = bench.syncs_per_connection(PLAN, {}, google_log, [], {})
        self.assertEqual((started["garage-00000-c0"], requests["garage-00000-c0"]), (1, 3))


class RawReplay(unittest.TestCase):
    """The raw ceiling replays the period's writes too, to a scratch account."""

    class Root:
        def __init__(self, root):
            self.root = root

    def jobs(self, google_log=(), graph_log=(), refreshes=None):
        for line in PLAN:
            line.setdefault("tokens", {"access_token": "token of " + line["id"]})
        return bench.replay_jobs(PLAN, self.Root("http://127.0.0.1:1"),
                                 self.Root("http://127.0.0.1:2"), "http://127.0.0.1:3",
                                 ([*google_log], [*graph_log], {},
                                  refreshes or {"google": 0, "graph": []}), False)

    def test_inserts_and_refreshes_are_replayed_and_other_writes_counted(self):
        account = "garage-00000@garage.example"
        user = "garage-00001@garage.example"
        google_log = [{"route": "events.list", "method": "GET", "path": "/calendar/v3/x",
                       "query": {}, "account": account},
                      {"route": "events.insert", "method": "POST", "path": "/calendar/v3/x",
                       "query": {}, "account": account, "body": {"id": "abcde"}},
                      {"route": "events.patch", "method": "PATCH", "path": "/calendar/v3/x/y",
                       "query": {}, "account": account, "body": {}}]
        graph_log = [("POST /v1.0/me/calendars/AAMkCal1%3D/events", user,
                      '{"transactionId": "t"}')]
        jobs, left_out = self.jobs(google_log, graph_log,
                                   {"google": 2, "graph": ["client-1"]})
        kinds = sorted(str(j[6]) for j in jobs)
        self.assertEqual(kinds, ["None", "google_insert", "google_refresh", "google_refresh",
                                 "graph_insert", "graph_refresh"])
        self.assertEqual(dict(left_out), {"Google events.patch": 1})
        insert = next(j for j in jobs if j[6] == "google_insert")
        self.assertEqual(json.loads(insert[5]), {"id": "abcde"})

    def test_events_of_the_scratch_accounts_are_not_stray(self):
        scratch = bench.SCRATCH + "1@group.calendar.google.com"
        counts = bench.count_exports(PLAN, [google_event("garage-00000-a0"),
                                            google_event("garage-00000-a1"),
                                            google_event("garage-00000-a0", calendar=scratch)],
                                     [graph_event("garage-00001-a0"),
                                      dict(graph_event("garage-00001-a0", calendar="AAMkX="),
                                           user=bench.SCRATCH + "1@bench.example")])
        self.assertEqual(counts, (3, 0, 0, 0))


if __name__ == "__main__":
    unittest.main()
