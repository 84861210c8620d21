// The client half of the C ABI: a calsync_client owns a SyncService and its store; a
// calsync_connection names one connection of it.
#include <algorithm>
#include <functional>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "calsync.h"
#include "calsync/fleet.hpp"
#include "calsync/store.hpp"
#include "calsync/sync.hpp"
#include "capi_support.hpp"
#include "client_json.hpp"
#include "engine/json_codec.hpp"
#include "sync/fleet_budget.hpp"

struct calsync_client {
    // A client on a fleet store (CLIENT_CONFIG "store") keeps the fleet open for its view
    // of one business and its work queue; declared first, so it closes after the service.
    std::shared_ptr<calsync::FleetStore> fleet;
    std::unique_ptr<calsync::SyncService> service;
};

struct calsync_connection {
    calsync_client* client = nullptr;
    std::string id;
};

namespace {

using namespace calsync;
using namespace calsync::capi;

// calsync_client_run_due_within's longest wait: an hour, the longest sync_timeout_seconds.
constexpr long long kMaxRunDueWaitMs = 3'600'000;

// A connection made due (a sign-in, a select, a push, sync-now) is also queued in the
// store file's work queue, so `calsync worker --store sqlite:PATH` (and any worker on that
// file) picks it up. The fleet is opened on the first such call and kept.
std::function<void(const std::string&, Instant)> queue_in_fleet(const std::string& path,
                                                                LogSink log) {
    struct Queue {
        std::mutex mutex;
        std::unique_ptr<FleetStore> fleet;
    };
    auto queue = std::make_shared<Queue>();
    return [queue, path, log](const std::string& connection_id, Instant due) {
        std::lock_guard<std::mutex> lock(queue->mutex);
        if (!queue->fleet) {
            auto opened = open_sqlite_fleet(path);
            if (!opened.ok()) {
                if (log)
                    log(LogLevel::warning, "the store's work queue: " + opened.error().message);
                return;
            }
            queue->fleet = std::move(opened).value();
        }
        auto marked = queue->fleet->mark_due(kDefaultBusiness, connection_id, due);
        if (!marked.ok() && log)
            log(LogLevel::warning, "connection " + connection_id +
                                       ": not queued for workers: " + marked.error().message);
    };
}

// The business `chosen` names in the fleet at its URL, for a client (CLIENT_CONFIG
// "store"): its connections made due go to that fleet's queue, for any worker.
calsync_status open_client_store(const ClientStore& chosen, SyncServiceOptions* o,
                                 std::shared_ptr<FleetStore>* fleet) {
    auto opened = open_fleet(chosen.url);
    if (!opened.ok())
        return fail(CALSYNC_ERROR, member_message("store.url", opened.error().message));
    std::shared_ptr<FleetStore> shared = std::move(opened).value();
    auto view = shared->open_business(chosen.business_id);
    if (!view.ok())
        return fail(
            view.error().code == ErrorCode::invalid_argument ? CALSYNC_EINVAL : CALSYNC_ERROR,
            member_message("store.business_id", view.error().message));
    o->store = std::shared_ptr<StateStore>(std::move(view).value());
    // Workers sync this business too: the slots they store are what the client answers.
    o->slots_from_store = true;
    // Google's quota is per OAuth project: the client spends from the budget the fleet's
    // workers share, not a pace of its own beside theirs.
    o->request_budgets = sync::fleet_request_budgets(shared);
    const LogSink log = o->log;
    FleetStore* queue = shared.get();  // the handle keeps it open as long as the service
    o->connection_due = [queue, business = chosen.business_id, log](const std::string& id,
                                                                    Instant due) {
        auto marked = queue->mark_due(business, id, due);
        if (!marked.ok() && log)
            log(LogLevel::warning,
                "connection " + id + ": not queued for workers: " + marked.error().message);
    };
    *fleet = std::move(shared);
    return CALSYNC_OK;
}

calsync_status client_new(const calsync_client_options* options, calsync_client** out) {
    if (auto refused = refuse_null({{"options", options}, {"client", out}}))
        return *refused;
    if (options->version != CALSYNC_CLIENT_OPTIONS_VERSION)
        return invalid_argument("options.version",
                                "expected CALSYNC_CLIENT_OPTIONS_VERSION (" +
                                    std::to_string(CALSYNC_CLIENT_OPTIONS_VERSION) + ")");
    if (options->host_key == nullptr || options->host_key_length < 32)
        return invalid_argument("options.host_key", "at least 32 secret bytes are needed");
    std::optional<ClientStore> chosen;
    auto settings =
        parse_client_config(options->config_json != nullptr ? options->config_json : "", &chosen);
    if (!settings.ok())
        return fail(settings.error());
    if (chosen && options->store_path != nullptr)
        return invalid_argument("store",
                                "options.store_path and the config's \"store\" both name a store");
    SyncServiceOptions o;
    o.settings = settings.value();
    o.settings.host_key.assign(reinterpret_cast<const char*>(options->host_key),
                               options->host_key_length);
    if (options->log != nullptr) {
        const calsync_log_fn log = options->log;
        void* user = options->user_data;
        o.log = [log, user](LogLevel level, const std::string& message) {
            log(static_cast<int>(level), message.c_str(), user);
        };
    }
    std::shared_ptr<FleetStore> fleet;
    if (chosen) {
        const calsync_status opened = open_client_store(*chosen, &o, &fleet);
        if (opened != CALSYNC_OK)
            return opened;
    } else if (options->store_path != nullptr) {
        auto store = open_sqlite_store(options->store_path);
        if (!store.ok())
            return fail(CALSYNC_ERROR,
                        argument_message("options.store_path", store.error().message));
        o.store = std::move(store).value();
        o.connection_due = queue_in_fleet(options->store_path, o.log);
    } else {
        o.store = make_memory_store();
    }
    if (options->slots_changed != nullptr) {
        const calsync_slots_changed_fn changed = options->slots_changed;
        void* user = options->user_data;
        o.slots_changed = [changed, user](const std::string& connection, const SlotDiff& diff) {
            changed(write_slot_diff(connection, diff).c_str(), user);
        };
    }
    auto service = SyncService::open(std::move(o));
    if (!service.ok())
        return fail(service.error());
    auto handle = std::make_unique<calsync_client>();
    handle->fleet = std::move(fleet);
    handle->service = std::move(service).value();
    *out = handle.release();
    last_error.clear();
    return CALSYNC_OK;
}

calsync_status hand_out_connection(calsync_client* c, const std::string& id,
                                   calsync_connection** out) {
    auto handle = std::make_unique<calsync_connection>();
    handle->client = c;
    handle->id = id;
    *out = handle.release();
    last_error.clear();
    return CALSYNC_OK;
}

calsync_status connect(calsync_client* c, const char* request_json, calsync_connection** out) {
    if (auto refused =
            refuse_null({{"client", c}, {"request_json", request_json}, {"connection", out}}))
        return *refused;
    auto request = parse_connect_request(request_json);
    if (!request.ok())
        return fail(request.error());
    const ConnectRequest& r = request.value();
    auto id = r.tokens_json.empty()
                  ? c->service->add_connection(r.kind, r.settings_json, r.credentials_json,
                                               r.connection_id)
                  : c->service->add_oauth_connection(r.kind, r.tokens_json, r.connection_id);
    if (!id.ok())
        return fail(id.error());
    return hand_out_connection(c, id.value(), out);
}

calsync_status authorize_begin(calsync_client* c, const char* request_json, char** out) {
    if (auto refused =
            refuse_null({{"client", c}, {"request_json", request_json}, {"response_json", out}}))
        return *refused;
    auto request = parse_authorize_begin(request_json);
    if (!request.ok())
        return fail(request.error());
    auto start = c->service->begin_authorization(request->kind, request->connection_id);
    if (!start.ok())
        return fail(start.error());
    return hand_out(write_authorization_start(start.value()), out);
}

calsync_status authorize_complete(calsync_client* c, const char* request_json,
                                  calsync_connection** out) {
    if (auto refused =
            refuse_null({{"client", c}, {"request_json", request_json}, {"connection", out}}))
        return *refused;
    auto request = parse_authorize_complete(request_json);
    if (!request.ok())
        return fail(request.error());
    auto id = c->service->complete_authorization(request->state, request->code);
    if (!id.ok())
        return fail(id.error());
    return hand_out_connection(c, id.value(), out);
}

calsync_status connection(calsync_client* c, const char* id, calsync_connection** out) {
    if (auto refused = refuse_null({{"client", c}, {"connection_id", id}, {"connection", out}}))
        return *refused;
    auto status = c->service->status(id);
    if (!status.ok())
        return fail(CALSYNC_ENOTFOUND, std::string("no connection \"") + id + "\"");
    return hand_out_connection(c, id, out);
}

calsync_status connections(calsync_client* c, char** out) {
    if (auto refused = refuse_null({{"client", c}, {"response_json", out}}))
        return *refused;
    auto list = c->service->connections();
    if (!list.ok())
        return fail(list.error());
    std::map<std::string, SyncStatus> statuses;
    for (const ConnectionRecord& r : list.value()) {
        auto s = c->service->status(r.id);
        if (s.ok())
            statuses[r.id] = s.value();
    }
    return hand_out(write_connections(list.value(), statuses), out);
}

// The connection's record, for calls that need it.
Result<ConnectionRecord> record_of(calsync_connection* k) {
    auto list = k->client->service->connections();
    if (!list.ok())
        return list.error();
    auto it = std::find_if(list->begin(), list->end(),
                           [k](const ConnectionRecord& r) { return r.id == k->id; });
    if (it == list->end())
        return make_error(ErrorCode::not_found, "no connection \"" + k->id + "\"");
    return *it;
}

template <class Body>
calsync_status on_connection(calsync_connection* k, Body&& body) {
    if (k == nullptr || k->client == nullptr)
        return null_argument("connection");
    return body(*k->client->service);
}

calsync_status result_status(const Result<void>& r) {
    if (!r.ok())
        return fail(r.error());
    last_error.clear();
    return CALSYNC_OK;
}

template <class T, class Writer>
calsync_status hand_out_result(const Result<T>& r, Writer&& write, char** out) {
    if (!r.ok())
        return fail(r.error());
    return hand_out(write(r.value()), out);
}

}  // namespace

