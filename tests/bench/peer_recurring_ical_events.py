#!/usr/bin/python3
"""Times the expansion calsync's full pass does, done by recurring_ical_events instead.

Same file, same window ([2026-01-01T00:00Z, 2027-01-01T00:00Z)), same rules as
baseline_libical and bench_engine: occurrences that are CANCELLED or TRANSPARENT do not
block, all-day dates are read in Europe/Berlin, and the blocking occurrences are merged
into busy intervals (touching ones join). Prints the median of --repeat runs:

  occurrences=<n> merged=<n> seconds=<parse+expand+merge> parse_seconds=<icalendar parse>
  expand_seconds=<recurring_ical_events.of(cal).between(...)>

Run it with Debian's /usr/bin/python3: python3-icalendar and python3-recurring-ical-events
are Debian packages, not in a pyenv or virtualenv.
"""

import argparse
import datetime as dt
import statistics
import sys
import time
import zoneinfo

import icalendar
import recurring_ical_events

UTC = dt.timezone.utc
BUSINESS = zoneinfo.ZoneInfo("Europe/Berlin")
WINDOW_START = dt.datetime(2026, 1, 1, tzinfo=UTC)
WINDOW_END = dt.datetime(2027, 1, 1, tzinfo=UTC)


def blocks(event):
    if str(event.get("STATUS", "")).upper() == "CANCELLED":
        return False
    return str(event.get("TRANSP", "OPAQUE")).upper() not in ("TRANSPARENT",
                                                            "TRANSPARENT-NOCONFLICT")


def utc_seconds(value):
    """An instant as UTC seconds; DATE values and floating times are the business's."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=BUSINESS)
        return int(value.timestamp())
    return int(dt.datetime(value.year, value.month, value.day, tzinfo=BUSINESS).timestamp())


def span_of(event):
    start = event["DTSTART"].dt
    if "DTEND" in event:
        end = event["DTEND"].dt
    elif "DURATION" in event:
        end = start + event["DURATION"].dt
    elif isinstance(start, dt.datetime):
        end = start
    else:
        end = start + dt.timedelta(days=1)
    return utc_seconds(start), utc_seconds(end)


def one_pass(text):
    t0 = time.perf_counter()
    calendar = icalendar.Calendar.from_ical(text)
    t1 = time.perf_counter()
    occurrences = recurring_ical_events.of(calendar).between(WINDOW_START, WINDOW_END)
    t2 = time.perf_counter()
    spans = []
    for event in occurrences:
        if not blocks(event):
            continue
        start, end = span_of(event)
        if start < end:
            spans.append((start, end))
    spans.sort()
    merged = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    t3 = time.perf_counter()
    return len(spans), len(merged), t3 - t0, t1 - t0, t2 - t1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs; the median is printed")
    parser.add_argument("ics", help="the calendar file (gen_big_calendar.py output)")
    args = parser.parse_args()
    if args.repeat < 1:
        parser.error("--repeat must be positive")
    with open(args.ics, "rb") as f:
        text = f.read()
    runs = [one_pass(text) for _ in range(args.repeat)]
    occurrences, merged = runs[-1][0], runs[-1][1]
    print(f"occurrences={occurrences} merged={merged} "
          f"seconds={statistics.median(r[2] for r in runs):.6f} "
          f"parse_seconds={statistics.median(r[3] for r in runs):.6f} "
          f"expand_seconds={statistics.median(r[4] for r in runs):.6f} runs={args.repeat}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
