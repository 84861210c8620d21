"""Differential test of calsync's RRULE expander against python-dateutil's rrule.

usage: rrule_dateutil.py --driver calsync_rrule_driver [--seed N] [--count N] [--first K]
                         [--only yearly-byweekno | --focus yearly-byweekno]

A seeded generator writes rules across every FREQ and every BYxxx part the RFC 5545 3.3.10
table allows with it (BYSETPOS with each FREQ, negative indices, WKST, COUNT, UNTIL as a
UTC DATE-TIME and as a DATE, DATE-TIME and DATE starts), plus a share of rules the table
forbids. Debian's python3-dateutil (2.8.2) expands each one; calsync_rrule_driver expands it
through calsync::expand_event over the window that holds the oracle's first K instances. The
two lists must be equal, and every forbidden rule must be reported by calsync.

dateutil's conventions are not RFC 5545's in a few places. The oracle reads dateutil the RFC's
way, and counts the rules where that changed the answer, class by class (CLASSES below, each
with the RFC text that decides it):

- DTSTART: RFC 5545 3.8.5.3 and 3.3.10 ("The DTSTART property value always counts as the
  first occurrence"); dateutil yields DTSTART only when it matches the rule and counts COUNT
  without it. The oracle adds DTSTART and counts it (this is the convention time-engine.md
  describes, not counted as a class).
- the other classes are in CLASSES.

To look at one kind of rule quickly, --only yearly-byweekno compares only the YEARLY rules
with BYWEEKNO of the seed's sequence (the same rules the full run draws, about 4 % of them),
and --focus yearly-byweekno makes every generated rule one (thousands in a few minutes).
Both leave out the rules whose BYWEEKNO never meets their other parts (dateutil would walk
to the year 9999 for each), and allow 10 % of oracle timeouts instead of 1 %.

A rule dateutil rejects as empty ("Invalid rrule byxxx generates an empty set") has DTSTART
as its only instance. A rule whose oracle run passes --timeout seconds is not compared, and
counted (printed): dateutil walks period by period to the year 9999 when nothing matches, and
looks at every second of a day for SECONDLY and MINUTELY rules limited by BYHOUR; they must
stay under 1 %.
"""
import argparse
import datetime as dt
import itertools
import random
import signal
import subprocess
import sys

from dateutil import rrule as du

FREQS = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"]
DU_FREQ = {"SECONDLY": du.SECONDLY, "MINUTELY": du.MINUTELY, "HOURLY": du.HOURLY,
           "DAILY": du.DAILY, "WEEKLY": du.WEEKLY, "MONTHLY": du.MONTHLY, "YEARLY": du.YEARLY}
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

# Where the RFC and dateutil part ways, and what decides it.
CLASSES = {
    "weekly-setpos-first-week": (
        "RFC 5545 3.3.10 BYSETPOS: \"A set of recurrence instances starts at the beginning of "
        "the interval defined by the FREQ rule part\": the first WEEKLY set is DTSTART's whole "
        "week (from WKST). dateutil starts the first week at DTSTART, so BYSETPOS counts from "
        "there (BYSETPOS=1 from a Wednesday picks that Wednesday, not the week's first day)."),
    "mixed-numbered-byday": (
        "RFC 5545 3.3.10 BYDAY: each value names days (\"1MO\" the first Monday, \"FR\" every "
        "Friday); a list is their union. dateutil requires a day to match both a plain and a "
        "numbered value, so BYDAY=1MO,FR gives nothing."),
    "byweekno-default-weekday": (
        "RFC 5545 3.3.10: \"Information, not contained in the rule, necessary to determine the "
        "various recurrence instance start time and dates are derived from the Start Time "
        "(DTSTART)\": BYWEEKNO names a week, the day in it is DTSTART's weekday. dateutil "
        "gives all seven days of the week."),
    "date-start-ignores-time-parts": (
        "RFC 5545 3.3.10: BYSECOND, BYMINUTE and BYHOUR \"MUST be ignored\" when DTSTART is "
        "a DATE. dateutil applies them."),
    "byweekno-year-edges": (
        "RFC 5545 3.3.10 BYWEEKNO: weeks \"according to week numbering as defined in "
        "[ISO.8601.2004]\", a week starting on WKST, week 1 the first with at least four days "
        "of the year: every day lies in exactly one week of one week-numbering year, and a "
        "YEARLY period holds the days of its calendar year whose week is named, positive or "
        "negative. dateutil numbers the days at a year's edges otherwise (its rebuild(): "
        "\"TODO: Check -numweeks for next year\"): 29 Dec 2031 lies in week 1 of 2032, which "
        "has 53 weeks, and dateutil matches it as 1 but not as -53; and it counts the weeks "
        "of the previous year from this year's length, so with WKST=WE 1 Jan 2035 (week 52 "
        "of 2034, its last) matches BYWEEKNO=53. The oracle gives dateutil the ISO week "
        "mask (rfc_week_mask below)."),
}

