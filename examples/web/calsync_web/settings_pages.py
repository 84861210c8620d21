"""Paramètres > Calendrier externe: the connected accounts with their status, connecting
one (Google and Microsoft through OAuth, iCloud and any CalDAV server through a form),
choosing calendars and directions, "Synchroniser maintenant", "Déconnecter".

Where things land in a backend:
- /oauth/<kind>/start asks calsync for the authorization URL (PKCE S256 and a signed,
  single-use state: client.authorize_begin) and sends the browser there; the state is
  also kept in this browser's session, so a redirect started in another browser (or
  forged by another site) is refused at the callback.
- /oauth/<kind>/callback is the redirect URI registered with the service; calsync
  checks the state, exchanges the code and stores the sealed tokens
  (client.authorize_complete).
"""
from __future__ import annotations

import dataclasses
import hmac
import logging
from typing import Optional

import calsync
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for

from .service import calendars

bp = Blueprint("external_calendar", __name__)
log = logging.getLogger("calsync_web.settings")

DIRECTIONS = ("import", "export", "both")  # the words: direction_<value>
SESSION_OAUTH_STATE = "oauth_state"


@dataclasses.dataclass
class CalendarRow:
    calendar: calsync.Calendar
    status: Optional[calsync.Status]
    health: list[calsync.HealthItem]


@dataclasses.dataclass
class ConnectionView:
    info: calsync.ConnectionInfo
    status: calsync.Status
    health: list[calsync.HealthItem]  # the connection-wide checks: credentials, scopes, sync
    calendars: list[CalendarRow]  # the selected ones
    error: str = ""  # why the calendars or the health check could not be read


def _per_calendar(item: calsync.HealthItem) -> Optional[str]:
    """The calendar id a health item is about ("calendar:<id>", "writable:<id>")."""
    kind, _, calendar_id = item.check.partition(":")
    return calendar_id if kind in ("calendar", "writable") else None


def _connection_view(info: calsync.ConnectionInfo) -> ConnectionView:
    client = calendars().client
    with client.connection(info.id) as k:
        status = k.status()
        try:
            listed = [c for c in k.calendars() if c.selected]
            health = k.check().items
        except calsync.CalsyncError as e:
            return ConnectionView(info, status, [], [], e.message)
    rows = [CalendarRow(c, status.calendars.get(c.id),
                        [i for i in health if _per_calendar(i) == c.id]) for c in listed]
    return ConnectionView(info, status, [i for i in health if _per_calendar(i) is None], rows)


@bp.get("/settings/external-calendar")
def settings():
    service = calendars()
    views = [_connection_view(info) for info in service.client.connections()
             if info.state == calsync.ConnectionState.ACTIVE]
    feed_url = url_for("team_feed.feed", token=service.team_feed_token.current())
    return render_template("settings.html", connections=views,
                           team_feed_url=service.settings.base_url + feed_url)


@bp.get("/settings/external-calendar/connect")
def connect():
    return render_template("connect.html", oauth_kinds=calendars().settings.oauth_clients)


# --- Google and Microsoft ---------------------------------------------------------------

@bp.post("/oauth/<kind>/start")
def oauth_start(kind: str):
    service = calendars()
    if kind not in service.settings.oauth_clients:
        abort(404)
    start = service.client.authorize_begin(kind)
    session[SESSION_OAUTH_STATE] = start.state
    return redirect(start.url)


@bp.get("/oauth/<kind>/callback")
def oauth_callback(kind: str):
    service = calendars()
    w = service.words
    if kind not in service.settings.oauth_clients:
        abort(404)
    expected = session.pop(SESSION_OAUTH_STATE, None)
    state = request.args.get("state", "")
    if expected is None or not hmac.compare_digest(state.encode(), expected.encode()):
        flash(w("oauth_state_mismatch"), "error")
        return redirect(url_for(".settings"))
    if "error" in request.args:  # access_denied: the person clicked "Deny"
        flash(w("oauth_declined"), "error")
        return redirect(url_for(".settings"))
    try:
        connection = service.client.authorize_complete(state=state,
                                                       code=request.args.get("code", ""))
    except calsync.CalsyncError as e:
        log.warning("%s sign-in refused: %s", kind, e.message)
        flash(w("oauth_refused", error=e.message), "error")
        return redirect(url_for(".settings"))
    with connection:
        log.info("connected %s (%s)", connection.id, kind)
        flash(w("connected"), "ok")
        return redirect(url_for(".choose_calendars", connection_id=connection.id))


# --- iCloud and other CalDAV servers ------------------------------------------------------

