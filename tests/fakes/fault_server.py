"""A local HTTP server that misbehaves on request, for the network layer's tests.

Binds 127.0.0.1 on a free port and prints the port as its first line. Paths:
  /ok                 200 "hello"
  /429?retry_after=N  429 with Retry-After: N the first time per key, then 200
  /503burst?n=N&key=K 503 for the first N requests of key K, then 200
  /busy/S/N/...       HTTP status S with Retry-After: N to every request and any method
                      (a service that stays overloaded: a CalDAV URL, a feed, an API)
  /reset              sends headers and part of the body, then resets the connection
  /truncated          promises 100 bytes, sends 10, closes
  /unanswered?key=K&n=N  any method: reads the request and resets the connection without
                      a byte of answer (a write's fate unknown) for the first N requests of
                      key K, then 200 "answered"; /counters has "unanswered K"
  /big?bytes=N        N bytes of body
  /gzip               a gzip-encoded body ("compressed hello")
  /echo-headers       the request headers, one per line
  /401                401 with a Basic challenge, to any method
  /badxml             207 with a multistatus body that is not well-formed, to any method
  /authorize?...      an OAuth authorization endpoint: remembers code_challenge and
                      redirects to redirect_uri with code=good-code and the state
  POST /token         an OAuth token endpoint (RFC 6749 + PKCE): checks the verifier
                      against the remembered challenge; refresh tokens r1 -> r2 (rotated),
                      r2 -> kept; a revoked one -> 400 invalid_grant
  POST /revoke        RFC 7009: revokes the token
  POST /devicecode    RFC 8628 3.2: device code "dev-<n>" (or "dev-denied" with
                      scope=deny, "dev-declined" with scope=decline); polling it at /token
                      answers authorization_pending, then slow_down, then tokens a2/r2
                      (denied: access_denied, RFC 8628 3.5; declined:
                      authorization_declined, Microsoft's name for it)
  /api                200 "api ok" with "Authorization: Bearer a2" or "a3" (tokens the
                      refreshes hand out), else 401 (so "a1" is one the server dropped)
  /feed?file=PATH     PATH as text/calendar with an ETag (a hash of the content) and a
                      Last-Modified; 304 when If-None-Match matches
  /counters           {"feed": requests to /feed, "feed PATH": those for PATH, ...}
  /connection         "N of M": this request came over the N-th TCP connection the server
                      accepted, of M so far (a client reusing a connection sees N repeat)
"""
import base64
import gzip
import hashlib
import json
import sys
import threading
import urllib.parse

import fake_http

counters = {}
challenges = {}
revoked = set()
lock = threading.Lock()


def bump(key):
    with lock:
        counters[key] = counters.get(key, 0) + 1
        return counters[key]


