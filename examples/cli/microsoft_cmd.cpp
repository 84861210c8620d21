// `calsync microsoft connect|calendars|events`: an Outlook / Microsoft 365 account through
// the C ABI. `connect` runs the device sign-in (RFC 8628) and keeps the connection (the
// provider configuration with its tokens) in a file, sealed with a host key; the other
// commands read it, and write it back when Microsoft rotated the refresh token.
#include "microsoft_cmd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli_common.hpp"

namespace calsync_cli {
namespace {

const char* const kMicrosoftUsage =
    "usage:\n"
    "  calsync microsoft connect --tokens FILE [--client-id ID] [--tenant TENANT]\n"
    "                            [--read-only] [ENDPOINTS]\n"
    "  calsync microsoft calendars --tokens FILE [--json] [--api-url URL]\n"
    "  calsync microsoft events --tokens FILE --calendar ID|NAME --from WHEN --to WHEN\n"
    "                           --tz ZONE [--json] [--api-url URL]\n"
    "\n"
    "connect    signs in with a code shown here and entered at Microsoft's page in any\n"
    "           browser, then saves the connection to FILE (created with mode 0600).\n"
    "  --client-id ID   the app registration's client id (else $CALSYNC_MICROSOFT_CLIENT_ID)\n"
    "  --tenant TENANT  common (default), organizations, consumers or a tenant id\n"
    "  --read-only      ask for Calendars.Read only (no calendar will take exports)\n"
    "calendars  lists the account's calendars; events prints the slots one of them blocks\n"
    "           (--from, --to, --tz, --json as for `calsync blocked`).\n"
    "ENDPOINTS (for national clouds, or a test server standing in):\n"
    "  --authority URL  sign-in authority (default https://login.microsoftonline.com)\n"
    "  --token-url URL, --device-url URL   the token and device-code endpoints themselves\n"
    "  --api-url URL    Microsoft Graph (default https://graph.microsoft.com/v1.0)\n"
    "  --allow-private-addresses   let these URLs reach loopback or private networks\n"
    "\n"
    "FILE holds the tokens sealed (AES-256-GCM) with a host key: $CALSYNC_HOST_KEY\n"
    "(base64url of at least 32 random bytes) when set, else the key file given by\n"
    "--key-file, else ${XDG_CONFIG_HOME:-~/.config}/calsync/host.key, which `connect`\n"
    "creates (mode 0600) when it does not exist. Keep the key apart from FILE: whoever has\n"
    "both can read the calendars.\n";

struct MicrosoftArgs : ProviderCommand {
    std::string tokens_file;
    std::string key_file;
    std::string client_id;
    std::string tenant;
    std::string authority;
    std::string token_url;
    std::string device_url;
    std::string api_url;
    bool read_only = false;
    bool allow_private = false;
};

MicrosoftArgs parse_microsoft(int argc, char** argv) {
    MicrosoftArgs a;
    if (argc < 3)
        throw UsageError{"microsoft: expected `connect`, `calendars` or `events`"};
    a.action = argv[2];
    if (a.action != "connect" && a.action != "calendars" && a.action != "events")
        throw UsageError{"microsoft: unknown action '" + a.action + "'"};
    parse_options(argc, argv, 3, [&](const std::string& opt, auto&& value) {
        if (opt == "--tokens")
            a.tokens_file = value();
        else if (opt == "--key-file")
            a.key_file = value();
        else if (opt == "--client-id")
            a.client_id = value();
        else if (opt == "--tenant")
            a.tenant = value();
        else if (opt == "--authority")
            a.authority = value();
        else if (opt == "--token-url")
            a.token_url = value();
        else if (opt == "--device-url")
            a.device_url = value();
        else if (opt == "--api-url")
            a.api_url = value();
        else if (opt == "--calendar")
            a.calendar = value();
        else if (opt == "--read-only")
            a.read_only = true;
        else if (opt == "--allow-private-addresses")
            a.allow_private = true;
        else
            return slot_query_option(opt, value, &a);
        return true;
    });
    if (a.tokens_file.empty())
        throw UsageError{"microsoft " + a.action + ": --tokens FILE is required"};
    if (a.action == "connect" && a.client_id.empty()) {
        const char* env = std::getenv("CALSYNC_MICROSOFT_CLIENT_ID");
        a.client_id = env != nullptr ? env : "";
        if (a.client_id.empty())
            throw UsageError{
                "microsoft connect: --client-id (or $CALSYNC_MICROSOFT_CLIENT_ID) "
                "is required"};
    }
    if (a.action == "events") {
        if (a.calendar.empty())
            throw UsageError{"microsoft events: --calendar is required (see `calendars`)"};
        if (a.from.empty() || a.to.empty() || a.zone.empty())
            throw UsageError{"microsoft events: --from, --to and --tz are required"};
    }
    return a;
}

// A string the library handed out, freed on every path.
struct LibraryString {
    char* p = nullptr;
    ~LibraryString() { calsync_string_free(p); }
    std::string text() const { return p != nullptr ? p : ""; }
};

// Writes `text` to `path` readable by its owner only, replacing it atomically.
bool write_private(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".tmp";
    const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        std::cerr << "calsync: cannot write " << tmp << ": " << std::strerror(errno) << "\n";
        return false;
    }
    bool ok = fchmod(fd, 0600) == 0 &&
              write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::cerr << "calsync: cannot write " << path << ": " << std::strerror(errno) << "\n";
        unlink(tmp.c_str());
        return false;
    }
    return true;
}

