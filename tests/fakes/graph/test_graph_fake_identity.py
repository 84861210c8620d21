"""The fake identity platform's strict rules, each against the document it follows: client
types and client authentication (identity platform "Public and confidential client apps",
the AADSTS700025 / AADSTS7000218 / AADSTS7000215 answers), refresh-token rotation
(refresh-tokens.md: "refresh tokens replace themselves with a fresh token upon every
use"; strictly, the old one stops working), and the device grant (v2-oauth2-device-code.md,
RFC 8628 3.4-3.5). Run: python3 -m unittest test_graph_fake_identity"""
import json
import unittest

from test_graph_fake import Fake

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class IdentityRulesTest(unittest.TestCase):
    def setUp(self):
        self.fake = Fake()

    def tearDown(self):
        self.fake.stop()

    def token(self, form, tenant="common"):
        status, _, data = self.fake.raw("POST", f"/{tenant}/oauth2/v2.0/token", form=form)
        return status, json.loads(data)

    def refresh_form(self, token, **extra):
        return dict({"grant_type": "refresh_token", "client_id": "public-app",
                     "refresh_token": token}, **extra)

    def device_code(self, tenant="consumers", client="public-app"):
        status, _, data = self.fake.raw("POST", f"/{tenant}/oauth2/v2.0/devicecode",
                                        form={"client_id": client,
                                              "scope": "Calendars.Read offline_access"})
        self.assertEqual(status, 200)
        return json.loads(data)["device_code"]

    def assert_invalid_client(self, answer, code):
        status, body = answer
        self.assertEqual((status, body["error"], body["error_codes"]),
                         (401, "invalid_client", [code]))
        self.assertTrue(body["error_description"].startswith(f"AADSTS{code}:"))

    def test_a_public_client_refuses_a_secret_on_every_grant(self):
        refresh = self.fake.token["refresh_token"]
        self.assert_invalid_client(self.token(self.refresh_form(refresh, client_secret="s")),
                                   700025)
        device = {"grant_type": DEVICE_GRANT, "client_id": "public-app",
                  "device_code": self.device_code(), "client_secret": "s"}
        self.assert_invalid_client(self.token(device, "consumers"), 700025)
        # Refused before the grant is looked at: the refresh token still works without it.
        status, body = self.token(self.refresh_form(refresh))
        self.assertEqual(status, 200, body)

    def test_a_confidential_client_needs_its_secret_on_every_grant(self):
        self.fake.control("client", {"client_id": "web-app", "client_secret": "right"})
        refresh = self.fake.token["refresh_token"]
        form = self.refresh_form(refresh, client_id="web-app")
        self.assert_invalid_client(self.token(form), 7000218)
        self.assert_invalid_client(self.token(dict(form, client_secret="wrong")), 7000215)
        # The device grant too: this is what a confidential app meets when a client leaves
        # the secret off the device-code redemption.
        device = {"grant_type": DEVICE_GRANT, "client_id": "web-app",
                  "device_code": self.device_code(client="web-app")}
        self.assert_invalid_client(self.token(device, "consumers"), 7000218)
        status, body = self.token(dict(form, client_secret="right"))
        self.assertEqual(status, 200, body)

    def test_refresh_token_rotation_is_strict(self):
        first = self.fake.token["refresh_token"]
        status, rotated = self.token(self.refresh_form(first))
        self.assertEqual(status, 200)
        self.assertNotEqual(rotated["refresh_token"], first)
        status, body = self.token(self.refresh_form(first))
        self.assertEqual((status, body["error"]), (400, "invalid_grant"))
        self.assertEqual(self.fake.control("tokens")["refresh"], [rotated["refresh_token"]])
        status, body = self.token(self.refresh_form(rotated["refresh_token"]))
        self.assertEqual(status, 200, body)

    def test_a_device_code_is_redeemed_by_its_client_at_its_tenant_only(self):
        code = self.device_code(tenant="consumers", client="public-app")
        poll = {"grant_type": DEVICE_GRANT, "client_id": "public-app", "device_code": code}
        for tenant, client in (("consumers", "another-app"), ("organizations", "public-app"),
                               ("common", "public-app")):
            status, body = self.token(dict(poll, client_id=client), tenant)
            self.assertEqual((status, body["error"]), (400, "bad_verification_code"),
                             (tenant, client))
        status, body = self.token(poll, "consumers")
        self.assertEqual((status, body["error"]), (400, "authorization_pending"))

    def test_slow_down_adds_five_seconds_to_the_interval(self):
        self.fake.control("config", {"device_interval": 1})
        code = self.device_code()
        poll = {"grant_type": DEVICE_GRANT, "client_id": "public-app", "device_code": code}
        self.assertEqual(self.token(poll, "consumers")[1]["error"], "authorization_pending")
        self.assertEqual(self.token(poll, "consumers")[1]["error"], "slow_down")
        self.assertEqual(self.fake.control("device", {"device_code": code})["interval"], 6)
        # RFC 8628 3.5: "for this and all subsequent requests"; polling on at the old pace
        # slows it down further.
        self.assertEqual(self.token(poll, "consumers")[1]["error"], "slow_down")
        self.assertEqual(self.fake.control("device", {"device_code": code})["interval"], 11)


if __name__ == "__main__":
    unittest.main()
