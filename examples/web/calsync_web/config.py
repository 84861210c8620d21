"""The web app's configuration, read once from the environment (twelve-factor style).

Secrets (the host key, OAuth client secrets) come from the environment or a file named
there, and go no further than the calsync.Client and the session signer: never into a
page, a log line or an error.

    CALSYNC_WEB_BASE_URL        required: the public address of the app, e.g.
                                https://garage.example (OAuth redirects, the team feed's link)
    CALSYNC_WEB_PUSH_URL        the public HTTPS address at which Google and Microsoft reach
                                the app's /push route (default: the base URL when it is
                                https; none: calendars are polled on the schedule only)
    CALSYNC_WEB_STATE           the SQLite file calsync keeps its state in (default
                                calsync-web.sqlite); the team feed's token lives next to it
    CALSYNC_WEB_HOST_KEY        base64url of at least 32 random bytes (or
    CALSYNC_WEB_HOST_KEY_FILE   a file holding it): seals credentials, signs OAuth states
                                and the session cookie. Make one with
                                python3 -c "import secrets; print(secrets.token_urlsafe(32))"
    CALSYNC_WEB_ZONE            the garage's IANA time zone (default Europe/Paris)
    CALSYNC_WEB_LANGUAGE        the pages' language (default fr; see calsync_web/words/)
    CALSYNC_WEB_GARAGE_NAME     shown in the pages and as the team feed's name
    CALSYNC_WEB_GOOGLE_CLIENT_ID, _CLIENT_SECRET        the Google OAuth client (a "Web
                                application" client whose redirect URI is
                                BASE_URL/oauth/google/callback); without an id, no Google
    CALSYNC_WEB_MICROSOFT_CLIENT_ID, _CLIENT_SECRET, _TENANT    the same for Microsoft
                                (redirect URI BASE_URL/oauth/microsoft/callback)
    CALSYNC_WEB_<GOOGLE|MICROSOFT>_<AUTHORIZATION_URL|TOKEN_URL|REVOCATION_URL|
        AUTHORITY_URL|API_URL>  other endpoints than the services' own (national clouds,
                                the test fakes)
    CALSYNC_WEB_ICLOUD_URL      where the iCloud form connects (default Apple's server)
    CALSYNC_WEB_ALLOW_PRIVATE_ADDRESSES=1   lets calendar URLs reach loopback and private
                                networks: for a local demo and the tests only
    CALSYNC_WEB_TICK_SECONDS    how often the scheduler runs run_due (default 60)
"""
from __future__ import annotations

import base64
import dataclasses
import os
import urllib.parse
from typing import Any, Mapping, Optional

PREFIX = "CALSYNC_WEB_"
OAUTH_KINDS = ("google", "microsoft")
# CALSYNC_WEB_<KIND>_<NAME> -> the OAUTH_CLIENT member of calsync.h it sets.
OAUTH_FIELDS = {"CLIENT_ID": "client_id", "CLIENT_SECRET": "client_secret",
                "TENANT": "tenant", "AUTHORIZATION_URL": "authorization_url",
                "TOKEN_URL": "token_url", "REVOCATION_URL": "revocation_url",
                "AUTHORITY_URL": "authority_url", "API_URL": "api_base_url"}


class ConfigError(ValueError):
    """A setting is missing or wrong; the message names it (never its value)."""


@dataclasses.dataclass(frozen=True)
class Settings:
    base_url: str
    push_url: Optional[str]
    state_path: str
    host_key: bytes = dataclasses.field(repr=False)
    zone: str
    language: str
    garage_name: str
    oauth_clients: dict[str, dict[str, str]] = dataclasses.field(repr=False)
    icloud_url: Optional[str]
    allow_private_addresses: bool
    tick_seconds: float

    def redirect_uri(self, kind: str) -> str:
        return f"{self.base_url}/oauth/{kind}/callback"

    def client_config(self) -> dict[str, Any]:
        """CLIENT_CONFIG (calsync.h) for calsync.Client."""
        config: dict[str, Any] = {
            "zone": self.zone,
            "network": {"allow_private_addresses": self.allow_private_addresses},
            "export": {"uid_domain": urllib.parse.urlsplit(self.base_url).hostname},
        }
        for kind, client in self.oauth_clients.items():
            config[kind] = dict(client, redirect_uri=self.redirect_uri(kind))
        return config


def _host_key(env: Mapping[str, str]) -> bytes:
    text = env.get(PREFIX + "HOST_KEY")
    if text is None and env.get(PREFIX + "HOST_KEY_FILE"):
        try:
            with open(env[PREFIX + "HOST_KEY_FILE"], encoding="ascii") as f:
                text = f.read().strip()
        except OSError as e:
            raise ConfigError(f"{PREFIX}HOST_KEY_FILE cannot be read: {e.strerror}") from None
    if not text:
        raise ConfigError(f"{PREFIX}HOST_KEY (or {PREFIX}HOST_KEY_FILE) is required")
    try:
        key = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        raise ConfigError(f"{PREFIX}HOST_KEY is not base64url") from None
    if len(key) < 32:
        raise ConfigError(f"{PREFIX}HOST_KEY must hold at least 32 bytes")
    return key


def _url(env: Mapping[str, str], name: str, required: bool = False) -> Optional[str]:
    value = env.get(PREFIX + name, "").strip().rstrip("/")
    if not value:
        if required:
            raise ConfigError(f"{PREFIX}{name} is required (e.g. https://garage.example)")
        return None
    parts = urllib.parse.urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query:
        raise ConfigError(f"{PREFIX}{name} must be an http(s) address without a query")
    return value


def _oauth_clients(env: Mapping[str, str]) -> dict[str, dict[str, str]]:
    clients = {}
    for kind in OAUTH_KINDS:
        fields = {member: env[f"{PREFIX}{kind.upper()}_{name}"]
                  for name, member in OAUTH_FIELDS.items()
                  if env.get(f"{PREFIX}{kind.upper()}_{name}")}
        if "client_id" in fields:
            clients[kind] = fields
    return clients


def from_environment(env: Mapping[str, str] = os.environ) -> Settings:
    base_url = _url(env, "BASE_URL", required=True)
    push_url = _url(env, "PUSH_URL") or (base_url if base_url.startswith("https://") else None)
    if push_url is not None and not push_url.startswith("https://"):
        raise ConfigError(f"{PREFIX}PUSH_URL must be https: Google and Microsoft only "
                          "notify HTTPS addresses")
    try:
        tick = float(env.get(PREFIX + "TICK_SECONDS", "60"))
    except ValueError:
        raise ConfigError(f"{PREFIX}TICK_SECONDS must be a number of seconds") from None
    if not 0.05 <= tick <= 3600:
        raise ConfigError(f"{PREFIX}TICK_SECONDS must be between 0.05 and 3600")
    return Settings(
        base_url=base_url,
        push_url=push_url,
        state_path=env.get(PREFIX + "STATE", "calsync-web.sqlite"),
        host_key=_host_key(env),
        zone=env.get(PREFIX + "ZONE", "Europe/Paris"),
        language=env.get(PREFIX + "LANGUAGE", "fr"),
        garage_name=env.get(PREFIX + "GARAGE_NAME", "Garage"),
        oauth_clients=_oauth_clients(env),
        icloud_url=_url(env, "ICLOUD_URL"),
        allow_private_addresses=env.get(PREFIX + "ALLOW_PRIVATE_ADDRESSES", "0") == "1",
        tick_seconds=tick,
    )
