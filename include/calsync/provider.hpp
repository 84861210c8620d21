// The one interface every calendar service is reached through (Google, Graph, CalDAV,
// iCloud, ICS feeds). The engine and the sync service see only these shapes.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "calsync/model.hpp"
#include "calsync/push.hpp"
#include "calsync/result.hpp"

namespace calsync {

enum class ProviderKind { google, microsoft, caldav, icloud, ics_feed };

// What a provider can do: code above the adapters asks this, never which service it is.
// A provider's kind has the same capabilities before one is built (providers/provider_kinds).
struct ProviderCapabilities {
    // Signs in with OAuth 2.0; its credentials are tokens, refreshed as it works.
    bool oauth = false;
    // fetch_changes reads the sync window only: an event missing from a read may lie
    // outside it (so find_export answers whether an export exists), and a cursor whose
    // window fell behind is read afresh.
    bool windowed_reads = false;
    // Change notifications: push() watches a calendar.
    bool push = false;
    // The account is one calendar that stays what it was at connect (an ICS feed): its
    // listing then stands, and listing again would only read the whole feed again.
    bool one_fixed_calendar = false;
};

// What changed in one calendar since a cursor. On `full_resync` the upserts are the whole
// calendar and replace everything held for it (an expired or missing cursor); otherwise
// they are applied on top. Applied with `next_cursor` in one transaction, or not at all.
struct ChangeSet {
    std::vector<Event> upserts;         // masters with their overrides attached
    std::vector<std::string> removals;  // Event::id values
    std::string next_cursor;            // opaque; empty when the provider keeps none
    bool full_resync = false;
    bool unchanged = false;          // nothing to apply (e.g. HTTP 304 on a feed)
    std::vector<EventError> errors;  // events that could not be read, skipped

    // Nothing to apply but a cursor to move (a read that found nothing): one statement to
    // store, needing no transaction of its own.
    bool moves_cursor_only() const {
        return unchanged || (upserts.empty() && removals.empty() && !full_resync);
    }
};

// The remote identity and version of an event calsync wrote.
struct RemoteEvent {
    std::string id;    // provider's event id (CalDAV: the resource href)
    std::string etag;  // the version to pass back on update/delete
};

class CalendarProvider {
  public:
    virtual ~CalendarProvider() = default;

    virtual Result<std::vector<Calendar>> list_calendars() = 0;

    // An empty cursor asks for everything within `window`.
    virtual Result<ChangeSet> fetch_changes(const std::string& calendar_id,
                                            const std::string& cursor, const TimeRange& window) = 0;

    // Creates the event for `event.export_marker` (the appointment id). Idempotent: the
    // remote identity derives from the marker, so a retry after a crash finds the first
    // write instead of making a second event (Error conflict with the existing etag).
    virtual Result<RemoteEvent> create_event(const std::string& calendar_id,
                                             const Event& event) = 0;
    // Error conflict when the remote version is no longer `expected_etag`.
    virtual Result<RemoteEvent> update_event(const std::string& calendar_id,
                                             const RemoteEvent& existing, const Event& event) = 0;
    virtual Result<void> delete_event(const std::string& calendar_id,
                                      const RemoteEvent& existing) = 0;

    // Settings this provider learned that a later provider of the same connection should
    // start from (a JSON object of members for its configuration, e.g. CalDAV's discovered
    // calendar home), so it does not learn them again; "" when there are none. The sync
    // service keeps them with the connection's settings.
    virtual std::string learned_settings() const { return ""; }

    virtual ProviderCapabilities capabilities() const { return {}; }
    // Its change notifications when capabilities().push; nullptr otherwise.
    virtual PushChannels* push() { return nullptr; }

    // The event calsync created for `appointment_id`, found by the identity the create
    // derived from it, wherever it lies; nullopt when there is none (or it was deleted).
    // For a create whose answer was lost and whose appointment was cancelled since: a
    // provider that reads calendars through a window (Google, Graph) cannot tell from a
    // read whether that event exists. Providers that read whole calendars (CalDAV) never
    // need it and keep this default.
    virtual Result<std::optional<RemoteEvent>> find_export(const std::string& calendar_id,
                                                           const std::string& appointment_id) {
        (void)calendar_id;
        (void)appointment_id;
        return make_error(ErrorCode::invalid_argument,
                          "this provider reads whole calendars and has no export lookup");
    }
};

}  // namespace calsync
