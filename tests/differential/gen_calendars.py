"""Writes seeded, varied iCalendar files for the differential test.

usage: gen_calendars.py --seed N --count N --out DIR
Each calendar holds a few events mixing the features of RFC 5545 recurrence: every FREQ,
INTERVAL, COUNT, UNTIL, BYDAY with ordinals, BYMONTHDAY, BYMONTH, BYSETPOS, WKST, EXDATE,
RDATE and RECURRENCE-ID overrides, in UTC, IANA zones with and without VTIMEZONE, floating
and all-day forms, with start times close to DST changes.
"""
import argparse
import datetime as dt
import os
import random

import dateutil.rrule

ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney"]
BERLIN_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19810329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19961027T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
END:STANDARD
END:VTIMEZONE
"""
NEW_YORK_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:America/New_York
BEGIN:DAYLIGHT
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
DTSTART:20070311T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
DTSTART:20071104T020000
RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU
END:STANDARD
END:VTIMEZONE
"""
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]
# Starts near the 2026 DST changes of Berlin and New York, and ordinary days.
SPECIAL_DAYS = [dt.date(2026, 3, 29), dt.date(2026, 10, 25), dt.date(2026, 3, 8),
                dt.date(2026, 11, 1), dt.date(2026, 3, 28), dt.date(2026, 10, 24)]


def fmt_local(t):
    return t.strftime("%Y%m%dT%H%M%S")


def fmt_date(d):
    return d.strftime("%Y%m%d")


class Form:
    """How an event writes its times: utc, zoned (with/without VTIMEZONE), floating, date."""

    def __init__(self, rng):
        self.kind = rng.choice(["utc", "zoned", "zoned", "floating", "date"])
        self.zone = rng.choice(ZONES[:2]) if rng.random() < 0.7 else rng.choice(ZONES)

    def prop(self, name, t):
        if self.kind == "date":
            return f"{name};VALUE=DATE:{fmt_date(t)}"
        if self.kind == "utc":
            return f"{name}:{fmt_local(t)}Z"
        if self.kind == "zoned":
            return f"{name};TZID={self.zone}:{fmt_local(t)}"
        return f"{name}:{fmt_local(t)}"


def random_start(rng, form):
    if rng.random() < 0.3:
        day = rng.choice(SPECIAL_DAYS)
        hour = rng.choice([1, 2, 3])
    else:
        day = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(0, 330))
        hour = rng.randrange(6, 20)
    if form.kind == "date":
        return day
    return dt.datetime(day.year, day.month, day.day, hour, rng.choice([0, 15, 30, 45]))


def random_rule(rng, form, start):
    freq = rng.choice(["DAILY", "WEEKLY", "WEEKLY", "MONTHLY", "MONTHLY", "YEARLY", "HOURLY",
                       "MINUTELY"])
    if form.kind == "date" and freq in ("HOURLY", "MINUTELY"):
        freq = "DAILY"
    parts = [f"FREQ={freq}"]
    if rng.random() < 0.4:
        parts.append(f"INTERVAL={rng.randrange(2, 4)}")
    if freq == "WEEKLY" and rng.random() < 0.6:
        parts.append("BYDAY=" + ",".join(sorted(rng.sample(DAYS, rng.randrange(1, 4)),
                                                key=DAYS.index)))
        if rng.random() < 0.3:
            parts.append("WKST=" + rng.choice(["MO", "SU"]))
    if freq == "MONTHLY":
        choice = rng.random()
        if choice < 0.3:
            parts.append(f"BYDAY={rng.choice(['1', '2', '3', '-1'])}{rng.choice(DAYS)}")
        elif choice < 0.5:
            parts.append(f"BYMONTHDAY={rng.choice([1, 10, 15, 28, -1, -2])}")
        elif choice < 0.7:
            parts.append("BYDAY=MO,TU,WE,TH,FR;BYSETPOS=" + rng.choice(["1", "-1"]))
    if freq == "YEARLY" and rng.random() < 0.5:
        parts.append(f"BYMONTH={rng.randrange(1, 13)}")
        if rng.random() < 0.5:
            parts.append(f"BYMONTHDAY={rng.randrange(1, 29)}")
    if freq in ("HOURLY", "MINUTELY") or rng.random() < 0.4:
        parts.append(f"COUNT={rng.randrange(2, 15)}")
    elif rng.random() < 0.6:
        until_day = (start if isinstance(start, dt.date) and not isinstance(start, dt.datetime)
                     else start.date()) + dt.timedelta(days=rng.randrange(20, 200))
        if form.kind == "date":
            parts.append(f"UNTIL={fmt_date(until_day)}")
        elif form.kind == "floating":
            parts.append(f"UNTIL={fmt_date(until_day)}T235959")
        else:
            parts.append(f"UNTIL={fmt_date(until_day)}T120000Z")
    return ";".join(parts)