def _connect_with_password(template: str, kind: str, url: Optional[str], username: str):
    """Connects a CalDAV or iCloud account from the posted form; the password goes to
    calsync (which seals it) and nowhere else: not back into the form, not into a log."""
    service = calendars()
    w = service.words
    password = request.form.get("password", "")
    if not (username and password and (url or kind == "icloud")):
        flash(w("field_missing"), "error")
        return render_template(template, url=url or "", username=username), 400
    settings = {"username": username}
    if url:
        settings["url"] = url
    try:
        connection = service.client.connect(kind, settings=settings, password=password)
    except calsync.AuthError as e:
        flash(w("connect_refused", error=e.message), "error")
        return render_template(template, url=url or "", username=username), 400
    except calsync.CalsyncError as e:
        flash(w("connect_failed", error=e.message), "error")
        return render_template(template, url=url or "", username=username), 400
    with connection:
        log.info("connected %s (%s)", connection.id, kind)
        flash(w("connected"), "ok")
        return redirect(url_for(".choose_calendars", connection_id=connection.id))


@bp.route("/settings/external-calendar/icloud", methods=["GET", "POST"])
def icloud():
    if request.method == "GET":
        return render_template("icloud.html", username="")
    return _connect_with_password("icloud.html", "icloud", calendars().settings.icloud_url,
                                  request.form.get("username", "").strip())


@bp.route("/settings/external-calendar/caldav", methods=["GET", "POST"])
def caldav():
    if request.method == "GET":
        return render_template("caldav.html", url="", username="")
    return _connect_with_password("caldav.html", "caldav", request.form.get("url", "").strip(),
                                  request.form.get("username", "").strip())


# --- one connection -----------------------------------------------------------------------

def _connection(connection_id: str) -> calsync.Connection:
    try:
        return calendars().client.connection(connection_id)
    except calsync.NotFoundError:
        abort(404)


@bp.route("/settings/external-calendar/<connection_id>/calendars", methods=["GET", "POST"])
def choose_calendars(connection_id: str):
    service = calendars()
    w = service.words
    with _connection(connection_id) as k:
        listed = k.calendars()
        if request.method == "GET":
            return render_template("calendars.html", info=k.info(), calendars=listed,
                                   directions=DIRECTIONS)
        for index, calendar in enumerate(listed):
            if request.form.get(f"calendar-{index}") != calendar.id:
                abort(409)  # the account's calendars changed since the page was shown
            choice = request.form.get(f"direction-{index}", "none")
            try:
                if choice in DIRECTIONS:
                    k.select(calendar.id, choice)
                elif calendar.selected:
                    k.deselect(calendar.id)
            except calsync.CalsyncError as e:
                flash(e.message, "error")
                return redirect(url_for(".choose_calendars", connection_id=connection_id))
        _watch_imported(k, k.calendars())
    service.scheduler.wake()  # select made the connection due: sync it now
    flash(w("calendars_saved"), "ok")
    return redirect(url_for(".settings"))


def _watch_imported(k: calsync.Connection, listed: calsync.CalendarList) -> None:
    """Asks the service to notify /push when a calendar whose events block changes.
    Services without push (CalDAV, iCloud) are polled on the schedule instead."""
    service = calendars()
    w = service.words
    if service.settings.push_url is None:
        return
    address = service.settings.push_url + url_for("push.receive")
    for calendar in listed:
        if not calendar.selected or calendar.direction == calsync.Direction.EXPORT:
            continue
        try:
            channel = k.watch(calendar.id, address)
            log.info("push channel %s for %s of %s until %s", channel.channel_id,
                     calendar.id, k.id, channel.expires_at)
        except calsync.InvalidArgumentError as e:  # this service has no push: polled
            log.info("no push for %s: %s", k.id, e.message)
            return
        except calsync.CalsyncError as e:
            log.warning("push for %s of %s: %s", calendar.id, k.id, e.message)
            flash(w("push_unavailable", calendar=calendar.name), "error")


@bp.post("/settings/external-calendar/<connection_id>/sync")
def sync_now(connection_id: str):
    w = calendars().words
    with _connection(connection_id) as k:
        try:
            report = k.sync()
        except calsync.CalsyncError as e:
            flash(w("sync_failed", error=e.message), "error")
            return redirect(url_for(".settings"))
    if report.status.state == calsync.SyncState.OK:
        flash(w("synced", added=len(report.added), removed=len(report.removed)), "ok")
    else:
        flash(w("sync_failed", error=report.status.last_error), "error")
    return redirect(url_for(".settings"))


@bp.route("/settings/external-calendar/<connection_id>/disconnect", methods=["GET", "POST"])
def disconnect(connection_id: str):
    w = calendars().words
    with _connection(connection_id) as k:
        info = k.info()
        if request.method == "GET":
            return render_template("disconnect.html", info=info)
        try:
            try:
                k.disconnect(revoke=True)  # withdraws the grant where the service allows it
            except calsync.InvalidArgumentError:  # nothing calsync can revoke: CalDAV ...
                k.disconnect(revoke=False)
        except calsync.CalsyncError as e:
            flash(w("disconnect_failed", error=e.message), "error")
            return redirect(url_for(".settings"))
    log.info("disconnected %s", connection_id)
    flash(w("disconnected", account=info.account), "ok")
    return redirect(url_for(".settings"))


@bp.post("/settings/external-calendar/team-feed/renew")
def renew_team_feed():
    calendars().team_feed_token.renew()
    flash(calendars().words("team_link_renewed"), "ok")
    return redirect(url_for(".settings") + "#team")
