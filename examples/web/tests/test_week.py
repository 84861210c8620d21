"""The agenda's grid (calsync_web/week.py), without a browser: which half hours are free,
booked or blocked, what each cell shows, and wall-clock rows across a DST change."""
import datetime as dt
import os
import sys
import unittest
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import calsync  # noqa: E402
from calsync_web import week  # noqa: E402

PARIS = ZoneInfo("Europe/Paris")
UTC = dt.timezone.utc


def slot(start, end, label):
    return calsync.BlockedSlot(start, end, "c1", "cal", label, "e1", start, False, False)


class WeekGrid(unittest.TestCase):
    def cells(self, monday, now=dt.datetime(2000, 1, 1, tzinfo=UTC), appointments=(),
              slots=()):
        rows = week.grid(monday, PARIS, now, list(appointments), list(slots), "Externe")
        return {(c.start.date(), c.start.hour, c.start.minute): c
                for row in rows for c in row.cells}

    def test_booked_blocked_free_and_past(self):
        monday = dt.date(2026, 6, 1)
        tuesday = dt.date(2026, 6, 2)
        booking = calsync.Appointment("a1", dt.datetime(2026, 6, 2, 12, tzinfo=UTC),
                                      dt.datetime(2026, 6, 2, 13, 30, tzinfo=UTC),
                                      client="M. Martin", service="Vidange", vehicle="Clio")
        busy = slot(dt.datetime(2026, 6, 2, 7, 45, tzinfo=UTC),
                    dt.datetime(2026, 6, 2, 8, 15, tzinfo=UTC), "")
        now = dt.datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # 11:00 in Paris (UTC+2)
        cells = self.cells(monday, now, [booking], [busy])
        self.assertEqual(len(cells), 6 * 20)  # Monday to Saturday, 08:00 to 18:00
        # 14:00-15:30 Paris: service, client, vehicle, one per half hour.
        self.assertEqual([(cells[(tuesday, h, m)].kind, cells[(tuesday, h, m)].label)
                          for h, m in ((14, 0), (14, 30), (15, 0), (15, 30))],
                         [("appointment", "Vidange"), ("appointment", "M. Martin"),
                          ("appointment", "Clio"), ("free", "")])
        self.assertEqual(cells[(tuesday, 14, 0)].title, "Vidange · M. Martin (Clio)")
        self.assertTrue(cells[(tuesday, 14, 0)].first)
        self.assertFalse(cells[(tuesday, 14, 30)].first)
        # 09:45-10:15 Paris blocks the two half hours it touches, labelled "Externe".
        self.assertEqual([(cells[(tuesday, h, m)].kind, cells[(tuesday, h, m)].label)
                          for h, m in ((9, 0), (9, 30), (10, 0), (10, 30))],
                         [("free", ""), ("external", "Externe"), ("external", ""),
                          ("free", "")])
        self.assertEqual((cells[(monday, 10, 30)].kind, cells[(monday, 11, 0)].kind),
                         ("past", "free"))

    def test_rows_keep_wall_clock_times_across_dst(self):
        # 25 October 2026: Paris goes from UTC+2 to UTC+1 on the Sunday before this week.
        cells = self.cells(dt.date(2026, 10, 19))
        self.assertEqual(cells[(dt.date(2026, 10, 19), 8, 0)].start.utcoffset(),
                         dt.timedelta(hours=2))
        cells = self.cells(dt.date(2026, 10, 26))
        first = cells[(dt.date(2026, 10, 26), 8, 0)].start
        self.assertEqual(first.astimezone(UTC), dt.datetime(2026, 10, 26, 7, tzinfo=UTC))

    def test_opening_hours(self):
        def at(day, hour, minute=0):
            return dt.datetime.combine(day, dt.time(hour, minute), PARIS)
        saturday, sunday = dt.date(2026, 6, 6), dt.date(2026, 6, 7)
        self.assertTrue(week.within_opening_hours(at(saturday, 8), at(saturday, 9)))
        self.assertTrue(week.within_opening_hours(at(saturday, 17), at(saturday, 18)))
        self.assertFalse(week.within_opening_hours(at(saturday, 17, 30), at(saturday, 18, 30)))
        self.assertFalse(week.within_opening_hours(at(saturday, 7, 30), at(saturday, 8, 30)))
        self.assertFalse(week.within_opening_hours(at(sunday, 10), at(sunday, 11)))
        self.assertEqual(week.monday_of(sunday), dt.date(2026, 6, 1))


if __name__ == "__main__":
    unittest.main()
