"""What Graph accepts in an event's body and in a $select (resources/event.md,
datetimetimezone.md, itembody.md, location.md, subscription.md): a property the type does
not define, or an enum member it does not know, is refused with 400 before anything is
written, as OData's reader does ("RequestBodyRead"); a $select naming an unknown property
is refused as well, instead of being ignored.
"""
import graph_recurrence
from graph_values import GraphError, parse_instant

EVENT_PROPERTIES = {
    "allowNewTimeProposals", "attendees", "body", "bodyPreview", "cancelledOccurrences",
    "categories", "changeKey", "createdDateTime", "end", "exceptionOccurrences",
    "hasAttachments", "hideAttendees", "iCalUId", "id", "importance", "isAllDay",
    "isCancelled", "isDraft", "isOnlineMeeting", "isOrganizer", "isReminderOn",
    "lastModifiedDateTime", "location", "locations", "onlineMeeting", "onlineMeetingProvider",
    "onlineMeetingUrl", "organizer", "originalEndTimeZone", "originalStart",
    "originalStartTimeZone", "recurrence", "reminderMinutesBeforeStart", "responseRequested",
    "responseStatus", "sensitivity", "seriesMasterId", "showAs", "start", "subject",
    "transactionId", "type", "webLink",
    # relationships, which $select and a body may name too
    "attachments", "calendar", "extensions", "instances", "multiValueExtendedProperties",
    "singleValueExtendedProperties"}
CALENDAR_PROPERTIES = {
    "allowedOnlineMeetingProviders", "canEdit", "canShare", "canViewPrivateItems", "changeKey",
    "color", "defaultOnlineMeetingProvider", "hexColor", "id", "isDefaultCalendar",
    "isRemovable", "isTallyingResponses", "name", "owner"}
SUBSCRIPTION_PROPERTIES = {
    "applicationId", "changeType", "clientState", "creatorId", "encryptionCertificate",
    "encryptionCertificateId", "expirationDateTime", "id", "includeResourceData",
    "latestSupportedTlsVersion", "lifecycleNotificationUrl", "notificationQueryOptions",
    "notificationUrl", "notificationUrlAppId", "resource"}
ENUMS = {
    "showAs": ("freeBusyStatus", ("free", "tentative", "busy", "oof", "workingElsewhere",
                                  "unknown")),
    "sensitivity": ("sensitivity", ("normal", "personal", "private", "confidential")),
    "importance": ("importance", ("low", "normal", "high")),
    "onlineMeetingProvider": ("onlineMeetingProviderType", ("unknown", "teamsForBusiness",
                                                            "skypeForBusiness",
                                                            "skypeForConsumer")),
}
NESTED = {
    "body": ("itemBody", {"contentType", "content"}),
    "location": ("location", {"displayName", "locationType", "address", "coordinates",
                              "locationEmailAddress", "locationUri", "uniqueId",
                              "uniqueIdType"}),
    "start": ("dateTimeTimeZone", {"dateTime", "timeZone"}),
    "end": ("dateTimeTimeZone", {"dateTime", "timeZone"}),
}
EXTENDED_PROPERTY = {"id", "value"}


def unknown_property(name, type_name):
    return GraphError(400, "RequestBodyRead",
                      f"The property '{name}' does not exist on type 'microsoft.graph."
                      f"{type_name}'. Make sure to only use property names that are defined "
                      "by the type or mark the type as open type.")


def bad_enum(value, type_name):
    return GraphError(400, "RequestBodyRead", f"Cannot convert the literal '{value}' to the "
                                              f"expected type 'microsoft.graph.{type_name}'.")


def check_names(body, allowed, type_name):
    if not isinstance(body, dict):
        raise GraphError(400, "RequestBodyRead", f"A {type_name} must be a JSON object.")
    for name in body:
        if name not in allowed and name != "@odata.type":
            raise unknown_property(name, type_name)


def event_fields(body, partial):
    """A POST/PATCH event body as mailbox fields, after Graph's reader has checked it."""
    check_names(body, EVENT_PROPERTIES, "event")
    for name, (type_name, allowed) in NESTED.items():
        if body.get(name) is not None:
            check_names(body[name], allowed, type_name)
    for name, (type_name, allowed) in ENUMS.items():
        if name in body and body[name] not in allowed:
            raise bad_enum(body[name], type_name)
    if (body.get("body") or {}).get("contentType", "text") not in ("text", "html"):
        raise bad_enum(body["body"]["contentType"], "bodyType")
    for p in body.get("singleValueExtendedProperties") or []:
        check_names(p, EXTENDED_PROPERTY, "singleValueLegacyExtendedProperty")
    fields = {}
    for name in ("subject", "showAs", "isAllDay", "sensitivity", "importance"):
        if name in body:
            fields[name] = body[name]
    if "body" in body:
        fields["body"] = (body["body"] or {}).get("content", "")
    if "location" in body:
        fields["location"] = (body["location"] or {}).get("displayName", "")
    for key in ("start", "end"):
        if key in body:
            t = body[key] or {}
            if not t.get("dateTime") or not t.get("timeZone"):
                raise GraphError(400, "ErrorInvalidRequest", f"{key} needs dateTime and timeZone.")
            fields[key] = parse_instant(t["dateTime"], t["timeZone"])
            if key == "start":
                fields["originalStartTimeZone"] = t["timeZone"]
        elif not partial:
            raise GraphError(400, "ErrorInvalidRequest", f"The event needs a {key}.")
    if body.get("recurrence"):
        fields["recurrence"] = graph_recurrence.check(body["recurrence"])
    if fields.get("isAllDay") and any(fields[k].time() != fields[k].time().min
                                      for k in ("start", "end") if k in fields):
        # event.md: all-day start and end "must be set to midnight".
        raise GraphError(400, "ErrorInvalidRequest", "An all-day event must start and end at "
                                                     "midnight.")
    return fields


def selected(q, allowed, type_name):
    """The property names of $select, each one the type defines; None without $select."""
    if "$select" not in q:
        return None
    names = [n.strip() for n in q["$select"].split(",")]
    for name in names:
        if name not in allowed:
            raise GraphError(400, "BadRequest", f"Could not find a property named '{name}' on "
                                                f"type 'microsoft.graph.{type_name}'.")
    return set(names)
