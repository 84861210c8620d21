// One run of the calsync program against its state: the library's client opened on the
// SQLite store with the host key and the configuration, and the connections in it.
#pragma once

#include <calsync.h>
#include <rapidjson/document.h>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "output.hpp"
#include "state_dir.hpp"

namespace cli {

// A connection handle, freed on every path out.
class ConnectionHandle {
  public:
    explicit ConnectionHandle(calsync_connection* c = nullptr) : c_(c) {}
    ~ConnectionHandle() { calsync_connection_free(c_); }
    ConnectionHandle(ConnectionHandle&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
    ConnectionHandle& operator=(ConnectionHandle&&) = delete;
    ConnectionHandle(const ConnectionHandle&) = delete;
    calsync_connection* get() const { return c_; }
    calsync_connection** out() { return &c_; }

  private:
    calsync_connection* c_;
};

struct ConnectionSummary {
    std::string id;
    std::string kind;
    std::string account;
    bool active = false;
};

// Whether a command may make the state directory: those that add something to it do
// (connect, appointments upsert); the others need one that exists (there is nothing to
// read, sync or select without it) and say so (Failure kExitNotFound) instead of leaving
// an empty state behind.
enum class StateUse { existing, create };

class Session {
  public:
    // Changes the configuration before the client is made (e.g. a redirect URI).
    using ConfigAdjust = std::function<void(rapidjson::Document& config)>;

    // Opens the state (StateUse::create: made on first use). Failure when it cannot.
    Session(const GlobalOptions& globals, StateUse use, const ConfigAdjust& adjust = {});
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    calsync_client* client() const { return client_; }
    const std::string& zone() const { return zone_; }
    const StateLocation& state() const { return state_; }
    const rapidjson::Document& config() const { return config_; }
    const std::vector<unsigned char>& host_key() const { return key_; }
    // The progress line (stderr, on a terminal only), shared with the log callback.
    void show_progress(const std::string& text);
    void clear_progress();

    std::vector<ConnectionSummary> connections();
    // The ids of the connections not disconnected.
    std::vector<std::string> active_ids();
    // The connection the person means: `given` (which must exist: Failure kExitNotFound
    // otherwise), else the only active one (none: Failure; several: a UsageError naming
    // them).
    std::string resolve(const std::optional<std::string>& given);
    ConnectionHandle connection(const std::string& id);

    // Calls fn(args..., &out) and hands back its JSON answer; on failure reports it.
    template <class Fn, class... Args>
    std::string answer(Fn fn, Args... args) {
        char* out = nullptr;
        const calsync_status s = fn(args..., &out);
        if (s != CALSYNC_OK)
            report(s);
        return take(out);
    }

    // The library's log callback; called from run_due's worker threads too.
    void on_log(int level, const char* message);

  private:
    [[noreturn]] void report(calsync_status s);

    GlobalOptions globals_;
    StateLocation state_;
    rapidjson::Document config_;
    std::vector<unsigned char> key_;
    std::string zone_;
    std::mutex log_mutex_;  // one line at a time on stderr
    ProgressLine progress_;
    calsync_client* client_ = nullptr;
};

// The "account" of a connection for people: "garage at https://dav.example/".
std::string describe(const ConnectionSummary& c);

}  // namespace cli
