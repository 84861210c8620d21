"""What the CLI's scenario scripts against a real CalDAV server share: a calendar of the
script's own next to the fixture's (so other tests' events do not matter), raw requests
as another client makes them, and a state directory with the calsync program connected
to that calendar.
"""
import base64
import json
import os
import secrets
import shutil
import tempfile
import urllib.error
import urllib.request

from cli_runner import Runner


class DavCalendar:
    def __init__(self, server_json, prefix):
        with open(server_json) as f:
            self.server = json.load(f)
        self.user = self.server["user"] or "garage"
        # Xandikos asks for none; the program still wants one.
        self.password = self.server["password"] or "unused-by-this-server"
        self.name = f"{prefix}-{secrets.token_hex(4)}"
        home = self.server["calendar_url"].rstrip("/").rsplit("/", 1)[0] + "/"
        self.url = home + self.name + "/"

    def request(self, method, url, body=None, headers=None):
        """(status, body text, ETag) of one request, as another client makes it."""
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        if self.server["user"]:
            token = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            req.add_header("Authorization", "Basic " + token)
        try:
            with urllib.request.urlopen(req, timeout=20) as r:
                return r.status, r.read().decode(), r.headers.get("ETag")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), None

    def make(self):
        body = ('<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" '
                'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>'
                f'<d:displayname>{self.name}</d:displayname></d:prop></d:set>'
                '</c:mkcalendar>').encode()
        status = self.request("MKCALENDAR", self.url, body,
                              {"Content-Type": "application/xml"})[0]
        if status not in (201, 207):
            raise SystemExit(f"cannot make {self.url}: HTTP {status}")

    def delete(self):
        self.request("DELETE", self.url)


class ConnectedState:
    """A state directory (zone Europe/Berlin) and a Runner of the calsync program on it,
    connected (connection id: the calendar's name) with `calendar` selected both ways
    (unless `select` is false)."""

    def __init__(self, cli, calendar, config=None, select=True):
        self.scratch = tempfile.mkdtemp(prefix=f"calsync-{calendar.name}-")
        self.state = os.path.join(self.scratch, "state")
        os.makedirs(self.state)
        with open(os.path.join(self.state, "config.json"), "w") as f:
            json.dump(dict(config or {}, zone="Europe/Berlin"), f)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
        self.env["CALSYNC_STATE_DIR"] = self.state
        self.env["CALSYNC_PASSWORD"] = calendar.password
        self.runner = Runner(cli, self.env)
        self.runner.run("connect", "caldav", calendar.server["url"], "--user", calendar.user,
                        "--id", calendar.name, "--allow-private-addresses")
        if select:
            self.runner.run("select", calendar.url, "--direction", "both")

    def remove(self):
        shutil.rmtree(self.scratch, ignore_errors=True)
