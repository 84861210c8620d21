"""calsync.Worker over a SQLite fleet file (its "default" business is a client's store),
and Client.run_due_within, against an ICS feed from tests/fakes/fault_server.py."""
import datetime as dt
import os
import tempfile
import unittest

import calsync
from fault_fake import FaultServer
from test_client import CONFIG, DAY, HOST_KEY, feed_text


class WorkerTest(unittest.TestCase):
    def test_a_worker_syncs_what_a_client_of_the_file_made_due(self):
        with FaultServer() as fake, tempfile.TemporaryDirectory() as d:
            feed = os.path.join(d, "personal.ics")
            with open(feed, "w") as f:
                f.write(feed_text())
            store = os.path.join(d, "fleet.sqlite")
            with calsync.Client(HOST_KEY, store, config=CONFIG) as client:
                with client.connect_ics_feed(fake.url("/feed?file=" + feed),
                                             connection_id="personal") as k:
                    k.select(k.calendars().calendars[0].id)
            with calsync.Worker(HOST_KEY, "sqlite:" + store, config=CONFIG,
                                owner="test-worker", threads=2) as worker:
                # Selecting made it due, in the file's work queue too.
                done = worker.run_once()
                self.assertEqual(done.claimed, 1)
                self.assertEqual([r.connection_id for r in done.reports], ["personal"])
                self.assertEqual((done.lost, done.failed), ([], []))
                self.assertEqual(worker.run_once().claimed, 0)  # synced: not due
                worker.mark_due("default", "personal")  # a push, "sync now"
                self.assertEqual(worker.run_once().claimed, 1)
            # A client opened afterwards sees what the worker read. (One open all along
            # would not: its blocked slots are in its memory, not yet in the store.)
            with calsync.Client(HOST_KEY, store, config=CONFIG) as client:
                slots = client.blocked_slots(DAY, DAY + dt.timedelta(days=1)).slots
                self.assertEqual(len(slots), 1)  # the dentist

    def test_a_store_that_cannot_be_opened_is_an_error_naming_it(self):
        with self.assertRaisesRegex(calsync.CalsyncError, "store_url"):
            calsync.Worker(HOST_KEY, "postgresql://nobody@/nowhere?host=/nonexistent")


class RunDueWithinTest(unittest.TestCase):
    def test_reports_what_finished_and_nothing_unfinished(self):
        with FaultServer() as fake, tempfile.NamedTemporaryFile("w", suffix=".ics") as f:
            f.write(feed_text())
            f.flush()
            with calsync.Client(HOST_KEY, config=CONFIG) as client:
                with client.connect_ics_feed(fake.url("/feed?file=" + f.name),
                                             connection_id="feed") as k:
                    k.select(k.calendars().calendars[0].id)
                reports, unfinished = client.run_due_within(dt.timedelta(seconds=30))
                self.assertEqual([r.connection_id for r in reports], ["feed"])
                self.assertEqual(unfinished, [])


if __name__ == "__main__":
    unittest.main()
