"""The Microsoft identity platform v2.0 endpoints a Graph client uses, under
/{tenant}/oauth2/v2.0/ (tenant: common, organizations, consumers or a tenant id):

  GET  authorize    auth code + PKCE (S256 only): redirects to redirect_uri with code, state
  POST token        authorization_code (verifier checked), refresh_token (rotated on every
                    use, strictly: the token just redeemed stops working), and
                    urn:ietf:params:oauth:grant-type:device_code (RFC 8628)
  POST devicecode   device_code, user_code, verification_uri, expires_in, interval, message

Client authentication on every token request (identity platform "client types": a public
client holds no credential, a confidential one proves itself on every token request):
a client registered with a secret is confidential and must send it (401 invalid_client,
AADSTS7000218 without it, AADSTS7000215 with a wrong one); any other client is public and
must send none (401 invalid_client, AADSTS700025 "Client is public so neither
'client_assertion' nor 'client_secret' should be presented.").

Users: a token is issued to one user (one mailbox, graph_fake.py). The authorize request's
login_hint names the user (the identity platform pre-fills the sign-in with it; here it is
the user), else DEFAULT_USER; the code, its tokens and every refresh stay that user's.

Token errors use the v2.0 body {"error", "error_description", "error_codes", "timestamp",
"trace_id", "correlation_id"}. Device polling answers authorization_pending until the code
is approved through the control API, slow_down when polled faster than `interval` (which
then grows by 5 seconds, RFC 8628 3.5), expired_token after expires_in,
authorization_declined when declined, bad_verification_code when the poll names another
client or tenant than the code was issued to; a script of answers can be queued to force
any order.
"""
import base64
import hashlib
import secrets
import time

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
TENANTS = ("common", "organizations", "consumers")
DEFAULT_USER = "owner@garage.example"


class TokenError(Exception):
    def __init__(self, error, description, code=0, status=400):
        super().__init__(description)
        self.error, self.description, self.code, self.status = error, description, code, status

    def body(self):
        return {"error": self.error, "error_description": f"AADSTS{self.code}: {self.description}",
                "error_codes": [self.code], "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ"),
                "trace_id": "00000000-0000-0000-0000-000000000000",
                "correlation_id": "00000000-0000-0000-0000-000000000000"}


def granted_scope(requested):
    """Graph scopes as the token endpoint names them; offline_access is not echoed."""
    scopes = [s for s in requested.split() if s and s != "offline_access"]
    return " ".join(s if "://" in s or s in ("openid", "profile", "email")
                    else "https://graph.microsoft.com/" + s for s in scopes)


