"""The engine functions (calsync/engine.py) through ctypes: real answers from libcalsync,
expected values worked out by hand."""
import threading
import unittest

import calsync

WINDOW = {"start": "2026-03-01T00:00:00Z", "end": "2026-05-01T00:00:00Z"}


class BlockedSlotsTest(unittest.TestCase):
    def test_weekly_series_across_dst_keeps_wall_time(self):
        response = calsync.blocked_slots({
            "zone": "Europe/Berlin", "window": WINDOW,
            "calendars": [{"id": "w", "name": "Workshop", "events": [{
                "id": "standup",
                "start": {"date_time": "2026-03-23T09:00:00", "time_zone": "Europe/Berlin"},
                "duration": "PT30M",
                "recurrence": {"rrule": ["FREQ=WEEKLY;COUNT=2"]}}]}]})
        # Berlin moves from UTC+1 to UTC+2 on 2026-03-29, between the two instances.
        self.assertEqual([(s["start"], s["end"]) for s in response["slots"]],
                         [("2026-03-23T08:00:00Z", "2026-03-23T08:30:00Z"),
                          ("2026-03-30T07:00:00Z", "2026-03-30T07:30:00Z")])
        self.assertEqual({s["label"] for s in response["slots"]}, {"Workshop"})

    def test_declined_invitation_does_not_block(self):
        response = calsync.blocked_slots({
            "zone": "UTC", "window": WINDOW,
            "calendars": [{"id": "c", "events": [
                {"id": "a", "start": {"date_time": "2026-03-02T10:00:00Z"},
                 "end": {"date_time": "2026-03-02T11:00:00Z"}, "owner_response": "declined"},
                {"id": "b", "start": {"date_time": "2026-03-02T10:30:00Z"},
                 "end": {"date_time": "2026-03-02T12:00:00Z"}}]}]})
        self.assertEqual([s["event_id"] for s in response["slots"]], ["b"])
        self.assertEqual(response["busy"],
                         [{"start": "2026-03-02T10:30:00Z", "end": "2026-03-02T12:00:00Z"}])

    def test_bad_field_raises_with_its_path(self):
        with self.assertRaises(calsync.InvalidArgumentError) as caught:
            calsync.blocked_slots({"zone": "UTC", "window": {"start": "2026-03-01T00:00:00Z",
                                                             "end": 5}, "calendars": []})
        self.assertEqual(caught.exception.code, -2)
        self.assertIn("window.end", caught.exception.message)

    def test_unknown_zone_is_its_own_status(self):
        with self.assertRaises(calsync.ZoneError) as caught:
            calsync.blocked_slots({"zone": "Nowhere/City", "window": WINDOW, "calendars": []})
        self.assertEqual(caught.exception.code, -4)

    def test_error_message_is_per_thread(self):
        messages = {}

        def fail(name, zone):
            try:
                calsync.blocked_slots({"zone": zone, "window": WINDOW, "calendars": []})
            except calsync.CalsyncError as e:
                messages[name] = e.message

        threads = [threading.Thread(target=fail, args=(f"t{i}", f"Nowhere/Zone{i}"))
                   for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        for i in range(4):
            self.assertIn(f"Nowhere/Zone{i}", messages[f"t{i}"])


class FreeSlotsTest(unittest.TestCase):
    def test_hour_slots_around_a_busy_block(self):
        response = calsync.free_slots({
            "busy": [{"start": "2026-03-02T10:00:00Z", "end": "2026-03-02T11:30:00Z"}],
            "within": {"start": "2026-03-02T08:00:00Z", "end": "2026-03-02T14:00:00Z"},
            "duration_seconds": 3600, "step_seconds": 3600})
        self.assertEqual([f["start"] for f in response["free"]],
                         ["2026-03-02T08:00:00Z", "2026-03-02T09:00:00Z",
                          "2026-03-02T12:00:00Z", "2026-03-02T13:00:00Z"])


if __name__ == "__main__":
    unittest.main()
