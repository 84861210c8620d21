// One sync of one connection, and the export half of it, as the service's member
// functions (sync, run_due, confirm_free) run them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sync/service_state.hpp"

namespace calsync::sync {

// The status a failure leaves behind: needs re-authorisation for a refused grant or
// password, calendar gone for a calendar that no longer exists, rate limited, else error.
SyncState state_for(const Error& error);
// "calendar \"<name>\"" (its id when it has no name), as messages name a calendar.
std::string calendar_label(const CalendarRecord& calendar);
// Where one error ranks when a connection's calendars end differently: the worst wins.
int severity(SyncState state);

// Reads one calendar and applies what changed: to the store with its new cursor in one
// transaction, then (for an import calendar) to the engine. A failed read changes nothing.
// A read that changed nothing leaves its new cursor to be stored with the sync's statuses:
// until then the old one stands, and reading from it again finds nothing new either.
struct CalendarRead {
    CalendarSyncResult result;
    std::optional<Error> error;
    std::optional<std::string> unchanged_cursor;
};
CalendarRead read_calendar(SyncService::State& s, const ConnectionRecord& connection,
                           CalendarProvider& provider, const CalendarRecord& calendar,
                           const TimeRange& window, SlotDiff* diff);

// Brings one export calendar in line with the appointments (plan_exports), each remote
// write wrapped in the store's export intent protocol. Returns the writes made; problems
// (one per failed write) are appended. A write refused as a conflict re-reads the
// calendar and plans once more.
std::size_t run_exports(SyncService::State& s, const ConnectionRecord& connection,
                        CalendarProvider& provider, const CalendarRecord& calendar,
                        const TimeRange& window, SlotDiff* diff, std::vector<Error>* problems);

// One appointment whose write failed, and why.
struct ExportFailure {
    std::string appointment_id;
    Error error;
};
// One error for a calendar's failed writes: a single one names its appointment; several
// are counted and named (the first ten), with the gravest one's reason and code.
Error export_failures(const std::vector<ExportFailure>& failures, const CalendarRecord& calendar);

// sync() and confirm_free() share this; `with_exports` false reads import calendars only.
Result<SyncReport> sync_connection(SyncService::State& s, const std::string& connection_id,
                                   bool with_exports);

}  // namespace calsync::sync
