#include "sync/business_settings.hpp"

namespace calsync::sync {

using namespace calsync::json::detail;

namespace {

constexpr std::int64_t kTenYearsOfDays = 3660;

bool read_export_policy(const Value& v, ExportPolicy* out, Problem* p) {
    if (!v.IsObject())
        return p->fail("export", "expected an object");
    ExportOptions& r = out->render;
    if (!read_strings(v, "export",
                      {{"busy_summary", &r.busy_summary},
                       {"uid_domain", &r.uid_domain},
                       {"location", &r.location}},
                      p))
        return false;
    for (const auto& [name, field] : {std::pair<const char*, bool*>{"busy_only", &r.busy_only},
                                      {"include_notes", &r.include_notes}}) {
        if (const Value* f = member(v, name)) {
            if (!read_bool(*f, child("export", name), field, p))
                return false;
        }
    }
    if (const Value* f = member(v, "on_remote_edit")) {
        if (!read_enum(*f, "export.on_remote_edit", &out->on_remote_edit,
                       {{"appointment_wins", RemoteEditPolicy::appointment_wins},
                        {"keep_remote", RemoteEditPolicy::keep_remote}},
                       p))
            return false;
    }
    if (const Value* f = member(v, "on_remote_delete")) {
        if (!read_enum(*f, "export.on_remote_delete", &out->on_remote_delete,
                       {{"recreate", RemoteDeletePolicy::recreate},
                        {"leave_deleted", RemoteDeletePolicy::leave_deleted}},
                       p))
            return false;
    }
    return true;
}

}  // namespace

bool read_business_members(const Value& doc, SyncSettings* out, Problem* p) {
    if (!read_strings(doc, "", {{"zone", &out->business_zone}}, p))
        return false;
    if (const Value* w = member(doc, "window")) {
        std::int64_t back = out->window_days_back, ahead = out->window_days_ahead;
        if (!w->IsObject())
            return p->fail("window", "expected an object");
        if (!read_int(*w, "window", "days_back", 0, kTenYearsOfDays, &back, p) ||
            !read_int(*w, "window", "days_ahead", 1, kTenYearsOfDays, &ahead, p))
            return false;
        out->window_days_back = static_cast<int>(back);
        out->window_days_ahead = static_cast<int>(ahead);
    }
    if (const Value* v = member(doc, "policy")) {
        if (!read_policy_flags(*v, "policy", &out->default_policy, p))
            return false;
    }
    if (const Value* v = member(doc, "export")) {
        if (!read_export_policy(*v, &out->export_policy, p))
            return false;
    }
    return true;
}

std::string business_settings_json(const SyncSettings& s) {
    return write_document([&](Writer& w) {
        write_string(w, "zone", s.business_zone);
        w.Key("window");
        w.StartObject();
        w.Key("days_back");
        w.Int(s.window_days_back);
        w.Key("days_ahead");
        w.Int(s.window_days_ahead);
        w.EndObject();
        write_policy(w, s.default_policy);
        const ExportPolicy& e = s.export_policy;
        w.Key("export");
        w.StartObject();
        write_bool(w, "busy_only", e.render.busy_only);
        write_string(w, "busy_summary", e.render.busy_summary);
        write_string(w, "uid_domain", e.render.uid_domain);
        write_string(w, "location", e.render.location);
        write_bool(w, "include_notes", e.render.include_notes);
        write_string(
            w, "on_remote_edit",
            e.on_remote_edit == RemoteEditPolicy::keep_remote ? "keep_remote" : "appointment_wins");
        write_string(
            w, "on_remote_delete",
            e.on_remote_delete == RemoteDeletePolicy::leave_deleted ? "leave_deleted" : "recreate");
        w.EndObject();
    });
}

Result<SyncSettings> with_stored_business_settings(SyncSettings host, StateStore& store) {
    auto stored = store.find_business_settings();
    if (!stored.ok())
        return stored.error();
    if (!stored.value())
        return host;
    return read_document(*stored.value(), "stored business settings",
                         [&](const rapidjson::Document& doc) -> Result<SyncSettings> {
                             Problem p;
                             if (!read_business_members(doc, &host, &p))
                                 return invalid(p);
                             return host;
                         });
}

Result<void> store_business_settings(StateStore& store, const SyncSettings& settings) {
    const std::string wanted = business_settings_json(settings);
    auto stored = store.find_business_settings();
    if (!stored.ok())
        return stored.error();
    if (stored.value() == wanted)
        return {};
    return store.put_business_settings(wanted);
}

}  // namespace calsync::sync
