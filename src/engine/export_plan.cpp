#include "calsync/export_plan.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace calsync {
namespace {

// Everything known about one appointment id.
struct Subject {
    const Appointment* appointment = nullptr;
    const ExportMapEntry* entry = nullptr;
    std::vector<const ObservedExport*> present;  // sorted by remote id, one per remote id
    bool absent = false;
};

class Planner {
  public:
    Planner(const ExportPolicy& policy, const ExportObservations& observations, ExportPlan* plan)
        : policy_(policy),
          windowed_absence_(observations.windowed),
          window_(observations.window),
          plan_(plan) {}

    void plan(const std::string& id, const Subject& s) {
        const Appointment* a = s.appointment;
        if (a == nullptr || a->status == AppointmentStatus::cancelled) {
            withdraw(id, s);
            return;
        }
        keep_current(id, s, a->time.end <= policy_.export_from);
    }

  private:
    ExportAction& add(ExportActionKind kind, ExportReason reason, const std::string& id) {
        ExportAction action;
        action.kind = kind;
        action.reason = reason;
        action.appointment_id = id;
        plan_->actions.push_back(std::move(action));
        return plan_->actions.back();
    }

    void remove(ExportReason reason, const std::string& id, const std::string& remote_id,
                const std::string& etag, bool forget) {
        ExportAction& action = add(ExportActionKind::remove, reason, id);
        action.remote_id = remote_id;
        action.etag = etag;
        action.forget_record = forget;
    }

    void write(ExportActionKind kind, ExportReason reason, const std::string& id,
               const std::string& remote_id, const std::string& etag) {
        ExportAction& action = add(kind, reason, id);
        action.event = event_;
        action.content_hash = hash_;
        action.remote_id = remote_id;
        action.etag = etag;
    }

    void accept_remote(ExportReason reason, const std::string& id, const ObservedExport& seen,
                       const std::string& content_hash) {
        ExportAction& action = add(ExportActionKind::accept_remote, reason, id);
        action.remote_id = seen.remote_id;
        action.etag = seen.etag;
        action.content_hash = content_hash;
    }

    void notice(ExportNoticeKind kind, const std::string& id, const std::string& remote_id) {
        plan_->notices.push_back(ExportNotice{kind, id, remote_id});
    }

    // A booked appointment: at most one event, and while it is not over ("history") that
    // event with its current content. History stays as it was exported; only a second
    // copy of it is removed.
    void keep_current(const std::string& id, const Subject& s, bool history) {
        const ExportMapEntry* entry = s.entry;
        auto is_entry = [&](const ObservedExport* p) {
            return entry != nullptr && p->remote_id == entry->remote_id;
        };
        auto found = std::find_if(s.present.begin(), s.present.end(), is_entry);
        const ObservedExport* ours = found != s.present.end() ? *found
                                     : s.present.empty()      ? nullptr
                                                              : s.present.front();
        for (const ObservedExport* p : s.present)
            if (p != ours)
                remove(ExportReason::duplicate_remote, id, p->remote_id, p->etag, false);
        if (history)
            return;
        event_ = render_export(*s.appointment, policy_.render);
        hash_ = export_content_hash(event_);

        using Kind = ExportActionKind;
        if (ours != nullptr) {
            if (entry == nullptr || entry->remote_id != ours->remote_id)
                write(Kind::update, ExportReason::adopted_without_entry, id, ours->remote_id,
                      ours->etag);
            else if (entry->etag.empty() && hash_ == entry->content_hash)
                // The server gave no etag when we wrote (RFC 7231 4.3.4 lets it); the first
                // read's etag is the version we wrote.
                accept_remote(ExportReason::etag_learned, id, *ours, entry->content_hash);
            else if (entry->etag.empty() || ours->etag == entry->etag) {
                if (hash_ != entry->content_hash)
                    write(Kind::update, ExportReason::appointment_changed, id, ours->remote_id,
                          ours->etag);
            } else if (hash_ != entry->content_hash)
                write(Kind::update, ExportReason::appointment_changed, id, ours->remote_id,
                      ours->etag);
            else if (policy_.on_remote_edit == RemoteEditPolicy::appointment_wins)
                write(Kind::update, ExportReason::remote_edit_overwritten, id, ours->remote_id,
                      ours->etag);
            else
                accept_remote(ExportReason::remote_edit_kept, id, *ours, entry->content_hash);
            return;
        }
        // A windowed read misses an event only where it would have returned it: where
        // the appointment is as exported (a moved event may lie outside the window).
        const bool absent =
            s.absent || (windowed_absence_ && entry != nullptr && hash_ == entry->content_hash &&
                         s.appointment->time.overlaps(window_));
        if (entry == nullptr || entry->remote_id.empty()) {
            // Never exported, or a create whose answer never came (creates are upserts by
            // the derived identity, so sending it again is safe).
            write(Kind::create, ExportReason::new_appointment, id, "", "");
        } else if (absent) {
            if (policy_.on_remote_delete == RemoteDeletePolicy::recreate)
                write(Kind::create, ExportReason::remote_deleted_recreated, id, "", "");
            else if (hash_ != entry->content_hash)
                write(Kind::create, ExportReason::appointment_changed, id, "", "");
            else
                notice(ExportNoticeKind::remote_deletion_left, id, entry->remote_id);
        } else if (hash_ != entry->content_hash) {
            // Not seen either way (an export-only calendar): the entry is all we know.
            write(Kind::update, ExportReason::appointment_changed, id, entry->remote_id,
                  entry->etag);
        }
    }

