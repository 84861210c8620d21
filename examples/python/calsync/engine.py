"""The pure engine functions (calsync_engine_*): no I/O, no clock, no handle. Requests and
answers are the JSON documents calsync.h documents, as dicts."""
from __future__ import annotations

from typing import Any

from . import _native


def version() -> str:
    """The loaded library's version, e.g. "0.1.0"."""
    return _native.lib.calsync_version().decode("ascii")


def blocked_slots(request: dict[str, Any]) -> dict[str, Any]:
    """External events -> {"slots", "busy", "errors"}; see calsync_engine_blocked_slots."""
    return _native.call_for_json("calsync_engine_blocked_slots", _native.document(request))


def free_slots(request: dict[str, Any]) -> dict[str, Any]:
    """Busy intervals -> {"free": [...]} windows of a given length."""
    return _native.call_for_json("calsync_engine_free_slots", _native.document(request))
