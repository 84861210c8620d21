#!/usr/bin/python3
"""Writes a large, seeded iCalendar file shaped like a real calendar export.

The mix follows what a garage owner's calendar holds: about half single timed events in
several zones, a tenth all-day (some spanning days), and four tenths recurring series
(DAILY/WEEKLY/MONTHLY, COUNT or UNTIL or open-ended, BYDAY, INTERVAL) with EXDATEs and a
few RECURRENCE-ID overrides. Every zone used has its VTIMEZONE, as real exports carry.

--events counts VEVENT components, overrides included, so the file has exactly that many.
The same seed always gives the same bytes.
"""

import argparse
import datetime as dt
import random
import sys
import zoneinfo

from dateutil import rrule

VTIMEZONES = {
    "Europe/Berlin": """BEGIN:VTIMEZONE
TZID:Europe/Berlin
X-LIC-LOCATION:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
TZNAME:CEST
DTSTART:19700329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
TZNAME:CET
DTSTART:19701025T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE""",
    "America/New_York": """BEGIN:VTIMEZONE
TZID:America/New_York
X-LIC-LOCATION:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
TZNAME:EDT
DTSTART:19700308T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
TZNAME:EST
DTSTART:19701101T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE""",
    "Asia/Tokyo": """BEGIN:VTIMEZONE
TZID:Asia/Tokyo
X-LIC-LOCATION:Asia/Tokyo
BEGIN:STANDARD
TZOFFSETFROM:+0900
TZOFFSETTO:+0900
TZNAME:JST
DTSTART:19700101T000000
END:STANDARD
END:VTIMEZONE""",
}

# Weighted toward the business's own zone, as a garage's calendar would be.
ZONES = ["Europe/Berlin"] * 8 + ["America/New_York"] * 5 + ["Asia/Tokyo"] * 3 + ["UTC"] * 4
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
SUMMARIES = [
    "Oil change", "Brake inspection", "Tyre swap", "Supplier call", "MOT test",
    "Team meeting", "Dentist", "Parts delivery", "Customer pickup", "Insurance assessor",
    "Training", "Lunch with accountant", "Diagnostics", "Bodywork estimate", "School run",
]
LOCATIONS = ["Workshop bay 1", "Workshop bay 2", "Office", "Front desk", "Online", ""]

YEAR_START = dt.date(2026, 1, 1)
STAMP = "20251215T090000Z"


