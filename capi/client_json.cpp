#include "client_json.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "calsync/store.hpp"
#include "core/json_read.hpp"
#include "core/provider_config.hpp"
#include "core/text_encoding.hpp"
#include "core/user_terms.hpp"
#include "providers/provider_kinds.hpp"
#include "sync/business_settings.hpp"

namespace calsync::capi {
namespace {

using namespace calsync::json::detail;

bool read_connection_id(const Value& doc, std::string* out, Problem* p) {
    return read_strings(doc, "", {{"connection_id", out}}, p);
}

constexpr std::int64_t kWeekOfMinutes = 7 * 24 * 60;
constexpr std::int64_t kDayOfSeconds = 24 * 60 * 60;

// An OAuth client of the configuration ("google", "microsoft"): the fields calsync_oauth_new
// reads, plus where the service's API lives.
bool read_oauth_settings(const Value& v, const std::string& path, OAuthClientSettings* out,
                         Problem* p) {
    if (!v.IsObject())
        return p->fail(path, "expected an object");
    json::OAuthConfig c;
    if (!json::read_oauth_client(v, path, &c, p) ||
        !read_strings(v, path, {{"api_base_url", &out->api_base_url}}, p))
        return false;
    out->client_id = c.client_id;
    out->client_secret = c.client_secret;
    out->redirect_uri = c.redirect_uri;
    out->tenant = c.tenant;
    out->authority_url = c.authority_url;
    out->authorization_url = c.authorization_url;
    out->token_url = c.token_url;
    out->revocation_url = c.revocation_url;
    out->device_authorization_url = c.device_authorization_url;
    out->requests_per_minute = c.requests_per_minute;
    return true;
}

bool read_schedule(const Value& v, ScheduleSettings* out, Problem* p) {
    if (!v.IsObject())
        return p->fail("schedule", "expected an object");
    std::int64_t min = out->min_interval.count(), max = out->max_interval.count();
    std::int64_t first = out->first_retry.count(), backoff = out->max_backoff.count();
    std::int64_t full = out->full_read_every.count();
    if (!read_int(v, "schedule", "min_interval_minutes", 1, kWeekOfMinutes, &min, p) ||
        !read_int(v, "schedule", "max_interval_minutes", 1, kWeekOfMinutes, &max, p) ||
        !read_int(v, "schedule", "first_retry_seconds", 1, kDayOfSeconds, &first, p) ||
        !read_int(v, "schedule", "max_backoff_minutes", 1, kWeekOfMinutes, &backoff, p) ||
        !read_int(v, "schedule", "full_read_seconds", 0, 366 * kDayOfSeconds, &full, p))
        return false;
    out->full_read_every = std::chrono::seconds(full);
    out->min_interval = std::chrono::minutes(min);
    out->max_interval = std::chrono::minutes(max);
    out->first_retry = std::chrono::seconds(first);
    out->max_backoff = std::chrono::minutes(backoff);
    return true;
}

std::optional<ProviderKind> read_kind(const Value& doc, Problem* p) {
    const Value* kind = member(doc, "kind");
    if (kind == nullptr) {
        p->fail("kind", "missing");
        return std::nullopt;
    }
    ProviderKind k = ProviderKind::caldav;
    if (!read_enum(*kind, "kind", &k,
                   {{"caldav", ProviderKind::caldav},
                    {"icloud", ProviderKind::icloud},
                    {"ics_feed", ProviderKind::ics_feed},
                    {"google", ProviderKind::google},
                    {"microsoft", ProviderKind::microsoft}},
                   p))
        return std::nullopt;
    return k;
}

// "kind" and "connection_id", which a connect and an authorize request both begin with.
bool read_account(const Value& doc, ProviderKind* kind, std::string* connection_id, Problem* p) {
    const auto k = read_kind(doc, p);
    if (!k)
        return false;
    *kind = *k;
    return read_connection_id(doc, connection_id, p);
}

// A problem of a member read at the top of a document, whose path read_range leaves empty.
Error top_level_invalid(const Problem& p) {
    return make_error(ErrorCode::invalid_argument,
                      p.message.rfind(": ", 0) == 0 ? p.message.substr(2) : p.message);
}

// A member passed on whole, to be read (and its keys checked) where it is used.
std::string text_of(const Value& v) {
    if (KeyLedger* ledger = current_ledger())
        ledger->take_whole(v);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    v.Accept(w);
    return std::string(buffer.GetString(), buffer.GetSize());
}

// --- writing

void write_optional_instant(Writer& w, const char* key, const std::optional<Instant>& t) {
    w.Key(key);
    if (t)
        w.String(format_rfc3339(*t).c_str());
    else
        w.Null();
}

void write_status_fields(Writer& w, const SyncStatus& s) {
    write_string(w, "state", to_string(s.state));
    write_optional_instant(w, "last_attempt", s.last_attempt);
    write_optional_instant(w, "last_success", s.last_success);
    write_optional_instant(w, "next_due", s.next_due);
    write_string(w, "last_error", s.last_error);
    w.Key("events_read");
    w.Int64(s.events_read);
    w.Key("events_exported");
    w.Int64(s.events_exported);
    w.Key("consecutive_failures");
    w.Int(s.consecutive_failures);
}

void write_status_object(Writer& w, const char* key, const SyncStatus& s) {
    w.Key(key);
    w.StartObject();
    write_status_fields(w, s);
    w.EndObject();
}

void write_slot(Writer& w, const BlockedSlot& s) {
    w.StartObject();
    write_range(w, s.range);
    // The engine names calendars "<connection>/<calendar>"; connection ids hold no '/'.
    const auto slash = s.calendar_id.find('/');
    write_string(w, "connection_id",
                 slash == std::string::npos ? "" : s.calendar_id.substr(0, slash));
    write_string(w, "calendar_id",
                 slash == std::string::npos ? s.calendar_id : s.calendar_id.substr(slash + 1));
    write_slot_source(w, s);
    w.EndObject();
}

void write_slot_list(Writer& w, const char* key, const std::vector<BlockedSlot>& slots) {
    w.Key(key);
    w.StartArray();
    for (const BlockedSlot& s : slots)
        write_slot(w, s);
    w.EndArray();
}

void write_ranges(Writer& w, const char* key, const std::vector<TimeRange>& ranges) {
    w.Key(key);
    w.StartArray();
    for (const TimeRange& r : ranges) {
        w.StartObject();
        write_range(w, r);
        w.EndObject();
    }
    w.EndArray();
}

void write_report_fields(Writer& w, const SyncReport& r) {
    write_string(w, "connection_id", r.connection_id);
    write_status_object(w, "status", r.status);
    write_slot_list(w, "added", r.slots.added);
    write_slot_list(w, "removed", r.slots.removed);
    w.Key("calendars");
    w.StartArray();
    for (const CalendarSyncResult& c : r.calendars) {
        w.StartObject();
        write_string(w, "calendar_id", c.calendar_id);
        write_status_object(w, "status", c.status);
        w.Key("events_read");
        w.Uint64(c.events_read);
        w.Key("exports_written");
        w.Uint64(c.exports_written);
        w.Key("corrected");
        w.Uint64(c.corrected);
        for (const auto& [key, events] :
             {std::pair<const char*, const std::vector<EventError>*>{"skipped", &c.skipped},
              {"capped", &c.capped}}) {
            w.Key(key);
            w.StartArray();
            for (const EventError& e : *events) {
                w.StartObject();
                write_string(w, "event_id", e.event_id);
                write_string(w, "message", e.message);
                w.EndObject();
            }
            w.EndArray();
        }
        w.EndObject();
    }
    w.EndArray();
}

}  // namespace

Result<SyncSettings> parse_client_config(std::string_view text, std::optional<ClientStore>* store) {
    SyncSettings s;
    if (text.empty())
        return s;
    return read_document(text, "config", [&](const Value& doc) -> Result<SyncSettings> {
        Problem p;
        if (!sync::read_business_members(doc, &s, &p))
            return invalid(p);
        if (const Value* v = member(doc, "google")) {
            if (!read_oauth_settings(*v, "google", &s.google, &p))
                return invalid(p);
        }
        if (const Value* v = member(doc, "microsoft")) {
            if (!read_oauth_settings(*v, "microsoft", &s.microsoft, &p))
                return invalid(p);
        }
        json::NetworkConfig network;
        if (!json::read_network_member(doc, &network, &p))
            return invalid(p);
        s.network.allow_private_addresses = network.allow_private_addresses;
        s.network.ca_bundle = network.ca_bundle;
        s.network.proxy = network.proxy;
        s.network.connect_timeout = std::chrono::seconds(network.connect_timeout_seconds);
        s.network.total_timeout = std::chrono::seconds(network.total_timeout_seconds);
        s.network.sync_timeout = std::chrono::seconds(network.sync_timeout_seconds);
        if (const Value* v = member(doc, "schedule")) {
            if (!read_schedule(*v, &s.schedule, &p))
                return invalid(p);
        }
        std::int64_t concurrent = s.max_concurrent_syncs;
        if (!read_int(doc, "", "max_concurrent_syncs", 1, 256, &concurrent, &p))
            return invalid(p);
        s.max_concurrent_syncs = static_cast<int>(concurrent);
        if (const Value* v = member(doc, "keep_idle_connections")) {
            if (!read_bool(*v, "keep_idle_connections", &s.keep_idle_connections, &p))
                return invalid(p);
        }
        if (const Value* v = store != nullptr ? member(doc, "store") : nullptr) {
            if (!v->IsObject())
                return member_error("store", "expected an object");
            ClientStore chosen{{}, kDefaultBusiness};
            if (!read_strings(*v, "store",
                              {{"url", &chosen.url}, {"business_id", &chosen.business_id}}, &p))
                return invalid(p);
            if (chosen.url.empty())
                return member_error("store.url", "missing");
            if (chosen.business_id.empty())
                return member_error("store.business_id", "empty");
            *store = std::move(chosen);
        }
        return s;
    });
}

Result<ConnectRequest> parse_connect_request(std::string_view text) {
    return read_document(text, "connect request", [&](const Value& doc) -> Result<ConnectRequest> {
        Problem p;
        ConnectRequest r;
        if (!read_account(doc, &r.kind, &r.connection_id, &p))
            return invalid(p);
        if (providers::capabilities_of(r.kind).oauth) {
            const Value* tokens = member(doc, "tokens");
            if (tokens == nullptr || !tokens->IsObject())
                return member_error("tokens",
                                    "missing; Google and Microsoft accounts connect with "
                                    "calsync_client_authorize_begin, or with tokens from a device "
                                    "sign-in");
            r.tokens_json = text_of(*tokens);
            return r;
        }
        if (const Value* settings = member(doc, "settings")) {
            if (!settings->IsObject())
                return member_error("settings", "expected an object");
            if (member(*settings, "password") != nullptr)
                return member_error("settings.password",
                                    "give the password as \"password\" beside "
                                    "\"settings\", so it is sealed rather than stored in clear");
            r.settings_json = text_of(*settings);
        }
        std::string password;
        if (!read_strings(doc, "", {{"password", &password}}, &p))
            return invalid(p);
        if (!password.empty()) {
            rapidjson::Document credentials(rapidjson::kObjectType);
            credentials.AddMember("password",
                                  rapidjson::Value(password.c_str(), credentials.GetAllocator()),
                                  credentials.GetAllocator());
            r.credentials_json = text_of(credentials);
        }
        return r;
    });
}

Result<AuthorizeBegin> parse_authorize_begin(std::string_view text) {
    return read_document(text, "authorize request",
                         [&](const Value& doc) -> Result<AuthorizeBegin> {
                             Problem p;
                             AuthorizeBegin r;
                             if (!read_account(doc, &r.kind, &r.connection_id, &p))
                                 return invalid(p);
                             return r;
                         });
}

Result<AuthorizeComplete> parse_authorize_complete(std::string_view text) {
    return read_document(
        text, "authorize request", [&](const Value& doc) -> Result<AuthorizeComplete> {
            Problem p;
            AuthorizeComplete r;
            std::string redirect;
            if (!read_strings(doc, "",
                              {{"state", &r.state}, {"code", &r.code}, {"redirect_url", &redirect}},
                              &p))
                return invalid(p);
            if (!redirect.empty()) {
                const auto q = redirect.find('?');
                std::string_view query =
                    q == std::string::npos ? "" : std::string_view(redirect).substr(q + 1);
                const auto hash = query.find('#');
                if (hash != std::string_view::npos)
                    query = query.substr(0, hash);
                // The last of a repeated parameter counts, as it overwrote the others.
                const auto take_last = [query](const char* key, std::string* into) {
                    const std::vector<std::string> values = encoding::query_values(query, key);
                    if (!values.empty())
                        *into = values.back();
                };
                take_last("state", &r.state);
                take_last("code", &r.code);
                std::string error;
                take_last("error", &error);
                // RFC 6749 4.1.2.1: the person declined, or the service refused the request.
                if (!error.empty())
                    return make_error(ErrorCode::auth, "the sign-in was not completed: " + error);
            }
            if (r.state.empty())
                return member_error("state", "missing");
            if (r.code.empty())
                return member_error("code", "missing");
            return r;
        });
}

Result<SelectRequest> parse_select_request(std::string_view text) {
    return read_document(text, "select request", [&](const Value& doc) -> Result<SelectRequest> {
        Problem p;
        SelectRequest r;
        if (!read_strings(doc, "", {{"calendar_id", &r.calendar_id}}, &p))
            return invalid(p);
        if (r.calendar_id.empty())
            return member_error("calendar_id", "missing");
        const Value* direction = member(doc, "direction");
        if (direction == nullptr)
            return member_error("direction", "missing");
        if (!read_enum(*direction, "direction", &r.direction,
                       {{"import", CalendarDirection::import_only},
                        {"export", CalendarDirection::export_only},
                        {"both", CalendarDirection::both}},
                       &p))
            return invalid(p);
        if (const Value* v = member(doc, "policy")) {
            CalendarPolicy policy;
            if (!read_policy_flags(*v, "policy", &policy, &p))
                return invalid(p);
            r.policy = policy;
        }
        return r;
    });
}

Result<TimeRange> parse_range(std::string_view text) {
    return read_document(text, "range", [&](const Value& doc) -> Result<TimeRange> {
        Problem p;
        TimeRange r;
        if (!read_range(doc, "", &r, &p))
            return top_level_invalid(p);
        return r;
    });
}

Result<ConfirmRequest> parse_confirm_request(std::string_view text) {
    return read_document(text, "confirm request", [&](const Value& doc) -> Result<ConfirmRequest> {
        Problem p;
        ConfirmRequest r;
        if (!read_range(doc, "", &r.range, &p))
            return top_level_invalid(p);
        std::int64_t timeout = r.timeout.count();
        if (!read_int(doc, "", "timeout_ms", 0, 600'000, &timeout, &p))
            return invalid(p);
        r.timeout = std::chrono::milliseconds(timeout);
        return r;
    });
}

Result<Appointment> parse_appointment(std::string_view text) {
    return read_document(text, "appointment", [&](const Value& doc) -> Result<Appointment> {
        Problem p;
        Appointment a;
        if (!read_strings(doc, "",
                          {{"id", &a.id},
                           {"client", &a.client},
                           {"service", &a.service},
                           {"vehicle", &a.vehicle},
                           {"notes", &a.notes}},
                          &p))
            return invalid(p);
        if (a.id.empty())
            return member_error("id", "missing");
        if (!read_range(doc, "", &a.time, &p))
            return top_level_invalid(p);
        if (const Value* status = member(doc, "status")) {
            if (!read_enum(*status, "status", &a.status,
                           {{"booked", AppointmentStatus::booked},
                            {"cancelled", AppointmentStatus::cancelled}},
                           &p))
                return invalid(p);
        }
        return a;
    });
}

Result<TeamFeedRequest> parse_team_feed_request(std::string_view text) {
    TeamFeedRequest r;
    if (text.empty())
        return r;
    return read_document(
        text, "team feed request", [&](const Value& doc) -> Result<TeamFeedRequest> {
            Problem p;
            if (!read_strings(doc, "",
                              {{"connection_id", &r.connection_id},
                               {"calendar_name", &r.options.calendar_name}},
                              &p))
                return invalid(p);
            if (const Value* v = member(doc, "busy_only")) {
                if (!read_bool(*v, "busy_only", &r.options.render.busy_only, &p))
                    return invalid(p);
            }
            std::int64_t minutes = 0;
            if (!read_int(doc, "", "refresh_interval_minutes", 1, kWeekOfMinutes, &minutes, &p))
                return invalid(p);
            if (minutes > 0)
                r.options.refresh_interval = std::chrono::minutes(minutes);
            return r;
        });
}

std::string write_connection_info(const ConnectionRecord& c) {
    return write_document([&](Writer& w) {
        write_string(w, "id", c.id);
        write_string(w, "kind", to_string(c.kind));
        write_string(w, "account", c.account);
        write_string(w, "state", to_string(c.state));
    });
}

std::string write_connections(const std::vector<ConnectionRecord>& connections,
                              const std::map<std::string, SyncStatus>& statuses) {
    return write_document([&](Writer& w) {
        w.Key("connections");
        w.StartArray();
        for (const ConnectionRecord& c : connections) {
            w.StartObject();
            write_string(w, "id", c.id);
            write_string(w, "kind", to_string(c.kind));
            write_string(w, "account", c.account);
            write_string(w, "state", to_string(c.state));
            auto it = statuses.find(c.id);
            write_status_object(w, "status", it == statuses.end() ? SyncStatus{} : it->second);
            w.EndObject();
        }
        w.EndArray();
    });
}

std::string write_status(const SyncStatus& status,
                         const std::map<std::string, SyncStatus>& calendars) {
    return write_document([&](Writer& w) {
        write_status_fields(w, status);
        w.Key("calendars");
        w.StartObject();
        for (const auto& [id, s] : calendars)
            write_status_object(w, id.c_str(), s);
        w.EndObject();
    });
}

std::string write_calendars(const ConnectionCalendars& calendars) {
    return write_document([&](Writer& w) {
        w.Key("calendars");
        w.StartArray();
        for (const CalendarRecord& r : calendars.calendars) {
            w.StartObject();
            write_calendar_fields(w, r.calendar);
            w.Key("selected");
            w.Bool(r.selected);
            write_string(w, "direction", to_string(r.direction));
            write_policy(w, r.policy);
            w.EndObject();
        }
        w.EndArray();
        w.Key("gone");
        w.StartArray();
        for (const std::string& id : calendars.gone)
            w.String(id.c_str());
        w.EndArray();
    });
}

std::string write_report(const SyncReport& report) {
    return write_document([&](Writer& w) { write_report_fields(w, report); });
}

std::string write_reports(const std::vector<SyncReport>& reports,
                          const std::vector<std::string>& unfinished) {
    return write_document([&](Writer& w) {
        w.Key("reports");
        w.StartArray();
        for (const SyncReport& r : reports) {
            w.StartObject();
            write_report_fields(w, r);
            w.EndObject();
        }
        w.EndArray();
        w.Key("unfinished");
        w.StartArray();
        for (const std::string& id : unfinished)
            w.String(id.c_str(), static_cast<rapidjson::SizeType>(id.size()));
        w.EndArray();
    });
}

std::string write_slot_diff(const std::string& connection_id, const SlotDiff& diff) {
    return write_document([&](Writer& w) {
        write_string(w, "connection_id", connection_id);
        write_slot_list(w, "added", diff.added);
        write_slot_list(w, "removed", diff.removed);
    });
}

std::string write_slots(const std::vector<BlockedSlot>& slots, const std::vector<TimeRange>& busy) {
    return write_document([&](Writer& w) {
        write_slot_list(w, "slots", slots);
        write_ranges(w, "busy", busy);
    });
}

std::string write_free(const std::vector<TimeRange>& free) {
    return write_document([&](Writer& w) { write_ranges(w, "free", free); });
}

std::string write_free_answer(const FreeAnswer& a) {
    return write_document([&](Writer& w) {
        w.Key("free");
        w.Bool(a.free);
        w.Key("fresh");
        w.Bool(a.fresh);
        w.Key("stale_connections");
        w.StartArray();
        for (const std::string& id : a.stale_connections)
            w.String(id.c_str());
        w.EndArray();
        write_slot_list(w, "conflicts", a.conflicts);
    });
}

std::string write_health(const HealthReport& r) {
    return write_document([&](Writer& w) {
        write_string(w, "connection_id", r.connection_id);
        w.Key("ok");
        w.Bool(r.ok);
        w.Key("items");
        w.StartArray();
        for (const HealthItem& i : r.items) {
            w.StartObject();
            write_string(w, "check", i.check);
            w.Key("ok");
            w.Bool(i.ok);
            write_string(w, "reason", i.reason);
            write_string(w, "action", i.action);
            w.EndObject();
        }
        w.EndArray();
    });
}

std::string write_appointments(const std::vector<AppointmentRecord>& appointments) {
    return write_document([&](Writer& w) {
        w.Key("appointments");
        w.StartArray();
        for (const AppointmentRecord& r : appointments) {
            const Appointment& a = r.appointment;
            w.StartObject();
            write_string(w, "id", a.id);
            write_range(w, a.time);
            write_string(w, "client", a.client);
            write_string(w, "service", a.service);
            write_string(w, "vehicle", a.vehicle);
            write_string(w, "notes", a.notes);
            write_string(w, "status",
                         a.status == AppointmentStatus::booked ? "booked" : "cancelled");
            w.Key("revision");
            w.Int64(r.revision);
            w.EndObject();
        }
        w.EndArray();
    });
}

std::string write_authorization_start(const AuthorizationStart& start) {
    return write_document([&](Writer& w) {
        write_string(w, "connection_id", start.connection_id);
        write_string(w, "url", start.url);
        write_string(w, "state", start.state);
    });
}

Result<WatchDocument> parse_watch_request(std::string_view text) {
    return read_document(text, "watch request", [&](const Value& doc) -> Result<WatchDocument> {
        Problem p;
        WatchDocument r;
        if (!read_strings(doc, "", {{"calendar_id", &r.calendar_id}, {"address", &r.address}}, &p))
            return invalid(p);
        if (r.calendar_id.empty())
            return member_error("calendar_id", "missing");
        if (r.address.empty())
            return member_error("address", "missing");
        return r;
    });
}

Result<PushRequest> parse_push_request(std::string_view text) {
    return read_document(text, "push request", [&](const Value& doc) -> Result<PushRequest> {
        Problem p;
        PushRequest r;
        if (!read_strings(doc, "", {{"method", &r.method}, {"query", &r.query}, {"body", &r.body}},
                          &p))
            return invalid(p);
        if (const Value* headers = member(doc, "headers")) {
            if (!headers->IsArray())
                return member_error("headers", "expected an array");
            for (rapidjson::SizeType i = 0; i < headers->Size(); ++i) {
                const Value& h = (*headers)[i];
                const std::string path = item("headers", i);
                if (!h.IsObject())
                    return make_error(ErrorCode::invalid_argument, path + ": expected an object");
                std::string name;
                std::string value;
                if (!read_strings(h, path, {{"name", &name}, {"value", &value}}, &p))
                    return invalid(p);
                if (name.empty())
                    return make_error(ErrorCode::invalid_argument,
                                      child(path, "name") + ": missing");
                r.headers.emplace_back(std::move(name), std::move(value));
            }
        }
        return r;
    });
}

std::string write_watch(const PushWatch& watch) {
    return write_document([&](Writer& w) {
        write_string(w, "channel_id", watch.channel_id);
        write_string(w, "connection_id", watch.connection_id);
        write_string(w, "calendar_id", watch.calendar_id);
        write_string(w, "kind", to_string(watch.kind));
        write_string(w, "expires_at", format_rfc3339(watch.expires_at));
    });
}

std::string write_renewals(const std::vector<PushRenewal>& renewals) {
    return write_document([&](Writer& w) {
        w.Key("channels");
        w.StartArray();
        for (const PushRenewal& r : renewals) {
            w.StartObject();
            write_string(w, "connection_id", r.connection_id);
            write_string(w, "calendar_id", r.calendar_id);
            write_string(w, "old_channel_id", r.old_channel_id);
            write_string(w, "channel_id", r.channel_id);
            write_string(w, "expires_at", r.error ? std::string() : format_rfc3339(r.expires_at));
            w.Key("ok");
            w.Bool(!r.error);
            if (r.error) {
                w.Key("error");
                w.StartObject();
                write_string(w, "code", to_string(r.error->code));
                write_string(w, "message", r.error->message);
                w.EndObject();
            }
            w.EndObject();
        }
        w.EndArray();
    });
}

std::string write_push_answer(const PushAnswer& a) {
    const auto strings = [](Writer& w, const char* key, const std::vector<std::string>& list) {
        w.Key(key);
        w.StartArray();
        for (const std::string& s : list)
            w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
        w.EndArray();
    };
    return write_document([&](Writer& w) {
        w.Key("status");
        w.Int(a.status);
        write_string(w, "content_type", a.content_type);
        write_string(w, "body", a.body);
        write_string(w, "source", a.source);
        w.Key("marked");
        w.StartArray();
        for (const PushMarked& m : a.marked) {
            w.StartObject();
            write_string(w, "connection_id", m.connection_id);
            write_string(w, "calendar_id", m.calendar_id);
            w.EndObject();
        }
        w.EndArray();
        strings(w, "events", a.events);
        strings(w, "renew_due", a.renewed);
        strings(w, "forgotten", a.forgotten);
        write_string(w, "ignored", a.ignored);
        w.Key("refused");
        w.Uint64(a.refused);
    });
}

}  // namespace calsync::capi
