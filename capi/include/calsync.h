/*
 * calsync: keeps a booking platform in sync with external calendars. The C ABI.
 *
 * Conventions (after libgit2):
 *  - Every function returns a calsync_status: CALSYNC_OK (0) or a negative code below.
 *    The codes are stable and never reused.
 *  - After a failure, calsync_last_error_message() gives a readable message for the last
 *    failing call on the calling thread. Messages never contain a secret. A message about
 *    a member of a JSON document the host sent names it by its path, as a member
 *    (member "window.start": expected an RFC 3339 string); one about an argument names it
 *    as this header does (argument "request_json": must not be NULL); a store's failure
 *    says what could not be done and why (sqlite store: could not store an appointment:
 *    ...).
 *  - Rich data goes in and out as UTF-8 JSON. Every JSON document carries "version": 1
 *    so it can grow without breaking callers. A member of a document the host sends that
 *    this library does not read is refused with CALSYNC_EINVAL naming it by its path
 *    (config: unknown member "window.day_back" (did you mean "days_back"?)), so a
 *    misspelt key never leaves a default silently in force. Documents the library returns
 *    may gain members in a later 1.x release: readers ignore the ones they do not know.
 *  - capi/schema/ holds a JSON Schema (draft 2020-12) for every document below, one file
 *    per document, installed with this header.
 *  - Every JSON argument is read within limits no real document reaches: nested at most
 *    64 deep, at most 64 MiB, at most 4,000,000 values (keys included). Past one, the call
 *    fails with CALSYNC_ELIMIT naming the limit. A string (or member name) that is not
 *    well-formed UTF-8 fails it with CALSYNC_EINVAL naming the field
 *    ("calendars[0].name is not valid UTF-8").
 *  - Every string the library returns is well-formed UTF-8: text read from a calendar
 *    service (iCalendar, WebDAV XML, Google and Graph JSON) has each ill-formed sequence
 *    replaced by U+FFFD where calsync reads it.
 *  - iCalendar text is read within limits too: an event with a content line (unfolded)
 *    over 1 MiB or components nested over 8 deep is left out and listed in "errors" with
 *    its UID; past 100,000 components or 1,000 distinct VTIMEZONEs in one text the rest
 *    are left out, listed once with an empty "event_id".
 *  - Strings the library returns are owned by the caller and freed with
 *    calsync_string_free(). On failure, output parameters are left untouched.
 *  - Instants are RFC 3339 strings in UTC ("2026-03-29T01:30:00Z"). Ranges are
 *    half-open: [start, end).
 *
 * Versions: this header is calsync 1.0.0 (CALSYNC_VERSION_* below), ABI 1 (libcalsync.so.1).
 * Everything declared here is available since calsync 1.0 unless its comment says
 * "Since 1.x"; a function added in a later 1.x release says so, and a caller that needs
 * it checks CALSYNC_VERSION_NUMBER at compile time and calsync_version() at run time.
 *
 * Thread rules: the engine functions keep no shared mutable state apart from a
 * process-wide, internally locked cache of time zones; they may be called from any number
 * of threads at once. Providers and OAuth handles are used by one thread at a time;
 * clients are safe to share between threads (see "Clients" below). The last-error
 * message is per thread.
 */
#ifndef CALSYNC_H
#define CALSYNC_H

/* A C99 header: the C++ checks that ask for `using`, constexpr and <cstddef> stay quiet.
 * NOLINTBEGIN(cppcoreguidelines-macro-usage, modernize-use-using, modernize-deprecated-headers,
 * hicpp-deprecated-headers) */

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(CALSYNC_BUILDING_LIBRARY)
#define CALSYNC_API __attribute__((visibility("default")))
#else
#define CALSYNC_API
#endif

/* The release this header belongs to. The build reads these three lines (CMakeLists.txt):
 * the library file, calsync.pc and the CMake package take their version from here. */
#define CALSYNC_VERSION_MAJOR 1
#define CALSYNC_VERSION_MINOR 0
#define CALSYNC_VERSION_PATCH 0
/* One number for "#if CALSYNC_VERSION_NUMBER >= 10100": MAJOR * 10000 + MINOR * 100 +
 * PATCH (10000 for 1.0.0). */
#define CALSYNC_VERSION_NUMBER \
    (CALSYNC_VERSION_MAJOR * 10000 + CALSYNC_VERSION_MINOR * 100 + CALSYNC_VERSION_PATCH)
#define CALSYNC_STRINGIFY_(x) #x
#define CALSYNC_STRINGIFY(x) CALSYNC_STRINGIFY_(x)
/* "1.0.0": what calsync_version() returns when header and library are of one release. */
#define CALSYNC_VERSION_STRING               \
    CALSYNC_STRINGIFY(CALSYNC_VERSION_MAJOR) \
    "." CALSYNC_STRINGIFY(CALSYNC_VERSION_MINOR) "." CALSYNC_STRINGIFY(CALSYNC_VERSION_PATCH)

/* The ABI this header describes, the SONAME's number (libcalsync.so.1). It changes only
 * with an incompatible change; every 1.x release is ABI 1. Compare with
 * calsync_abi_version() at run time to detect a header/library mismatch. */
#define CALSYNC_ABI_VERSION 1

typedef int calsync_status;

#define CALSYNC_OK 0
/* Something failed that has no more specific code; see the message. */
#define CALSYNC_ERROR (-1)
/* An argument was invalid: a NULL pointer, malformed JSON, a field of the wrong type or a
 * missing field. The message names the field (e.g. "window.start: expected an RFC 3339
 * string"). */
#define CALSYNC_EINVAL (-2)
/* Input data (iCalendar text, an event) could not be read as a whole. */
#define CALSYNC_EPARSE (-3)
/* An IANA time-zone name is unknown to the system time-zone database. */
#define CALSYNC_EZONE (-4)
/* Out of memory. */
#define CALSYNC_ENOMEM (-5)
/* A bug in calsync; the message says where. Please report it. */
#define CALSYNC_EINTERNAL (-6)
/* A size or count cap was exceeded; the message names the limit (e.g. more free windows
 * than one answer may hold). */
#define CALSYNC_ELIMIT (-7)
/* The server refused the credentials (HTTP 401/403, or an OAuth grant that is no longer
 * valid, or that lacks a permission a connection needs): the user must sign in again or
 * fix the password. Google's 403 about one calendar (shared read-only, say) is
 * CALSYNC_EHTTP instead: signing in again would not help there. */
#define CALSYNC_EAUTH (-8)
/* The server could not be reached or the connection broke (after retries). */
#define CALSYNC_ENETWORK (-9)
/* The server answered with something calsync cannot use (an unexpected HTTP status). */
#define CALSYNC_EHTTP (-10)
/* The server asked to slow down for longer than calsync waits; try again later. */
#define CALSYNC_ERATELIMIT (-11)
/* A calendar, event or service endpoint does not exist. */
#define CALSYNC_ENOTFOUND (-12)
/* The remote changed since it was read (HTTP 412); re-read and try again. */
#define CALSYNC_ECONFLICT (-13)
/* Not finished yet, nothing failed: call again later (a device sign-in not yet approved). */
#define CALSYNC_EPENDING (-14)
/* A worker's lease on a connection was taken over by another worker (its fencing token is
 * stale): the write was refused and nothing was written. Stop working on that connection;
 * the worker holding it now finishes the sync. */
#define CALSYNC_ELEASELOST (-15)

/* The ABI version of the loaded library (CALSYNC_ABI_VERSION it was built with). */
CALSYNC_API int calsync_abi_version(void);

/* The loaded library's version, e.g. "1.0.0" (CALSYNC_VERSION_STRING of its build): a
 * library newer than the header is fine within one ABI. Static storage; do not free. */