class Identity:
    def __init__(self, config):
        self.config = config
        self.clients = {}  # client id -> secret, for confidential clients
        self.access = {}   # access token -> (expires at, scope, user)
        self.refresh = {}  # refresh token -> (scope, user) (until redeemed or revoked)
        # authorization code -> (challenge, redirect_uri, scope, client_id, user)
        self.codes = {}
        self.devices = {}  # device_code -> state dict
        self.script = []   # forced device-poll answers, in order
        self.tenants = []  # tenants seen, for tests
        self.issued = []   # every token issued, for tests that look for leaks

    # --- tokens ---------------------------------------------------------------------------

    def issue(self, scope, with_refresh=True, user=DEFAULT_USER):
        access = "at-" + secrets.token_urlsafe(16)
        lifetime = int(self.config.get("access_lifetime", 3600))
        self.access[access] = (time.time() + lifetime, scope, user)
        self.issued.append(access)
        body = {"token_type": "Bearer", "scope": granted_scope(scope), "expires_in": lifetime,
                "ext_expires_in": lifetime, "access_token": access}
        if with_refresh and "offline_access" in scope.split():
            refresh = "rt-" + secrets.token_urlsafe(24)
            self.refresh[refresh] = (scope, user)
            self.issued.append(refresh)
            body["refresh_token"] = refresh
        return body

    def scope_of(self, authorization):
        """The scope of a valid bearer token, or None."""
        held = self._held(authorization)
        return held[1] if held else None

    def user_of(self, authorization):
        """The user a valid bearer token was issued to, or None."""
        held = self._held(authorization)
        return held[2] if held else None

    def _held(self, authorization):
        if not authorization or not authorization.startswith("Bearer "):
            return None
        held = self.access.get(authorization[len("Bearer "):])
        if held is None or held[0] < time.time():
            return None
        return held

    def expire_access_tokens(self):
        self.access.clear()

    def register_client(self, client_id, secret=None):
        """A confidential client when `secret` is given; clients never registered are
        public."""
        if secret:
            self.clients[client_id] = secret
        else:
            self.clients.pop(client_id, None)

    def authenticate(self, form):
        """The client's authentication on a token request, by its type."""
        client_id = form.get("client_id", "")
        if not client_id:
            raise TokenError("invalid_request", "The request body must contain the following "
                                                "parameter: 'client_id'.", 900144)
        presented = form.get("client_secret") or form.get("client_assertion")
        if client_id not in self.clients:
            if presented:
                raise TokenError("invalid_client", "Client is public so neither "
                                                   "'client_assertion' nor 'client_secret' "
                                                   "should be presented.", 700025, 401)
            return
        if not presented:
            raise TokenError("invalid_client", "The request body must contain the following "
                                               "parameter: 'client_assertion' or "
                                               "'client_secret'.", 7000218, 401)
        if form.get("client_secret") != self.clients[client_id]:
            raise TokenError("invalid_client", "Invalid client secret provided. Ensure the "
                                               "secret being sent in the request is the client "
                                               f"secret value for app '{client_id}'.",
                             7000215, 401)

    def revoke_refresh_tokens(self, keep_latest=False):
        """Revokes every refresh token, or all but the one issued last."""
        latest = list(self.refresh.items())[-1:] if keep_latest else []
        self.refresh = dict(latest)

    # --- endpoints ------------------------------------------------------------------------

    def authorize(self, tenant, q):
        self.tenants.append(tenant)
        redirect = q.get("redirect_uri", "")
        joiner = "&" if "?" in redirect else "?"
        if q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return f"{redirect}{joiner}error=invalid_request&state={q.get('state', '')}"
        code = "code-" + secrets.token_urlsafe(12)
        self.codes[code] = (q["code_challenge"], redirect, q.get("scope", ""), q.get("client_id"),
                            q.get("login_hint") or DEFAULT_USER)
        return f"{redirect}{joiner}code={code}&state={q.get('state', '')}"

    def token(self, tenant, form):
        self.tenants.append(tenant)
        grant = form.get("grant_type")
        if grant in ("authorization_code", "refresh_token", DEVICE_GRANT):
            self.authenticate(form)
        if grant == "authorization_code":
            held = self.codes.pop(form.get("code", ""), None)
            if held is None:
                raise TokenError("invalid_grant", "The provided authorization code is invalid or "
                                                  "has expired.", 70008)
            challenge, redirect, scope, client_id, user = held
            verifier = form.get("code_verifier", "").encode()
            expected = base64.urlsafe_b64encode(hashlib.sha256(verifier).digest()).rstrip(b"=")
            if expected.decode() != challenge:
                raise TokenError("invalid_grant", "The code_verifier does not match the "
                                                  "code_challenge.", 501481)
            if form.get("redirect_uri") != redirect or form.get("client_id") != client_id:
                raise TokenError("invalid_grant", "The redirect URI or client does not match.",
                                 50148)
            return self.issue(scope, user=user)
        if grant == "refresh_token":
            # Strict rotation: the token redeemed is spent, its successor replaces it.
            held = self.refresh.pop(form.get("refresh_token", ""), None)
            if held is None:
                raise TokenError("invalid_grant", "The refresh token has expired or was revoked.",
                                 700082)
            return self.issue(held[0], user=held[1])
        if grant == DEVICE_GRANT:
            return self.poll(tenant, form)
        raise TokenError("unsupported_grant_type", f"The grant type '{grant}' is not supported.",
                         70003)

    def device_code(self, tenant, form, verification_uri):
        self.tenants.append(tenant)
        if not form.get("client_id"):
            raise TokenError("invalid_request", "The request body must contain client_id.", 900144)
        user_code = secrets.choice("BCDFGHJKLMNPQRSTVWXZ") + "".join(
            secrets.choice("BCDFGHJKLMNPQRSTVWXZ23456789") for _ in range(7))
        device = "dc-" + secrets.token_urlsafe(24)
        interval = int(self.config.get("device_interval", 5))
        expires_in = int(self.config.get("device_expires_in", 900))
        self.devices[device] = {"user_code": user_code, "scope": form.get("scope", ""),
                                "expires": time.time() + expires_in, "interval": interval,
                                "last_poll": 0.0, "approved": False, "declined": False,
                                "used": False, "client_id": form["client_id"],
                                "tenant": tenant}
        return {"user_code": user_code, "device_code": device, "verification_uri": verification_uri,
                "expires_in": expires_in, "interval": interval,
                "message": f"To sign in, use a web browser to open the page {verification_uri} "
                           f"and enter the code {user_code} to authenticate."}

    def approve(self, user_code, decline=False):
        for state in self.devices.values():
            if state["user_code"] == user_code:
                state["declined" if decline else "approved"] = True
                return True
        return False

    def device_interval(self, device_code):
        """The interval a device code is polled at now (it grows on slow_down)."""
        state = self.devices.get(device_code)
        return state["interval"] if state else None

    def poll(self, tenant, form):
        state = self.devices.get(form.get("device_code", ""))
        # A code is bound to the client and the tenant it was issued to.
        if state is None or state["used"] or state["client_id"] != form.get("client_id") or \
                state["tenant"] != tenant:
            raise TokenError("bad_verification_code", "The device_code is not recognised.", 70019)
        if self.script:
            forced = self.script.pop(0)
            if forced == "slow_down":
                state["interval"] += 5
            if forced != "success":
                raise TokenError(forced, f"Device flow: {forced}.", 70016)
        else:
            now = time.time()
            too_soon = now - state["last_poll"] < state["interval"]
            state["last_poll"] = now
            if now > state["expires"]:
                raise TokenError("expired_token", "The device code has expired.", 70020)
            if state["declined"]:
                raise TokenError("authorization_declined", "The user declined.", 70000)
            if too_soon:
                # RFC 8628 3.5: "the interval MUST be increased by 5 seconds for this and
                # all subsequent requests".
                state["interval"] += 5
                raise TokenError("slow_down", "Polled faster than the interval.", 70016)
            if not state["approved"]:
                raise TokenError("authorization_pending", "The user has not yet finished "
                                                          "authenticating.", 70016)
        state["used"] = True
        return self.issue(state["scope"])