class Handler(fake_http.Handler):
    # One handler per accepted TCP connection: number them, for /connection.
    def setup(self):
        super().setup()
        self.connection_number = bump("connections")

    def do_any(self):
        url = urllib.parse.urlparse(self.path)
        length = int(self.headers.get("Content-Length", "0"))
        form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode())) if length else {}
        if url.path == "/token":
            self.token(form)
        elif url.path == "/devicecode":
            n = bump("devicecode")
            code = {"deny": "dev-denied", "decline": "dev-declined"}.get(form.get("scope"),
                                                                         f"dev-{n}")
            self.send(200, json.dumps({
                "device_code": code, "user_code": f"WDJB-MJH{n}",
                "verification_uri": "https://example.com/device", "expires_in": 900,
                "interval": 1, "message": "Enter the code at https://example.com/device"}).encode(),
                [("Content-Type", "application/json")])
        elif url.path == "/revoke":
            with lock:
                revoked.add(form.get("token", ""))
            self.send(200, b"")
        elif url.path == "/unanswered":
            q = dict(urllib.parse.parse_qsl(url.query))
            if bump("unanswered " + q.get("key", "")) <= int(q.get("n", "1")):
                self.reset_connection()
            else:
                self.send(200, b"answered")
        elif url.path.startswith("/busy/"):
            self.busy(url.path)
        elif url.path.startswith("/401"):
            self.send(401, b"unauthorized", [("WWW-Authenticate", 'Basic realm="test"')])
        elif url.path.startswith("/badxml"):
            self.send(207, b'<d:multistatus xmlns:d="DAV:"><d:response><d:href>/x',
                      [("Content-Type", "application/xml")])
        else:
            self.send(405, b"method not allowed")

    do_PROPFIND = do_REPORT = do_PUT = do_DELETE = do_POST = do_any

    def busy(self, path):
        status, retry_after = path.split("/")[2:4]
        self.send(int(status), b"busy", [("Retry-After", retry_after)])

    def token(self, form):
        def fail(error):
            self.send(400, json.dumps({"error": error}).encode(),
                      [("Content-Type", "application/json")])

        def ok(body):
            self.send(200, json.dumps(body).encode(), [("Content-Type", "application/json")])

        if form.get("grant_type") == "authorization_code":
            verifier = form.get("code_verifier", "").encode()
            challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            with lock:
                expected = challenges.pop(form.get("code"), None)
            if expected is None or expected != challenge.decode():
                return fail("invalid_grant")
            return ok({"access_token": "a1", "refresh_token": "r1", "expires_in": 3600,
                       "token_type": "Bearer", "scope": "calendar"})
        if form.get("grant_type") == "refresh_token":
            token = form.get("refresh_token")
            if token in revoked or token not in ("r1", "r2"):
                return fail("invalid_grant")
            if token == "r1":
                return ok({"access_token": "a2", "refresh_token": "r2", "expires_in": 1800,
                           "token_type": "Bearer"})
            return ok({"access_token": "a3", "expires_in": 1800, "token_type": "Bearer"})
        if form.get("grant_type") == "urn:ietf:params:oauth:grant-type:device_code":
            code = form.get("device_code", "")
            if code == "dev-denied":
                return fail("access_denied")
            if code == "dev-declined":
                return fail("authorization_declined")
            if not code.startswith("dev-"):
                return fail("invalid_grant")
            polls = bump("poll" + code)
            if polls == 1:
                return fail("authorization_pending")
            if polls == 2:
                return fail("slow_down")
            return ok({"access_token": "a2", "refresh_token": "r2", "expires_in": 3600,
                       "token_type": "Bearer", "scope": "Calendars.Read offline_access"})
        return fail("unsupported_grant_type")

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = dict(urllib.parse.parse_qsl(url.query))
        if url.path == "/authorize":
            with lock:
                challenges["good-code"] = q.get("code_challenge", "")
            target = q["redirect_uri"] + "?" + urllib.parse.urlencode(
                {"code": "good-code", "state": q.get("state", "")})
            self.send(302, b"", [("Location", target)])
        elif url.path == "/ok":
            self.send(200, b"hello")
        elif url.path.startswith("/busy/"):
            self.busy(url.path)
        elif url.path == "/unanswered":
            self.do_any()
        elif url.path == "/api":
            bump("api")
            if self.headers.get("Authorization") in ("Bearer a2", "Bearer a3"):
                self.send(200, b"api ok")
            else:
                self.send(401, b'{"error": "invalid_token"}',
                          [("WWW-Authenticate", 'Bearer error="invalid_token"')])
        elif url.path == "/429":
            if bump("429" + q.get("key", "")) == 1:
                self.send(429, b"slow down", [("Retry-After", q.get("retry_after", "1"))])
            else:
                self.send(200, b"after 429")
        elif url.path == "/503burst":
            if bump("503" + q.get("key", "")) <= int(q.get("n", "3")):
                self.send(503, b"unavailable")
            else:
                self.send(200, b"after 503")
        elif url.path == "/reset":
            if bump("reset" + q.get("key", "")) <= int(q.get("n", "1000000")):
                self.send_response(200)
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b"x" * 100)
                self.wfile.flush()
                self.reset_connection()
            else:
                self.send(200, b"after reset")
        elif url.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            self.wfile.write(b"0123456789")
            self.wfile.flush()
            self.close_connection = True
        elif url.path == "/big":
            self.send(200, b"b" * int(q.get("bytes", "1000")))
        elif url.path == "/gzip":
            self.send(200, gzip.compress(b"compressed hello"), [("Content-Encoding", "gzip")])
        elif url.path == "/feed":
            with open(q["file"], "rb") as f:
                body = f.read()
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            bump("feed")
            bump("feed " + q["file"])
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send(200, body, [("Content-Type", "text/calendar"), ("ETag", etag),
                                  ("Last-Modified", "Mon, 05 Jan 2026 12:00:00 GMT")])
        elif url.path == "/counters":
            with lock:
                body = json.dumps(counters).encode()
            self.send(200, body, [("Content-Type", "application/json")])
        elif url.path == "/connection":
            with lock:
                accepted = counters["connections"]
            self.send(200, f"{self.connection_number} of {accepted}".encode())
        elif url.path == "/echo-headers":
            body = "".join(f"{k}: {v}\n" for k, v in self.headers.items()).encode()
            self.send(200, body)
        else:
            self.send(404, b"no such fault")


def main():
    server = fake_http.Server(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
