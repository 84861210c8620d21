"""The week agenda and the booking form.

A booking is confirmed only after client.confirm_free read every import calendar again
(within 3 seconds): the agenda was drawn from what the last sync read, and a person may
have put an event in their Google calendar since. Once booked, the appointment is given
to calsync (upsert_appointment) and the scheduler is woken to export it at once.
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from zoneinfo import ZoneInfo

import calsync
from flask import Blueprint, flash, redirect, render_template, request, url_for

from . import week
from .service import calendars

bp = Blueprint("agenda", __name__)
log = logging.getLogger("calsync_web.agenda")

DURATIONS = (30, 60, 90, 120)  # minutes
CONFIRM_TIMEOUT = dt.timedelta(seconds=3)


def _zone() -> ZoneInfo:
    return ZoneInfo(calendars().settings.zone)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def _day_label(day: dt.date) -> str:
    w = calendars().words
    return w("day_label", weekday=w.list("days")[day.weekday()], day=day.day,
             month=w.list("months")[day.month - 1])


@bp.get("/")
def home():
    return redirect(url_for(".agenda"))


@bp.get("/agenda")
def agenda():
    service, zone = calendars(), _zone()
    try:
        monday = week.monday_of(dt.date.fromisoformat(request.args["week"]))
    except (KeyError, ValueError):
        monday = week.monday_of(_now().astimezone(zone).date())
    start, end = week.week_range(monday, zone)
    booked = [a for a in service.client.appointments()
              if a.status == calsync.AppointmentStatus.BOOKED and a.start < end and start < a.end]
    slots = service.client.blocked_slots(start, end).slots
    rows = week.grid(monday, zone, _now(), booked, slots, service.words("external"))
    days = [monday + dt.timedelta(days=d) for d in range(week.WORKING_DAYS)]
    return render_template("agenda.html", monday=monday, rows=rows,
                           day_labels=[_day_label(d) for d in days],
                           previous=monday - dt.timedelta(days=7),
                           next=monday + dt.timedelta(days=7))


def _form_values() -> dict[str, str]:
    fields = ("client", "service", "vehicle", "date", "time", "duration")
    return {f: request.form.get(f, request.args.get(f, "")).strip() for f in fields}


def _render_form(values: dict[str, str], status: int = 200):
    w = calendars().words
    return render_template("booking.html", values=values, services=w.list("services"),
                           durations=DURATIONS), status


@bp.route("/agenda/book", methods=["GET", "POST"])
def book():
    service, zone = calendars(), _zone()
    w = service.words
    values = _form_values()
    if request.method == "GET":
        return _render_form(values)
    if not (values["client"] and values["service"] and values["date"] and values["time"]):
        flash(w("field_missing"), "error")
        return _render_form(values, 400)
    try:
        start = dt.datetime.combine(dt.date.fromisoformat(values["date"]),
                                    dt.time.fromisoformat(values["time"]), zone)
        minutes = int(values["duration"] or "60")
        if minutes not in DURATIONS:
            raise ValueError(minutes)
    except ValueError:
        flash(w("bad_date"), "error")
        return _render_form(values, 400)
    end = start + dt.timedelta(minutes=minutes)
    if start <= _now():
        flash(w("slot_in_past"), "error")
        return _render_form(values, 400)
    if not week.within_opening_hours(start, end):
        flash(w("slot_closed", opens=week.OPENS_HOUR, closes=week.CLOSES_HOUR), "error")
        return _render_form(values, 400)
    if any(a.status == calsync.AppointmentStatus.BOOKED and a.start < end and start < a.end
           for a in service.client.appointments()):
        flash(w("slot_taken_garage"), "error")
        return _render_form(values, 409)

    # The guard: read the external calendars again before saying yes.
    check = service.client.confirm_free(start, end, timeout=CONFIRM_TIMEOUT)
    if not check.free:
        log.info("booking refused: %s..%s is taken in %d external calendar(s)",
                 start.isoformat(), end.isoformat(), len(check.conflicts))
        flash(w("slot_taken_external"), "error")
        return _render_form(values, 409)
    if not check.fresh:  # a service did not answer in time: its last sync said free
        flash(w("booking_stale"), "error")

    appointment = calsync.Appointment(
        "rdv-" + secrets.token_hex(6), start, end, client=values["client"],
        service=values["service"], vehicle=values["vehicle"])
    service.client.upsert_appointment(appointment)
    service.scheduler.wake()  # the export calendars are due: write it there now
    log.info("booked %s at %s", appointment.id, start.isoformat())
    flash(w("booked", day=_day_label(start.date()), time=start.strftime("%H:%M")), "ok")
    return redirect(url_for(".agenda", week=week.monday_of(start.date()).isoformat()))
