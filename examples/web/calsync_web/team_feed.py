"""The team-sharing feed: the garage's appointments as an iCalendar subscription, at an
address whose last part is an unguessable token (the settings page shows it and can
replace it). Calendar apps cannot send a password with a subscription, so the address
is the secret: compared in constant time, kept out of the access log (serving.py) and
out of Referer headers (csrf.SECURITY_HEADERS).
"""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, abort

from .service import calendars

bp = Blueprint("team_feed", __name__)


@bp.get("/team-feed/<token>.ics")
def feed(token: str):
    service = calendars()
    if not hmac.compare_digest(token.encode(), service.team_feed_token.current().encode()):
        abort(404)
    ics = service.client.team_feed(
        calendar_name=service.words("team_feed_name", garage=service.settings.garage_name),
        refresh_interval_minutes=30)
    return Response(ics, content_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=300"})
