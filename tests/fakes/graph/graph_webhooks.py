"""Graph change-notification subscriptions over webhooks (resources/subscription.md,
concepts/change-notifications-delivery-webhooks.md, the notificationUrl-validation include):

- POST /subscriptions is answered only after Graph POSTs {notificationUrl}?validationToken=
  to the endpoint and gets 200, text/plain and the decoded token back within 10 seconds;
  otherwise 400 and no subscription. A lifecycleNotificationUrl is validated alike ("you
  must validate both endpoints").
- clientState at most 128 characters; expirationDateTime no later than the maximum for
  Outlook events: 10,080 minutes (under 7 days; subscription.md's current table, which
  applies to lifecycle notifications alike; configurable).
- Lifecycle notifications (change-notifications-lifecycle-events.md) go to the
  lifecycleNotificationUrl: {"value": [{subscriptionId, subscriptionExpirationDateTime,
  tenantId, clientState, lifecycleEvent}]}. Without one, "subscriptionRemoved and missed
  lifecycle notifications will not be delivered"; reauthorizationRequired then goes to the
  notificationUrl. subscriptionRemoved removes the subscription.
- PATCH renews (200), DELETE removes (204).
- Notifications: {"value": [{subscriptionId, subscriptionExpirationDateTime, clientState,
  changeType, resource, tenantId, resourceData{...}}]}; the endpoint answers 2xx in 3 s.
"""
import datetime
import json
import re
import secrets
import urllib.error
import urllib.parse
import urllib.request

from graph_values import GraphError, now_utc, parse_instant

TENANT_ID = "84bd8158-6d4d-4958-8b9f-9d6445542f95"
USER_ID = "0f5f3d7e-3c2a-4f6b-9d8e-1a2b3c4d5e6f"
RESOURCE = re.compile(r"^/?(me|users/[^/]+)/(events|calendar/events|calendars/[^/]+/events)$")


def post(url, body, content_type, timeout):
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, reply.headers.get("Content-Type", ""), reply.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read()
    except Exception:
        return 0, "", b""


class Subscriptions:
    def __init__(self, config):
        self.config = config
        self.items = {}
        self.deliveries = []  # (subscription id, status the endpoint answered)

    def max_minutes(self):
        return int(self.config.get("max_subscription_minutes", 10080))

    def _expiry(self, body):
        if "expirationDateTime" not in body:
            raise GraphError(400, "InvalidRequest", "expirationDateTime is required.")
        expires = parse_instant(body["expirationDateTime"])
        if expires > now_utc() + datetime.timedelta(minutes=self.max_minutes()):
            raise GraphError(400, "InvalidRequest",
                             f"Subscription expiration can only be {self.max_minutes()} minutes "
                             "in the future.")
        if expires <= now_utc():
            raise GraphError(400, "InvalidRequest", "Subscription expiration is in the past.")
        return expires

    def create(self, body):
        for key in ("changeType", "notificationUrl", "resource"):
            if not body.get(key):
                raise GraphError(400, "InvalidRequest", f"{key} is required.")
        if not RESOURCE.match(body["resource"]):
            raise GraphError(400, "InvalidRequest", f"Resource '{body['resource']}' is not "
                                                    "supported.")
        if len(body.get("clientState") or "") > 128:
            raise GraphError(400, "InvalidRequest", "clientState must be at most 128 characters.")
        changes = body["changeType"].split(",")
        if any(c not in ("created", "updated", "deleted") for c in changes):
            raise GraphError(400, "InvalidRequest", "changeType is not valid.")
        expires = self._expiry(body)
        url = body["notificationUrl"]
        lifecycle_url = body.get("lifecycleNotificationUrl")
        for endpoint in [url] + ([lifecycle_url] if lifecycle_url else []):
            self._validate(endpoint)
        sid = secrets.token_hex(4) + "-" + secrets.token_hex(2) + "-" + secrets.token_hex(2) + \
            "-" + secrets.token_hex(2) + "-" + secrets.token_hex(6)
        sub = {"id": sid, "resource": body["resource"], "applicationId": "calsync-tests",
               "changeType": body["changeType"], "clientState": body.get("clientState"),
               "notificationUrl": url, "lifecycleNotificationUrl": lifecycle_url,
               "expirationDateTime": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "creatorId": USER_ID, "latestSupportedTlsVersion": "v1_2"}
        self.items[sid] = sub
        return sub

    @staticmethod
    def _validate(url):
        token = f"Validation: Testing client application reachability for subscription " \
                f"Request-Id: {secrets.token_hex(8)}"
        joiner = "&" if "?" in url else "?"
        status, content_type, reply = post(
            url + joiner + "validationToken=" + urllib.parse.quote_plus(token), b"",
            "text/plain; charset=utf-8", timeout=10)
        if status != 200 or not content_type.startswith("text/plain") or \
                reply.decode(errors="replace") != token:
            raise GraphError(400, "InvalidRequest",
                             "Subscription validation request failed. Notification endpoint "
                             "must respond with 200 OK to validation request.")

    def lifecycle(self, sid, event):
        """Delivers a lifecycle notification as Graph would: {"status": what the endpoint
        answered, or None when Graph has nowhere to send it}."""
        sub = self.get(sid)
        url = sub["lifecycleNotificationUrl"]
        if url is None and event == "reauthorizationRequired":
            url = sub["notificationUrl"]
        if event == "subscriptionRemoved":
            del self.items[sid]
        if url is None:
            return {"status": None}
        payload = {"value": [{
            "subscriptionId": sid, "subscriptionExpirationDateTime": sub["expirationDateTime"],
            "tenantId": TENANT_ID, "clientState": sub["clientState"], "lifecycleEvent": event}]}
        status, _, _ = post(url, json.dumps(payload).encode(), "application/json; charset=utf-8",
                            timeout=3)
        self.deliveries.append((sid, status))
        return {"status": status}

    def get(self, sid):
        if sid not in self.items:
            raise GraphError(404, "ResourceNotFound", f"The object '{sid}' does not exist.")
        return self.items[sid]

    def renew(self, sid, body):
        sub = self.get(sid)
        sub["expirationDateTime"] = self._expiry(body).strftime("%Y-%m-%dT%H:%M:%SZ")
        return sub

    def delete(self, sid):
        self.get(sid)
        del self.items[sid]

    def notify(self, sid, change_type, event_id, client_state=None, etag="W/\"x\""):
        """Delivers one change notification now; returns the endpoint's status."""
        sub = self.get(sid)
        resource = f"Users/{USER_ID}/Events/{event_id}"
        payload = {"value": [{
            "id": secrets.token_hex(8), "subscriptionId": sid,
            "subscriptionExpirationDateTime": sub["expirationDateTime"],
            "clientState": sub["clientState"] if client_state is None else client_state,
            "changeType": change_type, "resource": resource, "tenantId": TENANT_ID,
            "resourceData": {"@odata.type": "#Microsoft.Graph.Event", "@odata.id": resource,
                             "@odata.etag": etag, "id": event_id}}]}
        status, _, _ = post(sub["notificationUrl"], json.dumps(payload).encode(),
                            "application/json; charset=utf-8", timeout=3)
        self.deliveries.append((sid, status))
        return status
