"""Google's OAuth 2.0 endpoints as the fake serves them: the authorization endpoint
(the consent screen answers at once: "Allow" unless a test set the person to decline or
to untick scopes), the token endpoint (authorization_code, refresh_token) and the
revocation endpoint.

The rules of "OAuth 2.0 for Mobile & Desktop Apps" and RFC 6749/7636, strictly:
- PKCE is required, with S256 only (a missing challenge or "plain" is invalid_request);
- the redirect URI is a loopback one (http://127.0.0.1:<port>, http://[::1]:<port> or
  http://localhost:<port>, any path) or one registered for the client, else
  redirect_uri_mismatch; the code exchange must name the same one;
- the person may decline (error=access_denied on the redirect) or, on the granular
  consent screen, untick scopes: the code, its tokens and the token answer's "scope" then
  carry only the scopes granted;
- a code expires (code_lifetime, 600 s unless a test sets it) and is used once: a second
  exchange is invalid_grant and revokes every token the first one issued (RFC 6749
  4.1.2);
- revoking a refresh token revokes its access tokens, and revoking an access token
  revokes the refresh token it came from ("If the token is an access token and it has a
  corresponding refresh token, the refresh token will also be revoked").

Accounts: a token is issued to one Google account, the person who consented. The
authorization request's login_hint names that account (Google preselects the account the
hint names; here it is the account), else the default one (calendar_store.DEFAULT_ACCOUNT);
the code, the tokens it gives and their refreshes all stay that account's.

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

from calendar_store import DEFAULT_ACCOUNT

ACCESS_TOKEN_LIFETIME = 3599
CODE_LIFETIME = 600
LOOPBACK_HOSTS = ("127.0.0.1", "[::1]", "localhost")


class OAuthState:
    def __init__(self):
        self.clients = {"test-client.apps.googleusercontent.com": "test-client-secret"}
        self.redirect_uris = {}    # client id -> redirect URIs registered besides loopback
        self.codes = {}            # code -> request details, "used" and the tokens it issued
        self.code_lifetime = CODE_LIFETIME
        self.consent = {}          # {"deny": true} or {"untick": [scope, ...]}
        # token -> {"client_id", "scope", "expires_at", "refresh", "account"}
        self.access_tokens = {}
        self.refresh_tokens = {}   # token -> {"client_id", "scope", "account"}
        self.authorizations = []   # every authorization request's parameters, for tests
        self.issued = []           # every token issued, for tests that look for leaks
        self.revoked = []          # every token revoked at /revoke
        self.token_requests = 0
        self._serial = itertools.count(1)

    def add_client(self, client_id, secret, redirect_uris=()):
        self.clients[client_id] = secret
        self.redirect_uris[client_id] = list(redirect_uris)

    def redirect_allowed(self, client_id, uri):
        parts = urllib.parse.urlsplit(uri)
        host = parts.netloc.rsplit(":", 1)[0] if ":" in parts.netloc else parts.netloc
        if parts.scheme == "http" and host in LOOPBACK_HOSTS and not parts.fragment:
            return True
        return uri in self.redirect_uris.get(client_id, [])

    # -- issuing -----------------------------------------------------------------
    def grant(self, client_id, scope, expires_in=ACCESS_TOKEN_LIFETIME,
              account=DEFAULT_ACCOUNT):
        n = next(self._serial)
        refresh = "1//fake-refresh-%d" % n
        self.refresh_tokens[refresh] = {"client_id": client_id, "scope": scope,
                                        "account": account}
        self.issued.append(refresh)
        return self._access(client_id, scope, refresh, expires_in, account), refresh

    def _access(self, client_id, scope, refresh, expires_in=ACCESS_TOKEN_LIFETIME,
                account=DEFAULT_ACCOUNT):
        token = "ya29.fake-access-%d" % next(self._serial)
        self.issued.append(token)
        self.access_tokens[token] = {"client_id": client_id, "scope": scope, "refresh": refresh,
                                     "expires_at": time.time() + expires_in, "account": account}
        return token

    def drop_access_tokens(self):
        """As when Google stops taking access tokens early: the next call gets 401."""
        self.access_tokens.clear()

    def scope_of(self, bearer):
        entry = self.access_tokens.get(bearer)
        if entry is None or entry["expires_at"] < time.time():
            return None
        return entry["scope"].split()

    def account_of(self, bearer):
        """The account a valid access token was issued to (check scope_of first)."""
        return self.access_tokens[bearer]["account"]

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
        if not self.redirect_allowed(client_id, redirect_uri):
            return 400, [], b"Error 400: redirect_uri_mismatch"
        if query.get("response_type") != "code" or not query.get("scope"):
            return 400, [], b"Error 400: invalid_request"
        if not query.get("code_challenge"):
            return 400, [], b"Error 400: invalid_request (Missing code_challenge)"
        if query.get("code_challenge_method") != "S256":
            return 400, [], b"Error 400: invalid_request (Invalid code_challenge_method)"
        back = {"state": query["state"]} if "state" in query else {}
        if self.consent.get("deny"):
            back["error"] = "access_denied"
        else:
            unticked = set(self.consent.get("untick", []))
            granted = " ".join(s for s in query["scope"].split() if s not in unticked)
            code = "4/fake-code-%d" % next(self._serial)
            self.codes[code] = {"client_id": client_id, "redirect_uri": redirect_uri,
                                "scope": granted, "challenge": query["code_challenge"],
                                "offline": query.get("access_type") == "offline",
                                "account": query.get("login_hint") or DEFAULT_ACCOUNT,
                                "expires_at": time.time() + self.code_lifetime,
                                "used": False, "issued": []}
            back.update(code=code, scope=granted)
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
            access = self._access(client_id, entry["scope"], form["refresh_token"],
                                  account=entry["account"])
            return 200, {"access_token": access, "expires_in": ACCESS_TOKEN_LIFETIME,
                         "scope": entry["scope"], "token_type": "Bearer"}
        return 400, {"error": "unsupported_grant_type",
                     "error_description": "Invalid grant_type: %s" % grant}

    def _exchange(self, form, client_id):
        request = self.codes.get(form.get("code", ""))
        bad = {"error": "invalid_grant", "error_description": "Bad Request"}
        if request is None or request["client_id"] != client_id:
            return 400, bad
        if request["used"]:
            # "If an authorization code is used more than once, the authorization server
            # MUST deny the request and SHOULD revoke ... all tokens previously issued
            # based on that authorization code." (RFC 6749 4.1.2)
            for token in request["issued"]:
                self._revoke_one(token)
            return 400, bad
        request["used"] = True
        if time.time() >= request["expires_at"]:
            return 400, bad
        if request["redirect_uri"] != form.get("redirect_uri"):
            return 400, {"error": "redirect_uri_mismatch", "error_description": "Bad Request"}
        verifier = form.get("code_verifier", "")
        digest = hashlib.sha256(verifier.encode()).digest()
        if not verifier or base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != \
                request["challenge"]:
            return 400, bad
        refresh = None
        if request["offline"]:
            access, refresh = self.grant(client_id, request["scope"],
                                         account=request["account"])
            request["issued"] += [access, refresh]
        else:
            access = self._access(client_id, request["scope"], None,
                                  account=request["account"])
            request["issued"].append(access)
        body = {"access_token": access, "expires_in": ACCESS_TOKEN_LIFETIME,
                "scope": request["scope"], "token_type": "Bearer"}
        if refresh is not None:
            body["refresh_token"] = refresh
        return 200, body

    def _revoke_one(self, token):
        """Revokes `token` with what belongs to it: a refresh token's access tokens, an
        access token's refresh token (and so that one's other access tokens)."""
        entry = self.access_tokens.pop(token, None)
        if entry is not None and entry["refresh"] is not None:
            token = entry["refresh"]
        if self.refresh_tokens.pop(token, None) is not None:
            for access in [a for a, e in self.access_tokens.items() if e["refresh"] == token]:
                del self.access_tokens[access]
            return True
        return entry is not None

    def revoke(self, token):
        """POST /revoke (RFC 7009 as Google does it)."""
        if self._revoke_one(token):
            self.revoked.append(token)
            return 200, {}
        return 400, {"error": "invalid_token", "error_description": "Token expired or revoked"}
