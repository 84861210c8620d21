"""What the web example promises about security, through Flask's test client (no browser
and no calendar service needed): CSRF on every form, the session cookie's flags, the
headers of every page, the OAuth callback bound to the browser that started it, the push
endpoint refusing what is not a genuine notification, the team feed's token, an access
log and configuration errors without secrets."""
import base64
import html
import logging
import os
import re
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from calsync_web import close_app, config, create_app, serving  # noqa: E402

HOST_KEY = base64.urlsafe_b64encode(bytes(range(100, 132))).decode().rstrip("=")
CLIENT_SECRET = "google-client-secret-never-shown"


def environment(state, **extra):
    return dict({
        "CALSYNC_WEB_BASE_URL": "https://garage.example",
        "CALSYNC_WEB_STATE": state,
        "CALSYNC_WEB_HOST_KEY": HOST_KEY,
        "CALSYNC_WEB_GOOGLE_CLIENT_ID": "web.apps.googleusercontent.com",
        "CALSYNC_WEB_GOOGLE_CLIENT_SECRET": CLIENT_SECRET,
        # Nothing listens there: nothing in these tests reaches it.
        "CALSYNC_WEB_GOOGLE_AUTHORIZATION_URL": "http://127.0.0.1:9/auth",
        "CALSYNC_WEB_GOOGLE_TOKEN_URL": "http://127.0.0.1:9/token",
        "CALSYNC_WEB_TICK_SECONDS": "600",
    }, **extra)