bool read_text(const std::string& path, std::string* out) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream s;
    s << in.rdbuf();
    *out = s.str();
    return true;
}

std::string default_key_file() {
    const char* xdg = std::getenv("XDG_CONFIG_HOME");
    const char* home = std::getenv("HOME");
    const std::string base = xdg != nullptr && *xdg != '\0' ? xdg
                             : home != nullptr              ? std::string(home) + "/.config"
                                                            : ".";
    return base + "/calsync/host.key";
}

// The host key: $CALSYNC_HOST_KEY, else the key file (made on `connect` if missing).
bool host_key(const MicrosoftArgs& a, bool create, std::string* key) {
    if (const char* env = std::getenv("CALSYNC_HOST_KEY"); env != nullptr && *env != '\0') {
        *key = env;
        return true;
    }
    const std::string path = a.key_file.empty() ? default_key_file() : a.key_file;
    if (read_text(path, key)) {
        while (!key->empty() && (key->back() == '\n' || key->back() == '\r'))
            key->pop_back();
        return true;
    }
    if (!create) {
        std::cerr << "calsync: no host key: set $CALSYNC_HOST_KEY or keep the key file " << path
                  << " that `calsync microsoft connect` made\n";
        return false;
    }
    LibraryString fresh;
    if (!report(calsync_secret_key_new(&fresh.p)))
        return false;
    if (a.key_file.empty()) {  // the default place: its directories too, owner-only
        const std::string dir = path.substr(0, path.rfind('/'));
        mkdir(dir.substr(0, dir.rfind('/')).c_str(), 0700);
        mkdir(dir.c_str(), 0700);
    }
    if (!write_private(path, fresh.text() + "\n"))
        return false;
    std::cerr << "calsync: made a new host key in " << path << "\n";
    *key = fresh.text();
    return true;
}

void write_oauth_fields(Writer& w, const MicrosoftArgs& a) {
    key_string(w, "client_id", a.client_id);
    const std::pair<const char*, const std::string*> optional[] = {
        {"tenant", &a.tenant},
        {"authority_url", &a.authority},
        {"token_url", &a.token_url},
        {"device_authorization_url", &a.device_url}};
    for (const auto& [key, value] : optional) {
        if (!value->empty())
            key_string(w, key, *value);
    }
    w.Key("exports");
    w.Bool(!a.read_only);
}

void write_network(Writer& w, bool allow_private) {
    w.Key("network");
    w.StartObject();
    w.Key("allow_private_addresses");
    w.Bool(allow_private);
    w.EndObject();
}

// The device sign-in; the tokens JSON on success.
bool sign_in(const MicrosoftArgs& a, const std::string& key, std::string* tokens) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    key_string(w, "kind", "microsoft");
    write_oauth_fields(w, a);
    key_string(w, "host_key", key);
    write_network(w, a.allow_private);
    w.EndObject();
    calsync_oauth* oauth = nullptr;
    if (!report(calsync_oauth_new(buf.GetString(), &oauth)))
        return false;
    struct Free {
        calsync_oauth* o;
        ~Free() { calsync_oauth_free(o); }
    } guard{oauth};
    LibraryString begun;
    if (!report(calsync_oauth_device_begin(oauth, &begun.p)))
        return false;
    rapidjson::Document device;
    device.Parse(begun.p);
    std::printf("To sign in, open %s in a browser and enter the code %s\n",
                str(device, "verification_uri"), str(device, "user_code"));
    std::printf("Waiting for the sign-in (the code expires at %s)...\n", str(device, "expires_at"));
    std::fflush(stdout);
    long interval = device["interval_seconds"].GetInt64();
    const std::string code = str(device, "device_code");
    while (true) {
        sleep(static_cast<unsigned>(interval > 0 ? interval : 1));
        LibraryString answer;
        const calsync_status s = calsync_oauth_device_poll(oauth, code.c_str(), &answer.p);
        if (s == CALSYNC_OK) {
            *tokens = answer.text();
            return true;
        }
        if (s != CALSYNC_EPENDING)
            return report(s);
        // The server may ask to slow down; the library says how long to wait now.
        const char* msg = calsync_last_error_message();
        if (const char* in = std::strstr(msg, "poll again in "))
            interval = std::strtol(in + std::strlen("poll again in "), nullptr, 10);
    }
}

