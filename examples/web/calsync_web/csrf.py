"""Protection of every form against cross-site requests, and the headers every page gets.

A synchronizer token (OWASP's CSRF cheat sheet): a random token kept in the signed session
cookie goes into every form as a hidden field; a POST without the same token is refused
with 400. The session cookie is HttpOnly and SameSite=Lax (Lax, not Strict: the browser
must send it when a calendar service redirects back to the OAuth callback). Endpoints
that other servers call (push notifications, authenticated by calsync) and GET-only ones
(the team feed) take no token.
"""
from __future__ import annotations

import hmac
import secrets

from flask import Flask, abort, request, session
from markupsafe import Markup, escape

FIELD = "csrf_token"

# No script at all, nothing from elsewhere, never inside another site's frame.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    # The OAuth callback's code and the team feed's address must not leak in a Referer.
    "Referrer-Policy": "no-referrer",
}


def _token() -> str:
    if FIELD not in session:
        session[FIELD] = secrets.token_urlsafe(32)
    return session[FIELD]


def csrf_field() -> Markup:
    """The hidden input every form of the app carries ({{ csrf_field() }})."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{escape(_token())}">')


def protect(app: Flask, exempt: set[str]) -> None:
    """Checks every state-changing request of `app` but those of the `exempt` endpoints."""

    @app.before_request
    def check_token():
        if request.method in ("GET", "HEAD", "OPTIONS") or request.endpoint in exempt:
            return
        expected = session.get(FIELD)
        sent = request.form.get(FIELD, "")
        if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            abort(400, description="csrf")

    @app.after_request
    def add_headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.jinja_env.globals["csrf_field"] = csrf_field
