"""The web demo on this machine only (sh cmake/run.sh web): Radicale and the Google and
Graph fakes on 127.0.0.1 with a few events, the app in front of them, its address
printed; Ctrl-C stops everything. State and keys live in a temporary directory and go
with it.

    python3 examples/web/demo.py      (with the calsync package installed and
                                       CALSYNC_LIBRARY, as cmake/run.sh web does)

Without a public HTTPS address nothing can push to the app here: calendars are synced
by the scheduler (every 15 s in the demo), by "Synchroniser maintenant", and after a
booking or a new choice of calendars.
"""
from __future__ import annotations

import base64
import datetime as dt
import logging
import os
import secrets
import signal
import sys
import tempfile
import threading
from zoneinfo import ZoneInfo

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from calsync_web import close_app, config, create_app, serving  # noqa: E402
from local_services import LocalServices, control  # noqa: E402

ZONE = "Europe/Paris"
PORT = int(os.environ.get("CALSYNC_WEB_DEMO_PORT", "8000"))


def sample_calendars(services: LocalServices) -> None:
    """A garage owner's Google account (its "Atelier" calendar and a personal one with
    two events this week) and an Outlook event, so the agenda has something to grey."""
    paris = ZoneInfo(ZONE)
    tomorrow = dt.date.today() + dt.timedelta(days=1)

    def at(day, hour):
        return dt.datetime.combine(day, dt.time(hour), paris).isoformat()

    google = services.google_url
    control(google, "calendar", {"id": "garage.dupont@gmail.com", "summary": "Atelier",
                                 "primary": True, "accessRole": "owner", "timeZone": ZONE})
    control(google, "calendar", {"id": "famille@group.calendar.google.com",
                                 "summary": "Famille", "accessRole": "owner",
                                 "timeZone": ZONE})
    for event_id, summary, day, hour in (("dentiste", "Dentiste", tomorrow, 10),
                                         ("ecole", "École", tomorrow + dt.timedelta(days=1),
                                          16)):
        control(google, "event", {"id": event_id, "summary": summary,
                                  "start": {"dateTime": at(day, hour), "timeZone": ZONE},
                                  "end": {"dateTime": at(day, hour + 1), "timeZone": ZONE}},
                calendar="famille@group.calendar.google.com")
    start = dt.datetime.combine(tomorrow, dt.time(14), paris).astimezone(dt.timezone.utc)
    control(services.graph_url, "event", {
        "subject": "Comptable", "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (start + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")})


def main() -> int:
    logging.basicConfig(level=logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="calsync-web-demo-") as work:
        services = LocalServices(work)
        server = None
        try:
            services.start()
            sample_calendars(services)
            try:
                server = serving.bind("127.0.0.1", PORT)
            except OSError:  # taken: any free port
                server = serving.bind("127.0.0.1", 0)
            base_url = f"http://127.0.0.1:{server.server_port}"
            environment = dict(
                services.environment(base_url),
                CALSYNC_WEB_STATE=os.path.join(work, "state.sqlite"),
                CALSYNC_WEB_HOST_KEY=base64.urlsafe_b64encode(
                    secrets.token_bytes(32)).decode().rstrip("="),
                CALSYNC_WEB_ZONE=ZONE,
                CALSYNC_WEB_GARAGE_NAME="Garage Dupont (démo)",
                CALSYNC_WEB_TICK_SECONDS="15")
            server.app = create_app(config.from_environment(environment))
            signal.signal(signal.SIGTERM, lambda *_: threading.Thread(
                target=server.shutdown, daemon=True).start())
            radicale = services.radicale
            print(f"""
calsync web demo: {base_url}/

  Paramètres > Calendrier externe > Connecter un calendrier:
    Google, Outlook   the local fakes' consent pages: click "Allow"
    iCloud            Apple ID {radicale['user']}, app-specific password {radicale['password']}
                      (a local Radicale, test-only password)
    Autre CalDAV      {radicale['url']} with the same user and password

Ctrl-C stops the app, Radicale and the fakes.
""", flush=True)
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            if server is not None:
                server.server_close()
                if hasattr(server.app, "extensions"):  # the app was made
                    close_app(server.app)
            services.stop()
    print("calsync web demo: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
