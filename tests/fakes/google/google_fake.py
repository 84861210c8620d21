"""A fake Google Calendar API v3 and Google OAuth 2.0 server, following the official
reference and guides (events, calendarList, channels, "Synchronize resources
efficiently", "Handle API errors", "Push notifications", OAuth 2.0 for installed apps).

Listens on 127.0.0.1 on a free port and prints it as its first line.

  GET  /o/oauth2/v2/auth            the consent screen (oauth_endpoints.py): PKCE S256 and a
                                    loopback redirect required; 302 to redirect_uri with
                                    code, state and the scopes granted, or error=access_denied
                                    (or a consent page a browser clicks, see /_control/config;
                                    its form POSTs here)
  POST /token                       authorization_code (single use, expiring), refresh_token
  POST /revoke                      token=...; 200 {} or 400 invalid_token
  GET  /calendar/v3/users/me/calendarList             paged, nextSyncToken on the last page
  GET  /calendar/v3/calendars/{c}/events              see calendar_store.list_events
  POST /calendar/v3/calendars/{c}/events              insert (see event_writes.py)
  GET|PUT|PATCH|DELETE /calendar/v3/calendars/{c}/events/{id}   get, update, patch, delete;
                                    If-Match (412), sequence, recurring-instance ids
  POST /calendar/v3/calendars/{c}/events/watch        a web_hook channel
  POST /calendar/v3/channels/stop                     204, or 404 for an unknown channel
Every API call needs "Authorization: Bearer" with a token from /token or /_control/grant
(else 401 authError) whose scopes allow it (else 403 insufficientPermissions). A token is
its account's (oauth_endpoints.py: login_hint names it): it lists and reads that account's
calendars only; another account's calendar is 404 notFound (calendar_store.py).

Test control (no auth):
  POST /_control/calendar           body: a CalendarListEntry (id, summary, accessRole,
                                    primary, timeZone, backgroundColor, hidden, ...) and
                                    "account" (whose it is; the default account without);
                                    for a calendar that exists, new fields for it (events
                                    and account stay)
  POST /_control/delete_calendar?calendar=C
  POST /_control/event?calendar=C   body: an Event as another client wrote it (creates or
                                    replaces; exceptions carry recurringEventId and
                                    originalStartTime; cancel one with status cancelled)
  POST /_control/delete?calendar=C&id=E        as a delete by another client
  POST /_control/expire_sync_tokens?calendar=C every token issued so far answers 410
  POST /_control/config             body: {"page_size": n, "empty_pages": true,
                                    "code_lifetime": seconds an authorization code lasts,
                                    "consent_page": true (a browser clicks Allow or Deny:
                                    tests/fakes/consent_page.py)}
  POST /_control/fault              body: {"error": a google_errors.INJECTABLE name or
                                    "reset" (the connection drops, no answer), "count": n,
                                    "match": substring of "METHOD path", "retry_after": "s",
                                    "after": true}; the next n matching calls fail so, with
                                    "after" once they took effect (a lost answer)
  POST /_control/consent            body: {"deny": true} (the person declines) or
                                    {"untick": [scope, ...]} (granular consent: those
                                    scopes left out); {} consents to all again
  POST /_control/client             body: {"client_id", "client_secret", "redirect_uris"
                                    (registered besides the loopback ones)}
  POST /_control/grant              body: {"client_id", "scope", "expires_in", "account"}:
                                    tokens of that account (the default one without)
  POST /_control/account            body: {"account", "calendars": [CalendarListEntry with
                                    "events": [Event, ...]], "client_id", "scope",
                                    "expires_in"}: the account's calendars and events made
                                    at once, and tokens of it, as after its consent (seeds a
                                    fleet in one request per account)
  POST /_control/drop_access_tokens every access token stops working (refresh works)
  GET  /_control/stats              {"api_requests", "token_requests", "by_route": {...}}
  GET  /_control/requests?since=N   every API request (from the Nth on): route, method,
                                    path, query, If-Match, body (as JSON when it is), and the
                                    account of its token (null without a valid one)
  GET  /_control/stored?calendar=C&id=E        the event as stored (404 if never created)
  GET  /_control/events?calendar=C  every stored event
  GET  /_control/events?api=true    every event created through the API (events.insert),
                                    in any calendar of any account, with "calendar"
  GET  /_control/notifications      the push notifications "sent" (address and headers)
  GET  /_control/authorizations     the parameters of every authorization request
  GET  /_control/tokens             {"issued": every token issued, "refresh": the refresh
                                    tokens that still work, "revoked": those revoked}
"""
import json
import os
import sys
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import consent_page  # noqa: E402
import event_writes as writes  # noqa: E402
import fake_http  # noqa: E402
import google_errors as errors  # noqa: E402
from calendar_store import DEFAULT_ACCOUNT, Store  # noqa: E402
from oauth_endpoints import OAuthState  # noqa: E402
from push_channels import Channels  # noqa: E402

