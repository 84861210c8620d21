"""The status codes of calsync.h as exceptions: one base class, one subclass per code.

Catch CalsyncError for any failure, or the subclass for the case you handle
(AuthError: ask the person to sign in again; RateLimitError: try later ...). Every
exception carries the C status code in `code` and the library's message in `message`;
the library never puts a secret (password, token, client secret) in a message. A failure
behind which a server answered also carries its HTTP status in `http_status` and the
seconds its Retry-After asked to wait in `retry_after` (None where there is none):

    except calsync.RateLimitError as e:
        wait = e.retry_after or 60
"""
from __future__ import annotations

import enum


class StatusCode(enum.IntEnum):
    """calsync_status values (calsync.h); stable, never reused."""

    OK = 0
    ERROR = -1
    EINVAL = -2
    EPARSE = -3
    EZONE = -4
    ENOMEM = -5
    EINTERNAL = -6
    ELIMIT = -7
    EAUTH = -8
    ENETWORK = -9
    EHTTP = -10
    ERATELIMIT = -11
    ENOTFOUND = -12
    ECONFLICT = -13
    EPENDING = -14
    ELEASELOST = -15


class CalsyncError(Exception):
    """A failed call. `code` is the status (a StatusCode, or a plain int for a code newer
    than this binding), `message` the library's readable text, `http_status` the HTTP
    status of the server's answer behind it (429, 503 ...; None when no answer was
    behind it: a bad argument, an unreachable server), `retry_after` the whole seconds the
    server's Retry-After asked to wait (None when it named none)."""

    code: int = StatusCode.ERROR

    def __init__(self, message: str, code: int | None = None, *,
                 http_status: int | None = None, retry_after: int | None = None):
        super().__init__(message, code)
        if code is not None:
            self.code = code
        self.message = message
        self.http_status = http_status
        self.retry_after = retry_after

    @property
    def status(self) -> int:
        """The status code; the name the first version of this binding used."""
        return self.code

    def __str__(self) -> str:
        name = self.code.name if isinstance(self.code, StatusCode) else "unknown"
        return f"{self.message} (calsync status {int(self.code)}, {name})"


class InvalidArgumentError(CalsyncError, ValueError):
    """CALSYNC_EINVAL: a request field is missing or wrong; the message names it."""

    code = StatusCode.EINVAL


class ParseError(CalsyncError):
    """CALSYNC_EPARSE: input data (iCalendar text, a server's answer) cannot be read."""

    code = StatusCode.EPARSE


class ZoneError(CalsyncError, ValueError):
    """CALSYNC_EZONE: an IANA time-zone name the system does not know."""

    code = StatusCode.EZONE


class OutOfMemoryError(CalsyncError, MemoryError):
    """CALSYNC_ENOMEM."""

    code = StatusCode.ENOMEM


class InternalError(CalsyncError):
    """CALSYNC_EINTERNAL: a bug in calsync; the message says where."""

    code = StatusCode.EINTERNAL


class LimitError(CalsyncError):
    """CALSYNC_ELIMIT: a size or count cap was exceeded."""

    code = StatusCode.ELIMIT


class AuthError(CalsyncError):
    """CALSYNC_EAUTH: the server refused the credentials; sign in again or fix the
    password."""

    code = StatusCode.EAUTH


class NetworkError(CalsyncError):
    """CALSYNC_ENETWORK: the server could not be reached (after retries)."""

    code = StatusCode.ENETWORK


class HttpError(CalsyncError):
    """CALSYNC_EHTTP: the server answered with an unexpected HTTP status."""

    code = StatusCode.EHTTP


class RateLimitError(CalsyncError):
    """CALSYNC_ERATELIMIT: the server asked to slow down; try again later."""

    code = StatusCode.ERATELIMIT


class NotFoundError(CalsyncError, LookupError):
    """CALSYNC_ENOTFOUND: a connection, calendar, appointment or endpoint does not exist."""

    code = StatusCode.ENOTFOUND


class ConflictError(CalsyncError):
    """CALSYNC_ECONFLICT: the remote changed since it was read; re-read and retry."""

    code = StatusCode.ECONFLICT


class PendingError(CalsyncError):
    """CALSYNC_EPENDING: not finished, nothing failed (a device sign-in not yet
    approved); call again later."""

    code = StatusCode.EPENDING


class LeaseLostError(CalsyncError):
    """CALSYNC_ELEASELOST: a worker's lease on a connection was taken over by another
    worker; nothing was written. Stop working on that connection."""

    code = StatusCode.ELEASELOST


_BY_CODE = {cls.code: cls for cls in (
    InvalidArgumentError, ParseError, ZoneError, OutOfMemoryError, InternalError, LimitError,
    AuthError, NetworkError, HttpError, RateLimitError, NotFoundError, ConflictError,
    PendingError, LeaseLostError)}


def error_for(status: int, message: str, *, http_status: int | None = None,
              retry_after: int | None = None) -> CalsyncError:
    """The exception for a failed call's status, message and server detail."""
    try:
        code: int = StatusCode(status)
    except ValueError:
        code = status
    return _BY_CODE.get(code, CalsyncError)(message, code, http_status=http_status,
                                            retry_after=retry_after)
