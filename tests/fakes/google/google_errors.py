"""Google Calendar API error answers, shaped as the "Handle API errors" guide shows them:
{"error": {"errors": [{"domain", "reason", "message", "locationType"?, "location"?}],
           "code": <status>, "message": <message>}}

Each constant is (status, body); `answer(name)` finds one by name for fault injection
(besides these, the fault "reset" drops the connection without an answer).
"""


def error_body(code, reason, message, domain="global", location_type=None, location=None):
    entry = {"domain": domain, "reason": reason, "message": message}
    if location_type is not None:
        entry["locationType"] = location_type
        entry["location"] = location
    return {"error": {"errors": [entry], "code": code, "message": message}}


def _error(code, reason, message, domain="global", location_type=None, location=None):
    return code, error_body(code, reason, message, domain, location_type, location)


# 400
TIME_RANGE_EMPTY = _error(400, "timeRangeEmpty", "The specified time range is empty.",
                          "calendar", "parameter", "timeMax")
SYNC_TOKEN_WITH_RESTRICTIONS = _error(400, "syncTokenWithRequestRestrictions",
                                      "Sync token cannot be used with other request restrictions.",
                                      "calendar")
INVALID_RESOURCE_ID = _error(400, "invalid", "Invalid resource id value.")
PARSE_ERROR = _error(400, "parseError", "Parse Error")
MISSING_START = _error(400, "required", "Missing start time.")
MISSING_END = _error(400, "required", "Missing end time.")
MISSING_TIME_ZONE = _error(400, "invalid", "Missing time zone definition for start time.")
INVALID_START = _error(400, "invalid", "Invalid start time.")
INVALID_SEQUENCE = _error(400, "invalid", "Invalid sequence value. The specified sequence "
                          "number is below the current sequence number of the resource. "
                          "Re-fetch the resource and use its sequence number on the following "
                          "request.")
CHANNEL_ID_NOT_UNIQUE = _error(400, "channelIdNotUnique", "Channel id not unique")
WEBHOOK_NOT_HTTPS = _error(400, "push.webhookUrlNotHttps", "WebHook callback must be HTTPS: ")
INVALID_PAGE_TOKEN = _error(400, "invalid", "Invalid page token value.", "global",
                            "parameter", "pageToken")

# 401: the access token is missing, expired or revoked
AUTH_ERROR = _error(401, "authError", "Invalid Credentials", "global", "header", "Authorization")

# 403: limits (back off) and permissions (do not retry)
RATE_LIMIT_EXCEEDED_403 = _error(403, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits")
USER_RATE_LIMIT_EXCEEDED = _error(403, "userRateLimitExceeded", "User Rate Limit Exceeded",
                                  "usageLimits")
QUOTA_EXCEEDED = _error(403, "quotaExceeded", "Calendar usage limits exceeded.", "usageLimits")
FORBIDDEN_FOR_NON_ORGANIZER = _error(403, "forbiddenForNonOrganizer",
                                     "Shared properties can only be changed by the organizer "
                                     "of the event.", "calendar")
REQUIRED_ACCESS_LEVEL = _error(403, "requiredAccessLevel",
                               "You need to have writer access to this calendar.", "calendar")
INSUFFICIENT_PERMISSIONS = _error(403, "insufficientPermissions",
                                  "Request had insufficient authentication scopes.")

NOT_FOUND = _error(404, "notFound", "Not Found")
DUPLICATE = _error(409, "duplicate", "The requested identifier already exists.")
FULL_SYNC_REQUIRED = _error(410, "fullSyncRequired",
                            "Sync token is no longer valid, a full sync is required.",
                            "calendar", "parameter", "syncToken")
DELETED = _error(410, "deleted", "Resource has been deleted")
CONDITION_NOT_MET = _error(412, "conditionNotMet", "Precondition Failed", "global", "header",
                           "If-Match")
RATE_LIMIT_EXCEEDED_429 = _error(429, "rateLimitExceeded", "Rate Limit Exceeded", "usageLimits")
BACKEND_ERROR = _error(500, "backendError", "Backend Error")
SERVICE_UNAVAILABLE = _error(503, "backendError", "The service is currently unavailable.")

# Faults a test can inject by name (POST /_control/fault).
INJECTABLE = {
    "rateLimitExceeded403": RATE_LIMIT_EXCEEDED_403,
    "userRateLimitExceeded": USER_RATE_LIMIT_EXCEEDED,
    "quotaExceeded": QUOTA_EXCEEDED,
    "rateLimitExceeded429": RATE_LIMIT_EXCEEDED_429,
    "forbiddenForNonOrganizer": FORBIDDEN_FOR_NON_ORGANIZER,
    "authError": AUTH_ERROR,
    "backendError": BACKEND_ERROR,
    "serviceUnavailable": SERVICE_UNAVAILABLE,
    "notFound": NOT_FOUND,
}


def answer(name):
    return INJECTABLE[name]
