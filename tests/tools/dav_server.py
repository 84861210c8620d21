"""Starts and stops a real CalDAV server (Radicale, Xandikos, Cyrus IMAP or DAViCal, Debian
packages) on 127.0.0.1 with random ports and temporary storage, for the integration tests.

  dav_server.py start radicale|xandikos|cyrus|davical --dir DIR
                                           -> DIR/server.json, server running
  dav_server.py stop --dir DIR             -> every process start made is stopped
  dav_server.py load --dir DIR --count N [--zoned]
                                           -> N events written straight into the storage
                                              (servers.md: far faster than N PUTs); with
                                              --zoned each in Europe/Berlin with its own
                                              VTIMEZONE, as Google and Apple write them
  dav_server.py ics --dir DIR FILE.ics ...  -> one calendar per file (its name the file's
                                              X-WR-CALNAME, its path the file's stem),
                                              its events PUT one UID per resource as a
                                              client would; prints {"stem": url}

server.json: {"kind", "url" (server root), "calendar_url", "user", "password", "pid"
(a process group stop ends), "postgres" (DAViCal: the cluster stop ends, or absent)}

Cyrus and DAViCal run as root only (CI does): Cyrus's cyrmaster runs as the `cyrus` user,
DAViCal's PostgreSQL cluster as `postgres` (both made by their packages), each on a
directory under DIR (reference/servers.md, fleet-and-browser.md).
"""
import argparse
import base64
import concurrent.futures
import datetime
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cyrus_server  # noqa: E402
import davical_server  # noqa: E402

USER = "garage"
PASSWORD = "test-only-password"


def free_ports(count):
    """`count` distinct free ports. The sockets stay bound until all are chosen: ports
    asked for one after another can repeat, and a Cyrus given the same port for IMAP and
    HTTP answered an HTTP request with its IMAP greeting."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            sockets.append(s)
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def request(method, url, user=None, body=None, headers=None, timeout=5):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    if user:
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        req.add_header("Authorization", f"Basic {token}")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def wait_ready(url, proc, log):
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"server exited early; see {log}")
        try:
            request("OPTIONS", url)
            return
        except OSError:
            time.sleep(0.05)
    sys.exit(f"server did not answer on {url}; see {log}")


def start(kind, directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    os.chmod(directory, 0o755)  # Cyrus's and DAViCal's users work below it
    port, second_port = free_ports(2)
    root = f"http://127.0.0.1:{port}"
    log = os.path.join(directory, "server.log")
    user = USER
    postgres = None
    if kind == "radicale":
        with open(os.path.join(directory, "users"), "w") as f:
            f.write(f"{USER}:{PASSWORD}\n")
        config = os.path.join(directory, "config")
        with open(config, "w") as f:
            f.write(f"""[server]
