"""A Microsoft Graph v1.0 calendar service and Microsoft identity platform for tests.

Listens on 127.0.0.1 (a free port, printed as the first line). The API is under /v1.0,
the identity endpoints under /{tenant}/oauth2/v2.0/, the test control API under
/_control/ (no auth, never faulted). Behaviour and the documents it follows are described
in graph_mailbox.py, graph_paging.py, graph_identity.py and graph_webhooks.py.

Users: every user has a mailbox of its own (made on first use, with a default calendar,
Workshop and Holidays); a token is its user's (graph_identity.py: login_hint names it) and
/me is that user's mailbox only: another user's calendar or event is 404, as for one that
does not exist. Control calls take "user" in the body (GET ones: ?user=), the default user
without.

Control API (JSON in, JSON out):
  POST /_control/grant            {"scope", "user"} -> a token set, as if the user had
                                  consented
  POST /_control/account          {"user", "scope", "calendars": [{"name", "events": [as
                                   /_control/event]}]} -> a token set and "calendars" (their
                                  ids): a user with its calendars made at once, as after its
                                  consent (seeds a fleet in one request per user)
  POST /_control/calendar         {"name", "can_edit" (default true)} -> {"id"}: a calendar
                                  the user made in Outlook (not the default one)
  POST /_control/event            {"calendar"?, "subject", "start", "end", "isAllDay",
                                   "showAs", "isCancelled", "response", "isOrganizer",
                                   "recurrence": {"every_days", "count"} (UTC) or a Graph
                                   patternedRecurrence, "transactionId",
                                   "properties": {id: value}} -> {"id"}: another client's
                                   write ("calendar" defaults to the default calendar)
  POST /_control/update           {"id", ...fields, "properties": {id: value or null}}: an
                                  occurrence id makes an exception; null drops a property
  POST /_control/delete           {"id"}: an occurrence id cancels that occurrence
  POST /_control/expire_delta     {"mode": "syncStateNotFound" | "reset", "status" (410, or
                                   400 as Graph answers some expired tokens)}
  POST /_control/client           {"client_id", "client_secret"}: a confidential client
                                  (every other client id is a public one)
  POST /_control/device           {"device_code"} -> {"interval"} it is polled at now
  POST /_control/lifecycle        {"subscription_id", "event"} -> {"status"}: a lifecycle
                                  notification (missed, subscriptionRemoved,
                                  reauthorizationRequired), delivered as Graph does
  POST /_control/config           {"page_cap", "default_page" (without a Prefer: 10),
                                   "empty_pages", "duplicates", "replay",
                                   "max_subscription_minutes", "device_interval",
                                   "device_expires_in", "access_lifetime",
                                   "consent_page" (the authorize endpoint shows a page a
                                   browser clicks Allow or Deny on: consent_page.py)}
  POST /_control/fault            {"method", "path" (prefix), "status", "retry_after",
                                   "count", "land" (answer the fault after doing the work),
                                   "reset" (drop the connection instead of answering)}
  POST /_control/expire_access_tokens
  POST /_control/revoke_refresh_tokens {"keep_latest": true keeps the one issued last}
  POST /_control/approve_device   {"user_code", "decline"}
  POST /_control/device_script    {"responses": ["authorization_pending", "slow_down", ...]}
  POST /_control/notify           {"subscription_id", "change_type", "event_id",
                                   "client_state" (to forge)} -> {"status"}
  GET  /_control/calendars, /_control/events, /_control/deleted_items, /_control/stats
                                  (stats: "throttle_violations", requests made before the
                                  Retry-After they were given had passed; "log": every API
                                  request as "METHOD path?query", from the Nth on with
                                  ?since=N; "log_users": the user of each one's token, null
                                  without a valid one; "log_bodies": each one's body as sent,
                                  null without one); /_control/events?user=* lists every user's
                                  events (with "user"), ?api=true only those created
                                  through the API
  GET  /_control/tokens           {"issued": every token issued, "refresh": the refresh
                                   tokens that still work}
"""
import json
import os
import re
import sys
import threading
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import consent_page  # noqa: E402
import fake_http  # noqa: E402
import graph_schema  # noqa: E402
from graph_identity import DEFAULT_USER, Identity, TokenError  # noqa: E402
from graph_mailbox import Calendar, Mailbox, new_id  # noqa: E402
from graph_paging import Paging  # noqa: E402
from graph_query import compile_filter  # noqa: E402
from graph_throttle import Throttle  # noqa: E402
from graph_values import GraphError, not_found, parse_instant  # noqa: E402
from graph_webhooks import Subscriptions  # noqa: E402