// The connection file's document: calsync_provider_new's configuration, whole.
std::string provider_document(const MicrosoftArgs& a, const std::string& tokens) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    key_string(w, "kind", "microsoft");
    w.Key("oauth");
    w.StartObject();
    write_oauth_fields(w, a);
    w.EndObject();
    w.Key("tokens");
    w.RawValue(tokens.c_str(), tokens.size(), rapidjson::kObjectType);
    if (!a.api_url.empty())
        key_string(w, "api_base_url", a.api_url);
    write_network(w, a.allow_private);
    w.EndObject();
    return buf.GetString();
}

bool save(const std::string& path, const std::string& key, const std::string& document) {
    LibraryString sealed;
    if (!report(calsync_secret_seal(key.c_str(), document.c_str(), &sealed.p)))
        return false;
    return write_private(path, sealed.text() + "\n");
}

int run_connect(const MicrosoftArgs& a) {
    std::string key;
    if (!host_key(a, true, &key))
        return kExitFailure;
    std::string tokens;
    if (!sign_in(a, key, &tokens))
        return kExitFailure;
    if (!save(a.tokens_file, key, provider_document(a, tokens)))
        return kExitFailure;
    std::printf("Signed in. The connection is saved, sealed, in %s\n", a.tokens_file.c_str());
    return kExitOk;
}

// The saved connection with this run's overrides, and the tokens it was saved with.
bool load(const MicrosoftArgs& a, const std::string& key, rapidjson::Document* doc) {
    std::string sealed;
    if (!read_text(a.tokens_file, &sealed)) {
        std::cerr << "calsync: cannot read " << a.tokens_file
                  << " (made by `calsync microsoft connect --tokens FILE`)\n";
        return false;
    }
    while (!sealed.empty() && (sealed.back() == '\n' || sealed.back() == '\r'))
        sealed.pop_back();
    LibraryString plain;
    if (!report(calsync_secret_unseal(key.c_str(), sealed.c_str(), &plain.p)))
        return false;
    doc->Parse(plain.p);
    if (!doc->IsObject()) {
        std::cerr << "calsync: " << a.tokens_file << " does not hold a connection\n";
        return false;
    }
    auto& alloc = doc->GetAllocator();
    if (!a.api_url.empty()) {
        doc->RemoveMember("api_base_url");
        doc->AddMember("api_base_url", rapidjson::Value(a.api_url.c_str(), alloc), alloc);
    }
    if (a.allow_private && doc->HasMember("network"))
        (*doc)["network"]["allow_private_addresses"] = true;
    return true;
}

std::string to_text(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    v.Accept(w);
    return buf.GetString();
}

int run_account(const MicrosoftArgs& a) {
    std::string key;
    rapidjson::Document doc;
    if (!host_key(a, false, &key) || !load(a, key, &doc))
        return kExitFailure;
    const std::string before = to_text(doc["tokens"]);
    ProviderHandle provider;
    if (!report(calsync_provider_new(to_text(doc).c_str(), &provider.p)))
        return kExitFailure;
    const int rc = run_provider_command(provider.p, a);
    // Microsoft hands out a new refresh token with every refresh: keep it, whatever the
    // command came to, or the next run signs in with one that may be gone.
    LibraryString tokens;
    if (calsync_provider_tokens(provider.p, &tokens.p) == CALSYNC_OK && tokens.text() != before) {
        rapidjson::Document fresh;
        fresh.Parse(tokens.p);
        doc["tokens"].CopyFrom(fresh, doc.GetAllocator());
        if (!save(a.tokens_file, key, to_text(doc)))
            return kExitFailure;
    }
    return rc;
}

}  // namespace

int run_microsoft(int argc, char** argv) {
    if (argc < 3 || std::strcmp(argv[2], "--help") == 0) {
        std::cout << kMicrosoftUsage;
        return argc < 3 ? kExitUsage : kExitOk;
    }
    const MicrosoftArgs a = parse_microsoft(argc, argv);
    return a.action == "connect" ? run_connect(a) : run_account(a);
}

}  // namespace calsync_cli
