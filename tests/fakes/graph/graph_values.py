"""Values every part of the Graph fake shares: Graph's error answer, instants and the time
zones Graph names (Windows names through CLDR windowsZones.xml, or IANA names;
resources/datetimetimezone.md)."""
import datetime
import os
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

UTC = datetime.timezone.utc
WINDOWS_ZONES_XML = "/usr/share/unicode/cldr/common/supplemental/windowsZones.xml"


def load_windows_zones(path=WINDOWS_ZONES_XML):
    """Windows name -> IANA name (CLDR territory 001), as Exchange resolves them."""
    zones = {}
    if os.path.exists(path):
        for m in ET.parse(path).iter("mapZone"):
            if m.get("territory") == "001":
                zones[m.get("other")] = m.get("type")
    return zones


WINDOWS_ZONES = load_windows_zones()


class GraphError(Exception):
    """An answer with Graph's error body {"error": {"code", "message", "innerError"}}."""

    def __init__(self, status, code, message, headers=()):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, list(headers)

    def body(self):
        return {"error": {"code": self.code, "message": self.message,
                          "innerError": {"date": now_utc().strftime("%Y-%m-%dT%H:%M:%S"),
                                         "request-id": "00000000-0000-0000-0000-000000000000"}}}


def not_found():
    return GraphError(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def now_utc():
    return datetime.datetime.now(UTC).replace(microsecond=0)


def zone_for(name):
    """The tzinfo of a Prefer: outlook.timezone / dateTimeTimeZone name (Windows or IANA)."""
    if name in ("", "UTC", "tzone://Microsoft/Utc"):
        return UTC
    iana = WINDOWS_ZONES.get(name, name)
    try:
        return ZoneInfo(iana)
    except Exception:
        raise GraphError(400, "ErrorInvalidTimeZone", f"The time zone '{name}' is not supported.")


def parse_instant(text, zone_name="UTC"):
    """An ISO 8601 date-time; without an offset it is read in `zone_name`."""
    text = text.strip().replace("Z", "+00:00")
    m = re.match(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d)?)(\.\d+)?([+-]\d\d:\d\d)?$", text)
    if not m:
        raise GraphError(400, "ErrorInvalidParameter", f"'{text}' is not a valid date-time.")
    base = datetime.datetime.fromisoformat(m.group(1))
    if m.group(3):
        return base.replace(tzinfo=datetime.datetime.strptime(m.group(3).replace(":", ""),
                                                               "%z").tzinfo).astimezone(UTC)
    return base.replace(tzinfo=zone_for(zone_name)).astimezone(UTC)


def graph_datetime(moment, zone):
    return moment.astimezone(zone).strftime("%Y-%m-%dT%H:%M:%S.0000000")