CALSYNC_API const char* calsync_version(void);

/* A readable message for the last failure on this thread, or "" when the last call
 * succeeded. Valid until the next calsync call on this thread; do not free. */
CALSYNC_API const char* calsync_last_error_message(void);

/*
 * What the server said about the last failure on this thread, for a host that backs off
 * (per thread, kept and cleared with calsync_last_error_message):
 *
 * calsync_last_error_http_status: the HTTP status of the server's answer behind the
 * failure (429, 503, 404 ...), or 0 when no answer was behind it (a bad argument, an
 * unreachable server, a timeout) or the last call succeeded.
 *
 * calsync_last_error_retry_after: the seconds the server's Retry-After header (RFC 9110
 * 10.2.3, seconds or an HTTP date) asked to wait before trying again, or -1 when it named
 * none. calsync waits out a short Retry-After itself (up to 120 s within the call's time);
 * a failure carries one when the server asked for longer (CALSYNC_ERATELIMIT after a 429,
 * CALSYNC_EHTTP after a 503) or the call ran out of time or attempts.
 *
 *     if (calsync_provider_list_calendars(p, &out) == CALSYNC_ERATELIMIT &&
 *         calsync_last_error_retry_after() >= 0)
 *         try_again_in(calsync_last_error_retry_after());
 *
 * A sync of a client connection (calsync_connection_sync, calsync_client_run_due) reports
 * a failed calendar in its report instead of failing, and waits out the server's
 * Retry-After itself: the report's STATUS "next_due" is no earlier than it asked.
 */
CALSYNC_API int calsync_last_error_http_status(void);
CALSYNC_API long long calsync_last_error_retry_after(void);

/* Frees a string returned by the library. Accepts NULL. */
CALSYNC_API void calsync_string_free(char* str);

/*
 * calsync_engine_blocked_slots: external events -> blocked slots and busy intervals.
 * Pure: no I/O, no clock.
 *
 * request_json:
 * {
 *   "version": 1,                                 optional; 1 when present
 *   "zone": "Europe/Berlin",                      required: the business's IANA zone, in
 *                                                 which all-day and floating times are read
 *   "window": {"start": RFC3339, "end": RFC3339}, required: occurrences overlapping it
 *   "policy": {                                   optional; every flag defaults to true
 *     "default":   {"tentative_blocks": bool, "unanswered_blocks": bool,
 *                   "all_day_blocks": bool},
 *     "calendars": {"<calendar id>": {same flags; missing ones from "default"}}
 *   },
 *   "calendars": [                                required; may be empty
 *     {"id": "home",                              required, unique
 *      "name": "Home",                            optional label; else the ICS
 *                                                 X-WR-CALNAME; else the id
 *      "owner_addresses": ["me@example.com"],     optional: whose PARTSTAT is the
 *                                                 owner's response
 *      "ics": "BEGIN:VCALENDAR..."}               iCalendar text, or:
 *     {"id": "work", "events": [EVENT, ...]}      events as JSON
 *   ]
 * }
 *
 * EVENT:
 * {
 *   "id": "e1",                                   required
 *   "uid": "...", "summary": "...",               optional
 *   "start": TIME,                                required
 *   "end": TIME,                                  optional; else "duration"; else RFC 5545
 *                                                 defaults (one day for dates, zero else)
 *   "duration": "PT1H",                           optional, RFC 5545 duration
 *   "status": "confirmed"|"tentative"|"cancelled",          default "confirmed"
 *   "transparency": "opaque"|"transparent",                 default "opaque"
 *   "owner_response": "none"|"needs_action"|"accepted"|"tentative"|"declined",
 *   "export_marker": "appt-42",                   set on events calsync exported
 *   "recurrence": {"rrule": ["FREQ=WEEKLY;BYDAY=MO,WE"], "rdate": [TIME, ...],
 *                  "exdate": [TIME, ...]},
 *   "overrides": [{"recurrence_id": TIME, "this_and_future": bool, "start": TIME,
 *                  "end": TIME, "status": ..., "transparency": ...,
 *                  "owner_response": ...}]
 * }
 * TIME: {"date": "2026-05-01"}                                    all-day
 *     | {"date_time": "2026-05-01T07:00:00Z"}                     UTC (or "+02:00" offset)
 *     | {"date_time": "2026-05-01T09:00:00", "time_zone": "Europe/Berlin"}
 *     | {"date_time": "2026-05-01T09:00:00"}                      floating
 *
 * *response_json (caller frees with calsync_string_free):
 * {
 *   "version": 1,
 *   "slots": [{"start", "end", "calendar_id", "label", "event_id",
 *              "recurrence_id": RFC3339 original start of the occurrence,
 *              "all_day": bool, "tentative": bool}, ...],   sorted by start
 *   "busy":  [{"start", "end"}, ...],                       merged, sorted, disjoint
 *   "errors": [{"calendar_id", "event_id", "message"}, ...] events skipped, with why
 *                                        ("event_id" empty: not one event, e.g. a cap)
 * }
 * Cancelled, transparent and owner-declined events, and events carrying an export
 * marker, never block. An event that cannot be read is listed in "errors" and the rest
 * are still processed.
 *
 * OCCURRENCE LIMITS: against rules that would fill memory (500 events of
 * FREQ=HOURLY;COUNT=19999 are 4.4 million occurrences), inside the window one event keeps
 * at most 10000 occurrences and one calendar 50000. An event over a limit is left out
 * whole (it blocks nothing) and listed in "errors" with a message naming the limit; the
 * calendar's other events still block. Expansion stops at the limit, and what the events
 * left out cost counts against a calendar's expansion work (250000 occurrences), not
 * against what it keeps: a few such events leave the others blocking, and a calendar of
 * dozens of them costs no more than 250000 occurrences of time, then leaves the rest
 * out too.
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL (bad request; the message names the field),
 * CALSYNC_EPARSE (a calendar's "ics" is not iCalendar), CALSYNC_EZONE (unknown "zone").
 */
CALSYNC_API calsync_status calsync_engine_blocked_slots(const char* request_json,
                                                        char** response_json);

/*
 * calsync_engine_free_slots: free windows of a given length between busy intervals.
 *
 * request_json:
 * {
 *   "version": 1,
 *   "busy": [{"start": RFC3339, "end": RFC3339}, ...],  any order; overlaps allowed
 *   "within": {"start": RFC3339, "end": RFC3339},
 *   "duration_seconds": 3600,                           > 0
 *   "step_seconds": 900                                 > 0; candidate starts are
 *                                                       within.start + k * step
 * }
 * *response_json: {"version": 1, "free": [{"start", "end"}, ...]}
 * An answer holds at most 100000 windows (a year of 15-minute starts is 35040).
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL, or CALSYNC_ELIMIT when the range and step would give
 * more than 100000 windows (the message names the limit: ask for a shorter range or a
 * longer step); nothing is built then.
 */
CALSYNC_API calsync_status calsync_engine_free_slots(const char* request_json,
                                                     char** response_json);

/*
 * Providers: one external calendar account (CalDAV, iCloud, an ICS feed URL).
 *
 * A calsync_provider is used by one thread at a time; different providers are
 * independent. It keeps its HTTP connection open between calls.
 */
typedef struct calsync_provider calsync_provider;