API = "/calendar/v3"
AUTH = "https://www.googleapis.com/auth/"
LIST_SCOPES = {AUTH + s for s in ("calendar", "calendar.readonly", "calendar.calendarlist",
                                  "calendar.calendarlist.readonly")}
READ_SCOPES = {AUTH + s for s in ("calendar", "calendar.readonly", "calendar.events",
                                  "calendar.events.readonly")}
WRITE_SCOPES = {AUTH + s for s in ("calendar", "calendar.events")}


class Fake:
    def __init__(self):
        self.store = Store()
        self.oauth = OAuthState()
        self.channels = Channels()
        self.faults = []
        self.requests = []
        self.by_route = {}
        self.port = 0
        self.consent_page = False


fake = Fake()


def route_of(method, parts):
    if parts == ["users", "me", "calendarList"]:
        return "calendarList.list"
    if parts == ["channels", "stop"]:
        return "channels.stop"
    if len(parts) == 3 and parts[0] == "calendars" and parts[2] == "events":
        return "events.list" if method == "GET" else "events.insert"
    if len(parts) == 4 and parts[0] == "calendars" and parts[3] == "watch" and method == "POST":
        return "events.watch"
    if len(parts) == 4 and parts[0] == "calendars" and parts[2] == "events":
        return {"GET": "events.get", "PUT": "events.update", "PATCH": "events.patch",
                "DELETE": "events.delete"}.get(method)
    return None


