"""Graph's patternedRecurrence (resources/patternedrecurrence.md, recurrencepattern.md,
recurrencerange.md) checked and expanded as Outlook does it.

- pattern.type: daily, weekly, absoluteMonthly, relativeMonthly (the yearly ones are
  refused here: no test needs them); interval >= 1; weekly needs daysOfWeek and counts
  weeks from firstDayOfWeek (default sunday); absoluteMonthly needs dayOfMonth;
  relativeMonthly needs daysOfWeek and index (first .. last).
- range.type: endDate (inclusive), noEnd, numbered (numberOfOccurrences); startDate is
  required, and the series starts on its first matching day at or after it.
- Occurrences keep their wall-clock time in the series' zone (range.recurrenceTimeZone,
  else the zone the event's start was given in): a 09:00 Berlin series is 08:00Z before the
  spring change and 07:00Z after it.
"""
import calendar
import datetime

from graph_values import GraphError, zone_for

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
INDEXES = ("first", "second", "third", "fourth", "last")
PATTERNS = ("daily", "weekly", "absoluteMonthly", "relativeMonthly")
RANGES = ("endDate", "noEnd", "numbered")
PATTERN_KEYS = {"type", "interval", "month", "dayOfMonth", "daysOfWeek", "firstDayOfWeek",
                "index", "@odata.type"}
RANGE_KEYS = {"type", "startDate", "endDate", "recurrenceTimeZone", "numberOfOccurrences",
              "@odata.type"}
NO_END_LIMIT = 1000  # occurrences of a series without end the fake expands


def bad(message):
    return GraphError(400, "ErrorInvalidRequest", message)


def enum(value, allowed, what):
    if value not in allowed:
        raise GraphError(400, "RequestBodyRead",
                         f"Requested value '{value}' was not found for {what}.")
    return value


def parse_date(text, what):
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        raise bad(f"{what} '{text}' is not a date (yyyy-mm-dd).")


def check(recurrence):
    """A patternedRecurrence body, validated; returned normalised (defaults filled in)."""
    if not isinstance(recurrence, dict) or set(recurrence) - {"pattern", "range", "@odata.type"}:
        raise GraphError(400, "RequestBodyRead", "recurrence takes pattern and range only.")
    pattern = dict(recurrence.get("pattern") or {})
    rng = dict(recurrence.get("range") or {})
    for name, keys, given in (("recurrencePattern", PATTERN_KEYS, pattern),
                              ("recurrenceRange", RANGE_KEYS, rng)):
        for key in given:
            if key not in keys:
                raise GraphError(400, "RequestBodyRead", f"The property '{key}' does not exist "
                                                         f"on type 'microsoft.graph.{name}'.")
    enum(pattern.get("type"), PATTERNS, "recurrencePatternType")
    interval = pattern.get("interval", 1)
    if not isinstance(interval, int) or interval < 1:
        raise bad("pattern.interval must be a positive number.")
    pattern["interval"] = interval
    pattern["firstDayOfWeek"] = enum(pattern.get("firstDayOfWeek", "sunday"), DAYS, "dayOfWeek")
    days = pattern.get("daysOfWeek") or []
    for d in days:
        enum(d, DAYS, "dayOfWeek")
    if pattern["type"] in ("weekly", "relativeMonthly") and not days:
        raise bad(f"A {pattern['type']} pattern needs daysOfWeek.")
    if pattern["type"] == "absoluteMonthly" and not 1 <= int(pattern.get("dayOfMonth") or 0) <= 31:
        raise bad("An absoluteMonthly pattern needs dayOfMonth (1-31).")
    if pattern["type"] == "relativeMonthly":
        pattern["index"] = enum(pattern.get("index", "first"), INDEXES, "weekIndex")
    enum(rng.get("type"), RANGES, "recurrenceRangeType")
    if not rng.get("startDate"):
        raise bad("The recurrence range needs a startDate.")
    parse_date(rng["startDate"], "range.startDate")
    if rng["type"] == "endDate":
        if parse_date(rng.get("endDate"), "range.endDate") < parse_date(rng["startDate"], ""):
            raise bad("range.endDate is before range.startDate.")
    if rng["type"] == "numbered" and not int(rng.get("numberOfOccurrences") or 0) >= 1:
        raise bad("A numbered range needs numberOfOccurrences >= 1.")
    if rng.get("recurrenceTimeZone"):
        zone_for(rng["recurrenceTimeZone"])
    return {"pattern": pattern, "range": rng}


