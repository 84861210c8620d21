"""Werkzeug's threaded server, with an access log that holds no secret: no query string
(an OAuth callback's code, Graph's validation token) and no team feed token.

In production any WSGI server can run create_app()'s app behind the HTTPS proxy; give
its access log the same care.
"""
from __future__ import annotations

import re
import ssl
from typing import Optional

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

_TEAM_FEED = re.compile(r"^/team-feed/[^/]+$")


def loggable_path(path: str) -> str:
    """The path of a request as the access log may show it."""
    path = path.split("?", 1)[0]
    return "/team-feed/…" if _TEAM_FEED.match(path) else path


class AccessLog(WSGIRequestHandler):
    def log_request(self, code="-", size="-") -> None:
        self.log("info", '"%s %s" %s', self.command, loggable_path(self.path), code)


def _not_ready(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting\n"]


def bind(host: str, port: int,
         tls: Optional[ssl.SSLContext] = None) -> BaseWSGIServer:
    """A threaded server listening on host:port (0: a free port) before the app exists,
    so the app can be configured with the address; set .app, then serve_forever()."""
    return make_server(host, port, _not_ready, threaded=True, request_handler=AccessLog,
                       ssl_context=tls)