def synchronized_start(rule, start):
    """The first instance of `rule` at or after `start` (dates stay dates)."""
    bare = ";".join(p for p in rule.split(";") if not p.startswith(("UNTIL=", "COUNT=")))
    is_date = not isinstance(start, dt.datetime)
    anchor = dt.datetime(start.year, start.month, start.day) if is_date else start
    first = dateutil.rrule.rrulestr(bare, dtstart=anchor)[0]
    return first.date() if is_date else first


def add(t, form, **delta):
    return t + dt.timedelta(**delta)


def event(rng, uid):
    form = Form(rng)
    start = random_start(rng, form)
    if form.kind == "date":
        end = start + dt.timedelta(days=rng.choice([1, 1, 2, 3]))
    else:
        end = start + dt.timedelta(minutes=rng.choice([15, 30, 60, 90, 240]))
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z", form.prop("DTSTART", start),
             form.prop("DTEND", end)]
    overrides = []
    if rng.random() < 0.75:
        rule = random_rule(rng, form, start)
        # RFC 5545 3.8.5.3 leaves the set undefined when DTSTART is not an instance of the
        # rule; move DTSTART (and DTEND with it) to the rule's first instance.
        first = synchronized_start(rule, start)
        if first != start:
            end = end + (first - start)
            start = first
            lines[3:5] = [form.prop("DTSTART", start), form.prop("DTEND", end)]
            if "UNTIL=" in rule:
                until = rule.split("UNTIL=")[1][:8]
                if until <= fmt_date(start):
                    rule = rule.split(";UNTIL=")[0] + ";COUNT=4"
        lines.append(f"RRULE:{rule}")
        step = dt.timedelta(days={"DAILY": 1, "WEEKLY": 7, "MONTHLY": 30, "YEARLY": 365}.get(
            rule.split(";")[0][5:], 1))
        if "FREQ=DAILY" in rule and "INTERVAL" not in rule and rng.random() < 0.5:
            # The second and third instances of a plain daily rule are known instances.
            lines.append(form.prop("EXDATE", start + dt.timedelta(days=1)))
            if rng.random() < 0.5:
                instance = start + dt.timedelta(days=2)
                moved = instance + dt.timedelta(hours=rng.choice([2, 5])) \
                    if form.kind != "date" else instance + dt.timedelta(days=1)
                length = (end - start) if rng.random() < 0.5 else (end - start) / 2
                if form.kind == "date":
                    length = dt.timedelta(days=1)
                overrides.append(["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20260101T000000Z",
                                  form.prop("RECURRENCE-ID", instance),
                                  form.prop("DTSTART", moved), form.prop("DTEND", moved + length),
                                  "END:VEVENT"])
        if rng.random() < 0.2:
            extra = start + step * rng.randrange(3, 8) + (
                dt.timedelta(days=1) if form.kind == "date" else dt.timedelta(hours=3))
            lines.append(form.prop("RDATE", extra))
        del step
    lines.append("END:VEVENT")
    return form, lines, overrides


def calendar(rng, index):
    parts = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//calsync//differential//EN",
             f"X-WR-CALNAME:generated {index}"]
    body = []
    need = set()
    for n in range(rng.randrange(1, 6)):
        form, lines, overrides = event(rng, f"c{index}-e{n}")
        body += lines
        for o in overrides:
            body += o
        if form.kind == "zoned" and rng.random() < 0.5:
            need.add(form.zone)
    if "Europe/Berlin" in need:
        parts += BERLIN_VTIMEZONE.strip().split("\n")
    if "America/New_York" in need:
        parts += NEW_YORK_VTIMEZONE.strip().split("\n")
    return "\r\n".join(parts + body + ["END:VCALENDAR"]) + "\r\n"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=500)
    p.add_argument("--out", required=True)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    rng = random.Random(a.seed)
    for i in range(a.count):
        with open(os.path.join(a.out, f"cal{i:04d}.ics"), "w", newline="") as f:
            f.write(calendar(rng, i))


if __name__ == "__main__":
    main()
