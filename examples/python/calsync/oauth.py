"""Google and Microsoft sign-in without a Client (calsync_oauth_*): the code flow with
PKCE for hosts with a browser redirect, the device flow (RFC 8628) for command lines,
refresh and revocation. The tokens it hands out go to Client.connect(kind, tokens=...).

An OAuth handle is used by one thread at a time, and the begin and complete of one
sign-in go through the same handle (it remembers the states it issued).
"""
from __future__ import annotations

import base64
import re
import time
from typing import Any, Optional, Union

from . import _native
from .errors import PendingError
from .results import DeviceAuthorization, OAuthResult, OAuthStart, Tokens


def _tokens_json(tokens: Union[Tokens, dict]) -> bytes:
    return _native.document(tokens.to_json() if isinstance(tokens, Tokens) else tokens)


class OAuth(_native.HandleOwner):
    """An OAuth client for kind "google" or "microsoft".

    host_key: at least 32 secret bytes the host keeps; signs the state parameter.
    The other keywords are the OAUTH_CLIENT members of calsync_oauth_new (client_id,
    client_secret, redirect_uri, exports, scopes, tenant, authority_url,
    authorization_url, token_url, revocation_url, device_authorization_url, network).
    """

    def __init__(self, kind: str, client_id: str, host_key: bytes, **settings: Any):
        config = {"kind": kind, "client_id": client_id,
                  "host_key": base64.urlsafe_b64encode(bytes(host_key)).rstrip(b"=").decode(),
                  **settings}
        ptr = _native.call_for_handle("calsync_oauth_new", _native.document(config))
        self._own(_native.Handle(ptr, "calsync_oauth_free", "calsync.OAuth"))

    def _json(self, name: str, *args: Any) -> Any:
        with self._handle.use() as ptr:
            return _native.call_for_json(name, ptr, *args)

    def begin(self, connection_id: str) -> OAuthStart:
        """Where to send the browser; connection_id comes back from complete()."""
        j = self._json("calsync_oauth_begin", _native.text(connection_id))
        return OAuthStart(j["url"], j["state"], j["code_verifier"])

    def complete(self, state: str, code: str, code_verifier: str) -> OAuthResult:
        """Checks the redirect's state and exchanges its code; AuthError when refused."""
        request = {"state": state, "code": code, "code_verifier": code_verifier}
        j = self._json("calsync_oauth_complete", _native.document(request))
        return OAuthResult(j["connection_id"], Tokens.from_json(j["tokens"]))

    def device_begin(self) -> DeviceAuthorization:
        return DeviceAuthorization.from_json(self._json("calsync_oauth_device_begin"))

    def device_poll(self, device_code: str) -> Tokens:
        """Asks once: Tokens once approved, PendingError while not yet, AuthError when
        declined or expired."""
        return Tokens.from_json(self._json("calsync_oauth_device_poll",
                                           _native.text(device_code)))

    def device_wait(self, device: DeviceAuthorization,
                    timeout: Optional[float] = None) -> Tokens:
        """Polls until the person approves, at the interval the server asks for (it grows
        when the server says slow_down; the PendingError's message repeats it). Gives up
        with the last PendingError at `timeout` seconds or when the code expires."""
        deadline = None if timeout is None else time.monotonic() + timeout
        interval = device.interval_seconds
        while True:
            try:
                return self.device_poll(device.device_code)
            except PendingError as pending:
                interval = _interval_from(pending.message, interval)
                expired = device.expires_at is not None and time.time() + interval >= \
                    device.expires_at.timestamp()
                if expired or (deadline is not None and
                               time.monotonic() + interval > deadline):
                    raise
            time.sleep(interval)

    def refresh(self, tokens: Union[Tokens, dict]) -> Tokens:
        """Fresh tokens; AuthError when the grant was revoked or expired."""
        return Tokens.from_json(self._json("calsync_oauth_refresh", _tokens_json(tokens)))

    def revoke(self, token: str) -> None:
        """Revokes a refresh or access token (RFC 7009)."""
        with self._handle.use() as ptr:
            _native.call("calsync_oauth_revoke", ptr, _native.text(token))


def _interval_from(message: str, fallback: int) -> int:
    # calsync_oauth_device_poll's message repeats the interval: "... poll again in N s".
    found = re.search(r"\b(\d+) s(?:econds?)?\b", message)
    return int(found.group(1)) if found else fallback


__all__ = ["OAuth"]
