"""events.watch channels and the notifications Google would send on them (Push
notifications guide). The fake delivers nothing: it records each notification's headers,
so a test can hand them to the code that checks incoming notifications.

A notification is a body-less POST with X-Goog-Channel-ID, X-Goog-Channel-Token (when the
channel has a token), X-Goog-Channel-Expiration (human-readable), X-Goog-Resource-ID,
X-Goog-Resource-URI, X-Goog-Resource-State (sync when the channel is created, exists
after a change) and X-Goog-Message-Number.
"""
import email.utils
import re
import time

import google_errors as errors

CHANNEL_ID = re.compile(r"^[A-Za-z0-9\-_+/=]{1,64}$")
DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000


class Channels:
    def __init__(self):
        self.active = {}        # channel id -> channel
        self.notifications = []

    def watch(self, calendar, body, api_base):
        if not isinstance(body, dict) or not CHANNEL_ID.match(str(body.get("id", ""))):
            return 400, errors.error_body(400, "required", "Required: id")
        if body.get("type") not in ("web_hook", "webhook"):
            return 400, errors.error_body(400, "invalid", "Invalid value for: type")
        address = str(body.get("address", ""))
        if not address.startswith("https://"):
            status, error = errors.WEBHOOK_NOT_HTTPS
            error = {"error": dict(error["error"], message=error["error"]["message"] + address)}
            return status, error
        if body["id"] in self.active:
            return errors.CHANNEL_ID_NOT_UNIQUE
        expiration = body.get("expiration")
        try:
            expiration = int(expiration) if expiration is not None else None
        except ValueError:
            return 400, errors.error_body(400, "invalid", "Invalid value for: expiration")
        if expiration is None:
            expiration = int(time.time() * 1000) + DEFAULT_TTL_MS
        channel = {"kind": "api#channel", "id": body["id"], "resourceId": calendar.resource_id,
                   "resourceUri": "%s/calendars/%s/events?alt=json" % (api_base, calendar.id),
                   "expiration": str(expiration)}
        if "token" in body:
            channel["token"] = body["token"]
        self.active[body["id"]] = dict(channel, _calendar=calendar.id, _messages=0,
                                       _address=address)
        self._notify(self.active[body["id"]], "sync")
        return 200, channel

    def stop(self, body):
        channel = self.active.get(body.get("id")) if isinstance(body, dict) else None
        if channel is None or channel["resourceId"] != body.get("resourceId"):
            return 404, errors.error_body(404, "notFound", "Channel '%s' not found for project "
                                          "'000000000000'" % (body or {}).get("id"))
        del self.active[body["id"]]
        return 204, None

    def changed(self, calendar_id):
        for channel in self.active.values():
            if channel["_calendar"] == calendar_id:
                self._notify(channel, "exists")

    def _notify(self, channel, state):
        channel["_messages"] += 1
        headers = {
            "X-Goog-Channel-ID": channel["id"],
            "X-Goog-Channel-Expiration": email.utils.formatdate(
                int(channel["expiration"]) / 1000, usegmt=True),
            "X-Goog-Resource-ID": channel["resourceId"],
            "X-Goog-Resource-URI": channel["resourceUri"],
            "X-Goog-Resource-State": state,
            "X-Goog-Message-Number": str(channel["_messages"]),
        }
        if "token" in channel:
            headers["X-Goog-Channel-Token"] = channel["token"]
        self.notifications.append({"address": channel["_address"], "headers": headers})