extern "C" {

calsync_status calsync_client_new(const calsync_client_options* options, calsync_client** client) {
    return guarded("calsync_client_new", [&] { return client_new(options, client); });
}

void calsync_client_free(calsync_client* client) {
    delete client;
}

calsync_status calsync_client_connect(calsync_client* client, const char* request_json,
                                      calsync_connection** connection_out) {
    return guarded("calsync_client_connect",
                   [&] { return connect(client, request_json, connection_out); });
}

calsync_status calsync_client_authorize_begin(calsync_client* client, const char* request_json,
                                              char** response_json) {
    return guarded("calsync_client_authorize_begin",
                   [&] { return authorize_begin(client, request_json, response_json); });
}

calsync_status calsync_client_authorize_complete(calsync_client* client, const char* request_json,
                                                 calsync_connection** connection_out) {
    return guarded("calsync_client_authorize_complete",
                   [&] { return authorize_complete(client, request_json, connection_out); });
}

calsync_status calsync_client_connection(calsync_client* client, const char* connection_id,
                                         calsync_connection** connection_out) {
    return guarded("calsync_client_connection",
                   [&] { return connection(client, connection_id, connection_out); });
}

calsync_status calsync_client_connections(calsync_client* client, char** response_json) {
    return guarded("calsync_client_connections",
                   [&] { return connections(client, response_json); });
}

void calsync_connection_free(calsync_connection* connection_handle) {
    delete connection_handle;
}

calsync_status calsync_connection_info(calsync_connection* k, char** response_json) {
    return guarded("calsync_connection_info", [&] {
        return on_connection(k, [&](SyncService&) {
            if (response_json == nullptr)
                return null_argument("response_json");
            return hand_out_result(record_of(k), write_connection_info, response_json);
        });
    });
}

calsync_status calsync_connection_calendars(calsync_connection* k, char** response_json) {
    return guarded("calsync_connection_calendars", [&] {
        return on_connection(k, [&](SyncService& s) {
            if (response_json == nullptr)
                return null_argument("response_json");
            return hand_out_result(s.list_calendars(k->id), write_calendars, response_json);
        });
    });
}

calsync_status calsync_connection_select(calsync_connection* k, const char* request_json) {
    return guarded("calsync_connection_select", [&] {
        return on_connection(k, [&](SyncService& s) {
            if (request_json == nullptr)
                return null_argument("request_json");
            auto r = parse_select_request(request_json);
            if (!r.ok())
                return fail(r.error());
            return result_status(s.select_calendar(k->id, r->calendar_id, r->direction, r->policy));
        });
    });
}

calsync_status calsync_connection_deselect(calsync_connection* k, const char* calendar_id) {
    return guarded("calsync_connection_deselect", [&] {
        return on_connection(k, [&](SyncService& s) {
            if (calendar_id == nullptr)
                return null_argument("calendar_id");
            return result_status(s.deselect_calendar(k->id, calendar_id));
        });
    });
}

calsync_status calsync_connection_sync(calsync_connection* k, char** report_json) {
    return guarded("calsync_connection_sync", [&] {
        return on_connection(k, [&](SyncService& s) {
            if (report_json == nullptr)
                return null_argument("report_json");
            return hand_out_result(s.sync(k->id), write_report, report_json);
        });
    });
}

calsync_status calsync_connection_request_sync(calsync_connection* k) {
    return guarded("calsync_connection_request_sync", [&] {
        return on_connection(k,
                             [&](SyncService& s) { return result_status(s.request_sync(k->id)); });
    });
}

calsync_status calsync_connection_status(calsync_connection* k, char** status_json) {
    return guarded("calsync_connection_status", [&] {
        return on_connection(k, [&](SyncService& s) {
            if (status_json == nullptr)
                return null_argument("status_json");
            auto status = s.status(k->id);
            if (!status.ok())
                return fail(status.error());
            auto calendars = s.calendar_statuses(k->id);
            if (!calendars.ok())
                return fail(calendars.error());
            return hand_out(write_status(status.value(), calendars.value()), status_json);
        });
    });
}

calsync_status calsync_connection_check(calsync_connection* k, char** report_json) {
    return guarded("calsync_connection_check", [&] {
        return on_connection(k, [&](SyncService& s) {
            if (report_json == nullptr)
                return null_argument("report_json");
            return hand_out_result(s.check(k->id), write_health, report_json);
        });
    });
}

calsync_status calsync_connection_disconnect(calsync_connection* k, int revoke) {
    return guarded("calsync_connection_disconnect", [&] {
        return on_connection(
            k, [&](SyncService& s) { return result_status(s.disconnect(k->id, revoke != 0)); });
    });
}

calsync_status calsync_connection_watch(calsync_connection* k, const char* request_json,
                                        char** response_json) {
    return guarded("calsync_connection_watch", [&] {
        return on_connection(k, [&](SyncService& s) {
            if (auto refused =
                    refuse_null({{"request_json", request_json}, {"response_json", response_json}}))
                return *refused;
            auto r = parse_watch_request(request_json);
            if (!r.ok())
                return fail(r.error());
            return hand_out_result(s.watch(k->id, r->calendar_id, r->address), write_watch,
                                   response_json);
        });
    });
}

calsync_status calsync_client_renew_push(calsync_client* client, char** response_json) {
    return guarded("calsync_client_renew_push", [&] {
        if (auto refused = refuse_null({{"client", client}, {"response_json", response_json}}))
            return *refused;
        return hand_out(write_renewals(client->service->renew_push()), response_json);
    });
}

calsync_status calsync_client_handle_push(calsync_client* client, const char* request_json,
                                          char** response_json) {
    return guarded("calsync_client_handle_push", [&] {
        if (auto refused = refuse_null({{"client", client},
                                        {"request_json", request_json},
                                        {"response_json", response_json}}))
            return *refused;
        auto r = parse_push_request(request_json);
        if (!r.ok())
            return fail(r.error());
        return hand_out_result(client->service->handle_push(r.value()), write_push_answer,
                               response_json);
    });
}

calsync_status calsync_client_run_due(calsync_client* client, char** response_json) {
    return guarded("calsync_client_run_due", [&] {
        if (auto refused = refuse_null({{"client", client}, {"response_json", response_json}}))
            return *refused;
        return hand_out(write_reports(client->service->run_due()), response_json);
    });
}

calsync_status calsync_client_run_due_within(calsync_client* client, long long wait_ms,
                                             char** response_json) {
    return guarded("calsync_client_run_due_within", [&] {
        if (auto refused = refuse_null({{"client", client}, {"response_json", response_json}}))
            return *refused;
        if (wait_ms < 1 || wait_ms > kMaxRunDueWaitMs)
            return invalid_argument(
                "wait_ms",
                "expected from 1 to " + std::to_string(kMaxRunDueWaitMs) + " milliseconds");
        auto done = client->service->run_due(std::chrono::milliseconds(wait_ms));
        return hand_out(write_reports(done.reports, done.unfinished), response_json);
    });
}

calsync_status calsync_client_blocked_slots(calsync_client* client, const char* range_json,
                                            char** response_json) {
    return guarded("calsync_client_blocked_slots", [&] {
        if (auto refused = refuse_null(
                {{"client", client}, {"range_json", range_json}, {"response_json", response_json}}))
            return *refused;
        auto range = parse_range(range_json);
        if (!range.ok())
            return fail(range.error());
        return hand_out(write_slots(client->service->blocked_slots(range.value()),
                                    client->service->busy(range.value())),
                        response_json);
    });
}

calsync_status calsync_client_free_slots(calsync_client* client, const char* request_json,
                                         char** response_json) {
    return guarded("calsync_client_free_slots", [&] {
        if (auto refused = refuse_null({{"client", client},
                                        {"request_json", request_json},
                                        {"response_json", response_json}}))
            return *refused;
        auto request = json::parse_free_slots_request(request_json, /*with_busy=*/false);
        if (!request.ok())
            return fail(request.error());
        return hand_out_result(client->service->free_slots(
                                   request->within, std::chrono::seconds(request->duration_seconds),
                                   std::chrono::seconds(request->step_seconds)),
                               write_free, response_json);
    });
}

calsync_status calsync_client_confirm_free(calsync_client* client, const char* request_json,
                                           char** response_json) {
    return guarded("calsync_client_confirm_free", [&] {
        if (auto refused = refuse_null({{"client", client},
                                        {"request_json", request_json},
                                        {"response_json", response_json}}))
            return *refused;
        auto request = parse_confirm_request(request_json);
        if (!request.ok())
            return fail(request.error());
        return hand_out(
            write_free_answer(client->service->confirm_free(request->range, request->timeout)),
            response_json);
    });
}

calsync_status calsync_client_upsert_appointment(calsync_client* client,
                                                 const char* appointment_json) {
    return guarded("calsync_client_upsert_appointment", [&] {
        if (auto refused =
                refuse_null({{"client", client}, {"appointment_json", appointment_json}}))
            return *refused;
        auto a = parse_appointment(appointment_json);
        if (!a.ok())
            return fail(a.error());
        return result_status(client->service->upsert_appointment(a.value()));
    });
}

calsync_status calsync_client_cancel_appointment(calsync_client* client,
                                                 const char* appointment_id) {
    return guarded("calsync_client_cancel_appointment", [&] {
        if (auto refused = refuse_null({{"client", client}, {"appointment_id", appointment_id}}))
            return *refused;
        return result_status(client->service->cancel_appointment(appointment_id));
    });
}

calsync_status calsync_client_appointments(calsync_client* client, char** response_json) {
    return guarded("calsync_client_appointments", [&] {
        if (auto refused = refuse_null({{"client", client}, {"response_json", response_json}}))
            return *refused;
        return hand_out_result(client->service->appointments(), write_appointments, response_json);
    });
}

calsync_status calsync_client_team_feed(calsync_client* client, const char* request_json,
                                        char** ics) {
    return guarded("calsync_client_team_feed", [&] {
        if (auto refused = refuse_null({{"client", client}, {"ics", ics}}))
            return *refused;
        auto request = parse_team_feed_request(request_json != nullptr ? request_json : "");
        if (!request.ok())
            return fail(request.error());
        auto feed = client->service->team_feed(request->connection_id, request->options);
        if (!feed.ok())
            return fail(feed.error());
        return hand_out(feed.value(), ics);
    });
}

}  // extern "C"
