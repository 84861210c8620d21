#include "state_dir.hpp"

#include <fcntl.h>
#include <rapidjson/prettywriter.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <system_error>

#include "core/bounded_json.hpp"
#include "core/text_encoding.hpp"
#include "exit_codes.hpp"
#include "output.hpp"

namespace cli {
namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
}

// XDG Base Directory Specification: a relative path in the variable is invalid and ignored.
std::string data_home() {
    std::string xdg = env("XDG_DATA_HOME");
    if (!xdg.empty() && xdg[0] == '/')
        return xdg;
    const std::string home = env("HOME");
    if (home.empty())
        throw UsageError{
            "no state directory: HOME is not set; use --state DIR or "
            "CALSYNC_STATE_DIR"};
    return home + "/.local/share";
}

std::vector<unsigned char> from_hex(const std::string& text, const std::string& where) {
    std::string digits;
    for (char c : text) {
        if (c != '\n' && c != '\r' && c != ' ')
            digits += c;
    }
    const std::optional<std::string> bytes = calsync::encoding::hex_decode(digits);
    if (!bytes || bytes->size() < 32)
        fail_with(kExitFailure, where + ": expected at least 64 hex digits (32 random bytes)");
    return std::vector<unsigned char>(bytes->begin(), bytes->end());
}

std::string to_hex(const std::vector<unsigned char>& bytes) {
    return calsync::encoding::hex(std::string(bytes.begin(), bytes.end()));
}

std::string read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// Writes a new key; false when another process made the file first.
bool create_key_file(const std::string& path) {
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return false;
        fail_with(kExitFailure, "cannot create the key file " + path + ": " +
                                    std::generic_category().message(errno));
    }
    std::vector<unsigned char> key(32);
    if (getrandom(key.data(), key.size(), 0) != static_cast<ssize_t>(key.size())) {
        close(fd);
        unlink(path.c_str());
        fail_with(kExitFailure, "no random bytes for a new key file");
    }
    const std::string text = to_hex(key) + "\n";
    const bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const bool synced = fsync(fd) == 0;
    close(fd);
    if (!written || !synced) {
        unlink(path.c_str());
        fail_with(kExitFailure, "cannot write the key file " + path);
    }
    return true;
}

// The zone the machine runs in, when it has an IANA name.
std::string system_zone() {
    std::string tz = env("TZ");
    if (!tz.empty() && tz[0] == ':')
        tz.erase(0, 1);
    if (!tz.empty() && tz.find('/') != std::string::npos && tz[0] != '/')
        return tz;
    if (tz == "UTC")
        return tz;
    char target[4096];
    const ssize_t n = readlink("/etc/localtime", target, sizeof target - 1);
    if (n > 0) {
        target[n] = '\0';
        const std::string path(target);
        const auto at = path.find("zoneinfo/");
        if (at != std::string::npos)
            return path.substr(at + 9);
    }
    return "UTC";
}

}  // namespace

StateLocation locate_state(const GlobalOptions& globals) {
    StateLocation s;
    if (globals.state_dir)
        s.dir = *globals.state_dir;
    else if (!env("CALSYNC_STATE_DIR").empty())
        s.dir = env("CALSYNC_STATE_DIR");
    else
        s.dir = data_home() + "/calsync";
    while (s.dir.size() > 1 && s.dir.back() == '/')
        s.dir.pop_back();
    if (globals.config_file)
        s.config_file = *globals.config_file;
    else if (!env("CALSYNC_CONFIG").empty())
        s.config_file = env("CALSYNC_CONFIG");
    else
        s.config_file = s.dir + "/config.json";
    return s;
}