lock = threading.RLock()
config = {}
mailbox = Mailbox()
paging = Paging(mailbox, config)
accounts = {DEFAULT_USER: (mailbox, paging)}  # user -> (mailbox, its paging state)
identity = Identity(config)
subscriptions = Subscriptions(config)
faults = []
throttle = Throttle()
stats = {"requests": 0, "by_route": {}, "log": [], "log_users": [], "log_bodies": [],
         "prefer": [], "if_match": [], "token_forms": []}

FILTER = re.compile(r"^singleValueExtendedProperties/Any\(ep:\s*ep/id eq '((?:[^']|'')*)' and "
                    r"ep/value eq '((?:[^']|'')*)'\)$")
EXPAND = re.compile(r"^singleValueExtendedProperties\(\$filter=id eq '((?:[^']|'')*)'\)$")
IDENTITY = re.compile(r"^/([^/]+)/oauth2/v2\.0/(authorize|token|devicecode)$")


def literal(text):
    return text.replace("''", "'")


def preferences(headers):
    """Prefer (RFC 7240), as one or several headers: odata.maxpagesize, outlook.timezone."""
    out = {}
    for header in headers.get_all("Prefer") or []:
        for part in header.split(","):
            key, _, value = part.strip().partition("=")
            out[key.strip()] = value.strip().strip('"')
    return out


def account(user):
    """The mailbox of `user` and its paging state, made on first use."""
    if user not in accounts:
        made = Mailbox(user)
        accounts[user] = (made, Paging(made, config))
    return accounts[user]