/*
 * calsync_provider_new: a provider from its configuration. No network traffic yet.
 *
 * config_json:
 * {
 *   "version": 1,
 *   "kind": "caldav" | "icloud" | "ics_feed" | "google" | "microsoft",   required
 *   "url": "https://dav.example.com/",             required for caldav (a server, principal,
 *                                                  calendar home or calendar; discovery per
 *                                                  RFC 6764 finds the rest; no
 *                                                  "user:password@" in it: CALSYNC_EINVAL)
 *                                                  and ics_feed (https:// or webcal://; the
 *                                                  address is treated as a secret, see
 *                                                  "Credentials" below); icloud defaults to
 *                                                  https://caldav.icloud.com/
 *   "username": "...", "password": "...",          caldav: Basic auth; icloud: the Apple ID
 *                                                  and an app-specific password
 *   "calendar_home": "https://...",                caldav, icloud: optional; the calendar
 *                                                  home discovery found before: listing
 *                                                  starts there (one request) and
 *                                                  discovers again only if it no longer
 *                                                  answers. A client's connections keep
 *                                                  the one found at connect by themselves
 *   "name": "Holidays",                            ics_feed: label; else its X-WR-CALNAME
 *   "owner_addresses": ["me@example.com"],         ics_feed: whose PARTSTAT is the owner's
 *   "oauth": OAUTH_CLIENT,                         google, microsoft: the OAuth client
 *                                                  (as for calsync_oauth_new, without
 *                                                  "host_key"), used to refresh tokens
 *   "tokens": TOKENS,                              google, microsoft: from
 *                                                  calsync_oauth_complete or _device_poll
 *   "api_base_url": "https://...",                 google, microsoft: default the
 *                                                  service's (https://www.googleapis.com/
 *                                                  calendar/v3, https://graph.microsoft.com/
 *                                                  v1.0); national clouds and fakes differ
 *   "network": NETWORK
 * }
 * NETWORK (every member optional; a value out of range is CALSYNC_EINVAL naming the key
 * and the range):
 * {
 *   "allow_private_addresses": false,   true lets URLs reach loopback and private networks
 *                                       (refused by default, IPv4 inside IPv6 forms,
 *                                       NAT64, 6to4 and Teredo included)
 *   "ca_bundle": "/path/ca.pem",        default: the system's CA store
 *   "proxy": "http://proxy:3128",       the proxy every request goes through; default
 *                                       none. Proxies named by the environment
 *                                       (http_proxy, https_proxy, ALL_PROXY) are never
 *                                       used: through one the URL guard cannot see where
 *                                       a request goes. With "proxy" the guard resolves
 *                                       each target itself and refuses private ones; the
 *                                       proxy resolves the name again, so its own egress
 *                                       rules should refuse private networks too.
 *   "connect_timeout_seconds": 10,      1 to 300: one connection attempt
 *   "total_timeout_seconds": 120,       1 to 3600: one request
 *   "sync_timeout_seconds": 300         1 to 3600: one sync of a connection (and
 *                                       connecting, a health check, a watch), or one
 *                                       calsync_provider_* call: every request and every
 *                                       wait between retries stops at it, and no retry
 *                                       starts after it
 * }
 *
 * Credentials. A password (Basic) or token (Bearer) is sent only to the origin (scheme,
 * host, port) it was given for, and never over plain http once the URL is https:
 *   - A redirect is followed (at most 5 hops, each through the URL guard); to another
 *     origin it goes without the password. A redirect or link from https to http is
 *     refused (CALSYNC_EINVAL), so nothing is sent in clear.
 *   - CalDAV discovery (RFC 6764, and hrefs in answers, RFC 4918) may lead to another
 *     origin: the request goes there without the password, and if that server asks for
 *     one the error (CALSYNC_EAUTH) says so and to connect with a URL on that server.
 *     The icloud preset also sends the password to Apple's own https hosts (*.icloud.com,
 *     where each account's calendars live, e.g. p12-caldav.icloud.com).
 *   - Google and Microsoft tokens go only to the API's origin; redirects are not followed.
 *   - An ICS feed follows redirects (feeds move; iCloud's public calendars redirect).
 *     Its address is its password (a Google private address, an Outlook published
 *     calendar): messages show only its origin ("https://calendar.google.com/...").
 * The password stays inside the provider; no message ever contains it.
 *
 * Returns CALSYNC_OK or CALSYNC_EINVAL. *provider is freed with calsync_provider_free.
 */
CALSYNC_API calsync_status calsync_provider_new(const char* config_json,
                                                calsync_provider** provider);

/* Frees a provider. Accepts NULL. */
CALSYNC_API void calsync_provider_free(calsync_provider* provider);

/*
 * calsync_provider_tokens: a google or microsoft provider's current tokens. The provider
 * refreshes them itself (before they expire, and once after an HTTP 401); Microsoft
 * rotates the refresh token on every refresh, so a host that keeps tokens reads them back
 * after each use and stores them (sealed) in place of the old ones.
 *
 * *tokens_json (caller frees with calsync_string_free): TOKENS, see calsync_oauth_new.
 *
 * Returns CALSYNC_OK, or CALSYNC_EINVAL for a provider of another kind.
 */
CALSYNC_API calsync_status calsync_provider_tokens(calsync_provider* provider, char** tokens_json);

/*
 * calsync_provider_list_calendars: the account's calendars of events.
 *
 * *response_json: {"version": 1, "calendars": [{"id", "name", "color", "time_zone",
 *                  "can_write": bool, "is_primary": bool, "owner"}, ...]}
 * "owner" is the owner's e-mail address where the service names one (Microsoft), else "".
 * "id" is what the other calls take as "calendar_id" (CalDAV: the collection URL).
 *
 * Returns CALSYNC_OK, CALSYNC_EAUTH, CALSYNC_ENETWORK, CALSYNC_EHTTP, CALSYNC_ENOTFOUND,
 * CALSYNC_ERATELIMIT, CALSYNC_EPARSE (an answer that is not well-formed).
 */
CALSYNC_API calsync_status calsync_provider_list_calendars(calsync_provider* provider,
                                                           char** response_json);

/*
 * calsync_provider_blocked_slots: reads one calendar now and computes its blocked slots,
 * as calsync_engine_blocked_slots does for calendars passed in. Nothing is stored.
 *
 * request_json:
 * {
 *   "version": 1,
 *   "calendar_id": "...",                     required: an "id" from list_calendars
 *   "zone", "window", "policy"                as for calsync_engine_blocked_slots
 * }
 * *response_json: as calsync_engine_blocked_slots; the slots' "label" is the calendar's
 * name. Events the server sent that cannot be read are listed in "errors".
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL, CALSYNC_EZONE, or the codes of
 * calsync_provider_list_calendars.
 */
CALSYNC_API calsync_status calsync_provider_blocked_slots(calsync_provider* provider,
                                                          const char* request_json,
                                                          char** response_json);

/*
 * OAuth 2.0 sign-in for Google and Microsoft: the authorization code flow with PKCE (S256)
 * for hosts with a browser redirect, the device flow (RFC 8628) for command lines, refresh
 * and revocation.
 *
 * A calsync_oauth is used by one thread at a time. It remembers the states it issued
 * (each accepted once, for 10 minutes) and the device codes it handed out, so the
 * begin and complete of one sign-in go through the same handle.
 */
typedef struct calsync_oauth calsync_oauth;

