// The export half of a sync: plan_exports' actions carried out against the provider, each
// remote write between an intent and its confirmation in the store (store.hpp, "export
// intent protocol"), so a crash at any point repeats nothing and loses nothing.
#include <algorithm>
#include <map>
#include <set>

#include "core/user_terms.hpp"
#include "sync/sync_run.hpp"

namespace calsync::sync {
namespace {

std::vector<Appointment> appointments_of(const std::vector<AppointmentRecord>& records) {
    std::vector<Appointment> out(records.size());
    std::transform(records.begin(), records.end(), out.begin(),
                   [](const AppointmentRecord& r) { return r.appointment; });
    return out;
}

// The export map as the plan reads it. A create that was begun and never confirmed is a
// pending entry (no remote id, export_plan.hpp): whether it reached the calendar is what
// the latest read shows. Its appointment standing, our event seen is adopted and none
// seen is created again (the provider makes that idempotent); cancelled, the event seen
// is deleted, and with none seen in a whole-calendar read the record goes.
std::vector<ExportMapEntry> entries_of(const std::vector<ExportRecord>& records) {
    std::vector<ExportMapEntry> out(records.size());
    std::transform(records.begin(), records.end(), out.begin(), [](const ExportRecord& r) {
        if (r.intent == ExportIntent::create)
            return ExportMapEntry{r.key.appointment_id, "", "", ""};
        return ExportMapEntry{r.key.appointment_id, r.remote_id, r.etag, r.content_hash};
    });
    return out;
}

const char* notice_text(ExportNoticeKind kind) {
    switch (kind) {
        case ExportNoticeKind::remote_deletion_left:
            return "its event was deleted in the calendar and is left deleted";
        case ExportNoticeKind::unknown_appointment_left:
            return "an event marked with it is left in place (not an appointment held here)";
        case ExportNoticeKind::pending_create_unseen:
            return "it was cancelled while its export was unconfirmed and the event is "
                   "outside what was read; the record stays until a read shows it";
    }
    return "";
}

// How many appointments could not be written at most are named in one message.
constexpr std::size_t kFailuresNamed = 10;

}  // namespace

Error export_failures(const std::vector<ExportFailure>& failures, const CalendarRecord& calendar) {
    const std::string where = calendar_label(calendar);
    // The reason shown is the gravest one's (a refused password before a conflict).
    const ExportFailure* gravest = &failures.front();
    for (const ExportFailure& f : failures)
        if (severity(state_for(f.error)) > severity(state_for(gravest->error)))
            gravest = &f;
    Error out = gravest->error;
    if (failures.size() == 1) {
        out.message = "exporting appointment " + gravest->appointment_id + " to " + where + ": " +
                      gravest->error.message;
        return out;
    }
    std::string names;
    for (std::size_t i = 0; i < failures.size() && i < kFailuresNamed; ++i)
        names += (i == 0 ? "" : ", ") + failures[i].appointment_id;
    if (failures.size() > kFailuresNamed)
        names += " and " + std::to_string(failures.size() - kFailuresNamed) + " more";
    out.message = counted(failures.size(), "appointment") + " could not be exported to " + where +
                  " (" + names + "); appointment " + gravest->appointment_id + ": " +
                  gravest->error.message;
    return out;
}

namespace {

class ExportRun {
  public:
    ExportRun(SyncService::State& s, const ConnectionRecord& connection, CalendarProvider& provider,
              const CalendarRecord& calendar, std::vector<Error>* problems)
        : s_(s),
          connection_(connection),
          provider_(provider),
          calendar_(calendar),
          problems_(problems) {}

