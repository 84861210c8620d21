"""Starts and stops one of the fake calendar services (tests/fakes/google/google_fake.py,
tests/fakes/graph/graph_fake.py) on 127.0.0.1 at a free port, for tests that share it
through a ctest fixture (as dav_server.py does for Radicale and Xandikos).

  fake_service.py start google|graph --dir DIR   -> DIR/server.json, the fake running
  fake_service.py stop --dir DIR

server.json: {"kind", "url" (the fake's root, no trailing slash), "pid", "client_id",
"client_secret"}: the OAuth client the fake knows (Google refuses a token request from
a client it does not know; Graph takes any public client, without a secret).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

# Stopping is the same for every server a fixture started: server.json names its group.
from dav_server import stop

FAKES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes")
SCRIPTS = {"google": os.path.join(FAKES, "google", "google_fake.py"),
           "graph": os.path.join(FAKES, "graph", "graph_fake.py")}
# The client google_fake.py's OAuthState knows from the start; Graph's is any id.
CLIENTS = {"google": ("test-client.apps.googleusercontent.com", "test-client-secret"),
           "graph": ("calsync-tests", "")}


def start(kind, directory):
    shutil.rmtree(directory, ignore_errors=True)
    os.makedirs(directory)
    log = os.path.join(directory, "server.log")
    # The port is the fake's first line; it goes to a file, not a pipe, so the fake
    # outlives this script without writing to a closed pipe.
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, SCRIPTS[kind]], stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    port = None
    for _ in range(200):
        if proc.poll() is not None:
            sys.exit(f"the {kind} fake exited early; see {log}")
        with open(log) as f:
            first = f.readline()
        if first.endswith("\n") and first.strip().isdigit():
            port = int(first)
            break
        time.sleep(0.05)
    if port is None:
        os.killpg(proc.pid, signal.SIGTERM)
        sys.exit(f"the {kind} fake printed no port; see {log}")
    root = f"http://127.0.0.1:{port}"
    # Ready when its control API answers (no auth there).
    path = "/_control/stats"
    with urllib.request.urlopen(root + path, timeout=10) as reply:
        reply.read()
    client_id, client_secret = CLIENTS[kind]
    info = {"kind": kind, "url": root, "pid": proc.pid, "client_id": client_id,
            "client_secret": client_secret}
    with open(os.path.join(directory, "server.json"), "w") as f:
        json.dump(info, f)
    print(json.dumps(info))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("action", choices=["start", "stop"])
    p.add_argument("kind", nargs="?", choices=sorted(SCRIPTS))
    p.add_argument("--dir", required=True)
    a = p.parse_args()
    if a.action == "start":
        if a.kind is None:
            sys.exit("start needs google or graph")
        start(a.kind, a.dir)
    else:
        stop(a.dir)


if __name__ == "__main__":
    main()