def fold(line):
    """RFC 5545 3.1: lines longer than 75 octets continue after CRLF + space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return [line]
    parts, first = [], True
    while data:
        take = 75 if first else 74
        # Never split inside a UTF-8 sequence.
        while take < len(data) and (data[take] & 0xC0) == 0x80:
            take -= 1
        parts.append(("" if first else " ") + data[:take].decode("utf-8"))
        data = data[take:]
        first = False
    return parts


def fmt_local(t):
    return t.strftime("%Y%m%dT%H%M%S")


def fmt_date(d):
    return d.strftime("%Y%m%d")


def fmt_utc(t):
    return t.astimezone(dt.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def to_utc(local, zone):
    """A wall-clock time in `zone` as an aware UTC datetime."""
    if zone == "UTC":
        return local.replace(tzinfo=dt.timezone.utc)
    return local.replace(tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(dt.timezone.utc)


def time_prop(name, local, zone):
    """DTSTART/DTEND/EXDATE/RECURRENCE-ID of a timed value, in `zone` (UTC as 'Z')."""
    if zone == "UTC":
        return f"{name}:{fmt_local(local)}Z"
    return f"{name};TZID={zone}:{fmt_local(local)}"


def date_prop(name, d):
    return f"{name};VALUE=DATE:{fmt_date(d)}"


class Writer:
    def __init__(self, rng):
        self.rng = rng
        self.lines = []
        self.zones_used = set()
        self.vevents = 0

    def begin_event(self, uid, summary, sequence=0):
        rng = self.rng
        self.vevents += 1
        self.lines += ["BEGIN:VEVENT", f"UID:{uid}", f"DTSTAMP:{STAMP}",
                       "CREATED:20251101T080000Z", f"LAST-MODIFIED:{STAMP}",
                       f"SEQUENCE:{sequence}", f"SUMMARY:{summary}"]
        location = rng.choice(LOCATIONS)
        if location:
            self.lines.append(f"LOCATION:{location}")
        if rng.random() < 0.3:
            self.lines += fold(f"DESCRIPTION:{summary} for customer #{rng.randint(1000, 99999)}"
                               r"\, vehicle registration and notes from the booking page")

    def status_lines(self, allow_cancelled=True):
        r = self.rng.random()
        out = []
        if r < 0.05:
            out.append("STATUS:TENTATIVE")
        elif r < 0.07 and allow_cancelled:
            out.append("STATUS:CANCELLED")
        else:
            out.append("STATUS:CONFIRMED")
        if self.rng.random() < 0.03:
            out.append("TRANSP:TRANSPARENT")
        return out

    def end_event(self):
        self.lines.append("END:VEVENT")


def random_local(rng, first_day, span_days):
    day = first_day + dt.timedelta(days=rng.randrange(span_days))
    return dt.datetime(day.year, day.month, day.day, rng.randint(6, 20), rng.choice((0, 15, 30, 45)))


def single_timed(w, uid):
    rng = w.rng
    zone = rng.choice(ZONES)
    if zone != "UTC":
        w.zones_used.add(zone)
    start = random_local(rng, YEAR_START, 365)
    minutes = 15 * rng.randint(1, 16)
    w.begin_event(uid, rng.choice(SUMMARIES))
    w.lines.append(time_prop("DTSTART", start, zone))
    if rng.random() < 0.7:
        w.lines.append(time_prop("DTEND", start + dt.timedelta(minutes=minutes), zone))
    else:
        w.lines.append(f"DURATION:PT{minutes // 60}H{minutes % 60}M")
    w.lines += w.status_lines()
    w.end_event()


def all_day(w, uid):
    rng = w.rng
    day = YEAR_START + dt.timedelta(days=rng.randrange(365))
    days = 1 if rng.random() < 0.7 else rng.randint(2, 7)
    w.begin_event(uid, rng.choice(["Holiday", "Closed", "Trade fair", "Stocktake", "Away"]))
    w.lines += [date_prop("DTSTART", day), date_prop("DTEND", day + dt.timedelta(days=days))]
    # Most calendar apps create all-day events as "free" (holidays, birthdays); the ones
    # that block are the owner's own closures and absences.
    if rng.random() < 0.7:
        w.lines.append("TRANSP:TRANSPARENT")
    w.end_event()


def nth_weekday_ordinal(d):
    return (d.day - 1) // 7 + 1


def recurring(w, uid, budget):
    """One series, plus overrides while `budget` (VEVENTs still allowed) lasts."""
    rng = w.rng
    is_all_day = rng.random() < 0.15
    zone = "Europe/Berlin" if is_all_day else rng.choice(ZONES)
    first = dt.date(2025, 10, 1)
    start = random_local(rng, first, (dt.date(2026, 12, 15) - first).days)
    if is_all_day:
        start = dt.datetime(start.year, start.month, start.day)
    elif zone != "UTC":
        w.zones_used.add(zone)
    # DTSTART must be an instance of its own rule (RFC 5545 3.8.5.3 says it always is one;
    # keeping it so makes every expander agree on it).
    freq = rng.choices(["DAILY", "WEEKLY", "MONTHLY"], weights=[30, 50, 20])[0]
    parts = [f"FREQ={freq}"]
    if freq == "DAILY":
        if rng.random() < 0.15:
            parts.append("BYDAY=MO,TU,WE,TH,FR")
            while start.weekday() >= 5:
                start += dt.timedelta(days=1)
        elif rng.random() < 0.3:
            parts.append("INTERVAL=2")
    elif freq == "WEEKLY":
        if rng.random() < 0.3:
            parts.append("INTERVAL=2")
        days = {start.weekday()} | set(rng.sample(range(7), rng.randint(0, 2)))
        parts.append("BYDAY=" + ",".join(WEEKDAYS[d] for d in sorted(days)))
    else:
        if start.day > 28:
            start = start.replace(day=rng.randint(1, 28))
        if rng.random() < 0.5:
            parts.append(f"BYMONTHDAY={start.day}")
        else:
            parts.append(f"BYDAY={nth_weekday_ordinal(start)}{WEEKDAYS[start.weekday()]}")

    ending = rng.random()
    count_limit = {"DAILY": (5, 60), "WEEKLY": (4, 52), "MONTHLY": (3, 12)}[freq]
    until_local = None
    if ending < 0.4:
        parts.append(f"COUNT={rng.randint(*count_limit)}")
    elif ending < 0.8 or freq == "DAILY":
        # UNTIL on the wall-clock time of an instance, so the last one is exactly on it.
        span = {"DAILY": 120, "WEEKLY": 300, "MONTHLY": 400}[freq]
        until_local = start + dt.timedelta(days=rng.randint(7, span))
        if is_all_day:
            parts.append(f"UNTIL={fmt_date(until_local)}")
        else:
            parts.append(f"UNTIL={fmt_utc(to_utc(until_local, zone))}")
    rule_text = ";".join(parts)

    # Instances as wall-clock times, to pick EXDATEs and overridden instances from.
    rule_for_dateutil = rule_text
    if until_local is not None:
        rule_for_dateutil = ";".join(p for p in parts if not p.startswith("UNTIL="))
        rule_for_dateutil += f";UNTIL={fmt_local(until_local)}"
    instances = list(rrule.rrulestr(rule_for_dateutil, dtstart=start)
                     .between(start, dt.datetime(2027, 2, 1), inc=True)[:400])

    minutes = 15 * rng.randint(2, 12)
    all_day_days = 1 if rng.random() < 0.8 else 2

    def when(name, t):
        return date_prop(name, t.date()) if is_all_day else time_prop(name, t, zone)

    def ending_of(t):
        if is_all_day:
            return date_prop("DTEND", t.date() + dt.timedelta(days=all_day_days))
        return time_prop("DTEND", t + dt.timedelta(minutes=minutes), zone)

    summary = rng.choice(SUMMARIES)
    w.begin_event(uid, summary)
    w.lines += [when("DTSTART", start), ending_of(start), f"RRULE:{rule_text}"]
    w.lines += w.status_lines(allow_cancelled=False)
    candidates = instances[1:]
    if candidates and rng.random() < 0.35:
        for t in sorted(rng.sample(candidates, min(len(candidates), rng.randint(1, 3)))):
            w.lines.append(when("EXDATE", t))
            candidates.remove(t)
    w.end_event()

    if candidates and budget > 1 and rng.random() < 0.06:
        for t in sorted(rng.sample(candidates, min(len(candidates), rng.randint(1, 2),
                                                   budget - 1))):
            w.begin_event(uid, summary + " (moved)", sequence=1)
            w.lines.append(when("RECURRENCE-ID", t))
            if is_all_day:
                moved = t + dt.timedelta(days=1)
            else:
                moved = t + dt.timedelta(minutes=rng.choice((-60, 30, 60, 120, 24 * 60)))
            w.lines += [when("DTSTART", moved), ending_of(moved)]
            w.lines.append("STATUS:CANCELLED" if rng.random() < 0.1 else "STATUS:CONFIRMED")
            w.end_event()


def generate(seed, events):
    rng = random.Random(seed)
    w = Writer(rng)
    index = 0
    while w.vevents < events:
        index += 1
        uid = f"bench-{seed}-{index:06d}@calsync.invalid"
        kind = rng.random()
        if kind < 0.5:
            single_timed(w, uid)
        elif kind < 0.6:
            all_day(w, uid)
        else:
            recurring(w, uid, events - w.vevents)

    head = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calsync//bench generator//EN",
            "CALSCALE:GREGORIAN", "METHOD:PUBLISH", f"X-WR-CALNAME:Bench workshop {seed}",
            "X-WR-TIMEZONE:Europe/Berlin"]
    for zone in sorted(w.zones_used | {"Europe/Berlin"}):
        head += VTIMEZONES[zone].split("\n")
    return "\r\n".join(head + w.lines + ["END:VCALENDAR"]) + "\r\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--events", type=int, default=10000, help="VEVENT components")
    parser.add_argument("--out", required=True, help="file to write ('-' for stdout)")
    args = parser.parse_args()
    if args.events < 1:
        parser.error("--events must be positive")
    text = generate(args.seed, args.events)
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8", newline="") as f:
            f.write(text)


if __name__ == "__main__":
    main()
