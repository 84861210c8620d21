// The fleet worker through the C ABI (calsync.h, "Workers").
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "calsync.h"
#include "calsync/fleet.hpp"
#include "calsync/worker.hpp"
#include "capi_support.hpp"
#include "client_json.hpp"

struct calsync_worker {
    std::shared_ptr<calsync::FleetStore> fleet;
    std::unique_ptr<calsync::Worker> worker;
};

namespace {

using namespace calsync;
using namespace calsync::capi;

// "<host>:<pid>": unique among the workers of a fleet unless two hosts share a name.
std::string default_owner() {
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0)
        host[0] = '\0';
    return std::string(host) + ":" + std::to_string(getpid());
}

calsync_status worker_new(const calsync_worker_options* options, calsync_worker** out) {
    if (options == nullptr || out == nullptr)
        return null_argument(options == nullptr ? "options" : "worker");
    if (options->version != CALSYNC_WORKER_OPTIONS_VERSION)
        return invalid_argument("options.version",
                                "expected CALSYNC_WORKER_OPTIONS_VERSION (" +
                                    std::to_string(CALSYNC_WORKER_OPTIONS_VERSION) + ")");
    if (options->store_url == nullptr)
        return null_argument("options.store_url");
    if (options->host_key == nullptr || options->host_key_length < 32)
        return invalid_argument("options.host_key", "at least 32 secret bytes are needed");
    auto settings =
        parse_client_config(options->config_json != nullptr ? options->config_json : "");
    if (!settings.ok())
        return fail(settings.error());
    WorkerOptions o;
    o.settings = settings.value();
    // The key's bytes as the std::string SyncSettings keeps them.
    o.settings.host_key.assign(reinterpret_cast<const char*>(options->host_key),
                               options->host_key_length);
    o.owner = options->owner != nullptr ? options->owner : default_owner();
    o.threads = options->threads != 0 ? options->threads
                                      : static_cast<std::size_t>(o.settings.max_concurrent_syncs);
    if (options->lease_seconds != 0)
        o.lease_for = std::chrono::seconds(options->lease_seconds);
    if (options->log != nullptr) {
        const calsync_log_fn log = options->log;
        void* user = options->user_data;
        o.log = [log, user](LogLevel level, const std::string& message) {
            log(static_cast<int>(level), message.c_str(), user);
        };
    }
    auto fleet = open_fleet(options->store_url);
    if (!fleet.ok())
        return fail(CALSYNC_ERROR, argument_message("options.store_url", fleet.error().message));
    auto handle = std::make_unique<calsync_worker>();
    handle->fleet = std::move(fleet).value();
    o.fleet = handle->fleet;
    auto worker = Worker::open(std::move(o));
    if (!worker.ok())
        return fail(worker.error());
    handle->worker = std::move(worker).value();
    *out = handle.release();
    last_error.clear();
    return CALSYNC_OK;
}

std::string write_pass(const WorkerPass& pass) {
    std::string reports = write_reports(pass.reports);
    // {"version":1,"reports":[...],"unfinished":[]} + the pass's own members.
    rapidjson::Document doc;
    doc.Parse(reports.c_str());
    auto& a = doc.GetAllocator();
    doc.RemoveMember("unfinished");
    doc.AddMember("claimed", static_cast<std::uint64_t>(pass.claimed), a);
    const auto ids = [&a](const std::vector<std::string>& list) {
        rapidjson::Value out(rapidjson::kArrayType);
        for (const std::string& id : list)
            out.PushBack(rapidjson::Value(id.c_str(), a), a);
        return out;
    };
    doc.AddMember("lost", ids(pass.lost), a);
    doc.AddMember("failed", ids(pass.failed), a);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

calsync_status calsync_worker_new(const calsync_worker_options* options, calsync_worker** worker) {
    return guarded("calsync_worker_new", [&] { return worker_new(options, worker); });
}

void calsync_worker_free(calsync_worker* worker) {
    delete worker;  // the handle the caller owned
}

calsync_status calsync_worker_run_once(calsync_worker* worker, char** response_json) {
    return guarded("calsync_worker_run_once", [&] {
        if (auto refused = refuse_null({{"worker", worker}, {"response_json", response_json}}))
            return *refused;
        auto pass = worker->worker->run_once();
        if (!pass.ok())
            return fail(pass.error());
        return hand_out(write_pass(pass.value()), response_json);
    });
}

calsync_status calsync_worker_run(calsync_worker* worker) {
    return guarded("calsync_worker_run", [&] {
        if (worker == nullptr)
            return null_argument("worker");
        worker->worker->run();
        last_error.clear();
        return CALSYNC_OK;
    });
}

calsync_status calsync_worker_stop(calsync_worker* worker) {
    return guarded("calsync_worker_stop", [&] {
        if (worker == nullptr)
            return null_argument("worker");
        worker->worker->stop();
        last_error.clear();
        return CALSYNC_OK;
    });
}

calsync_status calsync_worker_mark_due(calsync_worker* worker, const char* business_id,
                                       const char* connection_id) {
    return guarded("calsync_worker_mark_due", [&] {
        if (auto refused = refuse_null({{"worker", worker},
                                        {"business_id", business_id},
                                        {"connection_id", connection_id}}))
            return *refused;
        auto marked = worker->fleet->mark_due(
            business_id, connection_id,
            std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now()));
        if (!marked.ok())
            return fail(marked.error());
        last_error.clear();
        return CALSYNC_OK;
    });
}
