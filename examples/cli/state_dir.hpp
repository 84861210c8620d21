// Where the calsync program keeps what it remembers between runs: the SQLite store, the
// host key that seals the passwords and tokens in it, and the client configuration.
//
//   $CALSYNC_STATE_DIR, or --state DIR, else $XDG_DATA_HOME/calsync, else
//   ~/.local/share/calsync (XDG Base Directory Specification 0.8):
//     calsync.sqlite   the store (connections, calendars, cached events, appointments)
//     host.key         64 hex digits, mode 0600, made on first use ($CALSYNC_HOST_KEY wins)
//     config.json      the client configuration (CLIENT_CONFIG in calsync.h), optional
#pragma once

#include <rapidjson/document.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cli {

// Options every command takes, wherever they stand on the command line.
struct GlobalOptions {
    std::optional<std::string> state_dir;    // --state DIR
    std::optional<std::string> config_file;  // --config FILE
    std::optional<std::string> zone;         // --zone ZONE (or --tz)
    bool allow_private_addresses = false;    // --allow-private-addresses
    bool verbose = false;                    // --verbose: the library's log on stderr
};

struct StateLocation {
    std::string dir;
    std::string store() const { return dir + "/calsync.sqlite"; }
    std::string key_file() const { return dir + "/host.key"; }
    std::string config_file;  // --config, $CALSYNC_CONFIG, or dir + "/config.json"
};

// Resolves the directory (not created yet).
StateLocation locate_state(const GlobalOptions& globals);

// Creates the directory (and missing parents) with mode 0700. Failure on error.
void make_state_dir(const StateLocation& state);

// For commands that only read: Failure kExitNotFound, saying where calsync looked, when the
// directory does not exist (nothing is made).
void require_state_dir(const StateLocation& state);

// $CALSYNC_HOST_KEY (hex, at least 32 bytes), else the key file, made with 32 random bytes
// and mode 0600 when absent. A key file others can read gets a warning.
std::vector<unsigned char> load_host_key(const StateLocation& state);

// The config file (an object; absent: {}) with the command line's overrides applied.
// A file that is not a JSON object is a UsageError naming it.
rapidjson::Document load_config(const StateLocation& state, const GlobalOptions& globals);

// Writes what `change` sets into the config file (made with mode 0600 when absent: it may
// hold an OAuth client secret), keeping everything else in it; false when it changed
// nothing. Failure when the file cannot be written.
bool update_config_file(const StateLocation& state,
                        const std::function<void(rapidjson::Document& file)>& change);

// The business's zone: --zone, else the config's "zone", else the system's ($TZ or
// /etc/localtime), else UTC.
std::string effective_zone(const rapidjson::Value& config, const GlobalOptions& globals);

// The config's object member `name`, made empty when absent (e.g. "google").
rapidjson::Value& config_section(rapidjson::Document& config, const char* name);
// Sets obj[key] = value, replacing what was there.
void set_member(rapidjson::Document& config, rapidjson::Value& obj, const char* key,
                rapidjson::Value value);

}  // namespace cli