    // Cancelled, or no longer held by the host: no event may stay.
    void withdraw(const std::string& id, const Subject& s) {
        const ExportMapEntry* entry = s.entry;
        if (s.appointment == nullptr && entry == nullptr) {
            // Marked with an id we never exported here (as far as the map knows): it may
            // belong to another installation writing to the same calendar.
            for (const ObservedExport* p : s.present)
                notice(ExportNoticeKind::unknown_appointment_left, id, p->remote_id);
            return;
        }
        const ExportReason reason = s.appointment != nullptr ? ExportReason::appointment_cancelled
                                                             : ExportReason::appointment_gone;
        // A pending entry's event is whichever carries the marker.
        const bool pending = entry != nullptr && entry->remote_id.empty();
        bool entry_seen = false;
        for (const ObservedExport* p : s.present) {
            const bool is_entry = pending || (entry != nullptr && p->remote_id == entry->remote_id);
            entry_seen = entry_seen || is_entry;
            remove(reason, id, p->remote_id, p->etag, is_entry);
        }
        if (entry == nullptr || entry_seen)
            return;
        if (s.absent)
            add(ExportActionKind::forget_record, ExportReason::already_deleted_remotely, id);
        else if (pending)
            // Where the lost create went is unknown: the entry stays until a read says.
            notice(ExportNoticeKind::pending_create_unseen, id, "");
        else
            // Unknown (or only other copies seen): delete it blind; 404 counts as gone.
            remove(reason, id, entry->remote_id, entry->etag, true);
    }

    const ExportPolicy& policy_;
    bool windowed_absence_;
    TimeRange window_;
    ExportPlan* plan_;
    Event event_;
    std::string hash_;
};

}  // namespace

ExportObservations observe_exports(const std::vector<Event>& calendar_events,
                                   const std::vector<ExportMapEntry>& entries,
                                   const ExportReadScope& scope) {
    ExportObservations out;
    std::set<std::string> seen;
    for (const Event& e : calendar_events) {
        if (e.export_marker.empty())
            continue;
        out.present.push_back(ObservedExport{e.export_marker, e.id, e.etag});
        seen.insert(e.export_marker);
    }
    std::sort(out.present.begin(), out.present.end(),
              [](const ObservedExport& a, const ObservedExport& b) {
                  return std::tie(a.appointment_id, a.remote_id) <
                         std::tie(b.appointment_id, b.remote_id);
              });
    if (!scope.calendar_read)
        return out;
    if (scope.windowed) {
        out.windowed = true;
        out.window = scope.window;
        return out;
    }
    for (const ExportMapEntry& entry : entries)
        if (seen.count(entry.appointment_id) == 0)
            out.absent.push_back(entry.appointment_id);
    std::sort(out.absent.begin(), out.absent.end());
    out.absent.erase(std::unique(out.absent.begin(), out.absent.end()), out.absent.end());
    return out;
}

ExportPlan plan_exports(const std::vector<Appointment>& appointments,
                        const std::vector<ExportMapEntry>& entries,
                        const ExportObservations& observations, const ExportPolicy& policy) {
    std::map<std::string, Subject> subjects;
    for (const Appointment& a : appointments)
        subjects[a.id].appointment = &a;
    for (const ExportMapEntry& e : entries)
        subjects[e.appointment_id].entry = &e;
    for (const ObservedExport& o : observations.present)
        subjects[o.appointment_id].present.push_back(&o);
    for (const std::string& id : observations.absent) {
        auto found = subjects.find(id);
        if (found != subjects.end())
            found->second.absent = found->second.present.empty();
    }
    ExportPlan plan;
    Planner planner(policy, observations, &plan);
    for (auto& [id, subject] : subjects) {
        // A read can list one event twice (Graph delta replays); one remote id is one event.
        auto& present = subject.present;
        std::sort(present.begin(), present.end(),
                  [](const ObservedExport* a, const ObservedExport* b) {
                      return a->remote_id < b->remote_id;
                  });
        present.erase(std::unique(present.begin(), present.end(),
                                  [](const ObservedExport* a, const ObservedExport* b) {
                                      return a->remote_id == b->remote_id;
                                  }),
                      present.end());
        planner.plan(id, subject);
    }
    return plan;
}

const char* to_string(ExportActionKind kind) {
    switch (kind) {
        case ExportActionKind::create:
            return "create";
        case ExportActionKind::update:
            return "update";
        case ExportActionKind::remove:
            return "remove";
        case ExportActionKind::forget_record:
            return "forget_record";
        case ExportActionKind::accept_remote:
            return "accept_remote";
    }
    return "create";
}

const char* to_string(ExportReason reason) {
    switch (reason) {
        case ExportReason::new_appointment:
            return "new appointment";
        case ExportReason::appointment_changed:
            return "appointment changed";
        case ExportReason::remote_edit_overwritten:
            return "edited in the calendar; the appointment's fields written back";
        case ExportReason::remote_deleted_recreated:
            return "deleted in the calendar; created again as the appointment stands";
        case ExportReason::adopted_without_entry:
            return "found in the calendar without an export record; taken over";
        case ExportReason::duplicate_remote:
            return "a second event for the same appointment";
        case ExportReason::appointment_cancelled:
            return "appointment cancelled";
        case ExportReason::appointment_gone:
            return "appointment no longer exists";
        case ExportReason::remote_edit_kept:
            return "edited in the calendar; the edit is kept";
        case ExportReason::etag_learned:
            return "the calendar's version of our write recorded";
        case ExportReason::already_deleted_remotely:
            return "already deleted in the calendar";
    }
    return "new appointment";
}

}  // namespace calsync
