"""Google's OAuth 2.0 endpoints as the fake serves them: the authorization endpoint
(consent is given at once, as if the person clicked "Allow"), the token endpoint
(authorization_code with PKCE, refresh_token) and the revocation endpoint.

Google's token answers: {"access_token", "expires_in", "refresh_token" (code exchange
only, with access_type=offline), "scope", "token_type": "Bearer"}; failures are
{"error": "invalid_grant" | "invalid_client" | "invalid_request" | "unsupported_grant_type",
"error_description": ...}. Refresh tokens are not rotated (Google keeps them until revoked).
"""
import base64
import hashlib
import itertools
import time
import urllib.parse

ACCESS_TOKEN_LIFETIME = 3599


class OAuthState:
    def __init__(self):
        self.clients = {"test-client.apps.googleusercontent.com": "test-client-secret"}
        self.codes = {}            # code -> request details
        self.access_tokens = {}    # token -> {"client_id", "scope", "expires_at", "refresh"}
        self.refresh_tokens = {}   # token -> {"client_id", "scope"}
        self.authorizations = []   # every authorization request's parameters, for tests
        self.issued = []           # every token issued, for tests that look for leaks
        self.revoked = []          # every token revoked at /revoke
        self.token_requests = 0
        self._serial = itertools.count(1)

    # -- issuing -----------------------------------------------------------------
    def grant(self, client_id, scope, expires_in=ACCESS_TOKEN_LIFETIME):
        n = next(self._serial)
        refresh = "1//fake-refresh-%d" % n
        self.refresh_tokens[refresh] = {"client_id": client_id, "scope": scope}
        self.issued.append(refresh)
        return self._access(client_id, scope, refresh, expires_in), refresh

    def _access(self, client_id, scope, refresh, expires_in=ACCESS_TOKEN_LIFETIME):
        token = "ya29.fake-access-%d" % next(self._serial)
        self.issued.append(token)
        self.access_tokens[token] = {"client_id": client_id, "scope": scope, "refresh": refresh,
                                     "expires_at": time.time() + expires_in}
        return token

    def drop_access_tokens(self):
        """As when Google stops taking access tokens early: the next call gets 401."""
        self.access_tokens.clear()

    def scope_of(self, bearer):
        entry = self.access_tokens.get(bearer)
        if entry is None or entry["expires_at"] < time.time():
            return None
        return entry["scope"].split()

    # -- endpoints ---------------------------------------------------------------
    def authorize(self, query):
        """GET /o/oauth2/v2/auth: (status, headers, body)."""
        self.authorizations.append(dict(query))
        client_id = query.get("client_id", "")
        redirect_uri = query.get("redirect_uri", "")
        if client_id not in self.clients:
            return 401, [], b"Error 401: invalid_client (The OAuth client was not found.)"
        if not redirect_uri:
            return 400, [], b"Error 400: invalid_request (Missing required parameter: redirect_uri)"
        if query.get("response_type") != "code" or not query.get("scope"):
            return 400, [], b"Error 400: invalid_request"
        method = query.get("code_challenge_method", "plain")
        if "code_challenge" in query and method not in ("plain", "S256"):
            return 400, [], b"Error 400: invalid_request (Invalid code_challenge_method)"
        code = "4/fake-code-%d" % next(self._serial)
        self.codes[code] = {"client_id": client_id, "redirect_uri": redirect_uri,
                            "scope": query["scope"], "challenge": query.get("code_challenge"),
                            "method": method, "offline": query.get("access_type") == "offline"}
        back = {"code": code, "scope": query["scope"]}
        if "state" in query:
            back["state"] = query["state"]
        joiner = "&" if "?" in redirect_uri else "?"
        return 302, [("Location", redirect_uri + joiner + urllib.parse.urlencode(back))], b""

    def token(self, form):
        """POST /token: (status, json body)."""
        self.token_requests += 1
        client_id = form.get("client_id", "")
        if client_id not in self.clients or self.clients[client_id] != form.get("client_secret",
                                                                                  ""):
            return 401, {"error": "invalid_client", "error_description": "Unauthorized"}
        grant = form.get("grant_type")
        if grant == "authorization_code":
            return self._exchange(form, client_id)
        if grant == "refresh_token":
            entry = self.refresh_tokens.get(form.get("refresh_token", ""))
            if entry is None or entry["client_id"] != client_id:
                return 400, {"error": "invalid_grant",
                             "error_description": "Token has been expired or revoked."}
            access = self._access(client_id, entry["scope"], form["refresh_token"])
            return 200, {"access_token": access, "expires_in": ACCESS_TOKEN_LIFETIME,
                         "scope": entry["scope"], "token_type": "Bearer"}
        return 400, {"error": "unsupported_grant_type",
                     "error_description": "Invalid grant_type: %s" % grant}

    def _exchange(self, form, client_id):
        request = self.codes.pop(form.get("code", ""), None)  # a code is used once
        bad = {"error": "invalid_grant", "error_description": "Bad Request"}
        if request is None or request["client_id"] != client_id:
            return 400, bad
        if request["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}
        if request["challenge"] is not None:
            verifier = form.get("code_verifier", "")
            if request["method"] == "S256":
                digest = hashlib.sha256(verifier.encode()).digest()
                expected = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            else:
                expected = verifier
            if not verifier or expected != request["challenge"]:
                return 400, bad
        refresh = None
        if request["offline"]:
            access, refresh = self.grant(client_id, request["scope"])
        else:
            access = self._access(client_id, request["scope"], None)
        body = {"access_token": access, "expires_in": ACCESS_TOKEN_LIFETIME,
                "scope": request["scope"], "token_type": "Bearer"}
        if refresh is not None:
            body["refresh_token"] = refresh
        return 200, body

    def revoke(self, token):
        """POST /revoke (RFC 7009 as Google does it): a refresh token takes its access
        tokens with it."""
        if token in self.refresh_tokens:
            self.revoked.append(token)
            del self.refresh_tokens[token]
            for access in [a for a, e in self.access_tokens.items() if e["refresh"] == token]:
                del self.access_tokens[access]
            return 200, {}
        if token in self.access_tokens:
            self.revoked.append(token)
            del self.access_tokens[token]
            return 200, {}
        return 400, {"error": "invalid_token", "error_description": "Token expired or revoked"}
