"""calsync.OAuth against the local authorization, token, revocation and device endpoints
of tests/fakes/fault_server.py: the code flow with PKCE, refresh and revoke, the device
flow through pending and slow_down, and secrets kept out of reprs and messages."""
import http.client
import unittest
import urllib.parse
from unittest import mock

import calsync
from fault_fake import FaultServer

HOST_KEY = b"0123456789abcdef0123456789abcdef"
CLIENT_SECRET = "very-secret-client"


def oauth(fake, kind, secret=CLIENT_SECRET, **extra):
    """Google's client is a confidential one; pass secret=None for a public client (the
    device flow Microsoft keeps to public clients wants one)."""
    if secret:
        extra["client_secret"] = secret
    return calsync.OAuth(
        kind, "client-1", HOST_KEY,
        redirect_uri="http://127.0.0.1:1/cb", authorization_url=fake.url("/authorize"),
        token_url=fake.url("/token"), revocation_url=fake.url("/revoke"),
        device_authorization_url=fake.url("/devicecode"),
        network={"allow_private_addresses": True}, **extra)


def follow(url):
    """Plays the browser: opens the authorization URL, returns the redirect's query."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("GET", f"{parts.path}?{parts.query}")
        response = connection.getresponse()
        location = response.getheader("Location")
    finally:
        connection.close()
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))


class CodeFlowTest(unittest.TestCase):
    def test_sign_in_refresh_and_revoke(self):
        with FaultServer() as fake, oauth(fake, "google", exports=False) as o:
            start = o.begin("garage-7/google")
            self.assertIn("code_challenge_method=S256", start.url)
            self.assertIn("calendar.events.readonly", start.url)
            self.assertNotIn(start.code_verifier, repr(start))
            redirect = follow(start.url)
            self.assertEqual(redirect["state"], start.state)

            done = o.complete(redirect["state"], redirect["code"], start.code_verifier)
            self.assertEqual(done.connection_id, "garage-7/google")
            self.assertEqual((done.tokens.access_token, done.tokens.refresh_token), ("a1", "r1"))
            self.assertIsNotNone(done.tokens.expires_at)
            for secret in ("a1", "r1"):
                self.assertNotIn(f"'{secret}'", repr(done))

            # The same redirect again is refused: a state is spent once.
            with self.assertRaises(calsync.AuthError) as caught:
                o.complete(redirect["state"], redirect["code"], start.code_verifier)
            self.assertIn("already used", caught.exception.message)

            refreshed = o.refresh(done.tokens)
            self.assertEqual(refreshed.refresh_token, "r2")  # rotated
            o.revoke("r2")
            with self.assertRaises(calsync.AuthError) as caught:
                o.refresh(refreshed)
            self.assertEqual(caught.exception.code, calsync.StatusCode.EAUTH)
            self.assertNotIn("r2", caught.exception.message)
            self.assertNotIn(CLIENT_SECRET, caught.exception.message)

    def test_closed_handle(self):
        with FaultServer() as fake:
            o = oauth(fake, "google")
            o.close()
            with self.assertRaisesRegex(ValueError, "calsync.OAuth is closed"):
                o.begin("c1")

    def test_bad_configuration_names_the_field(self):
        with self.assertRaises(calsync.InvalidArgumentError) as caught:
            calsync.OAuth("google", "client-1", b"too short")
        self.assertIn("host_key", caught.exception.message)


class DeviceFlowTest(unittest.TestCase):
    def test_pending_then_slowed_down_then_approved(self):
        with FaultServer() as fake, oauth(fake, "microsoft", secret=None) as o:
            device = o.device_begin()
            self.assertTrue(device.user_code.startswith("WDJB-MJH"))
            self.assertEqual(device.interval_seconds, 1)
            self.assertNotIn(device.device_code, repr(device))
            with self.assertRaises(calsync.PendingError) as caught:
                o.device_poll(device.device_code)
            self.assertEqual(caught.exception.code, calsync.StatusCode.EPENDING)

            # device_wait sleeps what the server asks: 1 s, then 6 after slow_down.
            with mock.patch("calsync.oauth.time.sleep") as sleep:
                tokens = o.device_wait(device)
            self.assertEqual([c.args[0] for c in sleep.call_args_list], [6])
            self.assertEqual(tokens.access_token, "a2")
            # A code is spent once it turned into tokens.
            with self.assertRaises(calsync.InvalidArgumentError):
                o.device_poll(device.device_code)

    def test_a_client_secret_is_refused_before_anything_is_sent(self):
        with FaultServer() as fake, oauth(fake, "microsoft") as o:
            with self.assertRaises(calsync.InvalidArgumentError) as caught:
                o.device_begin()
            self.assertIn("public clients", caught.exception.message)
            self.assertNotIn(CLIENT_SECRET, caught.exception.message)

    def test_wait_gives_up_at_its_timeout(self):
        with FaultServer() as fake, oauth(fake, "microsoft", secret=None) as o:
            device = o.device_begin()
            with mock.patch("calsync.oauth.time.sleep") as sleep:
                with self.assertRaises(calsync.PendingError):
                    o.device_wait(device, timeout=0.5)
            sleep.assert_not_called()


if __name__ == "__main__":
    unittest.main()
