"""Another CalDAV client, in raw HTTP (urllib, ElementTree): puts and deletes events and
reads what the server holds, sharing no code with calsync.

The server is the one tests/tools/dav_server.py started; its server.json path is in
CALSYNC_DAV_SERVER.
"""
import base64
import json
import os
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

_NS = {"d": "DAV:", "c": "urn:ietf:params:xml:ns:caldav"}
# RFC 4791 7.8: every VEVENT of the collection, with its data.
_ALL_EVENTS = b"""<?xml version="1.0" encoding="utf-8"?>
<c:calendar-query xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">
  <d:prop><d:getetag/><c:calendar-data/></d:prop>
  <c:filter><c:comp-filter name="VCALENDAR"><c:comp-filter name="VEVENT"/></c:comp-filter>
  </c:filter>
</c:calendar-query>"""


def server():
    path = os.environ.get("CALSYNC_DAV_SERVER")
    if not path:
        raise RuntimeError("CALSYNC_DAV_SERVER is not set: run this test through ctest, "
                           "which starts the server (tests/tools/dav_server.py)")
    with open(path) as f:
        return json.load(f)


class DavPeer:
    def __init__(self, info):
        self.calendar_url = info["calendar_url"]
        token = base64.b64encode(f"{info['user']}:{info['password']}".encode()).decode()
        self._auth = "Basic " + token

    def _request(self, method, url, body=None, headers=None):
        request = urllib.request.Request(url, data=body, method=method,
                                         headers={"Authorization": self._auth, **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def put(self, name, ics):
        status, _ = self._request("PUT", self.calendar_url + name, ics.encode(),
                                  {"Content-Type": "text/calendar; charset=utf-8"})
        if status not in (201, 204):
            raise AssertionError(f"PUT {name}: HTTP {status}")

    def delete(self, name):
        return self._request("DELETE", self.calendar_url + name)[0]

    def events(self):
        """{UID: calendar-data} of every event on the server."""
        status, body = self._request("REPORT", self.calendar_url, _ALL_EVENTS,
                                     {"Depth": "1", "Content-Type": "application/xml"})
        if status != 207:
            raise AssertionError(f"REPORT: HTTP {status}")
        found = {}
        for data in ET.fromstring(body).iterfind(".//c:calendar-data", _NS):
            text = data.text or ""
            # Unfolded (RFC 5545 3.1) before reading the UID line.
            lines = text.replace("\r\n ", "").replace("\n ", "").splitlines()
            uid = next(line[4:] for line in lines if line.startswith("UID:"))
            found[uid] = text
        return found
