"""A reference web backend on calsync's Python binding: PitStoply's "Calendrier externe"
settings, the week agenda with external events greyed, a booking form guarded by
confirm_free, the team feed, the push endpoint and the scheduler thread.

    app = create_app()          # settings from CALSYNC_WEB_* (config.py)
    ...
    close_app(app)              # stops the scheduler, closes the calsync client
"""
from __future__ import annotations

import hashlib
import hmac
from typing import Optional
from zoneinfo import ZoneInfo

from flask import Flask, render_template

from . import agenda_pages, config, csrf, push_endpoint, settings_pages, team_feed
from .service import EXTENSION, CalendarService

MAX_REQUEST_BYTES = 1 << 20  # forms are small; calsync refuses push bodies over 1 MiB too


def create_app(settings: Optional[config.Settings] = None) -> Flask:
    settings = settings or config.from_environment()
    app = Flask(__name__)
    app.config.update(
        # One secret to keep: the session is signed with a key derived from the host key.
        SECRET_KEY=hmac.new(settings.host_key, b"calsync-web session cookie",
                            hashlib.sha256).digest(),
        SESSION_COOKIE_NAME="garage_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    service = CalendarService(settings)
    app.extensions[EXTENSION] = service
    for module in (settings_pages, agenda_pages, push_endpoint, team_feed):
        app.register_blueprint(module.bp)
    csrf.protect(app, exempt={"push.receive"})
    app.jinja_env.globals.update(w=service.words, garage=settings.garage_name)
    zone = ZoneInfo(settings.zone)
    # A state or direction: a calsync str enum, or a plain str newer than the binding.
    app.jinja_env.filters["value"] = lambda v: getattr(v, "value", v)
    app.jinja_env.filters["local_time"] = lambda t: service.words(
        "moment", day=t.astimezone(zone).strftime("%d/%m"),
        time=t.astimezone(zone).strftime("%H:%M"))

    @app.errorhandler(400)
    @app.errorhandler(404)
    def error_page(error):
        words = service.words
        message = words("csrf_refused") if error.description == "csrf" else (
            words("not_found") if error.code == 404 else error.name)
        return render_template("error.html", message=message), error.code

    return app


def close_app(app: Flask) -> None:
    app.extensions[EXTENSION].close()