# Parts each FREQ allows (RFC 5545 3.3.10's table; BYDAY numbered only in MONTHLY/YEARLY).
ALLOWED = {
    "BYMONTH": set(FREQS),
    "BYWEEKNO": {"YEARLY"},
    "BYYEARDAY": {"SECONDLY", "MINUTELY", "HOURLY", "YEARLY"},
    "BYMONTHDAY": set(FREQS) - {"WEEKLY"},
    "BYDAY": set(FREQS),
    "BYHOUR": set(FREQS),
    "BYMINUTE": set(FREQS),
    "BYSECOND": set(FREQS),
}


class Timeout(Exception):
    pass


def week_one_start(year, wkst):
    """The first day of week 1 of `year` with weeks from weekday `wkst` (0 = MO): the week
    holding 4 January, the first with four of its days in the year (ISO 8601)."""
    jan4 = dt.date(year, 1, 4)
    return jan4 - dt.timedelta(days=(jan4.weekday() - wkst) % 7)


def rfc_week_mask(year, length, wkst, weeknos):
    """1 for each day of `year` whose week BYWEEKNO names (as a positive or negative number
    of its own week-numbering year), 0 otherwise; 7 more zeros as dateutil's masks have."""
    mask = [0] * (length + 7)
    jan1 = dt.date(year, 1, 1).toordinal()
    starts = [week_one_start(y, wkst).toordinal() for y in range(year - 1, year + 3)]
    for i in range(length):
        day = jan1 + i
        k = 0 if day < starts[1] else 2 if day >= starts[2] else 1  # its week-numbering year
        n, weeks = (day - starts[k]) // 7 + 1, (starts[k + 1] - starts[k]) // 7
        if n in weeknos or n - weeks - 1 in weeknos:
            mask[i] = 1
    return mask


# Rules of the current oracle run whose dateutil week mask differed from the RFC's.
week_mask_changed = [False]
_dateutil_rebuild = du._iterinfo.rebuild


_week_masks = {}


def _leap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _rebuild_with_rfc_weeks(self, year, month):
    new_year = year != self.lastyear
    _dateutil_rebuild(self, year, month)
    rr = self.rrule
    if new_year and rr._byweekno:
        # A year's mask depends only on its first weekday and the leap years around it: a
        # walk over thousands of years builds a few dozen.
        key = (dt.date(year, 1, 1).weekday(), _leap(year - 1), _leap(year), _leap(year + 1),
               rr._wkst, tuple(sorted(rr._byweekno)))
        mask = _week_masks.get(key)
        if mask is None:
            if len(_week_masks) > 5000:
                _week_masks.clear()
            mask = _week_masks[key] = rfc_week_mask(year, self.yearlen, rr._wkst,
                                                    set(rr._byweekno))
        if mask[:self.yearlen] != self.wnomask[:self.yearlen]:
            week_mask_changed[0] = True
        self.wnomask = mask


du._iterinfo.rebuild = _rebuild_with_rfc_weeks


def _alarm(signum, frame):
    raise Timeout()


def pick_values(rng, low, high, signed, most=3):
    n = min(rng.choice([1, 1, 1, 2, 2, 3, most]), (high - low + 1) * (2 if signed else 1))
    values = set()
    while len(values) < n:
        v = rng.randint(low, high)
        if signed and rng.random() < 0.35:
            v = -v
        values.add(v)
    return sorted(values)


