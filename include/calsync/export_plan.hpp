// The export engine: appointments + the export map of one target calendar + what the
// latest sync saw there -> the writes that bring that calendar in line. Pure: no I/O, no
// clock ("now" enters as ExportPolicy::export_from), deterministic.
//
// How the sync service uses it, per export calendar:
//   1. observations = observe_exports(...) from the events the latest read of the calendar
//      returned (marked events included: the import engine ignores them for blocking, but
//      they are how remote edits and deletions of our exports are seen), or empty
//      observations for an export-only calendar that is not read. Then read back each
//      pending entry's event (remote_id empty, below) by its derived identity (CalDAV:
//      GET the resource; Google: events.get by the derived id; Graph: the extended-
//      property lookup) and add it as present or absent: an export-only calendar is
//      never read, and a cancelled appointment whose create answer was lost must not
//      leave its event behind.
//   2. plan = plan_exports(appointments, entries, observations, policy);
//   3. apply plan.actions in order, each on its own (one failure does not stop the rest):
//      create        if there is no entry yet, first store a pending one
//                    {appointment_id, "", "", ""}; then provider.create_event(calendar,
//                    action.event); on success store
//                    {appointment_id, remote.id, remote.etag, action.content_hash}.
//                    create_event must be an upsert by the identity derived from the
//                    marker: when it finds an earlier write of this appointment (a retry
//                    after a lost response) it must write action.event over it, or the
//                    entry must be stored with an empty content_hash so the next plan
//                    sends an update.
//      update        provider.update_event(calendar, {remote_id, etag}, action.event)
//                    (etag is the If-Match value); on success store the entry as above.
//      remove        provider.delete_event(calendar, {remote_id, etag}); success, 404 and
//                    410 all mean gone; then, if action.forget_record, drop the entry.
//      forget_record drop the entry (no request).
//      accept_remote store {remote_id, etag, content_hash} from the action (no request).
//      On Error conflict (412: the remote changed since it was seen) or not_found on an
//      update, keep the entry as it is, read that event again (or the calendar) and plan
//      again: the fresh observation decides. A lost answer (timeout, crash) changes
//      nothing in the map; the next plan repairs it from what it sees.
//   4. report plan.notices (nothing to write, but the host should know).
#pragma once

#include <string>
#include <vector>

#include "calsync/export_render.hpp"
#include "calsync/model.hpp"