/*
 * calsync_oauth_new: an OAuth client. No network traffic yet.
 *
 * config_json (OAUTH_CLIENT, plus "kind", "host_key" and "network"):
 * {
 *   "version": 1,
 *   "kind": "google" | "microsoft",               required
 *   "client_id": "...",                           required
 *   "client_secret": "...",                       optional (confidential clients); never
 *                                                 appears in a message
 *   "redirect_uri": "http://127.0.0.1:8080/cb",   required for the code flow
 *   "exports": true,                              default true: scopes that can write
 *                                                 events; false asks for read-only scopes
 *   "scopes": ["..."],                            optional: replaces the defaults below
 *   "tenant": "common",                           microsoft: common | organizations |
 *                                                 consumers | a tenant id
 *   "authority_url": "https://login.microsoftonline.com",   microsoft: national clouds
 *   "authorization_url", "token_url", "revocation_url", "device_authorization_url":
 *                                                 optional overrides of each endpoint
 *   "requests_per_minute": 10000,                 google: the Cloud project's Calendar
 *                                                 API quota (1 to 10000000; default
 *                                                 Google's 10,000). calsync sends at
 *                                                 most 90 % of it on average, in bursts
 *                                                 of at most 1 %: per process, or, for
 *                                                 a fleet's workers and clients on its
 *                                                 store, all of them together (see
 *                                                 Workers). Ignored for microsoft
 *   "host_key": "base64url...",                   required: at least 32 random bytes the
 *                                                 host keeps; signs the state parameter
 *   "network": {...}                              as for calsync_provider_new
 * }
 * Default scopes: google "calendar.calendarlist.readonly" + "calendar.events" (or
 * "calendar.events.readonly" without exports), under https://www.googleapis.com/auth/, with
 * access_type=offline and prompt=consent so a refresh token is issued; microsoft
 * "Calendars.ReadWrite offline_access" (or "Calendars.Read offline_access").
 *
 * TOKENS: {"version": 1, "access_token", "refresh_token", "scope",
 *          "expires_at": RFC 3339}. They are secrets: store them sealed.
 *
 * Returns CALSYNC_OK or CALSYNC_EINVAL. *oauth is freed with calsync_oauth_free.
 */
CALSYNC_API calsync_status calsync_oauth_new(const char* config_json, calsync_oauth** oauth);

/* Frees an OAuth client. Accepts NULL. */
CALSYNC_API void calsync_oauth_free(calsync_oauth* oauth);

/*
 * calsync_oauth_begin: where to send the person's browser to sign in.
 *
 * connection_id: the host's name for the connection being made; it is bound into the
 * signed state and handed back by calsync_oauth_complete.
 * *response_json: {"version": 1, "url": "...", "state": "...", "code_verifier": "..."}.
 * Keep "code_verifier" (secret) until the redirect comes back.
 *
 * Returns CALSYNC_OK or CALSYNC_EINVAL.
 */
CALSYNC_API calsync_status calsync_oauth_begin(calsync_oauth* oauth, const char* connection_id,
                                               char** response_json);

/*
 * calsync_oauth_complete: the redirect came back; checks the state and exchanges the code.
 *
 * request_json: {"version": 1, "state": "...", "code": "...", "code_verifier": "..."}
 * (state and code from the redirect's query, code_verifier from calsync_oauth_begin).
 * *response_json: {"version": 1, "connection_id": "...", "tokens": TOKENS}.
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL, CALSYNC_EAUTH (a state that was altered, expired,
 * already used or not issued by this handle; a code the server refused), CALSYNC_ENETWORK,
 * CALSYNC_EHTTP.
 */
CALSYNC_API calsync_status calsync_oauth_complete(calsync_oauth* oauth, const char* request_json,
                                                  char** response_json);

/*
 * calsync_oauth_device_begin: starts a device sign-in (RFC 8628).
 *
 * *response_json: {"version": 1, "device_code", "user_code", "verification_uri",
 *                  "message", "interval_seconds", "expires_at"}.
 * Show the person "user_code" and "verification_uri" (or "message"), then poll.
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL (no device endpoint; or "microsoft" with a
 * "client_secret": Microsoft's device flow is for public clients, and a client keeps to
 * one type on every token request, so a confidential client signs in with
 * calsync_oauth_begin), CALSYNC_ENETWORK, CALSYNC_EHTTP.
 */
CALSYNC_API calsync_status calsync_oauth_device_begin(calsync_oauth* oauth, char** response_json);

/*
 * calsync_oauth_device_poll: asks once whether the person has approved.
 *
 * *tokens_json: TOKENS once approved.
 * Returns CALSYNC_OK, CALSYNC_EPENDING (not yet: wait "interval_seconds", which the
 * message repeats and which grows when the server asks to slow down, then poll again),
 * CALSYNC_EAUTH (declined, or the code expired), CALSYNC_EINVAL, CALSYNC_ENETWORK.
 */
CALSYNC_API calsync_status calsync_oauth_device_poll(calsync_oauth* oauth, const char* device_code,
                                                     char** tokens_json);

/*
 * calsync_oauth_refresh: fresh tokens from TOKENS' refresh token. A refresh token the
 * server did not rotate is kept in the answer.
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL, CALSYNC_EAUTH (the grant was revoked or expired: the
 * person must sign in again), CALSYNC_ENETWORK, CALSYNC_EHTTP.
 */
CALSYNC_API calsync_status calsync_oauth_refresh(calsync_oauth* oauth, const char* tokens_json,
                                                 char** response_json);

/*
 * calsync_oauth_revoke: revokes a refresh or access token (RFC 7009; Google). Microsoft
 * has no revocation endpoint unless "revocation_url" is configured: CALSYNC_EINVAL.
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL, CALSYNC_ENETWORK, CALSYNC_EHTTP.
 */
CALSYNC_API calsync_status calsync_oauth_revoke(calsync_oauth* oauth, const char* token);

/*
 * Clients: the sync service. A calsync_client keeps accounts at calendar services
 * (connections) in sync with a state store: it imports their events as blocked slots,
 * exports the host's appointments to them, and answers availability questions.
 *
 * Thread rules: a calsync_client may be used from any number of threads at once; syncs of
 * different connections run in parallel, two syncs of one connection take turns. A
 * calsync_connection handle names one connection of its client and may be used from any
 * thread too; it must not outlive its client. Callbacks are called on the thread doing
 * the work (the caller's, or one of calsync_client_run_due's workers, or a read
 * calsync_client_confirm_free started), after the call that raised them released its
 * locks, in the order they were raised: they may call any function of the same client,
 * on any connection, but must not call calsync_client_free.
 */
typedef struct calsync_client calsync_client;
typedef struct calsync_connection calsync_connection;

#define CALSYNC_LOG_DEBUG 0
#define CALSYNC_LOG_INFO 1
#define CALSYNC_LOG_WARNING 2
#define CALSYNC_LOG_ERROR 3

/* A log line; `message` never contains a secret and is valid during the call only. */
typedef void (*calsync_log_fn)(int level, const char* message, void* user_data);

/*
 * Blocked slots that came and went in one sync (or a disconnect, or a calendar chosen or
 * dropped). diff_json, valid during the call only:
 * {"version": 1, "connection_id": "...", "added": [SLOT, ...], "removed": [SLOT, ...]}
 * SLOT: as in calsync_client_blocked_slots.
 */
typedef void (*calsync_slots_changed_fn)(const char* diff_json, void* user_data);

#define CALSYNC_CLIENT_OPTIONS_VERSION 1

typedef struct calsync_client_options {
    unsigned int version;          /* CALSYNC_CLIENT_OPTIONS_VERSION */
    const char* store_path;        /* SQLite database file, created when absent with
                                      mode 0600 whatever the umask (and so its -wal and
                                      -shm files); NULL keeps everything in memory */
    const unsigned char* host_key; /* at least 32 secret bytes the host keeps: seals
                                      credentials in the store, signs OAuth states */
    size_t host_key_length;
    const char* config_json;                /* CLIENT_CONFIG below; NULL for the defaults */
    calsync_log_fn log;                     /* optional */
    calsync_slots_changed_fn slots_changed; /* optional */
    void* user_data;                        /* passed back to both callbacks untouched */
} calsync_client_options;

#define CALSYNC_CLIENT_OPTIONS_INIT \
    { CALSYNC_CLIENT_OPTIONS_VERSION, NULL, NULL, 0, NULL, NULL, NULL, NULL }