class Handler(fake_http.Handler):
    fault_after = None  # a fault to answer once this request took effect

    def reply(self, status, body=None, headers=()):
        fault, self.fault_after = self.fault_after, None
        if fault is not None:
            return self.answer_fault(fault)
        if body is None:
            return self.send(status, b"", list(headers))
        data = json.dumps(body).encode()
        self.send(status, data, [("Content-Type", "application/json; charset=UTF-8")] +
                  list(headers))

    def answer_fault(self, fault):
        if fault["error"] == "reset":
            return self.reset_connection()
        status, body = errors.answer(fault["error"])
        extra = [("Retry-After", fault["retry_after"])] if "retry_after" in fault else []
        return self.reply(status, body, extra)

    def handle_any(self):
        self.fault_after = None
        url = urllib.parse.urlparse(self.path)
        query = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if length else b""
        with fake.store.lock:
            if url.path.startswith("/_control/"):
                return self.control(url.path[len("/_control/"):], query, raw)
            if url.path == "/o/oauth2/v2/auth":
                return self.authorization(query, raw)
            if url.path in ("/token", "/revoke"):
                form = {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()}
                form.update({k: v[-1] for k, v in query.items()})
                if url.path == "/token":
                    return self.reply(*fake.oauth.token(form))
                return self.reply(*fake.oauth.revoke(form.get("token", "")))
            if url.path.startswith(API + "/"):
                return self.api(url.path, query, raw)
        self.reply(*errors.NOT_FOUND)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def authorization(self, query, raw):
        params = {k: v[-1] for k, v in query.items()}
        if self.command == "POST":  # the consent page's form
            params, allowed = consent_page.decision(
                {k: v[-1] for k, v in urllib.parse.parse_qs(raw.decode()).items()})
            if not allowed:
                return self.send(302, b"", [("Location", consent_page.denied(params))])
        elif fake.consent_page:
            return self.send(200, consent_page.page("Google", params),
                             [("Content-Type", "text/html; charset=utf-8")])
        status, headers, body = fake.oauth.authorize(params)
        return self.send(status, body, headers)

    # -- the Calendar API ----------------------------------------------------------
    def api(self, path, query, raw):
        parts = [urllib.parse.unquote(p) for p in path[len(API) + 1:].split("/")]
        route = route_of(self.command, parts)
        fake.by_route[route] = fake.by_route.get(route, 0) + 1
        try:
            sent = json.loads(raw) if raw else None
        except ValueError:
            sent = raw.decode(errors="replace")
        bearer = self.headers.get("Authorization", "")
        scopes = fake.oauth.scope_of(bearer[7:]) if bearer.startswith("Bearer ") else None
        account = fake.oauth.account_of(bearer[7:]) if scopes is not None else None
        fake.requests.append({"route": route, "method": self.command, "path": path,
                              "query": query, "if_match": self.headers.get("If-Match"),
                              "body": sent, "account": account})
        for fault in fake.faults:
            if fault["count"] > 0 and fault.get("match", "") in self.command + " " + path:
                fault["count"] -= 1
                if not fault.get("after"):
                    return self.answer_fault(fault)
                self.fault_after = fault
                break
        if scopes is None:
            return self.reply(*errors.AUTH_ERROR, [(
                "WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", '
                'error="invalid_token"')])
        if route is None:
            return self.reply(*errors.NOT_FOUND)
        needed = {"calendarList.list": LIST_SCOPES, "events.list": READ_SCOPES,
                  "events.get": READ_SCOPES, "events.watch": READ_SCOPES,
                  "channels.stop": READ_SCOPES}.get(route, WRITE_SCOPES)
        if not needed & set(scopes):
            return self.reply(*errors.INSUFFICIENT_PERMISSIONS)
        body = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError:
                return self.reply(*errors.PARSE_ERROR)
        if route == "calendarList.list":
            return self.reply(*fake.store.list_calendars(query, account))
        if route == "channels.stop":
            return self.reply(*fake.channels.stop(body))
        calendar = fake.store.calendar_of(account, parts[1])
        if calendar is None:
            return self.reply(*errors.NOT_FOUND)
        if route == "events.list":
            return self.reply(*fake.store.list_events(calendar, query))
        if route == "events.watch":
            return self.reply(*fake.channels.watch(
                calendar, body, "http://127.0.0.1:%d%s" % (fake.port, API)))
        zone = calendar.entry.get("timeZone", "UTC")
        if route == "events.get":
            event = writes.existing(calendar, parts[3])
            if event is None:
                return self.reply(*errors.NOT_FOUND)
            return self.reply(200, Store.public(event, listed=False, zone=zone))
        if not calendar.writable:
            return self.reply(*errors.REQUIRED_ACCESS_LEVEL)
        if_match = self.headers.get("If-Match")
        if route == "events.insert":
            status, answer = writes.insert(fake.store, calendar, body)
            if status < 300:
                answer["_api"] = True
        elif route == "events.delete":
            status, answer = writes.delete(fake.store, calendar, parts[3], if_match)
        else:
            status, answer = writes.replace(fake.store, calendar, parts[3], body, if_match,
                                            patch=route == "events.patch")
        if status >= 300:
            return self.reply(status, answer)
        fake.channels.changed(calendar.id)
        return self.reply(status, Store.public(answer, listed=False, zone=zone)
                          if answer is not None else None)

    # -- test control ----------------------------------------------------------------
    def control(self, name, query, raw):
        q = {k: v[-1] for k, v in query.items()}
        body = json.loads(raw) if raw else {}
        store = fake.store
        calendar = store.calendars.get(q.get("calendar", ""))
        zone = calendar.entry.get("timeZone", "UTC") if calendar else "UTC"
        if name == "calendar":
            store.add_calendar(body, body.pop("account", DEFAULT_ACCOUNT))
        elif name == "account":
            return self.reply(200, self.make_account(body))
        elif name == "delete_calendar":
            store.remove_calendar(q["calendar"])
        elif name == "event":
            stored = store.put_event(calendar, body)
            fake.channels.changed(calendar.id)
            return self.reply(200, Store.public(stored, listed=False, zone=zone))
        elif name == "delete":
            store.cancel_event(calendar, calendar.events[q["id"]])
            fake.channels.changed(calendar.id)
        elif name == "expire_sync_tokens":
            store.expire_tokens(calendar)
        elif name == "config":
            store.page_cap = int(body.get("page_size", store.page_cap))
            store.empty_pages = bool(body.get("empty_pages", store.empty_pages))
            fake.consent_page = bool(body.get("consent_page", fake.consent_page))
            fake.oauth.code_lifetime = float(body.get("code_lifetime",
                                                      fake.oauth.code_lifetime))
        elif name == "fault":
            fake.faults.append(dict(body, count=int(body.get("count", 1))))
        elif name == "client":
            fake.oauth.add_client(body["client_id"], body.get("client_secret", ""),
                                  body.get("redirect_uris", []))
        elif name == "consent":
            fake.oauth.consent = dict(body)
        elif name == "grant":
            access, refresh = fake.oauth.grant(body["client_id"], body["scope"],
                                               int(body.get("expires_in", 3599)),
                                               body.get("account", DEFAULT_ACCOUNT))
            return self.reply(200, {"access_token": access, "refresh_token": refresh})
        elif name == "drop_access_tokens":
            fake.oauth.drop_access_tokens()
        elif name == "stats":
            return self.reply(200, {"api_requests": sum(fake.by_route.values()),
                                    "token_requests": fake.oauth.token_requests,
                                    "by_route": fake.by_route})
        elif name == "requests":
            return self.reply(200, fake.requests[int(q.get("since", "0")):])
        elif name == "stored":
            event = calendar.events.get(q.get("id")) if calendar else None
            return self.reply(200, Store.public(event, listed=False, zone=zone)) if event \
                else self.reply(*errors.NOT_FOUND)
        elif name == "events" and q.get("api") == "true":
            return self.reply(200, [dict(Store.public(e, listed=False, zone=zone),
                                         calendar=c.id)
                                    for c in store.calendars.values()
                                    for e in c.events.values() if e.get("_api")])
        elif name == "events":
            return self.reply(200, [Store.public(e, listed=False, zone=zone)
                                    for e in calendar.events.values()])
        elif name == "notifications":
            return self.reply(200, fake.channels.notifications)
        elif name == "authorizations":
            return self.reply(200, fake.oauth.authorizations)
        elif name == "tokens":
            return self.reply(200, {"issued": fake.oauth.issued,
                                    "refresh": list(fake.oauth.refresh_tokens),
                                    "revoked": fake.oauth.revoked})
        else:
            return self.reply(*errors.NOT_FOUND)
        self.reply(200, {})

    @staticmethod
    def make_account(body):
        account = body["account"]
        for entry in body.get("calendars", []):
            entry = dict(entry)
            events = entry.pop("events", [])
            calendar = fake.store.add_calendar(entry, account)
            for event in events:
                fake.store.put_event(calendar, event)
        access, refresh = fake.oauth.grant(body["client_id"], body["scope"],
                                           int(body.get("expires_in", 3599)), account)
        return {"access_token": access, "refresh_token": refresh}


def main():
    server = fake_http.Server(("127.0.0.1", 0), Handler)
    fake.port = server.server_address[1]
    print(fake.port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