void make_state_dir(const StateLocation& state) {
    for (std::size_t slash = 1; slash != std::string::npos;) {
        slash = state.dir.find('/', slash + 1);
        const std::string part = state.dir.substr(0, slash);
        if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST)
            fail_with(kExitFailure, "cannot create the state directory " + part + ": " +
                                        std::generic_category().message(errno));
    }
    struct stat st {};
    if (stat(state.dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        fail_with(kExitFailure, "the state directory " + state.dir + " is not a directory");
}

void require_state_dir(const StateLocation& state) {
    struct stat st {};
    if (stat(state.dir.c_str(), &st) != 0)
        fail_with(kExitNotFound,
                  "no calsync state in " + state.dir +
                      ": nothing is connected yet (calsync connect --help), or the state is "
                      "elsewhere (--state DIR or $CALSYNC_STATE_DIR)");
    if (!S_ISDIR(st.st_mode))
        fail_with(kExitFailure, "the state directory " + state.dir + " is not a directory");
}

std::vector<unsigned char> load_host_key(const StateLocation& state) {
    if (const std::string hex = env("CALSYNC_HOST_KEY"); !hex.empty())
        return from_hex(hex, "CALSYNC_HOST_KEY");
    const std::string path = state.key_file();
    if (access(path.c_str(), F_OK) != 0)
        create_key_file(path);
    struct stat st {};
    if (stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
        std::cerr << "calsync: warning: the key file " << path
                  << " can be read by other users; run chmod 600 " << path << "\n";
    return from_hex(read_whole(path), "the key file " + path);
}

rapidjson::Document load_config(const StateLocation& state, const GlobalOptions& globals) {
    rapidjson::Document doc(rapidjson::kObjectType);
    if (access(state.config_file.c_str(), F_OK) == 0) {
        const std::string text = read_whole(state.config_file);
        auto parsed = calsync::json::parse_bounded(text, calsync::json::InvalidUtf8::refuse);
        if (!parsed.ok() || !parsed->IsObject())
            throw UsageError{"the config file " + state.config_file +
                             " is not a JSON object (see CLIENT_CONFIG in calsync.h)" +
                             (parsed.ok() ? "" : ": " + parsed.error().message)};
        doc = std::move(parsed).value();
    } else if (globals.config_file) {
        throw UsageError{"cannot read the config file " + *globals.config_file};
    }
    const std::string zone = effective_zone(doc, globals);
    set_member(doc, doc, "zone", rapidjson::Value(zone.c_str(), doc.GetAllocator()));
    if (globals.allow_private_addresses)
        set_member(doc, config_section(doc, "network"), "allow_private_addresses",
                   rapidjson::Value(true));
    // OAuth client secrets may stay out of the file; every command needs them (refreshing
    // tokens is part of a sync).
    for (const auto& [service, variable] :
         {std::pair<const char*, const char*>{"google", "CALSYNC_GOOGLE_CLIENT_SECRET"},
          {"microsoft", "CALSYNC_MICROSOFT_CLIENT_SECRET"}}) {
        if (const std::string secret = env(variable); !secret.empty())
            set_member(doc, config_section(doc, service), "client_secret",
                       rapidjson::Value(secret.c_str(), doc.GetAllocator()));
    }
    return doc;
}

bool update_config_file(const StateLocation& state,
                        const std::function<void(rapidjson::Document& file)>& change) {
    rapidjson::Document doc(rapidjson::kObjectType);
    if (access(state.config_file.c_str(), F_OK) == 0) {
        const std::string text = read_whole(state.config_file);
        auto parsed = calsync::json::parse_bounded(text, calsync::json::InvalidUtf8::refuse);
        if (!parsed.ok() || !parsed->IsObject())
            return false;  // load_config refused it already
        doc = std::move(parsed).value();
    }
    rapidjson::Document before;
    before.CopyFrom(doc, before.GetAllocator());
    change(doc);
    if (doc == before)
        return false;
    rapidjson::StringBuffer buf;
    rapidjson::PrettyWriter<rapidjson::StringBuffer> w(buf);
    w.SetIndent(' ', 2);
    doc.Accept(w);
    // A new file beside the old, then rename: a crash leaves one or the other, whole.
    const std::string temp = state.config_file + ".new";
    const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    const std::string text = std::string(buf.GetString()) + "\n";
    const bool ok = fd >= 0 &&
                    write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
                    fsync(fd) == 0;
    if (fd >= 0)
        close(fd);
    if (!ok || rename(temp.c_str(), state.config_file.c_str()) != 0) {
        unlink(temp.c_str());
        fail_with(kExitFailure, "cannot write the config file " + state.config_file + ": " +
                                    std::generic_category().message(errno));
    }
    return true;
}

std::string effective_zone(const rapidjson::Value& config, const GlobalOptions& globals) {
    if (globals.zone)
        return *globals.zone;
    if (const char* z = str(config, "zone"); *z != '\0')
        return z;
    return system_zone();
}

rapidjson::Value& config_section(rapidjson::Document& config, const char* name) {
    auto it = config.FindMember(name);
    if (it == config.MemberEnd() || !it->value.IsObject())
        set_member(config, config, name, rapidjson::Value(rapidjson::kObjectType));
    return config[name];
}

void set_member(rapidjson::Document& config, rapidjson::Value& obj, const char* key,
                rapidjson::Value value) {
    if (obj.HasMember(key))
        obj.RemoveMember(key);
    obj.AddMember(rapidjson::Value(key, config.GetAllocator()), value, config.GetAllocator());
}

}  // namespace cli