    // Plans and applies once; true when a conflict asks for a fresh read and a new plan.
    bool run(const TimeRange& window, std::size_t* written) {
        auto read = s_.store->read_export_inputs(connection_.id, calendar_.calendar.id);
        if (!read.ok()) {
            problems_->push_back(read.error());
            return false;
        }
        ExportInputs& in = read.value();
        const std::vector<Appointment> appts = appointments_of(in.appointments);
        for (const AppointmentRecord& r : in.appointments)
            revisions_[r.appointment.id] = r.revision;
        ExportPolicy policy = s_.options.settings.export_policy;
        policy.export_from = window.start;
        settle_written(appts, in.events, policy, &in.exports);
        const std::vector<ExportMapEntry> entries = entries_of(in.exports);
        // A provider that reads the whole calendar (CalDAV's sync-collection) shows a
        // missing event of ours was deleted; a windowed one cannot tell.
        const bool windowed = provider_.capabilities().windowed_reads;
        const ExportObservations seen =
            observe_exports(in.events, entries, ExportReadScope{true, windowed, window});
        const ExportPlan plan = plan_exports(appts, entries, seen, policy);
        settle_intents(in.exports, plan, seen);
        bool reread = false;
        for (const ExportAction& action : plan.actions) {
            if (throttled_)
                return false;  // asked to wait: the rest waits for the next sync
            reread = apply(action, written) || reread;
        }
        for (const ExportNotice& n : plan.notices) {
            if (throttled_)
                return false;
            if (n.kind == ExportNoticeKind::pending_create_unseen && windowed) {
                reread = settle_unseen_create(n.appointment_id, written) || reread;
                continue;
            }
            s_.log(LogLevel::info, "connection " + connection_.id + ", calendar " +
                                       calendar_.calendar.id + ": appointment " + n.appointment_id +
                                       ": " + notice_text(n.kind));
        }
        return reread;
    }

  private:
    ExportKey key(const ExportAction& a) const {
        return {a.appointment_id, connection_.id, calendar_.calendar.id};
    }

    // A booked appointment whose one event in the calendar already holds exactly what it
    // would be written as (export_content_hash of the event as read): the record is made
    // to name that event and version, and the plan writes nothing. Another process syncing
    // the same state wrote it (cron and a person's "sync now": its write is not a conflict
    // for this one), a create's answer was lost, or a create was repeated over an earlier
    // write; without this each was written again, once or (two processes confirming each
    // other's versions) twice. A series, or a duration instead of an end, is never what
    // calsync writes.
    void settle_written(const std::vector<Appointment>& appointments,
                        const std::vector<Event>& events, const ExportPolicy& policy,
                        std::vector<ExportRecord>* records) {
        std::map<std::string, std::vector<const Event*>> marked;
        for (const Event& e : events)
            if (!e.export_marker.empty())
                marked[e.export_marker].push_back(&e);
        for (const Appointment& a : appointments) {
            auto seen = marked.find(a.id);
            if (a.status != AppointmentStatus::booked || seen == marked.end() ||
                seen->second.size() != 1)
                continue;  // cancelled, not there, or copies the plan sorts out
            const Event& there = *seen->second.front();
            if (there.etag.empty() || there.is_recurring() || !there.overrides.empty() ||
                !there.end)
                continue;
            const std::string hash = export_content_hash(render_export(a, policy.render));
            if (export_content_hash(there) != hash)
                continue;
            auto record =
                std::find_if(records->begin(), records->end(),
                             [&](const ExportRecord& r) { return r.key.appointment_id == a.id; });
            const ExportRecord settled{{a.id, connection_.id, calendar_.calendar.id},
                                       there.id,
                                       there.etag,
                                       hash,
                                       ExportIntent::none,
                                       "",
                                       s_.now()};
            if (record != records->end() && record->intent == ExportIntent::none &&
                record->remote_id == settled.remote_id && record->etag == settled.etag &&
                record->content_hash == settled.content_hash)
                continue;  // already says so
            if (!durable(s_.store->put_export(settled)))
                continue;
            if (record != records->end())
                *record = settled;
            else
                records->push_back(settled);
        }
    }

    // A pending update or removal (a kill between the intent and its confirmation) whose
    // appointment needs no write now, while the read shows the calendar holding exactly
    // the record's confirmed version (its remote id and etag): that write never happened,
    // or wrote what was there (a server whose etag derives from the content, an event
    // written again within the same second). The record is confirmed as it stands.
    void settle_intents(const std::vector<ExportRecord>& records, const ExportPlan& plan,
                        const ExportObservations& seen) {
        std::set<std::string> acted;
        for (const ExportAction& a : plan.actions)
            acted.insert(a.appointment_id);
        for (const ExportRecord& r : records) {
            if ((r.intent != ExportIntent::update && r.intent != ExportIntent::remove) ||
                r.etag.empty() || acted.count(r.key.appointment_id) != 0)
                continue;
            const bool as_confirmed = std::any_of(
                seen.present.begin(), seen.present.end(), [&r](const ObservedExport& p) {
                    return p.appointment_id == r.key.appointment_id && p.remote_id == r.remote_id &&
                           p.etag == r.etag;
                });
            if (!as_confirmed)
                continue;
            ExportRecord done = r;
            done.intent = ExportIntent::none;
            done.intent_hash.clear();
            done.updated_at = s_.now();
            durable(s_.store->put_export(done));
        }
    }

