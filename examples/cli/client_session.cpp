#include "client_session.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iostream>
#include <iterator>

#include "exit_codes.hpp"

namespace cli {
namespace {

void log_to_session(int level, const char* message, void* user_data) {
    static_cast<Session*>(user_data)->on_log(level, message);
}

std::string to_text(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return buf.GetString();
}

}  // namespace

Session::Session(const GlobalOptions& globals, StateUse use, const ConfigAdjust& adjust)
    : globals_(globals), state_(locate_state(globals)) {
    config_ = load_config(state_, globals);
    if (adjust)
        adjust(config_);
    zone_ = str(config_, "zone");
    use_zone(zone_);
    if (use == StateUse::create)
        make_state_dir(state_);
    else
        require_state_dir(state_);
    key_ = load_host_key(state_);
    const std::string store = state_.store();
    const std::string config_text = to_text(config_);
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    // A config naming a fleet store (`blocked --store URL`) opens that business instead.
    o.store_path = config_.HasMember("store") ? nullptr : store.c_str();
    o.host_key = key_.data();
    o.host_key_length = key_.size();
    o.config_json = config_text.c_str();
    o.log = log_to_session;
    o.user_data = this;
    const calsync_status s = calsync_client_new(&o, &client_);
    if (s == CALSYNC_EINVAL || s == CALSYNC_EZONE) {
        std::cerr << "calsync: the configuration (" << state_.config_file
                  << " and the command line): " << calsync_last_error_message() << "\n";
        throw Failure{kExitUsage};
    }
    check(s);
}

Session::~Session() {
    calsync_client_free(client_);  // may still log (reads confirm_free left running)
    progress_.clear();
}

void Session::on_log(int level, const char* message) {
    std::lock_guard<std::mutex> one_at_a_time(log_mutex_);
    if (globals_.verbose) {
        static const char* const names[] = {"debug", "info", "warning", "error"};
        progress_.clear();
        std::cerr << "calsync: " << names[level >= 0 && level <= 3 ? level : 3] << ": " << message
                  << "\n";
    } else if (level >= CALSYNC_LOG_INFO) {
        progress_.show(message);
    }
}

void Session::show_progress(const std::string& text) {
    std::lock_guard<std::mutex> one_at_a_time(log_mutex_);
    progress_.show(text);
}

void Session::clear_progress() {
    std::lock_guard<std::mutex> one_at_a_time(log_mutex_);
    progress_.clear();
}

void Session::report(calsync_status s) {
    clear_progress();
    fail_with(s);
}

std::vector<ConnectionSummary> Session::connections() {
    const auto doc = parse_json(answer(calsync_client_connections, client_));
    const auto& list = doc["connections"];
    std::vector<ConnectionSummary> out;
    std::transform(list.Begin(), list.End(), std::back_inserter(out),
                   [](const rapidjson::Value& c) {
                       return ConnectionSummary{str(c, "id"), str(c, "kind"), str(c, "account"),
                                                std::string(str(c, "state")) == "active"};
                   });
    return out;
}

std::vector<std::string> Session::active_ids() {
    std::vector<std::string> ids;
    for (const ConnectionSummary& c : connections()) {
        if (c.active)
            ids.push_back(c.id);
    }
    return ids;
}

std::string Session::resolve(const std::optional<std::string>& given) {
    const auto all = connections();
    std::string names;
    std::vector<std::string> active;
    for (const ConnectionSummary& c : all) {
        names += (names.empty() ? "" : ", ") + c.id;
        if (c.active)
            active.push_back(c.id);
    }
    if (given) {
        if (std::any_of(all.begin(), all.end(),
                        [&](const ConnectionSummary& c) { return c.id == *given; }))
            return *given;
        fail_with(kExitNotFound, "no connection '" + *given + "'" +
                                     (names.empty() ? "; nothing is connected yet (calsync "
                                                      "connect --help)"
                                                    : "; the connections are: " + names));
    }
    if (active.empty())
        fail_with(kExitNotFound,
                  "no calendar account is connected yet; connect one first (calsync connect "
                  "--help)");
    if (active.size() > 1) {
        std::string list;
        for (const std::string& id : active)
            list += (list.empty() ? "" : ", ") + id;
        throw UsageError{"several accounts are connected (" + list + "): name one"};
    }
    return active.front();
}

ConnectionHandle Session::connection(const std::string& id) {
    ConnectionHandle h;
    const calsync_status s = calsync_client_connection(client_, id.c_str(), h.out());
    if (s != CALSYNC_OK)
        report(s);
    return h;
}

std::string describe(const ConnectionSummary& c) {
    return c.kind + (c.account.empty() ? "" : ", " + c.account);
}

}  // namespace cli
