"""calsync.Client and Connection without a calendar server of their own: handle lifetimes,
mistakes as exceptions with their codes, appointments and the team feed, and callbacks
kept alive and fed from a sync of an ICS feed (tests/fakes/fault_server.py)."""
import datetime as dt
import gc
import os
import sys
import tempfile
import threading
import unittest
import weakref

import calsync
from fault_fake import FaultServer

HOST_KEY = b"0123456789abcdef0123456789abcdef"
UTC = dt.timezone.utc
DAY = dt.datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0) + \
    dt.timedelta(days=5)
CONFIG = {"zone": "Europe/Berlin", "network": {"allow_private_addresses": True}}


def feed_text():
    # Berlin wall times on DAY: a dentist's hour, and a cancelled lunch that never blocks.
    d = f"{DAY:%Y%m%d}"
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nX-WR-CALNAME:Personal\r\n"
            f"BEGIN:VEVENT\r\nUID:dentist\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART;TZID=Europe/Berlin:{d}T153000\r\nDTEND;TZID=Europe/Berlin:{d}T163000\r\n"
            "SUMMARY:Dentist\r\nEND:VEVENT\r\n"
            f"BEGIN:VEVENT\r\nUID:lunch\r\nDTSTAMP:20260101T000000Z\r\nSTATUS:CANCELLED\r\n"
            f"DTSTART;TZID=Europe/Berlin:{d}T120000\r\nDTEND;TZID=Europe/Berlin:{d}T130000\r\n"
            "SUMMARY:Lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def berlin_offset(day):
    """UTC offset of Berlin on `day`, from the tz database (for the expected slot)."""
    import zoneinfo
    return dt.datetime(day.year, day.month, day.day, 15, 30,
                       tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")).utcoffset()


class HandleTest(unittest.TestCase):
    def test_closed_client_refuses_calls(self):
        client = calsync.Client(HOST_KEY)
        client.upsert_appointment(calsync.Appointment("a1", DAY, DAY + dt.timedelta(hours=1)))
        client.close()
        client.close()  # twice is harmless
        self.assertTrue(client.closed)
        with self.assertRaisesRegex(ValueError, "calsync.Client is closed"):
            client.appointments()

    def test_closing_the_client_closes_its_connections(self):
        with FaultServer() as fake, tempfile.NamedTemporaryFile("w", suffix=".ics") as f:
            f.write(feed_text())
            f.flush()
            client = calsync.Client(HOST_KEY, config=CONFIG)
            k = client.connect_ics_feed(fake.url("/feed?file=" + f.name), connection_id="feed")
            again = client.connection("feed")
            self.assertEqual((k.id, again.id), ("feed", "feed"))
            again.close()
            self.assertTrue(again.closed)
            self.assertEqual(k.info().kind, "ics_feed")  # another handle, still open
            client.close()
            self.assertTrue(k.closed)
            with self.assertRaisesRegex(ValueError, "calsync.Connection is closed"):
                k.status()
            k.close()  # after its client: harmless

    def test_context_manager_closes(self):
        with calsync.Client(HOST_KEY) as client:
            self.assertFalse(client.closed)
        self.assertTrue(client.closed)

    def test_unclosed_client_is_freed_when_collected(self):
        client = calsync.Client(HOST_KEY)
        handle = client._handle
        gone = weakref.ref(client)
        del client
        gc.collect()
        self.assertIsNone(gone())
        self.assertTrue(handle.closed)

    def test_calls_from_many_threads_share_one_client(self):
        with calsync.Client(HOST_KEY) as client:
            for i in range(8):
                client.upsert_appointment(calsync.Appointment(
                    f"a{i}", DAY + dt.timedelta(hours=i), DAY + dt.timedelta(hours=i, minutes=30)))
            answers, errors = [], []

            def read():
                try:
                    for _ in range(20):
                        answers.append(len(client.appointments()))
                except Exception as e:  # reported below, not lost in the thread
                    errors.append(e)

            threads = [threading.Thread(target=read) for _ in range(4)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            self.assertEqual(errors, [])
            self.assertEqual(answers, [8] * 80)


class FleetStoreTest(unittest.TestCase):
    def test_two_businesses_on_one_store_see_nothing_of_each_other(self):
        with tempfile.TemporaryDirectory() as d:
            url = "sqlite:" + os.path.join(d, "fleet.sqlite")
            with calsync.Client(HOST_KEY, store_url=url, business_id="garage-1") as one, \
                    calsync.Client(HOST_KEY, store_url=url, business_id="garage-2") as two:
                one.upsert_appointment(
                    calsync.Appointment("a1", DAY, DAY + dt.timedelta(hours=1)))
                two.upsert_appointment(
                    calsync.Appointment("a2", DAY, DAY + dt.timedelta(hours=1)))
                self.assertEqual([a.id for a in one.appointments()], ["a1"])
                self.assertEqual([a.id for a in two.appointments()], ["a2"])
                with self.assertRaises(calsync.NotFoundError):
                    two.cancel_appointment("a1")
            with calsync.Client(HOST_KEY, store_url=url, business_id="garage-1") as again:
                self.assertEqual([a.id for a in again.appointments()], ["a1"])

    def test_a_store_path_and_a_store_url_at_once_are_refused(self):
        with tempfile.TemporaryDirectory() as d:
            with self.assertRaisesRegex(calsync.InvalidArgumentError, "store"):
                calsync.Client(HOST_KEY, os.path.join(d, "a.sqlite"), store_url="memory:")


class ErrorTest(unittest.TestCase):
    def test_short_host_key_is_an_invalid_argument_naming_it(self):
        with self.assertRaises(calsync.InvalidArgumentError) as caught:
            calsync.Client(b"short")
        self.assertEqual(caught.exception.code, calsync.StatusCode.EINVAL)
        self.assertIn("host_key", caught.exception.message)
        self.assertIsInstance(caught.exception, ValueError)

    def test_unknown_zone_in_the_config(self):
        with self.assertRaises(calsync.ZoneError) as caught:
            calsync.Client(HOST_KEY, config={"zone": "Mars/Olympus"})
        self.assertEqual(caught.exception.code, -4)

    def test_unknown_connection_and_appointment_are_not_found(self):
        with calsync.Client(HOST_KEY) as client:
            with self.assertRaises(calsync.NotFoundError) as caught:
                client.connection("nobody")
            self.assertEqual(caught.exception.code, calsync.StatusCode.ENOTFOUND)
            with self.assertRaises(calsync.NotFoundError):
                client.cancel_appointment("a-never")
            self.assertIsInstance(caught.exception, LookupError)

    def test_appointment_ending_before_it_starts(self):
        with calsync.Client(HOST_KEY) as client:
            with self.assertRaises(calsync.InvalidArgumentError) as caught:
                client.upsert_appointment(
                    calsync.Appointment("a1", DAY, DAY - dt.timedelta(hours=1)))
            self.assertIn("end", caught.exception.message)

    def test_naive_datetime_is_refused_before_the_call(self):
        with calsync.Client(HOST_KEY) as client:
            with self.assertRaisesRegex(ValueError, "naive"):
                client.blocked_slots(dt.datetime(2026, 6, 1), dt.datetime(2026, 6, 2))

    def test_exporting_to_a_read_only_feed(self):
        with FaultServer() as fake, tempfile.NamedTemporaryFile("w", suffix=".ics") as f:
            f.write(feed_text())
            f.flush()
            with calsync.Client(HOST_KEY, config=CONFIG) as client, \
                    client.connect_ics_feed(fake.url("/feed?file=" + f.name)) as k:
                [calendar] = k.calendars()
                with self.assertRaises(calsync.InvalidArgumentError) as caught:
                    k.select(calendar.id, calsync.Direction.BOTH)
                self.assertIn("read-only", caught.exception.message)


class ServerDetailTest(unittest.TestCase):
    """A server's HTTP status and Retry-After ride on the exception (fault_server's /busy/S/N/
    answers every request with status S and Retry-After: N)."""

    def connect(self, fake, path):
        with calsync.Client(HOST_KEY, config=CONFIG) as client:
            client.connect_caldav(fake.url(path), "garage", "pw")

    def test_429_is_a_rate_limit_error_with_its_status_and_wait(self):
        with FaultServer() as fake, self.assertRaises(calsync.RateLimitError) as caught:
            self.connect(fake, "/busy/429/3600/")
        self.assertEqual((caught.exception.http_status, caught.exception.retry_after),
                         (429, 3600))

    def test_503_is_an_http_error_with_its_status_and_wait(self):
        with FaultServer() as fake, self.assertRaises(calsync.HttpError) as caught:
            self.connect(fake, "/busy/503/900/")
        self.assertEqual((caught.exception.http_status, caught.exception.retry_after),
                         (503, 900))

    def test_an_error_without_a_server_answer_has_neither(self):
        with self.assertRaises(calsync.InvalidArgumentError) as caught:
            calsync.Client(b"short")
        self.assertEqual((caught.exception.http_status, caught.exception.retry_after),
                         (None, None))


class PushTest(unittest.TestCase):
    def test_graph_handshake_is_answered_with_its_token(self):
        with calsync.Client(HOST_KEY, config=CONFIG) as client:
            answer = client.handle_push("POST", "validationToken=Validation%3A%20T%C3%A9st")
        self.assertIsInstance(answer, calsync.PushAnswer)
        self.assertEqual((answer.status, answer.content_type, answer.body, answer.source),
                         (200, "text/plain", "Validation: T\u00e9st", "graph_validation"))
        self.assertEqual((answer.marked, answer.renew_due, answer.ignored, answer.refused),
                         ([], [], "", 0))

    def test_push_results_are_typed_from_the_documented_json(self):
        # The documents of calsync.h's calsync_client_renew_push and
        # calsync_connection_watch (no Google or Graph channel exists without their servers).
        renewed, failed = (calsync.PushRenewal.from_json(j) for j in [
            {"connection_id": "g", "calendar_id": "primary", "old_channel_id": "c1",
             "channel_id": "c2", "expires_at": "2026-06-08T10:00:00Z", "ok": True},
            {"connection_id": "m", "calendar_id": "cal", "old_channel_id": "s1",
             "channel_id": "", "expires_at": "", "ok": False,
             "error": {"code": "network", "message": "connect timed out"}}])
        self.assertEqual((renewed.channel_id, renewed.expires_at, renewed.error),
                         ("c2", dt.datetime(2026, 6, 8, 10, tzinfo=UTC), None))
        self.assertEqual((failed.ok, failed.expires_at, failed.error),
                         (False, None, calsync.RenewalError("network", "connect timed out")))
        channel = calsync.PushChannel.from_json(
            {"version": 1, "channel_id": "c2", "connection_id": "g", "calendar_id": "primary",
             "kind": "google", "expires_at": "2026-06-08T10:00:00+02:00"})
        self.assertEqual((channel.kind, channel.expires_at),
                         ("google", dt.datetime(2026, 6, 8, 8, tzinfo=UTC)))

    def test_a_forged_google_notification_is_an_auth_error_and_marks_nothing(self):
        headers = {"X-Goog-Channel-ID": "c1", "X-Goog-Channel-Token": "v1.forged",
                   "X-Goog-Resource-State": "exists", "X-Goog-Resource-ID": "r1",
                   "X-Goog-Message-Number": "2"}
        with calsync.Client(HOST_KEY, config=CONFIG) as client:
            with self.assertRaises(calsync.AuthError):
                client.handle_push("POST", headers=headers)
            with self.assertRaises(calsync.InvalidArgumentError):
                client.handle_push("POST")  # neither Google's headers nor Graph's query
            self.assertEqual(client.renew_push(), [])

    def test_a_feed_has_no_push_and_says_it_is_polled(self):
        with FaultServer() as fake, tempfile.NamedTemporaryFile("w", suffix=".ics") as f:
            f.write(feed_text())
            f.flush()
            with calsync.Client(HOST_KEY, config=CONFIG) as client, \
                    client.connect_ics_feed(fake.url("/feed?file=" + f.name)) as k:
                [calendar] = k.calendars()
                k.select(calendar.id)
                with self.assertRaises(calsync.InvalidArgumentError) as caught:
                    k.watch(calendar.id, "https://pitstoply.example/push")
                self.assertIn("poll", caught.exception.message)


class AppointmentTest(unittest.TestCase):
    def test_upsert_list_cancel_and_team_feed(self):
        with calsync.Client(HOST_KEY) as client:
            berlin = dt.timezone(dt.timedelta(hours=2))
            start = dt.datetime(2026, 6, 5, 10, 0, tzinfo=berlin)  # any zone in, UTC out
            client.upsert_appointment(calsync.Appointment(
                "a1", start, start + dt.timedelta(hours=1), client="J. Weber",
                service="Oil change", vehicle="VW Golf"))
            client.upsert_appointment(calsync.Appointment(
                "a2", start + dt.timedelta(days=1), start + dt.timedelta(days=1, hours=1),
                client="M. Keller"))
            client.cancel_appointment("a2")
            listed = {a.id: a for a in client.appointments()}
            self.assertEqual(listed["a1"].start, dt.datetime(2026, 6, 5, 8, 0, tzinfo=UTC))
            self.assertEqual(listed["a1"].vehicle, "VW Golf")
            self.assertEqual(listed["a1"].status, calsync.AppointmentStatus.BOOKED)
            self.assertEqual(listed["a2"].status, calsync.AppointmentStatus.CANCELLED)
            self.assertIsInstance(listed["a1"].revision, int)

            feed = client.team_feed(calendar_name="Team", busy_only=True)
            self.assertTrue(feed.startswith("BEGIN:VCALENDAR"))
            self.assertIn("UID:calsync-a1", feed)
            self.assertNotIn("Weber", feed)  # busy only: no client details
            self.assertNotIn("calsync-a2", feed)  # cancelled
            self.assertIn("Weber", client.team_feed())


class InvalidUtf8Test(unittest.TestCase):
    def test_a_feed_with_invalid_utf8_in_its_name_and_a_uid_still_gives_blocked_slots(self):
        # Latin-1 bytes in a feed that says nothing of its charset: calsync hands them on as
        # U+FFFD, so every document it returns stays valid UTF-8 (issue 12, item 10).
        feed = feed_text().encode().replace(b"X-WR-CALNAME:Personal",
                                            b"X-WR-CALNAME:Werkstatt \xe4 Nord")
        feed = feed.replace(b"UID:dentist", b"UID:dent\xffist")
        with FaultServer() as fake, tempfile.NamedTemporaryFile("wb", suffix=".ics") as f:
            f.write(feed)
            f.flush()
            with calsync.Client(HOST_KEY, config=CONFIG) as client, \
                    client.connect_ics_feed(fake.url("/feed?file=" + f.name)) as k:
                [calendar] = k.calendars()
                k.select(calendar.id)
                self.assertEqual(k.sync().status.state, calsync.SyncState.OK)
                # The feed's own name is known once it was read.
                self.assertEqual([c.name for c in k.calendars()], ["Werkstatt \ufffd Nord"])
                for _ in range(2):  # every call, not only the first
                    [slot] = client.blocked_slots(DAY, DAY + dt.timedelta(days=1)).slots
                    self.assertEqual(slot.event_id, "dent\ufffdist")


class LimitTest(unittest.TestCase):
    def test_free_slots_by_the_second_over_ten_years_is_a_limit_error(self):
        with calsync.Client(HOST_KEY) as client:
            with self.assertRaisesRegex(calsync.LimitError, "more than 100000 windows"):
                client.free_slots(DAY, DAY + dt.timedelta(days=3650), 60, step=1)
            # Under the limit the answer is whole.
            self.assertEqual(len(client.free_slots(DAY, DAY + dt.timedelta(days=1), 3600,
                                                   step=3600)), 24)

    def test_an_event_over_the_occurrence_limit_is_reported_and_the_rest_still_blocks(self):
        # Every minute for a year: far over the 10000 occurrences one event may have.
        busy = feed_text().replace(
            "END:VCALENDAR\r\n",
            "BEGIN:VEVENT\r\nUID:every-minute\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{DAY:%Y%m%d}T000000Z\r\nDURATION:PT1M\r\nRRULE:FREQ=MINUTELY\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")
        with FaultServer() as fake, tempfile.NamedTemporaryFile("w", suffix=".ics") as f:
            f.write(busy)
            f.flush()
            with calsync.Client(HOST_KEY, config=CONFIG) as client, \
                    client.connect_ics_feed(fake.url("/feed?file=" + f.name)) as k:
                k.select(k.calendars().calendars[0].id)
                report = k.sync()
                self.assertEqual(report.status.state, calsync.SyncState.OK)
                [calendar] = report.calendars
                self.assertEqual([e.event_id for e in calendar.capped], ["every-minute"])
                self.assertIn("10000", calendar.capped[0].message)
                self.assertEqual(calendar.skipped, [])
                slots = client.blocked_slots(DAY, DAY + dt.timedelta(days=1)).slots
                self.assertEqual([s.event_id for s in slots], ["dentist"])


class CallbackTest(unittest.TestCase):
    def test_callbacks_outlive_their_last_python_reference(self):
        diffs, logs = [], []
        with FaultServer() as fake, tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "personal.ics")
            with open(path, "w", newline="") as f:
                f.write(feed_text())
            # Callables nobody else keeps: only the Client's keepalive holds them.
            client = calsync.Client(HOST_KEY, os.path.join(d, "store.sqlite"), config=CONFIG,
                                    on_log=lambda level, m: logs.append((level, m)),
                                    on_slots_changed=lambda diff: diffs.append(diff))
            gc.collect()
            with client, client.connect_ics_feed(fake.url("/feed?file=" + path), name="Personal",
                                                 connection_id="personal") as k:
                [calendar] = k.calendars()
                k.select(calendar.id)
                gc.collect()
                report = k.sync()
        start = dt.datetime(DAY.year, DAY.month, DAY.day, 15, 30, tzinfo=UTC) - \
            berlin_offset(DAY)
        self.assertEqual([(s.start, s.end, s.label) for s in report.added],
                         [(start, start + dt.timedelta(hours=1), "Personal")])
        self.assertEqual(len(diffs), 1)
        self.assertIsInstance(diffs[0], calsync.SlotDiff)
        self.assertEqual((diffs[0].connection_id, diffs[0].added), ("personal", report.added))
        self.assertTrue(any(level == 1 and "personal" in m for level, m in logs), logs)

    def test_an_exception_in_a_callback_is_reported_and_the_sync_goes_on(self):
        raised = []
        old_hook = sys.unraisablehook
        sys.unraisablehook = lambda u: raised.append(u.exc_value)
        self.addCleanup(setattr, sys, "unraisablehook", old_hook)

        def broken(diff):
            raise RuntimeError("host bug")

        with FaultServer() as fake, tempfile.NamedTemporaryFile("w", suffix=".ics") as f:
            f.write(feed_text())
            f.flush()
            with calsync.Client(HOST_KEY, config=CONFIG, on_slots_changed=broken) as client, \
                    client.connect_ics_feed(fake.url("/feed?file=" + f.name)) as k:
                k.select(k.calendars().calendars[0].id)
                report = k.sync()
                self.assertEqual(report.status.state, calsync.SyncState.OK)
                self.assertEqual(len(client.blocked_slots(DAY, DAY + dt.timedelta(days=1))
                                     .slots), 1)
        self.assertEqual([str(e) for e in raised], ["host bug"])


class ResultsReadEveryMemberTest(unittest.TestCase):
    """Members the C ABI's documents always carry that the results once left out (found by
    tests/schema/binding_types.py): each is read."""

    STATUS = {"state": "ok", "last_attempt": None, "last_success": None, "next_due": None,
              "last_error": "", "events_read": 3, "events_exported": 0,
              "consecutive_failures": 0}

    def test_calendar_owner_is_read(self):
        calendars = calsync.CalendarList.from_json({"version": 1, "gone": [], "calendars": [{
            "id": "AAMk", "name": "Workshop", "color": "", "time_zone": "Europe/Berlin",
            "can_write": True, "is_primary": False, "owner": "ana@example.com",
            "selected": False, "direction": "import",
            "policy": {"tentative_blocks": True, "unanswered_blocks": True,
                       "all_day_blocks": True}}]})
        self.assertEqual(calendars.get("AAMk").owner, "ana@example.com")

    def test_calendar_report_corrected_is_read(self):
        report = calsync.SyncReport.from_json({
            "version": 1, "connection_id": "c1", "added": [], "removed": [],
            "status": self.STATUS,
            "calendars": [{"calendar_id": "w", "status": self.STATUS, "events_read": 3,
                           "exports_written": 0, "corrected": 2, "skipped": [],
                           "capped": []}]})
        self.assertEqual(report.calendars[0].corrected, 2)


if __name__ == "__main__":
    unittest.main()