/*
 * calsync_client_new: opens the store (migrating its schema) and loads what it holds.
 *
 * CLIENT_CONFIG (every member optional):
 * {
 *   "version": 1,
 *   "zone": "Europe/Berlin",                     the business's IANA zone; default "UTC"
 *   "window": {"days_back": 1, "days_ahead": 365},   what is read and exported (each
 *                                                at most 3660)
 *   "policy": {"tentative_blocks": true, "unanswered_blocks": true,
 *              "all_day_blocks": true},          for calendars selected without their own
 *   "export": {
 *     "busy_only": false,                        privacy: "Busy" and no client details
 *     "busy_summary": "Busy",
 *     "uid_domain": "pitstoply.example",         right-hand side of exported UIDs
 *     "include_notes": false, "location": "Werkstatt, Hauptstr. 1",
 *     "on_remote_edit": "appointment_wins" | "keep_remote",
 *     "on_remote_delete": "recreate" | "leave_deleted"
 *   },
 *   "google":    OAUTH_CLIENT + {"api_base_url"},  see calsync_oauth_new; needed to
 *   "microsoft": OAUTH_CLIENT + {"api_base_url"},  connect those services
 *   "network": NETWORK,                          see calsync_provider_new; its
 *                                                "sync_timeout_seconds" bounds each sync
 *   "schedule": {"min_interval_minutes": 15, "max_interval_minutes": 30,
 *                "first_retry_seconds": 60, "max_backoff_minutes": 30,
 *                "full_read_seconds": 86400},
 *                                                minutes at most 10080 (a week), seconds
 *                                                at most 86400; full_read_seconds: how
 *                                                often each calendar is also read in full
 *                                                (0: never, at most 31622400), see
 *                                                "corrected" in calsync_connection_sync
 *   "max_concurrent_syncs": 4,                   1 to 256: the client's sync threads
 *   "keep_idle_connections": true                false: each connection's HTTP
 *                                                connections (sockets, TLS sessions) and
 *                                                tokens in memory are released after each
 *                                                sync: fewer file descriptors and less
 *                                                memory per client, a TLS handshake per sync
 *   "store": {"url": "postgresql://...",         the client of one business of a fleet
 *             "business_id": "garage-17"}        store shared with workers and other
 *                                                clients: "url" as calsync_worker_options'
 *                                                store_url (postgresql:// or postgres://,
 *                                                sqlite:PATH, memory:), "business_id" 1 to
 *                                                200 bytes, default "default". The client
 *                                                sees and writes that business only (its
 *                                                connections, appointments, slots); the
 *                                                connections it makes due are queued in the
 *                                                fleet for any worker. Its blocked and free
 *                                                slots (calsync_client_blocked_slots,
 *                                                _free_slots, _confirm_free) are read from
 *                                                the slots kept in the store for the range
 *                                                asked, as the last sync stored them,
 *                                                whichever worker or client ran it: a client
 *                                                that never syncs sees the workers' syncs,
 *                                                and expands nothing itself. Not with
 *                                                options.store_path (CALSYNC_EINVAL).
 *                                                Absent: the store is options.store_path's,
 *                                                as before. Not read by calsync_worker_new
 *                                                (refused there: a worker names its store
 *                                                in its options)
 * }
 *
 * A business's own settings: "zone", "window", "policy" and "export" are the business's,
 * the rest the host's. A client stores the business's (in its store, for that business)
 * whenever they differ from what is stored, so the host configures a business by opening
 * its client; workers sync each business with them (see calsync_worker_options).
 *
 * Secrets at rest: every value calsync seals in the store (a connection's credentials, a
 * pending sign-in's verifier, a push channel's secret) is bound to its purpose and its
 * row: copied into another row it does not open, and that connection reports
 * needs_reauthorisation with a message naming it, having sent nothing. A store written
 * by an earlier calsync is re-sealed that way when it is opened, and the addresses of
 * its ICS feeds move from the clear settings into the sealed credentials.
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL (options or config; the message names the field),
 * CALSYNC_EZONE, CALSYNC_ERROR (the store, options.store_path's or the config's
 * "store.url", cannot be opened: the message says why, without the URL's password).
 * *client is freed with calsync_client_free.
 */
CALSYNC_API calsync_status calsync_client_new(const calsync_client_options* options,
                                              calsync_client** client);

/* Frees a client. Reads calsync_client_confirm_free left running are cancelled (their
 * transfers abort within about a second) and waited for; nothing they did not finish is
 * stored. Accepts NULL. */
CALSYNC_API void calsync_client_free(calsync_client* client);

/*
 * calsync_client_connect: adds a CalDAV, iCloud or ICS-feed account, or a Google or
 * Microsoft account from tokens (a device sign-in, calsync_oauth_device_poll). The
 * account is checked (its calendars listed) before anything is stored. An account that
 * was connected before gets its old connection back, with its export map, so nothing is
 * exported twice.
 *
 * request_json:
 * {
 *   "version": 1,
 *   "kind": "caldav" | "icloud" | "ics_feed" | "google" | "microsoft",   required
 *   "settings": {...},            caldav, icloud, ics_feed: a calsync_provider_new
 *                                 document without the password ("url", "username",
 *                                 "name", "owner_addresses"). An ICS feed's "url" is
 *                                 kept sealed like a password, and the connection's
 *                                 "account" shows only its origin and a digest:
 *                                 "https://calendar.google.com/... #Ab3dE9xQ1z"
 *   "password": "...",            caldav, icloud (the app-specific password)
 *   "tokens": TOKENS,             google, microsoft
 *   "connection_id": "..."        optional; generated when absent
 * }
 * *connection: freed with calsync_connection_free.
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL, CALSYNC_EAUTH (also: Google tokens whose "scope" lacks
 * the calendar list or the events permission, which Google's consent screen lets the
 * person untick; the message names it and nothing is connected), CALSYNC_ENETWORK,
 * CALSYNC_EHTTP, CALSYNC_ENOTFOUND.
 */
CALSYNC_API calsync_status calsync_client_connect(calsync_client* client, const char* request_json,
                                                  calsync_connection** connection);

/*
 * calsync_client_authorize_begin: starts a Google or Microsoft sign-in (PKCE, a signed
 * state). The verifier is sealed in the store, so the redirect may be completed by
 * another process sharing the store.
 *
 * request_json: {"version": 1, "kind": "google" | "microsoft", "connection_id": "..."}
 * (connection_id optional). *response_json: {"version": 1, "connection_id", "url",
 * "state"}: send the person's browser to "url".
 *
 * Returns CALSYNC_OK or CALSYNC_EINVAL (e.g. no OAuth client configured for the kind).
 */
CALSYNC_API calsync_status calsync_client_authorize_begin(calsync_client* client,
                                                          const char* request_json,
                                                          char** response_json);

/*
 * calsync_client_authorize_complete: the redirect came back.
 *
 * request_json: {"version": 1, "state": "...", "code": "..."} from the redirect's query,
 * or {"version": 1, "redirect_url": "http://127.0.0.1:8400/cb?code=...&state=..."}.
 * A state is accepted once, within 10 minutes of calsync_client_authorize_begin.
 *
 * Returns CALSYNC_OK, CALSYNC_EINVAL, CALSYNC_EAUTH (state refused, the person declined
 * (an "error" in the redirect), the code was refused, or a permission calsync needs was
 * left unticked on the consent screen: the message names it), CALSYNC_ENETWORK,
 * CALSYNC_EHTTP.
 */
CALSYNC_API calsync_status calsync_client_authorize_complete(calsync_client* client,
                                                             const char* request_json,
                                                             calsync_connection** connection);

/*
 * calsync_client_connection: a handle for a stored connection.
 * Returns CALSYNC_OK or CALSYNC_ENOTFOUND.
 */
CALSYNC_API calsync_status calsync_client_connection(calsync_client* client,
                                                     const char* connection_id,
                                                     calsync_connection** connection);

