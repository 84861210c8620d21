"""`calsync connect google` and `calsync connect microsoft` against the OAuth endpoints of
tests/fakes/fault_server.py, with this script as the person's browser. The Google and
Graph providers are not part of every build yet, so a sign-in that works may still end
in "not available in this build" (exit 1) or in the fake having no calendar API (1 or 4);
what is checked is everything up to that point: the authorization URL, the loopback
redirect, the page the browser gets, the device code shown, and the refusals (exit 3).

  check_oauth_connect.py CLI FAULT_SERVER
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

cli, fault_server = sys.argv[1:3]
problems = []
scratch = tempfile.mkdtemp(prefix="calsync-cli-oauth-")
ENV = {k: v for k, v in os.environ.items() if not k.startswith("CALSYNC_")}
ENV["CALSYNC_STATE_DIR"] = os.path.join(scratch, "state")
# A sign-in that worked may still fail after it, at the calendar API (see the docstring).
AFTER_SIGN_IN = (1, 4)


def write_config(port, microsoft_scopes=None, google_client=True):
    base = f"http://127.0.0.1:{port}"
    config = {"zone": "Europe/Berlin", "network": {"allow_private_addresses": True},
              "microsoft": {"client_id": "cli-test-client",
                            "device_authorization_url": base + "/devicecode",
                            "token_url": base + "/token", "api_base_url": base + "/graph"}}
    if google_client:
        config["google"] = {"client_id": "cli-test-client",
                            "authorization_url": base + "/authorize",
                            "token_url": base + "/token", "api_base_url": base + "/google"}
    if microsoft_scopes:
        config["microsoft"]["scopes"] = microsoft_scopes
    os.makedirs(ENV["CALSYNC_STATE_DIR"], exist_ok=True)
    with open(os.path.join(ENV["CALSYNC_STATE_DIR"], "config.json"), "w") as f:
        json.dump(config, f)


class Cli:
    """The program running, its stderr read line by line as it comes."""

    def __init__(self, *args):
        self.proc = subprocess.Popen([cli, *args], env=ENV, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.err_lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stderr:
            self.err_lines.append(line)

    def wait_for(self, predicate, seconds=15):
        deadline = time.time() + seconds
        while time.time() < deadline:
            for line in list(self.err_lines):
                found = predicate(line)
                if found:
                    return found
            time.sleep(0.05)
        return None

    def finish(self):
        out = self.proc.stdout.read()
        rc = self.proc.wait(timeout=60)
        self.reader.join(timeout=5)
        return rc, out, "".join(self.err_lines)


def authorization_url(line):
    for word in line.split():
        if "/authorize?" in word:
            return word
    return None


def browse(url):
    """Follows redirects as a browser does; returns (status, body)."""
    try:
        with urllib.request.urlopen(url, timeout=15) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


server = subprocess.Popen([sys.executable, fault_server], stdout=subprocess.PIPE, text=True)
try:
    port = int(server.stdout.readline())

    # No OAuth client configured: a usage error that says where to put one.
    write_config(port, google_client=False)
    done = subprocess.run([cli, "connect", "google"], env=ENV, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if done.returncode != 2 or "google.client_id" not in done.stderr:
        problems.append(f"no client id: exit {done.returncode}: {done.stderr}")
    write_config(port)

    # The sign-in: the URL names the loopback redirect; the browser's visit comes back.
    run = Cli("connect", "google", "--timeout", "30")
    url = run.wait_for(authorization_url)
    if url is None:
        problems.append("connect google printed no authorization URL")
        run.proc.kill()
    else:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
        redirect = query.get("redirect_uri", "")
        if not redirect.startswith("http://127.0.0.1:") or not redirect.endswith("/callback"):
            problems.append(f"redirect_uri {redirect!r} is not a loopback one")
        if query.get("client_id") != "cli-test-client" or \
                query.get("code_challenge_method") != "S256" or not query.get("state"):
            problems.append(f"authorization URL lacks client, PKCE or state: {query}")
        status, page = browse(url)  # the fake redirects to the CLI's listener
        rc, out, err = run.finish()
        if status != 200 or "<html>" not in page:
            problems.append(f"the browser got {status}: {page[:300]}")
        if "The browser came back" not in err:
            problems.append(f"the redirect was not received: {err}")
        if rc not in AFTER_SIGN_IN or "state" in err.split("came back")[-1]:
            problems.append(f"after the redirect: exit {rc}: {err}")

    # The person declines: the redirect carries error=access_denied -> exit 3.
    run = Cli("connect", "google", "--timeout", "30")
    url = run.wait_for(authorization_url)
    if url is not None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
        status, page = browse(query["redirect_uri"] + "?" + urllib.parse.urlencode(
            {"error": "access_denied", "state": query["state"]}))
        rc, out, err = run.finish()
        if rc != 3 or "access_denied" not in err or "did not work" not in page:
            problems.append(f"declined sign-in: exit {rc}: {err} / {page[:200]}")

    # A redirect with a state calsync did not issue -> exit 3.
    run = Cli("connect", "google", "--timeout", "30")
    url = run.wait_for(authorization_url)
    if url is not None:
        query = dict(urllib.parse.parse_qsl(urllib.parse.urlparse(url).query))
        browse(query["redirect_uri"] + "?code=good-code&state=forged." + "A" * 43)
        rc, out, err = run.finish()
        if rc != 3:
            problems.append(f"forged state: exit {rc}: {err}")

    # Nobody comes back in time -> exit 3 with what to do.
    done = subprocess.run([cli, "connect", "google", "--timeout", "1"], env=ENV,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if done.returncode != 3 or "did not come back within 1 s" not in done.stderr:
        problems.append(f"timeout: exit {done.returncode}: {done.stderr}")

    # The device flow: the code is shown; pending, slow_down, then tokens (fault_server).
    run = Cli("connect", "microsoft")
    code = run.wait_for(lambda line: "WDJB-MJH" in line and line.strip())
    rc, out, err = run.finish()
    if code is None or "https://example.com/device" not in err:
        problems.append(f"no device code shown: {err}")
    if rc not in AFTER_SIGN_IN or "Signed in" not in err:
        problems.append(f"device sign-in: exit {rc}: {err}")

    # The person declines on the other device -> exit 3.
    write_config(port, microsoft_scopes=["deny"])
    done = subprocess.run([cli, "connect", "microsoft"], env=ENV, capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60)
    if done.returncode != 3 or "declined" not in done.stderr:
        problems.append(f"declined device sign-in: exit {done.returncode}: {done.stderr}")
finally:
    server.terminate()
    server.wait()

if problems:
    print("\n\n".join(problems))
    sys.exit(1)
print("ok")