hosts = 127.0.0.1:{port}
[auth]
type = htpasswd
htpasswd_filename = {directory}/users
htpasswd_encryption = plain
[storage]
filesystem_folder = {directory}/collections
[rights]
type = owner_only
[logging]
# One line per request: examples/cli/tests/check_discovery_once.py counts them.
level = info
""")
        proc = spawn([sys.executable, "-m", "radicale", "--config", config], log)
        home = f"/{USER}/"
    elif kind == "xandikos":
        proc = spawn(["xandikos", "-d", os.path.join(directory, "data"), "--defaults",
                      "-l", "127.0.0.1", "-p", str(port)], log)
        home = "/user/calendars/"
        user = None
    elif kind == "cyrus":
        proc, home = cyrus_server.start(os.path.join(directory, "cyrus"), port, second_port,
                                        USER, PASSWORD, log)
    else:
        proc, home, postgres = davical_server.start(directory, port, USER, PASSWORD, log)
    calendar = f"{root}{home}workshop/"
    info = {"kind": kind, "url": root + "/", "calendar_url": calendar,
            "user": USER if user else "", "password": PASSWORD if user else "",
            "pid": proc.pid}
    if postgres:
        info["postgres"] = postgres
    # Written first, so a failed start is stopped like a good one.
    with open(os.path.join(directory, "server.json"), "w") as f:
        json.dump(info, f)
    try:
        wait_ready(root + "/", proc, log)
        body = (b'<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" '
                b'xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop>'
                b'<d:displayname>Workshop</d:displayname></d:prop></d:set></c:mkcalendar>')
        status = request("MKCALENDAR", calendar, user, body,
                         {"Content-Type": "application/xml"})
        if status not in (201, 207):
            sys.exit(f"MKCALENDAR {calendar}: HTTP {status}")
    except BaseException:
        stop(directory)
        raise
    print(json.dumps(info))


def spawn(cmd, log):
    with open(log, "w") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)


def stop(directory):
    path = os.path.join(directory, "server.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        info = json.load(f)
    try:
        os.killpg(info["pid"], signal.SIGTERM)
    except ProcessLookupError:
        pass
    if "postgres" in info:
        davical_server.stop_postgres(info["postgres"])
    os.remove(path)


# Europe/Berlin as Google's CalDAV server writes it into every resource.
BERLIN = ("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\n"
          "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
          "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
          "END:DAYLIGHT\r\nBEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
          "TZNAME:CET\r\nDTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
          "END:STANDARD\r\nEND:VTIMEZONE\r\n")


def load_event(i, zoned=False):
    """The i-th event of a bulk load: one half-hour event per hour from 1 March 2026
    (10,000 reach into 2027); zoned, in Europe/Berlin local time."""
    start = datetime.datetime(2026, 3, 1) + datetime.timedelta(hours=i)
    end = start + datetime.timedelta(minutes=30)
    if zoned:
        times = (f"DTSTART;TZID=Europe/Berlin:{start:%Y%m%dT%H%M%S}\r\n"
                 f"DTEND;TZID=Europe/Berlin:{end:%Y%m%dT%H%M%S}\r\n")
    else:
        times = f"DTSTART:{start:%Y%m%dT%H%M%S}Z\r\nDTEND:{end:%Y%m%dT%H%M%S}Z\r\n"
    return (f"BEGIN:VEVENT\r\nUID:load-{i}\r\nDTSTAMP:20260101T000000Z\r\n"
            + times + f"SUMMARY:load {i}\r\nEND:VEVENT\r\n")


def vcalendar(body, zoned=False):
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\n" + \
        (BERLIN if zoned else "") + body + "END:VCALENDAR\r\n"


def load(directory, count, zoned=False):
    with open(os.path.join(directory, "server.json")) as f:
        info = json.load(f)
    kind = info["kind"]
    if kind == "davical":
        # A whole calendar PUT on the collection replaces its content, one resource per
        # UID named UID.ics (DAViCal's import; davical_server.py allows it).
        text = vcalendar("".join(load_event(i, zoned) for i in range(count)), zoned)
        status = request("PUT", info["calendar_url"], True, text.encode(),
                         {"Content-Type": "text/calendar; charset=utf-8"}, timeout=600)
        if status not in (200, 201, 204):
            sys.exit(f"PUT {info['calendar_url']}: HTTP {status}")
        # The import writes every item with the sync token of its own instant, and DAViCal
        # reports the changes made at or after a token's instant (sync_time >=): a token
        # taken now would report all of them again. One more write, later, moves the next
        # token past them.
        last = count - 1
        status = request("PUT", f"{info['calendar_url']}load-{last}.ics", True,
                         vcalendar(load_event(last, zoned), zoned).encode(),
                         {"Content-Type": "text/calendar; charset=utf-8"}, timeout=60)
        if status not in (201, 204):
            sys.exit(f"PUT load-{last}.ics: HTTP {status}")
        return
    if kind == "cyrus":
        # No bulk load: PUT by PUT as a client would, on a few kept-alive connections.
        url = urllib.parse.urlsplit(info["calendar_url"])
        token = base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

        def put_share(share):
            connection = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
            for i in range(share, count, 4):
                connection.request("PUT", f"{url.path}load-{i}.ics",
                                   vcalendar(load_event(i, zoned), zoned).encode(),
                                   {"Authorization": f"Basic {token}",
                                    "Content-Type": "text/calendar; charset=utf-8"})
                answer = connection.getresponse()
                answer.read()
                if answer.status not in (201, 204):
                    return f"PUT load-{i}.ics: HTTP {answer.status}"
            return None

        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            failed = [e for e in pool.map(put_share, range(4)) if e]
        if failed:
            sys.exit(failed[0])
        return
    if kind == "radicale":
        target = os.path.join(directory, "collections", "collection-root", USER, "workshop")
    else:
        target = os.path.join(directory, "data", "user", "calendars", "workshop")
    for i in range(count):
        with open(os.path.join(target, f"load-{i}.ics"), "w", newline="") as f:
            f.write(vcalendar(load_event(i, zoned), zoned))
    if kind == "xandikos":
        # Xandikos serves the git HEAD of the collection: commit, and it sees the files.
        git = ["git", "-C", target, "-c", "user.name=calsync tests",
               "-c", "user.email=tests@calsync.invalid"]
        subprocess.run(git + ["add", "-A"], check=True)
        subprocess.run(git + ["commit", "-q", "-m", f"load {count} events"], check=True)
    else:
        # Radicale fills its item and sync-history caches lazily on the requests after a
        # bulk load, judging files by their modification time, and on a busy machine a sync
        # token taken during that first pass (or within the second the last files were
        # written) can list items again later. A pause past that second and two full
        # sync-collections settle the caches, so the tests measure steady state, as a
        # server in use is.
        time.sleep(1.1)
        body = (b'<?xml version="1.0"?><sync-collection xmlns="DAV:"><sync-token/>'
                b'<sync-level>1</sync-level><prop><getetag/></prop></sync-collection>')
        for _ in range(2):
            request("REPORT", info["calendar_url"], user=True, body=body,
                    headers={"Depth": "0", "Content-Type": "application/xml"}, timeout=600)


def split_by_uid(text):
    """An iCalendar text -> {uid: VCALENDAR text with that UID's VEVENTs and every
    VTIMEZONE} (RFC 4791 4.1: one UID per calendar object resource), and X-WR-CALNAME."""
    lines = text.replace("\r\n", "\n").split("\n")
    unfolded = []
    for line in lines:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += line[1:]
        elif line:
            unfolded.append(line)
    header, zones, events, name = [], [], {}, None
    block, depth, kind = [], 0, None
    for line in unfolded:
        if depth == 0 and line.startswith("BEGIN:") and line != "BEGIN:VCALENDAR":
            kind, block, depth = line[6:], [line], 1
            continue
        if depth > 0:
            block.append(line)
            if line.startswith("BEGIN:"):
                depth += 1
            elif line.startswith("END:"):
                depth -= 1
                if depth == 0:
                    if kind == "VTIMEZONE":
                        zones.append(block)
                    elif kind == "VEVENT":
                        uid = next(x[4:] for x in block if x.startswith("UID:"))
                        events.setdefault(uid, []).append(block)
            continue
        if line.startswith("X-WR-CALNAME:"):
            name = line[len("X-WR-CALNAME:"):]
        if line.startswith(("VERSION:", "PRODID:")):
            header.append(line)
    out = {}
    for uid, blocks in events.items():
        body = ["BEGIN:VCALENDAR"] + header
        for b in zones + blocks:
            body += b
        body.append("END:VCALENDAR")
        out[uid] = "\r\n".join(body) + "\r\n"
    return out, name


def load_ics(directory, files):
    with open(os.path.join(directory, "server.json")) as f:
        server = json.load(f)
    user = server["user"] or None
    home = server["calendar_url"].rstrip("/").rsplit("/", 1)[0] + "/"
    made = {}
    for path in files:
        stem = os.path.splitext(os.path.basename(path))[0]
        with open(path, encoding="utf-8") as f:
            objects, name = split_by_uid(f.read())
        url = f"{home}{stem}/"
        prop = (f"<d:set><d:prop><d:displayname>{name}</d:displayname></d:prop></d:set>"
                if name else "")
        body = ('<?xml version="1.0"?><c:mkcalendar xmlns:d="DAV:" '
                f'xmlns:c="urn:ietf:params:xml:ns:caldav">{prop}</c:mkcalendar>').encode()
        status = request("MKCALENDAR", url, user, body, {"Content-Type": "application/xml"})
        # It may exist already (start made the workshop calendar): Radicale answers 409,
        # RFC 4791 5.3.1 403 or 405.
        if status not in (201, 207, 403, 405, 409):
            sys.exit(f"MKCALENDAR {url}: HTTP {status}")
        for uid, text in objects.items():
            resource = url + urllib.parse.quote(uid, safe="") + ".ics"
            status = request("PUT", resource, user, text.encode(),
                             {"Content-Type": "text/calendar; charset=utf-8"})
            if status not in (201, 204):
                sys.exit(f"PUT {resource}: HTTP {status}")
        made[stem] = url
    print(json.dumps(made))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("action", choices=["start", "stop", "load", "ics"])
    p.add_argument("--count", type=int, default=1000)
    p.add_argument("--zoned", action="store_true")
    p.add_argument("rest", nargs="*", help="start: radicale|xandikos|cyrus|davical; ics: FILE.ics ...")
    p.add_argument("--dir", required=True)
    a = p.parse_intermixed_args()
    a.kind = a.rest[0] if a.action == "start" and a.rest else None
    if a.action == "start" and a.kind not in ("radicale", "xandikos", "cyrus", "davical"):
        p.error("start: radicale, xandikos, cyrus or davical")
    if a.action == "ics":
        load_ics(a.dir, a.rest)
    elif a.action == "start":
        start(a.kind, a.dir)
    elif a.action == "load":
        load(a.dir, a.count, a.zoned)
    else:
        stop(a.dir)


if __name__ == "__main__":
    main()