/*
 * calsync_client_connections: every connection with its status.
 * *response_json: {"version": 1, "connections": [CONNECTION, ...]}
 * CONNECTION: {"id", "kind", "account", "state": "active" | "disconnected",
 *              "status": STATUS}
 * STATUS: {"state": "never_synced" | "ok" | "error" | "rate_limited" |
 *          "needs_reauthorisation" | "calendar_gone", "last_attempt", "last_success",
 *          "next_due" (RFC 3339 or null), "last_error", "events_read",
 *          "events_exported", "consecutive_failures"}
 */
CALSYNC_API calsync_status calsync_client_connections(calsync_client* client, char** response_json);

/* Frees a connection handle (not the connection). Accepts NULL. */
CALSYNC_API void calsync_connection_free(calsync_connection* connection);

/*
 * calsync_connection_info: {"version": 1, "id", "kind", "account", "state"}.
 */
CALSYNC_API calsync_status calsync_connection_info(calsync_connection* connection,
                                                   char** response_json);

/*
 * calsync_connection_calendars: the account's calendars now (one request), with what is
 * selected.
 * *response_json: {"version": 1, "calendars": [{"id", "name", "color", "time_zone",
 *   "can_write", "is_primary", "owner", "selected", "direction": "import" | "export" | "both",
 *   "policy": {...}}, ...], "gone": ["<id of a selected calendar no longer listed>"]}
 */
CALSYNC_API calsync_status calsync_connection_calendars(calsync_connection* connection,
                                                        char** response_json);

/*
 * calsync_connection_select: syncs a calendar in a direction.
 * request_json: {"version": 1, "calendar_id": "...", "direction": "import" | "export" |
 * "both", "policy": {...}} (policy optional: the client's default). Export needs a
 * calendar the account can write (CALSYNC_EINVAL otherwise, naming it). The connection's
 * next sync is due at once.
 */
CALSYNC_API calsync_status calsync_connection_select(calsync_connection* connection,
                                                     const char* request_json);

/* calsync_connection_deselect: its events stop blocking at once; exports stay. */
CALSYNC_API calsync_status calsync_connection_deselect(calsync_connection* connection,
                                                       const char* calendar_id);

/*
 * calsync_connection_sync: syncs now: reads every selected calendar, applies what
 * changed, runs the exports. One failing calendar does not stop the others; the report
 * says which failed and why.
 * *report_json: REPORT = {"version": 1, "connection_id", "status": STATUS,
 *   "added": [SLOT, ...], "removed": [SLOT, ...],
 *   "calendars": [{"calendar_id", "status": STATUS, "events_read", "exports_written",
 *                  "corrected",
 *                  "skipped": [{"event_id", "message"}, ...],
 *                  "capped": [{"event_id", "message"}, ...]}, ...]}
 * "corrected": events the periodic full read (CLIENT_CONFIG "schedule"
 * "full_read_seconds", daily by default) found otherwise than the incremental reads had
 * left them (new, changed or gone; 0 when none or no full read was due), corrected in
 * this sync and logged. Some servers' change reports miss changes: DAViCal answers a sync
 * token it no longer knows (after a restore) with an ordinary listing instead of an error
 * (RFC 6578 3.2), so a deletion made meanwhile is never reported.
 * "skipped": events the server sent that could not be read, also those past the
 * iCalendar limits above. "capped": events of an import calendar left out for the
 * OCCURRENCE LIMITS (see calsync_engine_blocked_slots: 10000 kept per event, 50000 kept
 * and 250000 expanded per calendar inside the sync window); they block nothing, the calendar's
 * other events still do. Both are listed at every sync while they last. The limits hold when a
 * client starts on a stored calendar too. A calendar whose answers go past a limit (a JSON page
 * past the JSON limits, a CalDAV sync-collection carrying over 64 MiB in all its rounds) fails, its
 * status naming the limit; what was stored for it stays as it was. Returns CALSYNC_OK whenever a
 * report was made (read its status), or CALSYNC_EINVAL (a disconnected connection),
 * CALSYNC_ENOTFOUND, CALSYNC_ERROR (the store failed).
 */
CALSYNC_API calsync_status calsync_connection_sync(calsync_connection* connection,
                                                   char** report_json);

/* calsync_connection_request_sync: due at once (a push notification, "sync now"). */
CALSYNC_API calsync_status calsync_connection_request_sync(calsync_connection* connection);

/* calsync_connection_status: *status_json: STATUS + {"calendars": {"<id>": STATUS}}. */
CALSYNC_API calsync_status calsync_connection_status(calsync_connection* connection,
                                                     char** status_json);

/*
 * calsync_connection_check: the health check, talking to the service.
 * *report_json: {"version": 1, "connection_id", "ok": bool, "items": [{"check":
 *   "credentials" | "scopes" | "calendar:<id>" | "writable:<id>" | "sync", "ok": bool,
 *   "reason": "...", "action": "what the user should do"}, ...]}
 */
CALSYNC_API calsync_status calsync_connection_check(calsync_connection* connection,
                                                    char** report_json);

/*
 * calsync_connection_disconnect: the connection's imported events and blocked slots go
 * at once; events exported to its calendars stay there, and the export map is kept for a
 * reconnect. `revoke` non-zero first revokes the OAuth grant at the service (Google;
 * Microsoft only with a configured "revocation_url"); when it cannot, nothing is
 * disconnected and the message says where the person withdraws the access instead.
 *
 * Returns CALSYNC_OK, CALSYNC_ENOTFOUND, CALSYNC_EINVAL (revoke asked of a connection
 * without a grant calsync can revoke: CalDAV, iCloud, a feed, Microsoft),
 * CALSYNC_ENETWORK, CALSYNC_EHTTP (the revocation failed: try again, or disconnect
 * without revoking).
 */
CALSYNC_API calsync_status calsync_connection_disconnect(calsync_connection* connection,
                                                         int revoke);

/*
 * Push notifications: instead of waiting for the schedule, a Google or Microsoft calendar
 * tells the host's HTTPS endpoint when it changed, and that connection is due at once
 * (calsync_client_run_due then syncs it). CalDAV, iCloud and ICS feeds have no push and
 * are polled on the schedule.
 *
 * calsync_connection_watch: watches one calendar selected for import (or both): for
 * Google an events.watch channel, for Microsoft a Graph subscription, whose validation
 * request reaches "address" before this returns (so the endpoint must already pass
 * what it receives to calsync_client_handle_push, from another thread). Watching a
 * calendar again replaces its channel.
 * request_json: {"version": 1, "calendar_id": "...", "address": "https://..."}
 * *response_json: {"version": 1, "channel_id", "connection_id", "calendar_id",
 *   "kind": "google" | "microsoft", "expires_at": RFC3339}
 * The caller frees *response_json with calsync_string_free. Returns CALSYNC_OK,
 * CALSYNC_EINVAL (a malformed request naming the field, a calendar not selected for
 * import, a connection whose service has no push: "CalDAV has no push notifications;
 * calsync polls it on the schedule"), CALSYNC_ENOTFOUND (no such calendar),
 * CALSYNC_EAUTH, CALSYNC_ENETWORK, CALSYNC_EHTTP (the service refused, e.g. Graph's
 * validation request failed).
 */
CALSYNC_API calsync_status calsync_connection_watch(calsync_connection* connection,
                                                    const char* request_json, char** response_json);

/*
 * calsync_client_renew_push: renews every channel with less than a day left (Graph: the
 * subscription is extended; Google: a new channel replaces the old, which is stopped).
 * Call it every hour or so. One channel failing does not stop the others.
 * *response_json: {"version": 1, "channels": [{"connection_id", "calendar_id",
 *   "old_channel_id", "channel_id" (the same for Graph; empty on failure), "expires_at",
 *   "ok": bool, "error": {"code", "message"} (when not ok)}, ...]}
 * The caller frees *response_json with calsync_string_free. Returns CALSYNC_OK whenever
 * a response was made (read each channel's "ok").
 */
