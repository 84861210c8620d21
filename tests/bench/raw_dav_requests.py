"""The raw requests a CalDAV sync needs, timed alone (run_cli_sync_bench.sh's yardstick).

  raw_dav_requests.py SERVER_JSON [--incremental]
Full: one sync-collection REPORT with calendar-data (Radicale puts the data in it; for
Xandikos, which does not, a calendar-query fetches it too). --incremental: a sync-collection
with the token of a first, untimed one: what a sync with nothing changed has to ask.
Prints "raw_full SECONDS 0" or "raw_incremental SECONDS 0" (wall seconds of the requests).
"""
import base64
import json
import re
import sys
import time
import urllib.request

DAV = '<?xml version="1.0"?><sync-collection xmlns="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'


def report(server, body, depth):
    token = base64.b64encode(f"{server['user']}:{server['password']}".encode()).decode()
    req = urllib.request.Request(server["calendar_url"], data=body.encode(), method="REPORT",
                                 headers={"Depth": depth, "Authorization": "Basic " + token,
                                          "Content-Type": "application/xml; charset=utf-8"})
    with urllib.request.urlopen(req, timeout=600) as r:
        return r.read().decode()


def sync_collection(server, token, data):
    prop = "<prop><getetag/>" + ("<c:calendar-data/>" if data else "") + "</prop>"
    return report(server, DAV + f"<sync-token>{token}</sync-token><sync-level>1</sync-level>"
                  + prop + "</sync-collection>", "0")


def main():
    with open(sys.argv[1]) as f:
        server = json.load(f)
    if "--incremental" in sys.argv:
        first = sync_collection(server, "", False)
        token = re.search(r"<[^>]*sync-token>([^<]+)<", first).group(1)
        started = time.perf_counter()
        sync_collection(server, token, False)
        print("raw_incremental %.3f 0" % (time.perf_counter() - started))
        return
    started = time.perf_counter()
    sync_collection(server, "", server["kind"] == "radicale")
    if server["kind"] != "radicale":
        report(server, '<?xml version="1.0"?><c:calendar-query xmlns:d="DAV:" '
               'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/><c:calendar-data/>'
               '</d:prop><c:filter><c:comp-filter name="VCALENDAR"/></c:filter>'
               '</c:calendar-query>', "1")
    print("raw_full %.3f 0" % (time.perf_counter() - started))


if __name__ == "__main__":
    main()