def month_days_possible(rule):
    """False for BYMONTH/BYMONTHDAY/BYYEARDAY that never meet (dateutil would walk to 9999)."""
    months = rule["parts"].get("BYMONTH")
    mdays = rule["parts"].get("BYMONTHDAY")
    ydays = rule["parts"].get("BYYEARDAY")
    if sum(p is not None for p in (months, mdays, ydays)) < 2:
        return True
    for year in (2023, 2024):
        d = dt.date(year, 1, 1)
        length = 366 if year == 2024 else 365
        for i in range(length):
            day = d + dt.timedelta(days=i)
            mlen = ((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                    - dt.timedelta(days=1)).day
            if months and day.month not in months:
                continue
            if mdays and day.day not in mdays and day.day - mlen - 1 not in mdays:
                continue
            if ydays and i + 1 not in ydays and i - length not in ydays:
                continue
            return True
    return False


def week_days_possible(rule):
    """False for a YEARLY rule whose BYWEEKNO never meets its BYMONTH, BYYEARDAY, BYMONTHDAY
    and plain BYDAY on any day of 28 years (a full cycle of the calendar's weekdays and leap
    years from 2020): dateutil would walk to the year 9999."""
    parts = rule["parts"]
    weeknos = set(parts.get("BYWEEKNO", []))
    if not weeknos:
        return True
    wkst = rule["wkst"] if rule["wkst"] is not None else 0
    days = parts.get("BYDAY", [])
    plain = {d for d, n in days if n == 0} if days and all(n == 0 for _, n in days) else None
    for year in range(2020, 2048):
        length = 366 if year % 4 == 0 else 365
        jan1 = dt.date(year, 1, 1).toordinal()
        starts = [week_one_start(y, wkst).toordinal() for y in range(year - 1, year + 3)]
        for i in range(length):
            day = jan1 + i
            k = 0 if day < starts[1] else 2 if day >= starts[2] else 1
            n, weeks = (day - starts[k]) // 7 + 1, (starts[k + 1] - starts[k]) // 7
            if n not in weeknos and n - weeks - 1 not in weeknos:
                continue
            date = dt.date.fromordinal(day)
            if "BYMONTH" in parts and date.month not in parts["BYMONTH"]:
                continue
            if "BYYEARDAY" in parts and i + 1 not in parts["BYYEARDAY"] and \
                    i - length not in parts["BYYEARDAY"]:
                continue
            if "BYMONTHDAY" in parts:
                mlen = ((date.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                        - dt.timedelta(days=1)).day
                if date.day not in parts["BYMONTHDAY"] and \
                        date.day - mlen - 1 not in parts["BYMONTHDAY"]:
                    continue
            if plain is not None and date.weekday() not in plain:
                continue
            return True
    return False


def set_size(freq, parts, dates_only):
    """About the most instances one period of the rule holds."""
    def n(name):
        return 1 if name not in parts else len(parts[name])
    def time_n(name):
        return 1 if dates_only else n(name)
    times = {"SECONDLY": 1, "MINUTELY": time_n("BYSECOND"),
             "HOURLY": time_n("BYMINUTE") * time_n("BYSECOND")}
    per_day = times.get(freq, time_n("BYHOUR") * time_n("BYMINUTE") * time_n("BYSECOND"))
    days_by_day = None
    if "BYDAY" in parts:
        plain = sum(1 for _, k in parts["BYDAY"] if k == 0)
        numbered = len(parts["BYDAY"]) - plain
        weeks = 53 if freq == "YEARLY" and "BYMONTH" not in parts else 5
        days_by_day = numbered + weeks * plain
    if freq in ("DAILY", "HOURLY", "MINUTELY", "SECONDLY"):
        days = 1
    elif freq == "WEEKLY":
        days = n("BYDAY")
    elif freq == "MONTHLY":
        days = n("BYMONTHDAY") if "BYMONTHDAY" in parts else (days_by_day or 1)
    elif "BYYEARDAY" in parts:
        days = n("BYYEARDAY")
    elif "BYMONTHDAY" in parts:
        days = n("BYMONTHDAY") * n("BYMONTH") if "BYMONTH" in parts else 12
    elif "BYWEEKNO" in parts:
        days = n("BYWEEKNO") * (days_by_day and n("BYDAY") or 1)
    elif days_by_day:
        days = days_by_day * (n("BYMONTH") if "BYMONTH" in parts else 1)
    else:
        days = n("BYMONTH")
    return max(1, per_day * days)


def first_matching_day(start, parts):
    """The first day from `start` (within 400 days) that BYMONTH, BYMONTHDAY, BYYEARDAY and
    the plain BYDAY values allow, at the same time of day: a DTSTART that matches the rule's
    days, so that dateutil does not walk a year of seconds to the first instance."""
    for i in range(400):
        day = start + dt.timedelta(days=i)
        length = 366 if (day.year % 4 == 0 and day.year % 100 != 0) or day.year % 400 == 0 \
            else 365
        mlen = ((day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
                - dt.timedelta(days=1)).day
        yday = day.timetuple().tm_yday
        if "BYMONTH" in parts and day.month not in parts["BYMONTH"]:
            continue
        if "BYMONTHDAY" in parts and day.day not in parts["BYMONTHDAY"] and \
                day.day - mlen - 1 not in parts["BYMONTHDAY"]:
            continue
        if "BYYEARDAY" in parts and yday not in parts["BYYEARDAY"] and \
                yday - length - 1 not in parts["BYYEARDAY"]:
            continue
        plain = [d for d, n in parts.get("BYDAY", []) if n == 0]
        if plain and len(plain) == len(parts["BYDAY"]) and day.weekday() not in plain:
            continue
        return day
    return start


def generate(rng, focus=None):
    """One rule: a dict with the text calsync reads and what the oracle needs. With focus
    "yearly-byweekno", every rule is YEARLY with BYWEEKNO."""
    freq = rng.choice(FREQS)
    if focus == "yearly-byweekno":
        freq = "YEARLY"
    dates_only = freq in ("DAILY", "WEEKLY", "MONTHLY", "YEARLY") and rng.random() < 0.12
    start = dt.datetime(rng.randint(1995, 2035), rng.randint(1, 12), rng.randint(1, 28))
    start += dt.timedelta(days=rng.choice([0, 0, 0, 1, 2, 3]))  # the 29th-31st too
    if not dates_only:
        start = start.replace(hour=rng.randint(0, 23), minute=rng.choice([0, 0, 15, 30,
                                                                            rng.randint(0, 59)]),
                              second=rng.choice([0, 0, 0, rng.randint(0, 59)]))
    parts = {}
    for name, freqs in ALLOWED.items():
        if freq not in freqs or (rng.random() > 0.3 and not
                                 (focus == "yearly-byweekno" and name == "BYWEEKNO")):
            continue
        if name == "BYMONTH":
            parts[name] = pick_values(rng, 1, 12, False, 6)
        elif name == "BYWEEKNO":
            parts[name] = pick_values(rng, 1, 53, True)
        elif name == "BYYEARDAY":
            parts[name] = pick_values(rng, 1, 366, True)
        elif name == "BYMONTHDAY":
            parts[name] = pick_values(rng, 1, 31, True, 7)
        elif name == "BYDAY":
            numbered = freq in ("MONTHLY", "YEARLY") and "BYWEEKNO" not in parts and \
                rng.random() < 0.45
            days = []
            for d in rng.sample(range(7), rng.choice([1, 1, 2, 3, 5])):
                n = 0
                if numbered and rng.random() < 0.8:
                    top = 5 if freq == "MONTHLY" or "BYMONTH" in parts else 53
                    n = rng.randint(1, top) * rng.choice([1, 1, -1])
                days.append((d, n))
            parts[name] = days
        elif name == "BYHOUR":
            parts[name] = pick_values(rng, 0, 23, False, 6)
        elif name == "BYMINUTE":
            parts[name] = pick_values(rng, 0, 59, False, 6)
        elif name == "BYSECOND":
            parts[name] = pick_values(rng, 0, 59, False, 4)
    if dates_only and rng.random() < 0.8:
        for name in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            parts.pop(name, None)
    if parts and rng.random() < 0.3:
        # Mostly within the largest set a period can hold, sometimes past it.
        size = set_size(freq, parts, dates_only)
        past = rng.random() < 0.05
        parts["BYSETPOS"] = pick_values(rng, 1, min(366, size * (2 if past else 1)), True)
    if rng.random() < (0.7 if freq in ("SECONDLY", "MINUTELY", "HOURLY") else 0.3):
        start = first_matching_day(start, parts)
    rule = {"freq": freq, "start": start, "dates_only": dates_only, "parts": parts,
            "interval": rng.choice([1, 1, 1, 1, 2, 2, 3, 4, rng.randint(5, 30)]),
            "wkst": rng.choice([None, None, None] + list(range(7))),
            "count": None, "until": None, "until_is_date": False, "invalid": None}
    scale = {"SECONDLY": 600, "MINUTELY": 36000, "HOURLY": 864000, "DAILY": 86400 * 90,
             "WEEKLY": 86400 * 400, "MONTHLY": 86400 * 1500, "YEARLY": 86400 * 4000}[freq]
    end = rng.random()
    if end < 0.35:
        rule["count"] = rng.choice([1, 2, 3, 5, 10, 20, 60])
    elif end < 0.65:
        until = start + dt.timedelta(seconds=int(scale * rng.uniform(-0.1, 1.0)))
        if dates_only or rng.random() < 0.15:
            rule["until"] = dt.datetime(until.year, until.month, until.day)
            rule["until_is_date"] = True
        else:
            rule["until"] = until
    if rng.random() < 0.05:
        make_invalid(rng, rule)
    return rule


def make_invalid(rng, rule):
    """Turns the rule into one RFC 5545 3.3.10 forbids, saying which."""
    freq = rule["freq"]
    choices = []
    if freq not in ("MONTHLY", "YEARLY"):
        choices.append(("BYDAY", [(rng.randrange(7), rng.choice([1, 2, -1]))],
                        "numbered BYDAY"))
    if freq != "YEARLY":
        choices.append(("BYWEEKNO", [rng.randint(1, 52)], "BYWEEKNO"))
    if freq in ("DAILY", "WEEKLY", "MONTHLY"):
        choices.append(("BYYEARDAY", [rng.randint(1, 365)], "BYYEARDAY"))
    if freq == "WEEKLY":
        choices.append(("BYMONTHDAY", [rng.randint(1, 28)], "BYMONTHDAY"))
    if freq == "YEARLY":
        choices.append(("BYWEEKNO", [rng.randint(1, 52)], "numbered BYDAY"))
    name, values, reason = rng.choice(choices)
    if reason == "numbered BYDAY" and freq == "YEARLY":
        rule["parts"]["BYDAY"] = [(rng.randrange(7), 1)]
    rule["parts"][name] = values
    rule["invalid"] = reason
    if rng.random() < 0.2:
        rule["parts"] = {"BYSETPOS": [1]}
        rule["invalid"] = "BYSETPOS needs"


def text_of(rule):
    out = ["FREQ=" + rule["freq"]]
    if rule["interval"] != 1:
        out.append("INTERVAL=%d" % rule["interval"])
    if rule["count"] is not None:
        out.append("COUNT=%d" % rule["count"])
    if rule["until"] is not None:
        out.append("UNTIL=" + (rule["until"].strftime("%Y%m%d") if rule["until_is_date"]
                               else rule["until"].strftime("%Y%m%dT%H%M%SZ")))
    if rule["wkst"] is not None:
        out.append("WKST=" + DAYS[rule["wkst"]])
    for name, values in rule["parts"].items():
        if name == "BYDAY":
            text = ",".join(("%+d" % n if n else "") + DAYS[d] for d, n in values)
        else:
            text = ",".join(str(v) for v in values)
        out.append(name + "=" + text)
    return ";".join(out)


def dateutil_rules(rule):
    """dateutil rules whose union is the RFC's reading, and the classes that needed it."""
    classes = set()
    parts = dict(rule["parts"])
    start = rule["start"]
    if rule["dates_only"] and any(p in parts for p in ("BYHOUR", "BYMINUTE", "BYSECOND")):
        for p in ("BYHOUR", "BYMINUTE", "BYSECOND"):
            parts.pop(p, None)
        classes.add("date-start-ignores-time-parts")
    if "BYWEEKNO" in parts and not any(p in parts for p in ("BYDAY", "BYMONTHDAY",
                                                             "BYYEARDAY")):
        parts["BYDAY"] = [(start.weekday(), 0)]
        classes.add("byweekno-default-weekday")
    wkst = rule["wkst"] if rule["wkst"] is not None else 0
    if rule["freq"] == "WEEKLY" and "BYSETPOS" in parts:
        if "BYDAY" not in parts:
            parts["BYDAY"] = [(start.weekday(), 0)]
        back = (start.weekday() - wkst) % 7
        if back:
            start = start - dt.timedelta(days=back)
            classes.add("weekly-setpos-first-week")
    until = rule["until"]
    if until is not None and rule["until_is_date"] and not rule["dates_only"]:
        until = until.replace(hour=23, minute=59, second=59)  # the end of that day
    common = dict(freq=DU_FREQ[rule["freq"]], dtstart=start, interval=rule["interval"],
                  wkst=wkst, until=until)
    names = {"BYMONTH": "bymonth", "BYWEEKNO": "byweekno", "BYYEARDAY": "byyearday",
             "BYMONTHDAY": "bymonthday", "BYHOUR": "byhour", "BYMINUTE": "byminute",
             "BYSECOND": "bysecond", "BYSETPOS": "bysetpos"}
    for name, values in parts.items():
        if name != "BYDAY":
            common[names[name]] = values
    days = parts.get("BYDAY")
    if not days:
        return [du.rrule(**common)], classes
    plain = [du.weekdays[d] for d, n in days if n == 0]
    numbered = [du.weekdays[d](n) for d, n in days if n != 0]
    if plain and numbered and rule["freq"] in ("MONTHLY", "YEARLY"):
        if "BYSETPOS" in parts:
            return None, classes  # a union before BYSETPOS: beyond what dateutil can say
        classes.add("mixed-numbered-byday")
        return [du.rrule(byweekday=plain, **common), du.rrule(byweekday=numbered, **common)], \
            classes
    return [du.rrule(byweekday=plain + numbered, **common)], classes


def first_instances(rules, start, k):
    """The first k instances (>= start) of the union of `rules`, sorted, without repeats."""
    streams = []
    for r in rules:
        try:
            streams.append(itertools.islice((t for t in r if t >= start), k))
        except ValueError:
            pass
    out = set()
    for s in streams:
        try:
            out.update(s)
        except ValueError:  # "Invalid combination ... resulting in empty rule"
            pass
    return sorted(out)[:k]


def oracle(rule, k, timeout):
    """(expected instances, window end, classes) by RFC 5545, or None when not comparable."""
    try:
        rules, classes = dateutil_rules(rule)
    except ValueError:  # "Invalid rrule byxxx generates an empty set"
        rules, classes = [], set()
    if rules is None:
        return None
    start = rule["start"]
    week_mask_changed[0] = False
    signal.alarm(timeout)
    try:
        found = first_instances(rules, start, k + 2)
    finally:
        signal.alarm(0)
    if week_mask_changed[0]:
        classes.add("byweekno-year-edges")
    # RFC 5545: DTSTART is the first instance and counts for COUNT.
    if not found or found[0] != start:
        found = [start] + found
    if rule["count"] is not None:
        found = found[:rule["count"]]
    horizon = start + dt.timedelta(days=366 * 6)
    if len(found) > k:
        window_end = found[k - 1] + dt.timedelta(seconds=1)
    else:
        window_end = horizon
    expected = [t for t in found if t < window_end]
    return expected, window_end, classes


def basic(t, date=False):
    return t.strftime("%Y%m%d") if date else t.strftime("%Y%m%dT%H%M%S")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--driver", required=True)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--count", type=int, default=3000)
    p.add_argument("--first", type=int, default=120, help="instances compared per rule")
    p.add_argument("--timeout", type=int, default=1, help="seconds for one oracle run")
    p.add_argument("--corrupt", action="store_true",
                   help="drop one of calsync's instances, to prove the comparison can fail")
    p.add_argument("--only", choices=["yearly-byweekno"],
                   help="compare only these rules of the seed's sequence")
    p.add_argument("--focus", choices=["yearly-byweekno"],
                   help="generate only these rules")
    args = p.parse_args()
    signal.signal(signal.SIGALRM, _alarm)
    rng = random.Random(args.seed)

    cases = []
    timeouts = []
    skipped = {"dateutil cannot express (mixed BYDAY with BYSETPOS)": 0,
               "oracle timeout": 0, "BYMONTH/BYMONTHDAY/BYYEARDAY never meet": 0,
               "BYWEEKNO never meets the other parts": 0}
    drawn = 0
    while (drawn if args.only else len(cases)) < args.count:
        rule = generate(rng, args.focus)
        drawn += 1
        if args.only and (rule["freq"] != "YEARLY" or "BYWEEKNO" not in rule["parts"]):
            continue
        if rule["invalid"] is None and not month_days_possible(rule):
            skipped["BYMONTH/BYMONTHDAY/BYYEARDAY never meet"] += 1
            continue
        if (args.only or args.focus) and rule["invalid"] is None and \
                not week_days_possible(rule):
            # Only here: the full run's sequence of compared rules stays as it was.
            skipped["BYWEEKNO never meets the other parts"] += 1
            continue
        case = {"id": str(len(cases)), "rule": rule, "text": text_of(rule)}
        if rule["invalid"] is None:
            try:
                o = oracle(rule, args.first, args.timeout)
            except Timeout:
                skipped["oracle timeout"] += 1
                timeouts.append("DTSTART:%s RRULE:%s" % (basic(rule["start"]), case["text"]))
                continue
            if o is None:
                skipped["dateutil cannot express (mixed BYDAY with BYSETPOS)"] += 1
                continue
            case["expected"], case["window_end"], case["classes"] = o
        else:
            case["window_end"] = rule["start"] + dt.timedelta(days=400)
        cases.append(case)

    lines = []
    for c in cases:
        r = c["rule"]
        lines.append("\t".join([c["id"], basic(r["start"], r["dates_only"]), c["text"],
                                basic(c["window_end"])]))
    run = subprocess.run([args.driver], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=True)
    answers = {}
    for line in run.stdout.splitlines():
        fields = line.split("\t")
        answers[fields[0]] = fields[1:]

    agree = 0
    invalid_reported = 0
    by_class = {name: 0 for name in CLASSES}
    failures = []
    freq_seen = {f: 0 for f in FREQS}
    for c in cases:
        r = c["rule"]
        status, detail = answers.get(c["id"], ["MISSING", ""])
        if r["invalid"] is not None:
            if status == "ERR" and r["invalid"] in detail and "3.3.10" in detail:
                invalid_reported += 1
            else:
                failures.append((c, "forbidden (%s) but calsync said %s %s"
                                 % (r["invalid"], status, detail[:200])))
            continue
        freq_seen[r["freq"]] += 1
        if status != "OK":
            failures.append((c, "calsync: " + detail))
            continue
        got = [g for g in detail.split(",") if g]
        if args.corrupt and len(got) > 1:
            got = got[1:]
            args.corrupt = False
        want = [basic(t) for t in c["expected"]]
        if got == want:
            agree += 1
            for name in c["classes"]:
                by_class[name] += 1
        else:
            extra = sorted(set(got) - set(want))[:5]
            missing = sorted(set(want) - set(got))[:5]
            failures.append((c, "calsync %d instances, oracle %d; calsync only %s; oracle only %s"
                             % (len(got), len(want), extra, missing)))

    compared = sum(freq_seen.values())
    print("rules: %d (seed %d%s), compared with dateutil: %d, agree: %d" %
          (len(cases), args.seed, ", %s of %d drawn" % (args.only, drawn) if args.only
           else ", only %s" % args.focus if args.focus else "", compared, agree))
    print("  per FREQ: " + ", ".join("%s %d" % kv for kv in freq_seen.items()))
    print("forbidden rules reported by calsync: %d" % invalid_reported)
    print("agreeing only when dateutil is read the RFC's way (rules per class):")
    for name, n in by_class.items():
        print("  %-32s %6d" % (name, n))
    print("not compared: " + ", ".join("%s %d" % kv for kv in skipped.items()))
    for t in timeouts[:10]:
        print("  oracle timeout: " + t)
    for c, why in failures[:25]:
        r = c["rule"]
        print("MISMATCH %s DTSTART:%s RRULE:%s -- %s" %
              (c["id"], basic(r["start"], r["dates_only"]), c["text"], why))
    if failures:
        print("%d mismatches" % len(failures))
        return 1
    # --only and --focus draw mostly YEARLY rules with BYSETPOS past their sets, which
    # dateutil walks to the year 9999: up to 10 % of them may pass the timeout.
    allowed = len(cases) // (10 if args.only or args.focus else 100)
    if skipped["oracle timeout"] > max(3, allowed):
        print("too many oracle timeouts")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