namespace calsync {

// One entry of the export map of one target calendar, as the store keeps it (the store's
// own record type maps onto this one).
struct ExportMapEntry {
    std::string appointment_id;
    // Provider's event id (CalDAV: the resource href). Empty: a pending create, recorded
    // before the create was sent and not yet answered (see the recipe above).
    std::string remote_id;
    std::string etag;          // the version calsync wrote; empty when the server gave none
    std::string content_hash;  // export_content_hash of what was written; empty = unknown
};

// One event carrying our export marker, as the latest read of the calendar returned it.
struct ObservedExport {
    std::string appointment_id;  // its export marker
    std::string remote_id;       // Event::id
    std::string etag;            // Event::etag
};

// What the latest sync saw of our exports in one calendar. An appointment id that is in
// neither list is unknown (the calendar was not read, or not where that event would be).
struct ExportObservations {
    std::vector<ObservedExport> present;  // several for one appointment id = duplicates
    // Appointment ids certain to have no event there: the whole calendar was read, or the
    // event was looked up by its identity and not found.
    std::vector<std::string> absent;
    // Set when the calendar was read only within a window (Google timeMin/timeMax, a
    // Graph calendarView). An entry with no event in `present` then counts as absent only
    // where the event as exported would have been returned: its appointment is booked,
    // unchanged since that export (same content hash) and overlaps the window. Otherwise
    // (it moved, or was cancelled) it is unknown: the plan writes to the entry's event
    // and the answer (404, 412) tells. Never inferred from the appointment's new time,
    // which the remote event need not share.
    bool windowed = false;
    TimeRange window;
};

// Which of a read's events were bound to be returned if they existed.
struct ExportReadScope {
    bool calendar_read = false;  // false: export-only calendar, nothing is known absent
    // The read returned only events overlapping this range (Google timeMin/timeMax, a
    // Graph calendarView); false: the whole calendar was read (CalDAV sync-collection).
    bool windowed = false;
    TimeRange window;
};

// present: every event of `calendar_events` with an export marker. When the scope says
// the calendar was read whole, absent: every entry with no marked event in the read.
// When it was read in a window, the window is passed on (see ExportObservations) and
// absent stays empty.
ExportObservations observe_exports(const std::vector<Event>& calendar_events,
                                   const std::vector<ExportMapEntry>& entries,
                                   const ExportReadScope& scope);

// The user changed our exported event in the external calendar (its etag is not the one
// we wrote) while the appointment stayed as exported.
enum class RemoteEditPolicy {
    appointment_wins,  // default: write the appointment's fields back over the edit
    keep_remote,       // keep the edit (learn its etag); the appointment's next change
                       // is written over it
};

// The user deleted our exported event while the appointment still stands.
enum class RemoteDeletePolicy {
    recreate,       // default: create it again
    leave_deleted,  // leave it deleted and report it (a notice each plan); the
                    // appointment's next change exports it again
};

struct ExportPolicy {
    ExportOptions render;
    // Appointments that ended at or before this instant (the sync window's start, from
    // "now") are history: never created, updated or re-created, and their entries kept
    // (only a second copy is removed); cancelling one still deletes its event. The
    // default exports everything.
    Instant export_from{};
    RemoteEditPolicy on_remote_edit = RemoteEditPolicy::appointment_wins;
    RemoteDeletePolicy on_remote_delete = RemoteDeletePolicy::recreate;
};

enum class ExportActionKind { create, update, remove, forget_record, accept_remote };

enum class ExportReason {
    new_appointment,           // create: booked, never exported here
    appointment_changed,       // update: its content hash differs from the entry's
    remote_edit_overwritten,   // update: edited remotely, appointment_wins
    remote_deleted_recreated,  // create: deleted remotely, recreate
    adopted_without_entry,     // update: our event is there but the map has no entry
                               // for it (a lost create response; a reconnect)
    duplicate_remote,          // remove: a second event with the same marker
    appointment_cancelled,     // remove (or forget_record if already gone remotely)
    appointment_gone,          // remove: the entry's appointment no longer exists
    remote_edit_kept,          // accept_remote: edited remotely, keep_remote
    etag_learned,              // accept_remote: the entry had no etag, the read has one
    already_deleted_remotely,  // forget_record: cancelled or gone, and so is the event
};
const char* to_string(ExportActionKind kind);
const char* to_string(ExportReason reason);

struct ExportAction {
    ExportActionKind kind = ExportActionKind::create;
    ExportReason reason = ExportReason::new_appointment;
    std::string appointment_id;
    Event event;                 // create, update: what to write (render_export)
    std::string content_hash;    // create, update, accept_remote: the entry's new hash
    std::string remote_id;       // update, remove, accept_remote: the remote event
    std::string etag;            // update, remove: If-Match; accept_remote: the new etag
    bool forget_record = false;  // remove: drop the entry once the event is gone
};

enum class ExportNoticeKind {
    remote_deletion_left,      // leave_deleted: our event was deleted remotely, left so
    unknown_appointment_left,  // a marked event for an appointment we do not hold and
                               // have no entry for: left in place (it may not be ours)
    pending_create_unseen,     // cancelled or gone with a pending entry whose event was
                               // not looked up: the entry stays until a read says
};

struct ExportNotice {
    ExportNoticeKind kind;
    std::string appointment_id;
    std::string remote_id;
};

struct ExportPlan {
    std::vector<ExportAction> actions;  // sorted by appointment id; per id, duplicates'
                                        // removals first, then the one main action
    std::vector<ExportNotice> notices;  // sorted by appointment id
};

// `appointments`: every appointment that has an entry in `entries` or may be exported
// here, booked and cancelled alike. An entry whose appointment is missing from this list
// is taken as deleted by the host, and its event is removed.
//
// Per appointment id (the union of appointments, entries and present observations):
//   booked, ended at or before export_from   only duplicates removed (history is left
//                                            as it is)
//   booked otherwise ("standing"):
//     several marked events                  keep the entry's (else the lowest remote id),
//                                            remove the others (duplicate_remote)
//     event seen, no entry for it            update it (adopted_without_entry)
//     event seen, entry etag empty           hash equal: accept_remote (etag_learned),
//                                            else update
//     event seen, same etag as the entry     hash equal: nothing; else update
//     event seen, other etag (edited)        hash differs: update (appointment_changed);
//                                            else by on_remote_edit
//     known absent, entry exists             by on_remote_delete (leave_deleted: a notice,
//                                            or a create if the hash changed since)
//     not seen, no entry or a pending one    create (new_appointment)
//     unknown, entry exists                  hash equal: nothing; else update with the
//                                            entry's etag
//   cancelled, or missing with an entry:
//     each marked event seen                 remove with its etag (forget_record when it
//                                            is the entry's)
//     entry, event known absent              forget_record
//     entry, unknown                         remove with the entry's etag, forget_record
//                                            (a pending entry: a notice, nothing written)
//   missing, no entry, marked event seen     a notice, nothing written
// Applying a plan and planning again on a calendar that stayed as written gives no
// actions.
ExportPlan plan_exports(const std::vector<Appointment>& appointments,
                        const std::vector<ExportMapEntry>& entries,
                        const ExportObservations& observations, const ExportPolicy& policy);

}  // namespace calsync