CALSYNC_API calsync_status calsync_client_renew_push(calsync_client* client, char** response_json);

/*
 * calsync_client_handle_push: what the host's endpoint received, as it came; the answer
 * says what to reply and what was made due. Graph's validation request is answered (200,
 * text/plain, the token); a Google notification (X-Goog-* headers) or a Graph one (the
 * URL's query and the JSON body) is checked against the host key, and when it is genuine,
 * for a channel calsync still holds and a calendar still selected for import, its
 * connection is due at once. Graph lifecycle events: "missed" makes the connection due,
 * "reauthorizationRequired" makes the subscription due for calsync_client_renew_push
 * (call it soon), "subscriptionRemoved" forgets the channel (watch again). No network
 * request is made here, so Graph's 3-second limit is kept.
 * request_json: {"version": 1, "method": "POST", "query": "a=b&..." (without '?'),
 *   "headers": [{"name", "value"}, ...], "body": "..."}
 * *response_json: {"version": 1, "status": the HTTP status to reply (Graph 202, Google
 *   200, the handshake 200), "content_type", "body" (the reply's body),
 *   "source": "graph_validation" | "graph" | "google",
 *   "marked": [{"connection_id", "calendar_id"}, ...], "events": ["missed", "sync", ...],
 *   "renew_due": ["<channel id>", ...], "forgotten": ["<channel id>", ...],
 *   "ignored": "" | "unknown_channel" | "calendar_not_selected" |
 *   "connection_disconnected", "refused": n (Graph notifications with a wrong clientState)}
 * The caller frees *response_json with calsync_string_free. Returns CALSYNC_OK,
 * CALSYNC_EAUTH (forged or unsigned: reply 403; nothing was marked), CALSYNC_EINVAL
 * (a malformed request naming the field, or no notification at all: reply 400),
 * CALSYNC_ELIMIT (a "body" over 1 MiB, refused before it is read, or a body past the JSON
 * limits above: reply 413 or 400; nothing was marked).
 * May be called from any thread, also while calsync_connection_watch waits for Graph's
 * validation request on another.
 */
CALSYNC_API calsync_status calsync_client_handle_push(calsync_client* client,
                                                      const char* request_json,
                                                      char** response_json);

/*
 * calsync_client_run_due: syncs every connection that is due (15-30 minutes after its
 * last good sync, at once after connecting, a request or a push, later after failures),
 * at most "max_concurrent_syncs" at a time, on the client's one pool of threads. It waits
 * for every due sync (each ends within "sync_timeout_seconds"), also one an earlier
 * calsync_client_run_due_within left running; a host that must not wait that long calls
 * calsync_client_run_due_within. Call it every minute or so.
 * *response_json: {"version": 1, "reports": [REPORT, ...], "unfinished": []}
 */
CALSYNC_API calsync_status calsync_client_run_due(calsync_client* client, char** response_json);

/*
 * calsync_client_run_due_within: calsync_client_run_due that returns after at most
 * wait_ms milliseconds (1 to 3600000), so a dead server cannot hold the caller. The client
 * keeps one pool of "max_concurrent_syncs" threads for every call (started when first
 * needed, ended by calsync_client_free). At the deadline, a sync still running goes on in
 * the pool and stores its outcome like any sync (each sync ends within the network's
 * "sync_timeout_seconds"); a due sync not yet started is not started and stays due for the
 * next call. No connection is synced by two calls at once.
 * *response_json: {"version": 1, "reports": [REPORT, ...], "unfinished": ["<connection
 *   id>", ...]}: the reports of the syncs that finished in time, and the due connections
 *   that did not (still running, from this call or an earlier one, or not started), sorted.
 *   calsync_client_run_due answers the same document, with "unfinished" empty.
 *
 * Returns CALSYNC_OK or CALSYNC_EINVAL (wait_ms out of range).
 */
CALSYNC_API calsync_status calsync_client_run_due_within(calsync_client* client, long long wait_ms,
                                                         char** response_json);

/*
 * calsync_client_blocked_slots: the slots customers cannot book, from what was read (on a
 * fleet store, CLIENT_CONFIG "store": from the slots kept in the store, by whichever
 * process synced; each calendar's follow the sync window at each of its syncs).
 * range_json: {"version": 1, "start": RFC3339, "end": RFC3339}
 * *response_json: {"version": 1, "slots": [SLOT, ...], "busy": [{"start", "end"}, ...]}
 * SLOT: {"start", "end", "connection_id", "calendar_id", "label" (the calendar's name,
 *        for the greyed-out UI), "event_id", "recurrence_id", "all_day", "tentative"}
 * The range only selects: what the client holds is bounded by the OCCURRENCE LIMITS of
 * each selected calendar (inside the sync window), whatever range is asked.
 */
CALSYNC_API calsync_status calsync_client_blocked_slots(calsync_client* client,
                                                        const char* range_json,
                                                        char** response_json);

/*
 * calsync_client_free_slots: bookable windows, from what was read.
 * request_json: {"version": 1, "within": {"start", "end"}, "duration_seconds": 3600,
 *                "step_seconds": 900}
 * A "busy" member (as calsync_engine_free_slots takes) is refused with CALSYNC_EINVAL
 * rather than ignored: the client's own blocked slots are what counts here.
 * *response_json: {"version": 1, "free": [{"start", "end"}, ...]}
 * Returns CALSYNC_OK, CALSYNC_EINVAL, or CALSYNC_ELIMIT beyond 100000 windows, as
 * calsync_engine_free_slots.
 */
CALSYNC_API calsync_status calsync_client_free_slots(calsync_client* client,
                                                     const char* request_json,
                                                     char** response_json);

/*
 * calsync_client_confirm_free: before a booking is confirmed, reads every import
 * calendar again (incrementally, in parallel) for at most "timeout_ms", then answers.
 * At most one such read per connection is in flight: a call made while one is still
 * running (a slow server outlasting an earlier call's timeout) waits on it, within its
 * own timeout, instead of starting another; the answer then comes from what was read
 * before. No call leaves more than one thread per connection behind.
 * request_json: {"version": 1, "start": RFC3339, "end": RFC3339, "timeout_ms": 3000}
 * ("timeout_ms" 0 to 600000)
 * *response_json: {"version": 1, "free": bool, "fresh": bool (false: some calendar could
 *   not be read again in time, the answer comes from what was read before),
 *   "stale_connections": ["..."], "conflicts": [SLOT, ...]}
 */
CALSYNC_API calsync_status calsync_client_confirm_free(calsync_client* client,
                                                       const char* request_json,
                                                       char** response_json);

/*
 * calsync_client_upsert_appointment: adds or changes a booking; the export calendars are
 * due at once (call calsync_client_run_due or calsync_connection_sync).
 * appointment_json: APPOINTMENT = {"version": 1, "id": "...", "start": RFC3339,
 *   "end": RFC3339, "client": "...", "service": "...", "vehicle": "...", "notes": "...",
 *   "status": "booked" | "cancelled"}
 */
CALSYNC_API calsync_status calsync_client_upsert_appointment(calsync_client* client,
                                                             const char* appointment_json);

/* calsync_client_cancel_appointment: its exported events are deleted at the next sync. */
CALSYNC_API calsync_status calsync_client_cancel_appointment(calsync_client* client,
                                                             const char* appointment_id);

/* calsync_client_appointments: {"version": 1, "appointments": [APPOINTMENT + {"revision"}]} */
CALSYNC_API calsync_status calsync_client_appointments(calsync_client* client,
                                                       char** response_json);

