// What the hostile scenarios share when they attack through the C ABI, as a host would:
// a client on a store, its JSON answers parsed, a feed served from a file by the fault
// server. Everything here runs inside the bounded child.
#pragma once

#include <calsync.h>
#include <rapidjson/document.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>

namespace calsync::test {

inline const unsigned char kHostileKey[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                              7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

// A status and the JSON answer of one call; the message when it failed.
struct CallAnswer {
    calsync_status status = CALSYNC_OK;
    std::string text;  // the JSON answer, or calsync_last_error_message()
};

template <class Call>
CallAnswer call_json(Call&& call) {
    char* out = nullptr;
    CallAnswer a;
    a.status = call(&out);
    if (a.status == CALSYNC_OK) {
        a.text = out;
        calsync_string_free(out);
    } else {
        a.text = calsync_last_error_message();
    }
    return a;
}

inline rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document d;
    d.Parse(text.c_str(), text.size());
    if (d.HasParseError())
        throw std::runtime_error("not JSON: " + text.substr(0, 200));
    return d;
}

// A client on `store_path` (nullptr: in memory) with `config_json`; throws when refused.
inline calsync_client* open_client(const char* store_path, const std::string& config_json,
                                   calsync_log_fn log = nullptr,
                                   calsync_slots_changed_fn changed = nullptr,
                                   void* user_data = nullptr) {
    calsync_client_options o = CALSYNC_CLIENT_OPTIONS_INIT;
    o.store_path = store_path;
    o.host_key = kHostileKey;
    o.host_key_length = sizeof kHostileKey;
    o.config_json = config_json.c_str();
    o.log = log;
    o.slots_changed = changed;
    o.user_data = user_data;
    calsync_client* client = nullptr;
    if (calsync_client_new(&o, &client) != CALSYNC_OK)
        throw std::runtime_error(std::string("client refused: ") + calsync_last_error_message());
    return client;
}

// Connects an ICS feed at `url` as connection `id` and selects its one calendar for import.
inline calsync_connection* connect_feed(calsync_client* client, const std::string& id,
                                        const std::string& url) {
    const std::string request = R"({"kind": "ics_feed", "connection_id": ")" + id +
                                R"(", "settings": {"url": ")" + url + R"(", "name": "Feed"}})";
    calsync_connection* k = nullptr;
    if (calsync_client_connect(client, request.c_str(), &k) != CALSYNC_OK)
        throw std::runtime_error(std::string("connect refused: ") + calsync_last_error_message());
    const auto calendars =
        call_json([&](char** out) { return calsync_connection_calendars(k, out); });
    const auto doc = parse_json(calendars.text);
    const std::string select = R"({"calendar_id": ")" +
                               std::string(doc["calendars"][0]["id"].GetString()) +
                               R"(", "direction": "import"})";
    if (calsync_connection_select(k, select.c_str()) != CALSYNC_OK)
        throw std::runtime_error(std::string("select refused: ") + calsync_last_error_message());
    return k;
}

// A file that lives as long as the test (the fault server serves feeds from files).
class TempFile {
  public:
    // `suffix` ends the name (".ics", ".sqlite").
    TempFile(const std::string& suffix, const std::string& content) {
        std::string name = "/tmp/calsync-hostile-XXXXXX" + suffix;
        const int fd = mkstemps(name.data(), static_cast<int>(suffix.size()));
        if (fd < 0)
            throw std::runtime_error("mkstemps failed");
        close(fd);
        path_ = name;
        std::ofstream(path_, std::ios::binary | std::ios::trunc) << content;
    }
    ~TempFile() { unlink(path_.c_str()); }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    const std::string& path() const { return path_; }

  private:
    std::string path_;
};

}  // namespace calsync::test