    // A cancelled appointment whose create was never confirmed, in a calendar read through
    // a window: the read cannot say whether that create landed (its event may lie outside
    // the window), so the provider looks it up by the identity the create derived. Found,
    // it is removed as any cancelled export is; not found, nothing was written and the
    // record goes. Without this the record stayed for good once the window moved on.
    bool settle_unseen_create(const std::string& appointment_id, std::size_t* written) {
        ExportAction remove;
        remove.kind = ExportActionKind::remove;
        remove.reason = ExportReason::appointment_cancelled;
        remove.appointment_id = appointment_id;
        auto found = provider_.find_export(calendar_.calendar.id, appointment_id);
        if (!found.ok())
            return failed(remove, found.error());
        if (!found->has_value()) {
            durable(s_.store->remove_export(key(remove)));
            return false;
        }
        remove.remote_id = found->value().id;
        remove.etag = found->value().etag;
        remove.forget_record = true;
        return apply(remove, written);
    }

    std::optional<ExportRecord> existing(const ExportKey& k) const {
        auto r = s_.store->get_export(k);
        return r.ok() ? std::optional<ExportRecord>(r.value()) : std::nullopt;
    }

    bool durable(const Result<void>& r) {
        if (!r.ok())
            problems_->push_back(r.error());
        return r.ok();
    }

    // Puts back what the map held before a write that did not happen.
    void restore(const ExportKey& k, const std::optional<ExportRecord>& before) {
        durable(before ? s_.store->put_export(*before) : s_.store->remove_export(k));
    }

    void confirm(const ExportKey& k, const RemoteEvent& remote, const std::string& hash,
                 std::int64_t generation) {
        ExportRecord done{k, remote.id, remote.etag, hash, ExportIntent::none, "", s_.now()};
        done.generation = generation;
        durable(s_.store->put_export(done));
    }

    // Which creation of the appointment's event a create makes (Event::export_generation).
    // Repeated while unconfirmed, the same one; after a confirmed event (since deleted),
    // the next. With no record at all, the appointment's revision starts a range of its
    // own: a record goes when the appointment is cancelled or the connection made anew,
    // and the events those records named (in Deleted Items, say) used lower ones.
    std::int64_t generation_for(const std::optional<ExportRecord>& before,
                                const std::string& appointment_id) const {
        if (before)
            return before->intent == ExportIntent::create ? before->generation
                                                          : before->generation + 1;
        const auto revision = revisions_.find(appointment_id);
        return revision == revisions_.end() ? 0 : revision->second << 16;
    }

    // True when the calendar should be read again before planning further.
    bool failed(const ExportAction& a, const Error& e) {
        failures_.push_back({a.appointment_id, e});
        throttled_ = throttled_ || e.code == ErrorCode::rate_limited;
        return e.code == ErrorCode::conflict || e.code == ErrorCode::not_found;
    }

    // An update that finds its event deleted. A windowed read (Google, Graph) cannot tell a
    // deleted event from one outside the window, so plan_exports sends a changed
    // appointment's update to the event it last wrote; when that is gone, the appointment
    // is written anew where the plan would have for a deletion it saw (export_plan.cpp,
    // keep_current). Sending the update again instead would meet the same answer on every
    // sync, and the appointment would never reach the calendar again.
    bool recreates(const ExportAction& a) const {
        return a.reason == ExportReason::appointment_changed ||
               s_.options.settings.export_policy.on_remote_delete == RemoteDeletePolicy::recreate;
    }

    static ExportAction recreated(const ExportAction& a) {
        ExportAction create = a;
        create.kind = ExportActionKind::create;
        create.reason = a.reason == ExportReason::appointment_changed
                            ? ExportReason::appointment_changed
                            : ExportReason::remote_deleted_recreated;
        create.remote_id.clear();
        create.etag.clear();
        return create;
    }

