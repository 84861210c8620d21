"""Compares calsync's occurrences with recurring_ical_events' on a directory of calendars.

usage: compare.py --library libcalsync.so.1 DIR [--corrupt]
Both sides expand every event over 2026 with Europe/Berlin as the business zone (the zone
floating and all-day times are read in). The occurrence sets, as (UID, start, end) in UTC,
must agree; a difference that known_disagreements.py attributes to the peer is counted but
does not fail. --corrupt drops one calsync occurrence to prove the test can fail.
"""
import argparse
import ctypes
import datetime as dt
import json
import os
import sys
import zoneinfo

import icalendar
import recurring_ical_events

import known_disagreements

BUSINESS = zoneinfo.ZoneInfo("Europe/Berlin")
START = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
END = dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)


def load(path):
    lib = ctypes.CDLL(path)
    lib.calsync_engine_blocked_slots.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_void_p)]
    lib.calsync_last_error_message.restype = ctypes.c_char_p
    lib.calsync_string_free.argtypes = [ctypes.c_void_p]
    return lib


def calsync_occurrences(lib, text):
    request = {"version": 1, "zone": "Europe/Berlin",
               "window": {"start": "2026-01-01T00:00:00Z", "end": "2027-01-01T00:00:00Z"},
               "calendars": [{"id": "c", "ics": text}]}
    out = ctypes.c_void_p()
    status = lib.calsync_engine_blocked_slots(json.dumps(request).encode(), ctypes.byref(out))
    if status != 0:
        raise RuntimeError(lib.calsync_last_error_message().decode())
    try:
        response = json.loads(ctypes.string_at(out).decode())
    finally:
        lib.calsync_string_free(out)
    if response["errors"]:
        raise RuntimeError(f"calsync skipped events: {response['errors']}")
    return {(s["event_id"], s["start"], s["end"]) for s in response["slots"]}


def to_utc(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=BUSINESS)  # floating: the business's zone
        return value.astimezone(dt.timezone.utc)
    return dt.datetime(value.year, value.month, value.day, tzinfo=BUSINESS).astimezone(
        dt.timezone.utc)


def rfc3339(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def peer_occurrences(text):
    cal = icalendar.Calendar.from_ical(text)
    found = set()
    # The peer compares all-day dates with the window's own dates; asking for a day more on
    # each side and clipping to the instants here makes both sides use the same window.
    margin = dt.timedelta(days=2)
    for ev in recurring_ical_events.of(cal).between(START - margin, END + margin):
        start = to_utc(ev["DTSTART"].dt)
        if "DTEND" in ev:
            end = to_utc(ev["DTEND"].dt)
        else:
            end = start + ev["DURATION"].dt
        if end <= START or start >= END or end <= start:
            continue
        found.add((str(ev["UID"]), rfc3339(start), rfc3339(end)))
    return found


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--library", required=True)
    p.add_argument("--corrupt", action="store_true")
    p.add_argument("dir")
    a = p.parse_args()
    lib = load(a.library)
    files = sorted(f for f in os.listdir(a.dir) if f.endswith(".ics"))
    compared = excused = failures = peer_failed = 0
    for name in files:
        with open(os.path.join(a.dir, name), newline="") as f:
            text = f.read()
        ours = calsync_occurrences(lib, text)
        if a.corrupt and ours:
            ours.discard(sorted(ours)[0])
        try:
            theirs = peer_occurrences(text)
        except AssertionError as e:
            # recurring_ical_events asserts on some valid calendars (see README of this
            # directory); such a calendar cannot be compared, and is counted.
            peer_failed += 1
            print(f"{name}: the peer cannot expand it: {e}")
            continue
        compared += len(ours | theirs)
        only_ours, only_theirs = ours - theirs, theirs - ours
        if not only_ours and not only_theirs:
            continue
        reason = known_disagreements.explain(text, only_ours, only_theirs)
        if reason:
            excused += 1
            continue
        failures += 1
        print(f"{name}: calsync only {sorted(only_ours)[:5]}; peer only {sorted(only_theirs)[:5]}")
    print(f"{len(files)} calendars, {compared} occurrences compared, "
          f"{excused} calendars with known peer faults, {peer_failed} the peer cannot expand, "
          f"{failures} disagreements")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
