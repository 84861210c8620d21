"""What the pages share: the one calsync.Client of the process (thread-safe: every request
thread and the scheduler use it), the scheduler thread, the team feed's token and the
words. create_app makes one; views reach it with calendars().
"""
from __future__ import annotations

import logging
import os
import secrets
import tempfile

import calsync
from flask import current_app

from .config import Settings
from .scheduler import Scheduler
from .words import Words

EXTENSION = "calsync_web"


class TeamFeedToken:
    """The unguessable part of the team feed's address, kept in a file of its own (0600)
    next to the state; renew() replaces it, and the old address stops working."""

    def __init__(self, path: str):
        self._path = path

    def current(self) -> str:
        try:
            with open(self._path, encoding="ascii") as f:
                return f.read().strip()
        except FileNotFoundError:
            return self.renew()

    def renew(self) -> str:
        token = secrets.token_urlsafe(32)
        directory = os.path.dirname(os.path.abspath(self._path))
        fd, temporary = tempfile.mkstemp(dir=directory, prefix=".team-feed-")  # 0600
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(token + "\n")
        os.replace(temporary, self._path)
        return token


class CalendarService:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.words = Words(settings.language)
        self.client = calsync.Client(settings.host_key, settings.state_path,
                                     config=settings.client_config(),
                                     on_log=calsync.log_to(logging.getLogger("calsync")))
        self.team_feed_token = TeamFeedToken(settings.state_path + ".team-feed")
        self.team_feed_token.current()  # made now, not by two first requests at once
        self.scheduler = Scheduler(self.client, settings.tick_seconds)
        self.scheduler.start()

    def close(self) -> None:
        self.scheduler.stop()
        self.client.close()


def calendars() -> CalendarService:
    """The service of the app handling the current request."""
    return current_app.extensions[EXTENSION]