/*
 * calsync_client_team_feed: the appointments as one iCalendar document, for the host to
 * serve as a subscription feed team members add to their calendar apps. Stable UIDs (the
 * exports' own), so subscribers see updates, not duplicates.
 * request_json: {"version": 1, "connection_id": "..." (only appointments exported through
 *   it; absent: all), "calendar_name": "...", "busy_only": bool,
 *   "refresh_interval_minutes": 30}
 * *ics: text/calendar, freed with calsync_string_free.
 */
CALSYNC_API calsync_status calsync_client_team_feed(calsync_client* client,
                                                    const char* request_json, char** ics);

/*
 * Workers: a fleet of businesses in one store (PostgreSQL for many processes on many
 * machines; SQLite or memory for one process), synced by any number of workers. A worker
 * claims due connections of every business with a lease (renewed while it works) and a
 * fencing token, syncs each through its business's view fenced by that lease (a worker
 * whose lease was taken over writes nothing more), and queues each connection's next due
 * time. A worker killed with SIGKILL loses nothing: its leases expire after
 * "lease_seconds" and another worker syncs those connections; the export intent protocol
 * keeps every appointment exported once. Run N workers on M machines by starting
 * `calsync worker --store postgresql://...` (or a host's own calsync_worker_run) on each,
 * with the same config and host key.
 *
 * Google's quota is per OAuth project, not per process: the workers of a fleet take their
 * Google requests from one budget per OAuth client id kept in the store (a token bucket
 * refilled at 90 % of the config's "google": {"requests_per_minute"}, default 10,000, with
 * bursts of 1 % of it), in blocks of up to a second's share, and wait when it is empty, so
 * N workers together keep the pace one process keeps alone. Every worker of a fleet must
 * be given the same "requests_per_minute". Microsoft Graph throttles per app and tenant
 * by answering 429 with Retry-After, which every worker honours (a sync due again no
 * earlier than it asked); nothing is shared for it. A client opened on a fleet's store
 * (CLIENT_CONFIG "store") takes its Google requests from the same budget as the workers.
 *
 * Thread rules: calsync_worker_run_once and calsync_worker_run from one thread at a time;
 * calsync_worker_stop and calsync_worker_mark_due from any. The log callback is called
 * from the worker's threads.
 */
typedef struct calsync_worker calsync_worker;

#define CALSYNC_WORKER_OPTIONS_VERSION 1

typedef struct calsync_worker_options {
    unsigned int version;          /* CALSYNC_WORKER_OPTIONS_VERSION */
    const char* store_url;         /* "postgresql://..." or "postgres://..." (a libpq URI),
                                      "sqlite:PATH" or a plain path, "memory:" */
    const char* owner;             /* names this worker in its leases, unique in the
                                      fleet; NULL: "<hostname>:<pid>" */
    const unsigned char* host_key; /* as calsync_client_options: the one the clients use */
    size_t host_key_length;
    const char* config_json;    /* CLIENT_CONFIG (calsync_client_new), for every
                                   business; NULL for the defaults. Its "zone",
                                   "window", "policy" and "export" are used only for a
                                   business that never stored its own (a client of
                                   the business stores them) */
    unsigned int threads;       /* syncs at once, one pool per worker (1 to 256);
                                   0: the config's "max_concurrent_syncs" */
    unsigned int lease_seconds; /* a claim's life unless renewed (every third of it);
                                   at least 3; 0: 60 */
    calsync_log_fn log;         /* optional; from the worker's threads */
    void* user_data;
} calsync_worker_options;

#define CALSYNC_WORKER_OPTIONS_INIT \
    { CALSYNC_WORKER_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, 0, 0, NULL, NULL }

/*
 * calsync_worker_new: opens the fleet at store_url (migrating its schema).
 * Returns CALSYNC_OK, CALSYNC_EINVAL (options or config: the message names the field),
 * CALSYNC_EZONE, CALSYNC_ERROR (the store cannot be opened: the message says why).
 * *worker is freed with calsync_worker_free.
 */
CALSYNC_API calsync_status calsync_worker_new(const calsync_worker_options* options,
                                              calsync_worker** worker);

/* Stops the worker and waits for the syncs it runs. Accepts NULL. */
CALSYNC_API void calsync_worker_free(calsync_worker* worker);

/*
 * calsync_worker_run_once: one batch: claims the connections due now (up to "threads"),
 * syncs them, and returns when they are all done (a slow one holds the batch: for hosts
 * driving their own loop; calsync_worker_run keeps every thread busy).
 * *response_json: {"version": 1, "claimed": N, "reports": [REPORT, ...] (as
 *   calsync_client_run_due's), "lost": ["<connection id>", ...] (its lease was taken over:
 *   nothing more was written), "failed": [...] (not synced; the log says why; due again
 *   after the schedule's first retry)}
 * Returns CALSYNC_OK, CALSYNC_EINVAL, CALSYNC_ERROR (the fleet's queue cannot be read).
 */
CALSYNC_API calsync_status calsync_worker_run_once(calsync_worker* worker, char** response_json);

/*
 * calsync_worker_run: until calsync_worker_stop, keeps up to "threads" syncs running and
 * up to as many claimed and waiting for a thread, claiming again once none waits (a slow
 * sync holds its own thread, not the others), and sleeps until the next due time (at most
 * a second) when threads stay free. Errors of the fleet are logged and tried again.
 * Returns CALSYNC_OK once stopped (after the syncs it claimed finished), or
 * CALSYNC_EINVAL.
 */
CALSYNC_API calsync_status calsync_worker_run(calsync_worker* worker);

/* Makes calsync_worker_run return after the syncs it claimed. Any thread. CALSYNC_OK or
 * CALSYNC_EINVAL. */
CALSYNC_API calsync_status calsync_worker_stop(calsync_worker* worker);

/*
 * calsync_worker_mark_due: a connection of a business is due now (a push notification,
 * "sync now", a sign-in), for whichever worker claims it first. Returns CALSYNC_OK,
 * CALSYNC_EINVAL, CALSYNC_ENOTFOUND (no such connection in that business).
 */
CALSYNC_API calsync_status calsync_worker_mark_due(calsync_worker* worker, const char* business_id,
                                                   const char* connection_id);

/*
 * Secrets at rest: TOKENS (and other secrets) sealed with AES-256-GCM under a key derived
 * from a host key, for hosts that store them in files or databases.
 *
 * calsync_secret_key_new: a fresh host key, base64url of 32 random bytes from the OS.
 * The caller frees *host_key with calsync_string_free and keeps it out of the store it
 * protects. Returns CALSYNC_OK or CALSYNC_EINVAL.
 */
CALSYNC_API calsync_status calsync_secret_key_new(char** host_key);

/*
 * calsync_secret_seal: *sealed = "v1." + base64url(nonce || ciphertext || tag); the
 * caller frees it with calsync_string_free. host_key: base64url of at least 32 bytes.
 * Returns CALSYNC_OK or CALSYNC_EINVAL.
 */
CALSYNC_API calsync_status calsync_secret_seal(const char* host_key, const char* plaintext,
                                               char** sealed);

/*
 * calsync_secret_unseal: the plaintext of calsync_secret_seal's output; the caller frees
 * *plaintext with calsync_string_free. Returns CALSYNC_OK, CALSYNC_EINVAL, or
 * CALSYNC_EAUTH when the key is not the one it was sealed with or the text was altered.
 */
CALSYNC_API calsync_status calsync_secret_unseal(const char* host_key, const char* sealed,
                                                 char** plaintext);

#ifdef __cplusplus
}
#endif

/* NOLINTEND(cppcoreguidelines-macro-usage, modernize-use-using, modernize-deprecated-headers,
 * hicpp-deprecated-headers) */

#endif /* CALSYNC_H */