class Handler(fake_http.Handler):
    mb, pg = mailbox, paging  # the mailbox of the request's user, and its paging state

    def json(self, status, body, headers=()):
        data = json.dumps(body).encode() if body is not None else b""
        extra = [("Content-Type", "application/json")] if body is not None else []
        self.send(status, data, extra + list(headers))

    def base(self):
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1.0"

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length) if length else b""
        q = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            if url.path.startswith("/_control/"):
                with lock:
                    return self.control(url.path[len("/_control/"):], raw, q)
            m = IDENTITY.match(url.path)
            if m:
                with lock:
                    return self.identity_endpoint(m.group(1), m.group(2), q, raw)
            if url.path.startswith("/v1.0/"):
                return self.api(url.path[len("/v1.0"):], q, raw)
            self.json(404, {"error": {"code": "NotFound", "message": "No such endpoint."}})
        except GraphError as e:
            self.json(e.status, e.body(), e.headers)
        except TokenError as e:
            self.json(e.status, e.body())

    do_GET = do_POST = do_PATCH = do_DELETE = handle_any

    # --- identity -------------------------------------------------------------------------

    def identity_endpoint(self, tenant, what, q, raw):
        form = dict(urllib.parse.parse_qsl(raw.decode()))
        if what == "authorize":
            if self.command == "POST":  # the consent page's form
                q, allowed = consent_page.decision(form)
                if not allowed:
                    return self.send(302, b"", [("Location", consent_page.denied(q))])
            elif config.get("consent_page"):
                return self.send(200, consent_page.page("Microsoft", q),
                                 [("Content-Type", "text/html; charset=utf-8")])
            return self.send(302, b"", [("Location", identity.authorize(tenant, q))])
        if self.command != "POST":
            return self.send(405, b"")
        # What each token request asked, and whether it carried a secret (never which).
        stats["token_forms"].append(dict({k: v for k, v in form.items()
                                          if k in ("grant_type", "client_id", "scope")},
                                         with_secret="client_secret" in form))
        if what == "devicecode":
            port = self.server.server_address[1]
            return self.json(200, identity.device_code(tenant, form,
                                                       f"http://127.0.0.1:{port}/devicelogin"))
        self.json(200, identity.token(tenant, form))

    # --- the API --------------------------------------------------------------------------

    def take_fault(self, path):
        with lock:
            for f in faults:
                if f["count"] > 0 and f.get("method", self.command) == self.command and \
                        path.startswith(f.get("path", "")):
                    f["count"] -= 1
                    return dict(f)
        return None

    def answer_fault(self, fault):
        if fault.get("reset"):
            return self.reset_connection()
        status = int(fault.get("status", 503))
        headers = [("Retry-After", str(fault["retry_after"]))] if "retry_after" in fault else []
        codes = {429: "ApplicationThrottled", 503: "ServiceNotAvailable",
                 500: "InternalServerError", 504: "GatewayTimeout"}
        err = GraphError(status, codes.get(status, "generalException"),
                         "Injected by the test.", headers)
        if "retry_after" in fault:
            with lock:
                throttle.answered(fault["retry_after"])
        self.json(status, err.body(), headers)

    def api(self, path, q, raw):
        route = f"{self.command} " + re.sub(r"/AAMk[^/]+", "/{id}", path.rstrip("/"))
        with lock:
            stats["requests"] += 1
            stats["by_route"][route] = stats["by_route"].get(route, 0) + 1
            # Per calendar, query included: the fleet benchmark counts syncs per
            # connection and replays them.
            stats["log"].append(f"{self.command} {self.path}")
            stats["log_users"].append(identity.user_of(self.headers.get("Authorization")))
            stats["log_bodies"].append(raw.decode(errors="replace") if raw else None)
            for h in self.headers.get_all("Prefer") or []:
                stats["prefer"].append(h)
            if self.headers.get("If-Match"):
                stats["if_match"].append(self.headers["If-Match"])
            throttle.check(route)
        fault = self.take_fault("/v1.0" + path)
        if fault and not fault.get("land"):
            return self.answer_fault(fault)
        with lock:
            scope = identity.scope_of(self.headers.get("Authorization"))
            if scope is not None:
                self.mb, self.pg = account(identity.user_of(self.headers.get("Authorization")))
            if scope is None:
                raise GraphError(401, "InvalidAuthenticationToken",
                                 "Access token has expired or is not yet valid.",
                                 [("WWW-Authenticate", 'Bearer realm="", error="invalid_token"')])
            if self.command != "GET" and "Calendars.ReadWrite" not in scope.split():
                raise GraphError(403, "ErrorAccessDenied",
                                 "Access is denied. Check credentials and try again.")
            body = json.loads(raw) if raw else {}
            status, answer, headers = self.route(path, q, body)
        if fault:  # the work is done; the client does not learn it
            return self.answer_fault(fault)
        self.json(status, answer, headers)

    def route(self, path, q, body):
        prefer = preferences(self.headers)
        zone = prefer.get("outlook.timezone", "UTC")
        page = min(int(prefer.get("odata.maxpagesize", config.get("default_page", 10))),
                   int(config.get("page_cap", 1000)))
        applied = [("Preference-Applied", f"odata.maxpagesize={page}")]
        for token in ("$skiptoken", "$deltatoken"):
            extra = sorted(k for k in q if k != token)
            if token in q and extra:
                # delta-query-overview.md: the state token carries every parameter of the
                # first request; the link is to be followed as it is.
                raise GraphError(400, "BadRequest",
                                 f"The query parameter '{extra[0]}' cannot be added to a "
                                 "nextLink or deltaLink; follow the link as given.")
        if "$skiptoken" in q:
            return 200, self.pg.continue_list(q["$skiptoken"], self.base()), applied
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")]
        m, c = self.command, self.base()
        if parts == ["me", "calendars"] and m == "GET":
            keep = graph_schema.selected(q, graph_schema.CALENDAR_PROPERTIES, "calendar")
            items = [self.shape(cal.to_json(), keep) for cal in self.mb.calendars.values()]
            return 200, self.pg.start_list(items, int(q.get("$top", page)), c + "/me/calendars"), []
        if parts[:2] == ["me", "calendars"] and len(parts) == 3 and m == "GET":
            keep = graph_schema.selected(q, graph_schema.CALENDAR_PROPERTIES, "calendar")
            return 200, self.shape(self.mb.calendar(parts[2]).to_json(), keep), []
        if parts == ["me", "calendarView", "delta"] and m == "GET":
            return 200, self.delta(q, zone, page), applied
        if parts == ["me", "calendarView"] or (parts[:2] == ["me", "calendars"] and
                                               parts[3:] == ["calendarView"]):
            cid = parts[2] if len(parts) == 4 else self.mb.default_calendar().id
            return 200, self.calendar_view(cid, q, zone, page), applied
        if parts[:2] == ["me", "calendars"] and parts[3:] == ["calendarView", "delta"]:
            raise GraphError(400, "BadRequest", "calendarView/delta is available for the primary "
                                                "calendar only in v1.0.")
        if parts in (["me", "events"], ["me", "calendar", "events"]) or \
                (parts[:2] == ["me", "calendars"] and parts[3:] == ["events"]):
            cid = parts[2] if len(parts) == 4 else None
            if m == "GET":
                return 200, self.list_events(cid, q, zone, page), applied
            if m == "POST":
                return self.create(cid or self.mb.default_calendar().id, body, zone)
        if parts[:2] == ["me", "events"] and len(parts) == 3:
            return self.one_event(parts[2], body, zone, q)
        if parts == ["subscriptions"] and m == "POST":
            graph_schema.check_names(body, graph_schema.SUBSCRIPTION_PROPERTIES, "subscription")
            return 201, subscriptions.create(body), []
        if parts[:1] == ["subscriptions"] and len(parts) == 2:
            if m == "PATCH":
                graph_schema.check_names(body, graph_schema.SUBSCRIPTION_PROPERTIES,
                                         "subscription")
                return 200, subscriptions.renew(parts[1], body), []
            if m == "DELETE":
                subscriptions.delete(parts[1])
                return 204, None, []
            if m == "GET":
                return 200, subscriptions.get(parts[1]), []
        raise GraphError(400, "BadRequest", f"Unsupported request {m} {path}.")

    def delta(self, q, zone, page):
        link = self.base() + "/me/calendarView/delta"
        for unsupported in ("$select", "$expand", "$filter", "$orderby", "$search"):
            if unsupported in q:
                raise GraphError(400, "ErrorInvalidUrlQuery",
                                 f"The query parameter '{unsupported}' is not supported with "
                                 "delta.")
        if q.get("$deltatoken"):
            return self.pg.delta_from_token(q["$deltatoken"], zone, page, link, self.base())
        window = self.window(q)
        self.pg.expired_mode = None
        return self.pg.delta_round(self.mb.default_calendar().id, window, None, zone, page, link)

    def window(self, q):
        if not q.get("startDateTime") or not q.get("endDateTime"):
            raise GraphError(400, "ErrorInvalidParameter",
                             "This request requires a time window specified by the query "
                             "string parameters StartDateTime and EndDateTime.")
        return parse_instant(q["startDateTime"]), parse_instant(q["endDateTime"])

    @staticmethod
    def shape(item, keep):
        """`item` with the properties of $select only (`keep`: None when there was none)."""
        if keep is None:
            return item
        keep = keep | {"id", "@odata.etag", "@odata.type", "singleValueExtendedProperties"}
        return {k: v for k, v in item.items() if k in keep}

    @staticmethod
    def event_query(q):
        """The $select names and the $filter predicate of an event listing."""
        keep = graph_schema.selected(q, graph_schema.EVENT_PROPERTIES, "event")
        return keep, (compile_filter(q["$filter"]) if "$filter" in q else None)

    @staticmethod
    def expand_ids(q):
        if "$expand" not in q:
            return ()
        m = EXPAND.match(q["$expand"])
        if not m:
            raise GraphError(400, "BadRequest", "Unsupported $expand.")
        return (literal(m.group(1)),)

    def calendar_view(self, cid, q, zone, page):
        self.mb.calendar(cid)
        window = self.window(q)
        ids = self.expand_ids(q)
        keep, matches = self.event_query(q)
        rendered = [self.mb.render(e, iid, kind, k, s, en, over, zone, ids)
                    for e, iid, kind, k, s, en, over in sorted(self.mb.all_instances(cid),
                                                               key=lambda i: (i[4], i[1]))
                    if self.mb.overlaps(s, en, window)]
        items = [self.shape(r, keep) for r in rendered if matches is None or matches(r)]
        return self.pg.start_list(items, page, self.base() + f"/me/calendars/{cid}/calendarView")

    def list_events(self, cid, q, zone, page):
        if cid:
            self.mb.calendar(cid)
        events = [e for e in self.mb.events.values() if cid is None or e.calendar_id == cid]
        m = FILTER.match(q.get("$filter", ""))
        if m:
            # Names in ids are case-sensitive; values compare case-insensitively.
            pid, value = literal(m.group(1)), literal(m.group(2)).lower()
            events = [e for e in events if any(k == pid and v.lower() == value
                                               for k, v in e.properties.items())]
            q = {k: v for k, v in q.items() if k != "$filter"}
        keep, matches = self.event_query(q)
        rendered = [self.mb.render_master(e, zone, self.expand_ids(q)) for e in events]
        items = [self.shape(r, keep) for r in rendered if matches is None or matches(r)]
        return self.pg.start_list(items, page, self.base() + "/me/events")

    def create(self, cid, body, zone):
        calendar = self.mb.calendar(cid)
        if not calendar.can_edit:
            raise GraphError(403, "ErrorAccessDenied",
                             "Access is denied. Check credentials and try again.")
        fields = graph_schema.event_fields(body, False)
        tid = body.get("transactionId")
        if tid:
            existing = self.mb.find_by_transaction(tid)
            if existing is not None:  # a repeated POST: the event it already made
                return 201, self.mb.render_master(existing, zone), []
        props = {p["id"]: p["value"] for p in body.get("singleValueExtendedProperties") or []}
        event = self.mb.create(cid, fields, tid, props)
        event.via_api = True
        return 201, self.mb.render_master(event, zone), []

    def render_any(self, eid, zone, ids=()):
        event, k = self.mb.find_master(eid)
        if k is None:
            return self.mb.render_master(event, zone, ids)
        return self.mb.render(*self.mb.instance(eid), zone, ids)

    def one_event(self, eid, body, zone, q):
        current = self.render_any(eid, zone, self.expand_ids(q))
        if self.command == "GET":
            keep = graph_schema.selected(q, graph_schema.EVENT_PROPERTIES, "event")
            return 200, self.shape(current, keep), []
        if self.command == "DELETE":
            self.mb.delete(eid)
            return 204, None, []
        if self.command == "PATCH":
            if_match = self.headers.get("If-Match")
            if if_match and if_match != "*" and if_match != current["@odata.etag"]:
                raise GraphError(412, "ErrorIrresolvableConflict",
                                 "The send or update operation could not be performed because "
                                 "the change key passed in the request does not match the "
                                 "current change key for the item.")
            fields = graph_schema.event_fields(body, True)
            event, _ = self.mb.find_master(eid)
            if "transactionId" in body and body["transactionId"] != event.transaction_id:
                # event.md: "After you set transactionId when creating an event, you cannot
                # change transactionId in a subsequent update."
                raise GraphError(400, "ErrorInvalidPropertyUpdate",
                                 "The transactionId of an event cannot be changed.")
            props = {p["id"]: p["value"] for p in body.get("singleValueExtendedProperties") or []}
            self.mb.update(eid, fields)
            event.properties.update(props)
            return 200, self.render_any(eid, zone), []
        raise GraphError(405, "ErrorInvalidRequest", "Method not allowed.")

    # --- control --------------------------------------------------------------------------

    def control(self, what, raw, q):
        body = json.loads(raw) if raw else {}
        user = body.pop("user", None) or q.get("user") or DEFAULT_USER
        if user != "*":
            self.mb, self.pg = account(user)
        if what == "grant":
            return self.json(200, identity.issue(body.get("scope",
                                                          "Calendars.ReadWrite offline_access"),
                                                 user=user))
        if what == "account":
            made = [self.add_calendar(c["name"], True, c.get("events", []))
                    for c in body.get("calendars", [])]
            return self.json(200, dict(identity.issue(
                body.get("scope", "Calendars.ReadWrite offline_access"), user=user),
                calendars=made))
        if what == "calendar":
            if not body.get("name"):
                raise GraphError(400, "ErrorInvalidRequest", "A calendar needs a name.")
            return self.json(200, {"id": self.add_calendar(body["name"],
                                                           bool(body.get("can_edit", True)))})
        if what == "event":
            return self.json(200, {"id": self.add_event(body).id})
        if what == "update":
            # Another app's write; "properties": {id: null} drops one (apps may lose them).
            event = self.mb.update(body.pop("id"), self.control_fields(body))
            for pid, value in (body.get("properties") or {}).items():
                if value is None:
                    event.properties.pop(pid, None)
                else:
                    event.properties[pid] = value
            return self.json(200, {})
        if what == "delete":
            self.mb.delete(body["id"])
            return self.json(200, {})
        if what == "expire_delta":
            self.pg.expire(body.get("mode", "syncStateNotFound"), int(body.get("status", 410)))
            return self.json(200, {})
        if what == "client":
            identity.register_client(body["client_id"], body.get("client_secret"))
            return self.json(200, {})
        if what == "device":
            return self.json(200, {"interval": identity.device_interval(body["device_code"])})
        if what == "lifecycle":
            return self.json(200, subscriptions.lifecycle(body["subscription_id"],
                                                          body["event"]))
        if what == "config":
            config.update(body)
            return self.json(200, config)
        if what == "fault":
            faults.append(dict(body, count=int(body.get("count", 1))))
            return self.json(200, {})
        if what == "expire_access_tokens":
            identity.expire_access_tokens()
            return self.json(200, {})
        if what == "revoke_refresh_tokens":
            identity.revoke_refresh_tokens(bool(body.get("keep_latest")))
            return self.json(200, {})
        if what == "approve_device":
            return self.json(200 if identity.approve(body["user_code"], body.get("decline"))
                             else 404, {})
        if what == "device_script":
            identity.script = list(body.get("responses", []))
            return self.json(200, {})
        if what == "notify":
            status = subscriptions.notify(body["subscription_id"], body.get("change_type",
                                                                            "updated"),
                                          body.get("event_id", "AAMkUnknown="),
                                          body.get("client_state"))
            return self.json(200, {"status": status})
        if what == "calendars":
            return self.json(200, [c.to_json() for c in self.mb.calendars.values()])
        if what == "events":
            boxes = [(u, a[0]) for u, a in accounts.items()] if user == "*" else [(user, self.mb)]
            return self.json(200, [dict(box.render_master(e, "UTC", tuple(e.properties)),
                                        calendar=e.calendar_id, user=u)
                                   for u, box in boxes for e in box.events.values()
                                   if q.get("api") != "true" or e.via_api])
        if what == "tokens":
            return self.json(200, {"issued": identity.issued, "refresh": list(identity.refresh)})
        if what == "stats":
            since = int(q.get("since", "0"))
            return self.json(200, dict(stats, log=stats["log"][since:],
                                       log_users=stats["log_users"][since:],
                                       log_bodies=stats["log_bodies"][since:],
                                       subscriptions=list(subscriptions.items.values()),
                                       deliveries=subscriptions.deliveries,
                                       tenants=identity.tenants,
                                       throttle_violations=throttle.violations))
        if what == "deleted_items":
            return self.json(200, [dict(self.mb.render_master(e, "UTC", tuple(e.properties)),
                                        calendar=e.calendar_id)
                                   for e in self.mb.deleted_items.values()])
        raise not_found()

    def add_calendar(self, name, can_edit, events=()):
        """A calendar the user made in Outlook, with other clients' events; its id."""
        # Ids differ even for two calendars of one name, as Outlook's do.
        prefix = "user" if self.mb.user is None else self.mb.user
        seed = f"{prefix}/{len(self.mb.calendars)}/{name}"
        calendar = self.mb.add_calendar(Calendar(new_id("Cal", seed), name, can_edit=can_edit))
        for event in events:
            self.add_event(dict(event, calendar=calendar.id))
        return calendar.id

    def add_event(self, body):
        """Another client's write (POST /_control/event)."""
        cid = body.pop("calendar", None) or self.mb.default_calendar().id
        fields = self.control_fields(body)
        return self.mb.create(cid, fields, body.get("transactionId"), body.get("properties"))

    @staticmethod
    def control_fields(body):
        fields = {k: v for k, v in body.items() if k not in ("start", "end", "properties",
                                                             "transactionId")}
        for key in ("start", "end"):
            if key in body:
                fields[key] = parse_instant(body[key] if "T" in body[key]
                                            else body[key] + "T00:00:00Z")
        return fields


if __name__ == "__main__":
    sys.exit(fake_http.serve(Handler))