    bool apply(const ExportAction& a, std::size_t* written) {
        const ExportKey k = key(a);
        const std::optional<ExportRecord> before = existing(k);
        switch (a.kind) {
            case ExportActionKind::create: {
                ExportRecord intent{k, "", "", "", ExportIntent::create, a.content_hash, s_.now()};
                intent.generation = generation_for(before, a.appointment_id);
                if (!durable(s_.store->put_export(intent)))
                    return false;
                // A create repeated after an unconfirmed one may meet that earlier write,
                // and not every service writes the new content over it (a Graph
                // transactionId returns the first event as it was): its content is then
                // unknown, and the next plan sends an update if it differs.
                const bool repeated = before && before->intent == ExportIntent::create;
                Event event = a.event;
                event.export_generation = intent.generation;
                auto remote = provider_.create_event(calendar_.calendar.id, event);
                if (!remote.ok())
                    return failed(a, remote.error());  // the intent stays: see entries_of
                confirm(k, remote.value(), repeated ? std::string() : a.content_hash,
                        intent.generation);
                ++*written;
                return false;
            }
            case ExportActionKind::update: {
                ExportRecord intent = before.value_or(
                    ExportRecord{k, a.remote_id, a.etag, "", ExportIntent::none, "", s_.now()});
                intent.intent = ExportIntent::update;
                intent.intent_hash = a.content_hash;
                if (!durable(s_.store->put_export(intent)))
                    return false;
                auto remote =
                    provider_.update_event(calendar_.calendar.id, {a.remote_id, a.etag}, a.event);
                if (!remote.ok()) {
                    restore(k, before);
                    if (remote.error().code == ErrorCode::not_found && recreates(a))
                        return apply(recreated(a), written);
                    return failed(a, remote.error());
                }
                confirm(k, remote.value(), a.content_hash, intent.generation);
                ++*written;
                return false;
            }
            case ExportActionKind::remove: {
                // A duplicate's removal leaves the entry (it names another event) alone.
                if (a.forget_record && before) {
                    ExportRecord intent = *before;
                    intent.intent = ExportIntent::remove;
                    intent.remote_id = a.remote_id;  // a pending create's event has one now
                    if (!durable(s_.store->put_export(intent)))
                        return false;
                }
                auto gone = provider_.delete_event(calendar_.calendar.id, {a.remote_id, a.etag});
                if (!gone.ok() && gone.error().code != ErrorCode::not_found) {
                    if (a.forget_record)
                        restore(k, before);
                    return failed(a, gone.error());
                }
                if (a.forget_record)
                    durable(s_.store->remove_export(k));
                ++*written;
                return false;
            }
            case ExportActionKind::forget_record:
                durable(s_.store->remove_export(k));
                return false;
            case ExportActionKind::accept_remote:
                confirm(k, {a.remote_id, a.etag}, a.content_hash, before ? before->generation : 0);
                return false;
        }
        return false;
    }

  public:
    // The writes that failed, by appointment; a new plan (after a re-read) starts afresh.
    std::vector<ExportFailure> failures_;

  private:
    SyncService::State& s_;
    const ConnectionRecord& connection_;
    CalendarProvider& provider_;
    const CalendarRecord& calendar_;
    std::vector<Error>* problems_;
    std::map<std::string, std::int64_t> revisions_;  // appointment id -> its revision
    bool throttled_ = false;  // a write was answered "wait" (rate_limited): no more requests
};

}  // namespace

std::size_t run_exports(SyncService::State& s, const ConnectionRecord& connection,
                        CalendarProvider& provider, const CalendarRecord& calendar,
                        const TimeRange& window, SlotDiff* diff, std::vector<Error>* problems) {
    std::size_t written = 0;
    ExportRun run(s, connection, provider, calendar, problems);
    if (!run.run(window, &written)) {
        if (!run.failures_.empty())
            problems->push_back(export_failures(run.failures_, calendar));
        return written;
    }
    // Someone changed or deleted our event since the last read: read it and plan again,
    // once; the conflicts of the first round are settled by this one.
    CalendarRead again = read_calendar(s, connection, provider, calendar, window, diff);
    if (again.error) {
        problems->push_back(*again.error);
        if (!run.failures_.empty())
            problems->push_back(export_failures(run.failures_, calendar));
        return written;
    }
    problems->clear();
    run.failures_.clear();
    run.run(window, &written);
    if (!run.failures_.empty())
        problems->push_back(export_failures(run.failures_, calendar));
    return written;
}

}  // namespace calsync::sync