def csrf_token(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


class WebSecurity(unittest.TestCase):
    def setUp(self):
        directory = tempfile.TemporaryDirectory(prefix="calsync-web-security-")
        self.addCleanup(directory.cleanup)
        self.logs = []
        handler = logging.Handler()
        handler.emit = lambda record: self.logs.append(record.getMessage())
        logging.getLogger().addHandler(handler)
        self.addCleanup(logging.getLogger().removeHandler, handler)
        self.app = create_app(config.from_environment(
            environment(os.path.join(directory.name, "state.sqlite"))))
        self.addCleanup(close_app, self.app)
        self.browser = self.app.test_client()

    def test_every_form_needs_the_session_token(self):
        page = self.browser.get("/settings/external-calendar").data
        forms = re.findall(rb"<form method=\"post\"[^>]*>\s*<input type=\"hidden\" "
                           rb"name=\"csrf_token\"", page)
        self.assertEqual(len(forms), page.count(b'<form method="post"'))
        token = csrf_token(page)

        for path in ("/settings/external-calendar/team-feed/renew", "/oauth/google/start",
                     "/agenda/book", "/settings/external-calendar/caldav"):
            refused = self.browser.post(path, data={"url": "https://dav.example/"})
            self.assertEqual(refused.status_code, 400, path)
            self.assertIn("Le formulaire a expiré ou ne vient pas de ce site",
                          refused.get_data(as_text=True))
            forged = self.browser.post(path, data={"csrf_token": "x" + token[1:]})
            self.assertEqual(forged.status_code, 400, path)
        # Another browser (its own session) cannot use this one's token.
        stranger = self.app.test_client()
        stranger.get("/agenda")
        self.assertEqual(stranger.post("/settings/external-calendar/team-feed/renew",
                                       data={"csrf_token": token}).status_code, 400)
        accepted = self.browser.post("/settings/external-calendar/team-feed/renew",
                                     data={"csrf_token": token})
        self.assertEqual(accepted.status_code, 302)

    def test_session_cookie_and_headers(self):
        reply = self.browser.get("/settings/external-calendar")
        cookie = reply.headers["Set-Cookie"]
        self.assertTrue(cookie.startswith("garage_session="), cookie)
        for flag in ("HttpOnly", "SameSite=Lax", "Secure"):  # Secure: the base URL is https
            self.assertIn(flag, cookie)
        self.assertEqual(reply.headers["Referrer-Policy"], "no-referrer")
        self.assertEqual(reply.headers["X-Content-Type-Options"], "nosniff")
        self.assertIn("frame-ancestors 'none'", reply.headers["Content-Security-Policy"])
        self.assertNotIn("script", reply.get_data(as_text=True).lower())

    def test_oauth_callback_only_for_the_browser_that_started_it(self):
        token = csrf_token(self.browser.get("/settings/external-calendar/connect").data)
        start = self.browser.post("/oauth/google/start", data={"csrf_token": token})
        self.assertEqual(start.status_code, 302)
        location = start.headers["Location"]
        self.assertTrue(location.startswith("http://127.0.0.1:9/auth?"))
        self.assertIn("code_challenge_method=S256", location)
        self.assertIn("redirect_uri=https%3A%2F%2Fgarage.example%2Foauth%2Fgoogle%2Fcallback",
                      location)
        state = re.search(r"[?&]state=([^&]+)", location).group(1)

        # The same redirect in another browser (an attacker's link): refused, and the
        # code is never exchanged (the token endpoint is not even listening).
        stranger = self.app.test_client()
        answer = stranger.get(f"/oauth/google/callback?state={state}&code=c1",
                              follow_redirects=True)
        self.assertIn("Cette connexion n'a pas été demandée depuis ce navigateur",
                      html.unescape(answer.get_data(as_text=True)))
        self.assertEqual(self.app.extensions["calsync_web"].client.connections(), [])

    def test_push_endpoint_refuses_what_is_not_a_notification(self):
        self.assertEqual(self.browser.post("/push").status_code, 400)
        forged = self.browser.post("/push", headers={
            "X-Goog-Channel-ID": "chan-1", "X-Goog-Resource-ID": "r1",
            "X-Goog-Resource-State": "exists", "X-Goog-Channel-Token": "forged",
            "X-Goog-Message-Number": "2"})
        self.assertEqual(forged.status_code, 403)  # its token is not signed with the host key
        self.assertIn("push notification refused (not genuine)", self.logs)
        self.assertEqual(self.browser.post("/push", data=b"x" * (2 << 20)).status_code, 413)
        # Graph's handshake is answered with the token, as text.
        handshake = self.browser.post("/push?validationToken=Validation%3A%20abc")
        self.assertEqual((handshake.status_code, handshake.get_data(as_text=True)),
                         (200, "Validation: abc"))
        self.assertTrue(handshake.headers["Content-Type"].startswith("text/plain"))

    def test_team_feed_token(self):
        page = self.browser.get("/settings/external-calendar").get_data(as_text=True)
        url = re.search(r'id="team-feed-url" type="text" readonly value="([^"]+)"', page)[1]
        self.assertTrue(url.startswith("https://garage.example/team-feed/"))
        path = url[len("https://garage.example"):]
        token = path.rsplit("/", 1)[1][:-len(".ics")]
        self.assertGreaterEqual(len(token), 43)  # 32 random bytes
        feed = self.browser.get(path)
        self.assertEqual(feed.status_code, 200)
        self.assertTrue(feed.get_data(as_text=True).startswith("BEGIN:VCALENDAR"))
        self.assertEqual(self.browser.get("/team-feed/" + token[:-1] + ".ics").status_code, 404)
        renew = csrf_token(page.encode())
        self.browser.post("/settings/external-calendar/team-feed/renew",
                          data={"csrf_token": renew})
        self.assertEqual(self.browser.get(path).status_code, 404)  # the old link is dead
        self.assertEqual(serving.loggable_path(path), "/team-feed/…")
        self.assertEqual(serving.loggable_path("/oauth/google/callback?code=4/secret&state=s"),
                         "/oauth/google/callback")

    def test_no_secret_in_pages_or_logs(self):
        pages = [self.browser.get(p).get_data(as_text=True) for p in (
            "/agenda", "/settings/external-calendar", "/settings/external-calendar/connect",
            "/settings/external-calendar/icloud", "/settings/external-calendar/caldav",
            "/agenda/book", "/nowhere")]
        for text in pages + self.logs:
            for secret in (HOST_KEY, CLIENT_SECRET):
                self.assertNotIn(secret, text)

    def test_configuration_errors_name_the_setting_not_its_value(self):
        with tempfile.TemporaryDirectory() as directory:
            state = os.path.join(directory, "state.sqlite")
            cases = {
                "CALSYNC_WEB_HOST_KEY must hold at least 32 bytes":
                    {"CALSYNC_WEB_HOST_KEY": "c2hvcnQtc2VjcmV0"},
                "CALSYNC_WEB_BASE_URL is required": {"CALSYNC_WEB_BASE_URL": ""},
                "CALSYNC_WEB_PUSH_URL must be https":
                    {"CALSYNC_WEB_PUSH_URL": "http://hooks.garage.example"},
                "CALSYNC_WEB_TICK_SECONDS must be between": {"CALSYNC_WEB_TICK_SECONDS": "0"},
            }
            for message, change in cases.items():
                with self.assertRaises(config.ConfigError) as caught:
                    config.from_environment(environment(state, **change))
                self.assertIn(message, str(caught.exception))
                self.assertNotIn("c2hvcnQtc2VjcmV0", str(caught.exception))
            settings = config.from_environment(environment(state))
            self.assertNotIn(HOST_KEY, repr(settings))
            self.assertNotIn(CLIENT_SECRET, repr(settings))
            self.assertEqual(settings.push_url, "https://garage.example")  # https base: push


if __name__ == "__main__":
    unittest.main()