def _nth_weekday(year, month, weekday, index):
    days = [d for d in range(1, calendar.monthrange(year, month)[1] + 1)
            if datetime.date(year, month, d).weekday() == weekday]
    return days[-1] if index == "last" else days[INDEXES.index(index)]


def _dates(pattern, start):
    """Every date the pattern matches, from `start` on, in order."""
    kind, step = pattern["type"], pattern["interval"]
    if kind == "daily":
        day = start
        while True:
            yield day
            day += datetime.timedelta(days=step)
    elif kind == "weekly":
        wanted = sorted(DAYS.index(d) for d in pattern["daysOfWeek"])
        first = DAYS.index(pattern["firstDayOfWeek"])
        week = start - datetime.timedelta(days=(start.weekday() - first) % 7)
        while True:
            for offset in range(7):
                day = week + datetime.timedelta(days=offset)
                if day.weekday() in wanted and day >= start:
                    yield day
            week += datetime.timedelta(weeks=step)
    else:
        year, month = start.year, start.month
        while True:
            if kind == "absoluteMonthly":
                # A month without that day has no occurrence (RFC 5545 3.3.10 too).
                days = [int(pattern["dayOfMonth"])]
                if days[0] > calendar.monthrange(year, month)[1]:
                    days = []
            else:
                days = sorted(_nth_weekday(year, month, DAYS.index(d), pattern["index"])
                              for d in pattern["daysOfWeek"])
            for d in days:
                day = datetime.date(year, month, d)
                if day >= start:
                    yield day
            month += step
            year, month = year + (month - 1) // 12, (month - 1) % 12 + 1


def expand(recurrence, first_start, duration, zone_name):
    """(start, end) in UTC of every occurrence: the wall-clock time of `first_start` in the
    series' zone on each matching date."""
    rng = recurrence["range"]
    zone = zone_for(rng.get("recurrenceTimeZone") or zone_name)
    local = first_start.astimezone(zone)
    start = parse_date(rng["startDate"], "range.startDate")
    end = parse_date(rng["endDate"], "") if rng["type"] == "endDate" else None
    count = int(rng["numberOfOccurrences"]) if rng["type"] == "numbered" else NO_END_LIMIT
    out = []
    for day in _dates(recurrence["pattern"], start):
        if len(out) >= count or (end is not None and day > end):
            break
        # zoneinfo resolves a wall time in a gap with the offset before it (fold=0): the
        # occurrence moves forward by the gap, as RFC 5545 3.3.5 says.
        moment = datetime.datetime.combine(day, local.time(), zone)
        begin = moment.astimezone(datetime.timezone.utc)
        out.append((begin, begin + duration))
    return out


def daily_shortcut(every_days, count, first_start):
    """The control API's {"every_days", "count"} as a Graph pattern (UTC wall clock)."""
    every_days = int(every_days)
    if every_days % 7 == 0:
        pattern = {"type": "weekly", "interval": every_days // 7,
                   "daysOfWeek": [DAYS[first_start.weekday()]]}
    else:
        pattern = {"type": "daily", "interval": every_days}
    return check({"pattern": pattern,
                  "range": {"type": "numbered", "numberOfOccurrences": int(count),
                            "startDate": first_start.date().isoformat(),
                            "recurrenceTimeZone": "UTC"}})
