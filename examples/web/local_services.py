"""The calendar services of the web demo and its tests, all on 127.0.0.1: Radicale (as the
"iCloud" and CalDAV server), the Google fake and the Graph fake, started with the
project's tools (tests/tools/dav_server.py, fake_service.py), their authorization
endpoints showing a consent page a person (or Selenium) clicks through, and the
CALSYNC_WEB_* settings that point the app at them.

    services = LocalServices(directory)
    services.start()
    env = services.environment(base_url="http://127.0.0.1:8000")
    ...
    services.stop()
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Optional

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "tools"))
import dav_server  # noqa: E402
import fake_service  # noqa: E402

GOOGLE_CLIENT_ID = "calsync-web.apps.googleusercontent.com"
MICROSOFT_CLIENT_ID = "calsync-web"


def control(root: str, name: str, body: Any = None, **query: str) -> Any:
    """A call to a fake's test control API (/_control/NAME): POST with a JSON body, else
    GET; its JSON answer."""
    url = f"{root}/_control/{name}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="GET" if data is None else "POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as reply:
        answer = reply.read()
    return json.loads(answer) if answer else None


class LocalServices:
    def __init__(self, directory: str):
        self._directory = directory
        self._started: list[str] = []
        self.google_client_secret = "demo-" + secrets.token_urlsafe(16)

    def start(self, trusted_by_graph: Optional[str] = None) -> None:
        """trusted_by_graph: a CA file the Graph fake trusts when it calls the app's push
        address (its subscription validation and notifications go over HTTPS)."""
        self.radicale = self._start("radicale", dav_server.start)
        if trusted_by_graph:
            os.environ["SSL_CERT_FILE"] = trusted_by_graph
        try:
            self.graph_url = self._start("graph", fake_service.start)["url"]
        finally:
            os.environ.pop("SSL_CERT_FILE", None)
        self.google_url = self._start("google", fake_service.start)["url"]
        for root in (self.google_url, self.graph_url):
            control(root, "config", {"consent_page": True})

    def _start(self, kind: str, start) -> dict:
        directory = os.path.join(self._directory, kind)
        with contextlib.redirect_stdout(io.StringIO()):  # they print what they started
            start(kind, directory)
        self._started.append(directory)
        with open(os.path.join(directory, "server.json")) as f:
            return json.load(f)

    def environment(self, base_url: str) -> dict[str, str]:
        """The settings that make the app use these services (see calsync_web/config.py);
        registers the app's Google OAuth client, its redirect URI exact, with the fake."""
        control(self.google_url, "client", {
            "client_id": GOOGLE_CLIENT_ID, "client_secret": self.google_client_secret,
            "redirect_uris": [base_url + "/oauth/google/callback"]})
        google, graph = self.google_url, self.graph_url
        return {
            "CALSYNC_WEB_BASE_URL": base_url,
            "CALSYNC_WEB_GOOGLE_CLIENT_ID": GOOGLE_CLIENT_ID,
            "CALSYNC_WEB_GOOGLE_CLIENT_SECRET": self.google_client_secret,
            "CALSYNC_WEB_GOOGLE_AUTHORIZATION_URL": google + "/o/oauth2/v2/auth",
            "CALSYNC_WEB_GOOGLE_TOKEN_URL": google + "/token",
            "CALSYNC_WEB_GOOGLE_REVOCATION_URL": google + "/revoke",
            "CALSYNC_WEB_GOOGLE_API_URL": google + "/calendar/v3",
            "CALSYNC_WEB_MICROSOFT_CLIENT_ID": MICROSOFT_CLIENT_ID,
            "CALSYNC_WEB_MICROSOFT_AUTHORITY_URL": graph,
            "CALSYNC_WEB_MICROSOFT_API_URL": graph + "/v1.0",
            "CALSYNC_WEB_ICLOUD_URL": self.radicale["url"],
            "CALSYNC_WEB_ALLOW_PRIVATE_ADDRESSES": "1",
        }

    def stop(self) -> None:
        for directory in reversed(self._started):
            dav_server.stop(directory)
        self._started.clear()
