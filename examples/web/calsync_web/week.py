"""The week agenda as a grid: a row per half hour of opening time, a column per working
day; each cell is free, one of the garage's appointments, or blocked by an external
event (greyed, with its calendar's name). Pure: no calsync call, no clock.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Optional, Sequence
from zoneinfo import ZoneInfo

import calsync

OPENS_HOUR = 8
CLOSES_HOUR = 18
STEP = dt.timedelta(minutes=30)
WORKING_DAYS = 6  # Monday to Saturday


@dataclasses.dataclass(frozen=True)
class Cell:
    start: dt.datetime  # aware, in the garage's zone
    kind: str  # "free", "appointment", "external", "past"
    label: str = ""  # what the cell shows: the calendar's name, a line of the appointment
    first: bool = False  # the first cell of its appointment or external event
    title: str = ""  # the whole label, for a tooltip
    appointment_id: Optional[str] = None


@dataclasses.dataclass(frozen=True)
class Row:
    time: dt.time
    cells: list[Cell]


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def week_range(monday: dt.date, zone: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """[Monday 00:00, next Monday 00:00) in the garage's zone."""
    start = dt.datetime.combine(monday, dt.time(), zone)
    return start, dt.datetime.combine(monday + dt.timedelta(days=7), dt.time(), zone)


def within_opening_hours(start: dt.datetime, end: dt.datetime) -> bool:
    """Whether [start, end) (in the garage's zone) lies inside one working day's hours."""
    opens = start.replace(hour=OPENS_HOUR, minute=0, second=0, microsecond=0)
    closes = start.replace(hour=CLOSES_HOUR, minute=0, second=0, microsecond=0)
    return start.weekday() < WORKING_DAYS and opens <= start and end <= closes


def _overlapping(items, start, end):
    return [i for i in items if i.start < end and start < i.end]


def appointment_summary(a: calsync.Appointment) -> str:
    vehicle = f" ({a.vehicle})" if a.vehicle else ""
    return f"{a.service} · {a.client}{vehicle}"


def _line(lines: list[str], start: dt.datetime, item_start: dt.datetime) -> str:
    """The line of `lines` the cell at `start` shows: an appointment of an hour shows its
    service in its first half hour, its client in the second."""
    opens = start.replace(hour=OPENS_HOUR, minute=0)
    # The cell holding its start (or the opening) is 0, even when it started mid-cell.
    index = math.ceil((start - max(item_start, opens)) / STEP)
    return lines[index] if 0 <= index < len(lines) else ""


def grid(monday: dt.date, zone: ZoneInfo, now: dt.datetime,
         appointments: Sequence[calsync.Appointment],
         slots: Sequence[calsync.BlockedSlot], external_word: str) -> list[Row]:
    """The rows of the week starting on `monday`. `appointments` are the booked ones;
    `slots` the blocked slots calsync answered for the week."""
    rows = []
    day_start = dt.datetime.combine(monday, dt.time(OPENS_HOUR), zone)
    steps = int((CLOSES_HOUR - OPENS_HOUR) * dt.timedelta(hours=1) / STEP)
    for step in range(steps):
        cells = []
        for day in range(WORKING_DAYS):
            # Python adds to an aware datetime in wall-clock time: a DST change moves the
            # instants, not the rows.
            start = day_start + dt.timedelta(days=day) + step * STEP
            end = start + STEP
            cells.append(_cell(start, end, now, appointments, slots, external_word))
        rows.append(Row(cells[0].start.time(), cells))
    return rows


def _cell(start, end, now, appointments, slots, external_word) -> Cell:
    booked = _overlapping(appointments, start, end)
    if booked:
        a = booked[0]
        lines = [line for line in (a.service, a.client, a.vehicle) if line]
        return Cell(start, "appointment", _line(lines, start, a.start),
                    first=a.start >= start, appointment_id=a.id,
                    title=appointment_summary(a))
    blocked = _overlapping(slots, start, end)
    if blocked:
        s = blocked[0]
        label = s.label or external_word
        return Cell(start, "external", _line([label], start, s.start), first=s.start >= start,
                    title=label)
    return Cell(start, "past" if start < now else "free")
