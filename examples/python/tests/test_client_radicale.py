"""The whole flow of calsync.Client against a real Radicale (Debian's) that ctest started:
connect CalDAV, pick the calendar both ways, an event another client put blocks a slot,
an appointment is exported, then cancelled, the status and health check, disconnect; a
refused password; a SQLite store reopened by a new Client."""
import datetime as dt
import gc
import os
import tempfile
import threading
import unittest

import calsync
from dav_peer import DavPeer, server

HOST_KEY = bytes(range(32))
CONFIG = {"zone": "Europe/Berlin", "network": {"allow_private_addresses": True},
          "export": {"uid_domain": "garage.test"}}
# Inside the default sync window (1 day back, 365 ahead), whatever today is.
DAY = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0,
                                                microsecond=0) + dt.timedelta(days=3)


def ics_event(uid, start, end, summary):
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//another client//EN\r\n"
            f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
            f"SUMMARY:{summary}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


class Recorder:
    """What the callbacks saw; callbacks may run on library threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.logs = []
        self.diffs = []

    def log(self, level, message):
        with self.lock:
            self.logs.append((level, message))

    def slots_changed(self, diff):
        with self.lock:
            self.diffs.append(diff)


class RadicaleFlowTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = server()
        cls.peer = DavPeer(cls.server)
        cls.calendar = cls.server["calendar_url"]

    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="calsync-python-")
        self.addCleanup(self.dir.cleanup)
        self.store = os.path.join(self.dir.name, "calsync.sqlite")

    def client(self, recorder=None):
        # The callbacks are lambdas nobody else references: the Client must keep them.
        recorder = recorder or Recorder()
        client = calsync.Client(HOST_KEY, self.store, config=CONFIG,
                                on_log=lambda level, message: recorder.log(level, message),
                                on_slots_changed=lambda diff: recorder.slots_changed(diff))
        gc.collect()
        return client

    def connect(self, client, connection_id):
        return client.connect_caldav(self.server["url"], self.server["user"],
                                     self.server["password"], connection_id=connection_id)

    def test_whole_flow(self):
        seen = Recorder()
        name = "python-flow.ics"
        start, end = DAY + dt.timedelta(hours=10), DAY + dt.timedelta(hours=11)
        self.peer.put(name, ics_event("python-flow", start, end, "Parts delivery"))
        self.addCleanup(self.peer.delete, name)
        with self.client(seen) as client, self.connect(client, "radicale-flow") as k:
            self.assertEqual(k.id, "radicale-flow")
            info = k.info()
            self.assertEqual((info.kind, info.state), ("caldav", calsync.ConnectionState.ACTIVE))

            calendars = k.calendars()
            workshop = calendars.get(self.calendar)
            self.assertIsNotNone(workshop, [c.id for c in calendars])
            self.assertEqual(workshop.name, "Workshop")
            self.assertTrue(workshop.can_write)
            self.assertFalse(workshop.selected)
            k.select(self.calendar, calsync.Direction.BOTH)
            again = k.calendars().get(self.calendar)
            self.assertTrue(again.selected)
            self.assertEqual(again.direction, calsync.Direction.BOTH)

            # The other client's event blocks its hour, labelled with the calendar's name.
            report = k.sync()
            self.assertEqual(report.status.state, calsync.SyncState.OK, report.status.last_error)
            self.assertEqual([(s.start, s.end) for s in report.added], [(start, end)])
            slots = client.blocked_slots(DAY, DAY + dt.timedelta(days=1))
            self.assertEqual(len(slots.slots), 1)
            slot = slots.slots[0]
            self.assertEqual((slot.start, slot.end, slot.label), (start, end, "Workshop"))
            self.assertEqual((slot.connection_id, slot.calendar_id),
                             ("radicale-flow", self.calendar))
            self.assertTrue(slot.event_id.endswith(name), slot.event_id)
            self.assertEqual(slots.busy, [calsync.TimeRange(start, end)])
            with seen.lock:
                added = [s for d in seen.diffs for s in d.added]
            self.assertEqual(added, report.added)  # the callback saw the same slot

            free = client.free_slots(DAY + dt.timedelta(hours=9), DAY + dt.timedelta(hours=13),
                                     dt.timedelta(hours=1), dt.timedelta(hours=1))
            self.assertEqual([f.start.hour for f in free], [9, 11, 12])

            # An appointment goes to the server with its stable UID, and does not block.
            appointment = calsync.Appointment(
                "a-1001", DAY + dt.timedelta(hours=14), DAY + dt.timedelta(hours=15),
                client="J. Weber", service="Oil change", vehicle="VW Golf")
            client.upsert_appointment(appointment)
            report = k.sync()
            self.assertEqual(report.status.state, calsync.SyncState.OK, report.status.last_error)
            self.assertEqual(sum(c.exports_written for c in report.calendars), 1)
            on_server = self.peer.events()
            uid = "calsync-a-1001@garage.test"
            self.assertIn(uid, on_server)
            self.assertIn(f"DTSTART:{appointment.start:%Y%m%dT%H%M%SZ}", on_server[uid])
            self.assertIn("Oil change", on_server[uid])
            self.assertEqual(len(client.blocked_slots(DAY, DAY + dt.timedelta(days=1)).slots), 1)
            listed = client.appointments()
            self.assertEqual([(a.id, a.status) for a in listed],
                             [("a-1001", calsync.AppointmentStatus.BOOKED)])
            self.assertEqual(listed[0].start, appointment.start)

            # Cancelled: due at once, so run_due syncs it (on a library worker thread).
            client.cancel_appointment("a-1001")
            [report] = client.run_due()
            self.assertEqual(report.connection_id, "radicale-flow")
            self.assertEqual(report.status.state, calsync.SyncState.OK, report.status.last_error)
            self.assertEqual(client.run_due(), [])  # nothing else due
            self.assertNotIn(uid, self.peer.events())
            self.assertIn("python-flow", self.peer.events())  # the other client's stays

            status = k.status()
            self.assertEqual(status.state, calsync.SyncState.OK)
            self.assertEqual(status.consecutive_failures, 0)
            self.assertIsNotNone(status.last_success)
            self.assertEqual(set(status.calendars), {self.calendar})

            health = k.check()
            self.assertTrue(health.ok, health.problems)
            checks = {i.check for i in health.items}
            self.assertIn("credentials", checks)
            self.assertIn("writable:" + self.calendar, checks)

            # Disconnect frees the slots at once.
            k.disconnect()
            self.assertEqual(client.blocked_slots(DAY, DAY + dt.timedelta(days=1)).slots, [])
            [listed] = client.connections()
            self.assertEqual((listed.id, listed.state),
                             ("radicale-flow", calsync.ConnectionState.DISCONNECTED))
        with seen.lock:
            self.assertTrue(any("radicale-flow" in m for _, m in seen.logs), seen.logs)
            for _, message in seen.logs:
                self.assertNotIn(self.server["password"], message)

    def test_refused_password_is_an_auth_error_without_the_password(self):
        seen = Recorder()
        with self.client(seen) as client:
            with self.assertRaises(calsync.AuthError) as caught:
                client.connect_caldav(self.server["url"], self.server["user"],
                                      "wrong-horse-battery", connection_id="refused")
            error = caught.exception
            self.assertEqual(error.code, calsync.StatusCode.EAUTH)
            self.assertEqual(error.code, -8)
            self.assertIsInstance(error, calsync.CalsyncError)
            for text in (str(error), repr(error), error.message):
                self.assertNotIn("wrong-horse-battery", text)
            self.assertEqual(client.connections(), [])  # nothing was stored
        for _, message in seen.logs:
            self.assertNotIn("wrong-horse-battery", message)

    def test_store_reopened_by_a_new_client(self):
        name = "python-reopen.ics"
        start, end = DAY + dt.timedelta(hours=16), DAY + dt.timedelta(hours=17)
        self.peer.put(name, ics_event("python-reopen", start, end, "MOT inspection"))
        self.addCleanup(self.peer.delete, name)
        with self.client() as client, self.connect(client, "radicale-reopen") as k:
            k.select(self.calendar, calsync.Direction.IMPORT)
            self.assertEqual(k.sync().status.state, calsync.SyncState.OK)
            before = client.blocked_slots(DAY, DAY + dt.timedelta(days=1))
            self.assertEqual([(s.start, s.end) for s in before.slots], [(start, end)])

        # A new process: same store, same host key, no request needed to answer.
        with self.client() as client:
            self.assertEqual(client.blocked_slots(DAY, DAY + dt.timedelta(days=1)), before)
            [info] = client.connections()
            self.assertEqual((info.id, info.status.state), ("radicale-reopen",
                                                             calsync.SyncState.OK))
            # The password sealed in the store still signs in: an event moved on the server
            # is seen by the reopened client.
            later = start + dt.timedelta(hours=2), end + dt.timedelta(hours=2)
            self.peer.put(name, ics_event("python-reopen", *later, "MOT inspection"))
            with client.connection("radicale-reopen") as k:
                report = k.sync()
                self.assertEqual(report.status.state, calsync.SyncState.OK,
                                 report.status.last_error)
            after = client.blocked_slots(DAY, DAY + dt.timedelta(days=1))
            self.assertEqual([(s.start, s.end) for s in after.slots], [later])

        # Another host key cannot open what the first one sealed.
        with calsync.Client(bytes(32), self.store, config=CONFIG) as stranger:
            with stranger.connection("radicale-reopen") as k:
                status = k.sync().status
                self.assertEqual(status.state, calsync.SyncState.NEEDS_REAUTHORISATION)
                self.assertIn("host key", status.last_error)


if __name__ == "__main__":
    unittest.main()
