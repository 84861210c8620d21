// `calsync google ...`, on the C ABI's OAuth, provider and sealing calls only.
//
// The connection file (--tokens FILE, mode 0600, replaced atomically) is JSON: the OAuth
// client id and the endpoints the connection was made with, and the tokens sealed with the
// host key (calsync_secret_seal). The host key is $CALSYNC_HOST_KEY (base64url of at least 32
// random bytes), else the file --host-key-file names, else
// $XDG_CONFIG_HOME/calsync/host.key (~/.config/calsync/host.key), which `connect` creates
// (mode 0600) when it does not exist. Without the key the tokens cannot be read.
#include "google_cmd.hpp"

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
#include <stdexcept>

#include "cli_common.hpp"
#include "loopback_redirect.hpp"

namespace calsync_cli {
namespace {

const char* const kGoogleUsage =
    "usage:\n"
    "  calsync google connect --tokens FILE --client-id ID [--exports]\n"
    "  calsync google calendars --tokens FILE [--json]\n"
    "  calsync google events --tokens FILE --calendar ID|NAME --from WHEN --to WHEN --tz ZONE\n"
    "                        [--json]\n"
    "\n"
    "connect    signs in to Google: prints an address to open in a browser, receives the\n"
    "           answer on 127.0.0.1 (a port of its own, PKCE), and keeps the tokens,\n"
    "           sealed, in FILE (mode 0600). Asks for read-only access unless --exports.\n"
    "calendars  lists the account's calendars; events prints the slots one calendar blocks\n"
    "           (--from/--to/--tz as for `calsync blocked`).\n"
    "  --client-id ID     the OAuth client (Google Cloud console, \"Desktop app\"); also\n"
    "                     $CALSYNC_GOOGLE_CLIENT_ID. Its secret, if it has one, is read from\n"
    "                     $CALSYNC_GOOGLE_CLIENT_SECRET, never from an argument.\n"
    "  --host-key-file F  where the host key is (default ~/.config/calsync/host.key, made by\n"
    "                     connect); $CALSYNC_HOST_KEY (base64url, 32+ bytes) wins over it\n"
    "  --timeout SECONDS  how long connect waits for the browser (default 300)\n"
    "  --auth-url, --token-url, --revoke-url, --api-url URL\n"
    "                     other endpoints (a test server); connect remembers them in FILE\n"
    "  --allow-private-addresses   let those reach loopback or private networks\n";

struct GoogleArgs : ProviderCommand {
    std::string tokens_file;
    std::string client_id;
    bool exports = false;
    std::string host_key_file;
    int timeout_seconds = 300;
    std::string authorization_url;
    std::string token_url;
    std::string revocation_url;
    std::string api_url;
    bool allow_private = false;
};

GoogleArgs parse_google(int argc, char** argv) {
    GoogleArgs a;
    if (argc < 3)
        throw UsageError{"google: expected `connect`, `calendars` or `events`"};
    a.action = argv[2];
    if (a.action != "connect" && a.action != "calendars" && a.action != "events")
        throw UsageError{"google: unknown action '" + a.action + "'"};
    parse_options(argc, argv, 3, [&](const std::string& opt, auto&& value) {
        if (opt == "--tokens")
            a.tokens_file = value();
        else if (opt == "--client-id")
            a.client_id = value();
        else if (opt == "--exports")
            a.exports = true;
        else if (opt == "--calendar")
            a.calendar = value();
        else if (opt == "--host-key-file")
            a.host_key_file = value();
        else if (opt == "--timeout")
            a.timeout_seconds = std::atoi(value().c_str());
        else if (opt == "--auth-url")
            a.authorization_url = value();
        else if (opt == "--token-url")
            a.token_url = value();
        else if (opt == "--revoke-url")
            a.revocation_url = value();
        else if (opt == "--api-url")
            a.api_url = value();
        else if (opt == "--allow-private-addresses")
            a.allow_private = true;
        else if (opt.rfind("--client-secret", 0) == 0)
            throw UsageError{
                "the client secret is never an argument (shell history and process lists "
                "would show it): set CALSYNC_GOOGLE_CLIENT_SECRET"};
        else
            return slot_query_option(opt, value, &a);
        return true;
    });
    if (a.tokens_file.empty())
        throw UsageError{"google " + a.action + ": --tokens FILE is required"};
    if (a.client_id.empty())
        if (const char* env = std::getenv("CALSYNC_GOOGLE_CLIENT_ID"))
            a.client_id = env;
    if (a.action == "connect" && a.client_id.empty())
        throw UsageError{"google connect: --client-id is required"};
    if (a.action == "connect" && a.timeout_seconds <= 0)
        throw UsageError{"google connect: --timeout must be a positive number of seconds"};
    if (a.action == "events" &&
        (a.calendar.empty() || a.from.empty() || a.to.empty() || a.zone.empty()))
        throw UsageError{"google events: --calendar, --from, --to and --tz are required"};
    return a;
}

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v != nullptr ? v : "";
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

// Writes `text` to `path` with mode 0600, through a temporary file renamed over it, so a
// crash leaves the old file or the new one, never half of one.
void write_private(const std::string& path, const std::string& text) {
    const std::string temp = path + ".tmp" + std::to_string(getpid());
    const int fd = open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        throw UsageError{"cannot write '" + temp + "': " + std::strerror(errno)};
    const bool written =
        write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && fsync(fd) == 0;
    close(fd);
    if (!written || rename(temp.c_str(), path.c_str()) != 0) {
        unlink(temp.c_str());
        throw UsageError{"cannot write '" + path + "': " + std::strerror(errno)};
    }
}

std::string base64url(const unsigned char* data, std::size_t n) {
    static const char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    for (std::size_t i = 0; i < n; i += 3) {
        const unsigned v =
            (data[i] << 16) | (i + 1 < n ? data[i + 1] << 8 : 0) | (i + 2 < n ? data[i + 2] : 0);
        out += kAlphabet[(v >> 18) & 63];
        out += kAlphabet[(v >> 12) & 63];
        if (i + 1 < n)
            out += kAlphabet[(v >> 6) & 63];
        if (i + 2 < n)
            out += kAlphabet[v & 63];
    }
    return out;
}

std::string default_key_file() {
    std::string base = env_or_empty("XDG_CONFIG_HOME");
    if (base.empty())
        base = env_or_empty("HOME") + "/.config";
    return base + "/calsync/host.key";
}

// $CALSYNC_HOST_KEY, else the key file; `connect` makes the file when there is none.
std::string host_key(const GoogleArgs& a, bool may_create) {
    const std::string from_env = env_or_empty("CALSYNC_HOST_KEY");
    if (!from_env.empty())
        return from_env;
    const std::string path = a.host_key_file.empty() ? default_key_file() : a.host_key_file;
    std::string text;
    if (read_text(path, &text)) {
        struct stat st {};
        if (stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0)
            throw UsageError{"the host key file '" + path +
                             "' may be read by others; chmod 600 it first"};
        while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
            text.pop_back();
        return text;
    }
    if (!may_create)
        throw UsageError{"no host key: set CALSYNC_HOST_KEY or keep the key file '" + path +
                         "' that `google connect` made"};
    unsigned char random[32];
    std::ifstream urandom("/dev/urandom", std::ios::binary);
    if (!urandom.read(reinterpret_cast<char*>(random), sizeof random))
        throw UsageError{"cannot read /dev/urandom for a new host key"};
    const auto slash = path.find_last_of('/');
    if (slash != std::string::npos) {
        const std::string dir = path.substr(0, slash);
        const auto parent = dir.find_last_of('/');
        if (parent != std::string::npos && parent > 0)
            mkdir(dir.substr(0, parent).c_str(), 0700);
        mkdir(dir.c_str(), 0700);
    }
    const std::string key = base64url(random, sizeof random);
    write_private(path, key + "\n");
    std::fprintf(stderr, "calsync: made a new host key in %s (keep it: it opens the tokens)\n",
                 path.c_str());
    return key;
}

// What the connection file holds besides the sealed tokens.
struct Connection {
    std::string client_id;
    bool exports = false;
    std::string authorization_url, token_url, revocation_url, api_url;
    bool allow_private = false;
    std::string sealed_tokens;
};

std::string write_connection(const Connection& c) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    key_string(w, "service", "google");
    key_string(w, "client_id", c.client_id);
    w.Key("exports");
    w.Bool(c.exports);
    key_string(w, "authorization_url", c.authorization_url);
    key_string(w, "token_url", c.token_url);
    key_string(w, "revocation_url", c.revocation_url);
    key_string(w, "api_base_url", c.api_url);
    w.Key("allow_private_addresses");
    w.Bool(c.allow_private);
    key_string(w, "tokens", c.sealed_tokens);
    w.EndObject();
    return std::string(buf.GetString()) + "\n";
}

// The connection file, with what the command line gives taking precedence.
Connection read_connection(const GoogleArgs& a) {
    std::string text;
    if (!read_text(a.tokens_file, &text))
        throw UsageError{"cannot read --tokens file '" + a.tokens_file +
                         "' (make it with `calsync google connect`)"};
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    if (!doc.IsObject() || std::string(str(doc, "service")) != "google")
        throw UsageError{"'" + a.tokens_file + "' is not a calsync Google connection file"};
    const auto pick = [&](const std::string& given, const char* key) {
        return given.empty() ? std::string(str(doc, key)) : given;
    };
    Connection c;
    c.client_id = pick(a.client_id, "client_id");
    c.exports = doc.HasMember("exports") && doc["exports"].IsBool() && doc["exports"].GetBool();
    c.authorization_url = pick(a.authorization_url, "authorization_url");
    c.token_url = pick(a.token_url, "token_url");
    c.revocation_url = pick(a.revocation_url, "revocation_url");
    c.api_url = pick(a.api_url, "api_base_url");
    c.allow_private = a.allow_private || (doc.HasMember("allow_private_addresses") &&
                                          doc["allow_private_addresses"].IsBool() &&
                                          doc["allow_private_addresses"].GetBool());
    c.sealed_tokens = str(doc, "tokens");
    return c;
}

// The OAuth client's fields (calsync_oauth_new's document, a provider's "oauth").
void write_oauth_client(Writer& w, const Connection& c, const std::string& redirect_uri) {
    key_string(w, "client_id", c.client_id);
    const std::string secret = env_or_empty("CALSYNC_GOOGLE_CLIENT_SECRET");
    if (!secret.empty())
        key_string(w, "client_secret", secret);
    if (!redirect_uri.empty())
        key_string(w, "redirect_uri", redirect_uri);
    w.Key("exports");
    w.Bool(c.exports);
    const std::pair<const char*, const std::string*> urls[] = {
        {"authorization_url", &c.authorization_url},
        {"token_url", &c.token_url},
        {"revocation_url", &c.revocation_url}};
    for (const auto& [key, url] : urls)
        if (!url->empty())
            key_string(w, key, *url);
}

// {"version": 1, "kind": "google", ... : the start of a C ABI configuration document.
void start_google_document(Writer& w) {
    w.StartObject();
    w.Key("version");
    w.Int(1);
    key_string(w, "kind", "google");
}

void write_network(Writer& w, bool allow_private) {
    w.Key("network");
    w.StartObject();
    w.Key("allow_private_addresses");
    w.Bool(allow_private);
    w.EndObject();
}

// Takes a string the library handed out.
std::string take(char* out) {
    std::string s(out);
    calsync_string_free(out);
    return s;
}

void save(const GoogleArgs& a, Connection c, const std::string& key, const std::string& tokens) {
    char* sealed = nullptr;
    if (!report(calsync_secret_seal(key.c_str(), tokens.c_str(), &sealed)))
        throw UsageError{"cannot seal the tokens with the host key"};
    c.sealed_tokens = take(sealed);
    write_private(a.tokens_file, write_connection(c));
}

struct OAuthHandle {
    calsync_oauth* o = nullptr;
    ~OAuthHandle() { calsync_oauth_free(o); }
};

int connect(const GoogleArgs& a) {
    const std::string key = host_key(a, true);
    Connection c;
    c.client_id = a.client_id;
    c.exports = a.exports;
    c.authorization_url = a.authorization_url;
    c.token_url = a.token_url;
    c.revocation_url = a.revocation_url;
    c.api_url = a.api_url;
    c.allow_private = a.allow_private;
    LoopbackRedirect redirect;
    rapidjson::StringBuffer buf;
    Writer w(buf);
    start_google_document(w);
    write_oauth_client(w, c, redirect.redirect_uri());
    key_string(w, "host_key", key);
    write_network(w, a.allow_private);
    w.EndObject();
    OAuthHandle oauth;
    if (!report(calsync_oauth_new(buf.GetString(), &oauth.o)))
        return kExitFailure;
    char* out = nullptr;
    if (!report(calsync_oauth_begin(oauth.o, "calsync-cli", &out)))
        return kExitFailure;
    rapidjson::Document begun;
    begun.Parse(take(out).c_str());
    std::printf(
        "Open this address in a browser and allow calsync %s your Google calendars:\n\n"
        "  %s\n\nWaiting for the answer on %s ...\n",
        a.exports ? "to read and write" : "to read", str(begun, "url"),
        redirect.redirect_uri().c_str());
    std::fflush(stdout);
    std::map<std::string, std::string> query;
    if (!redirect.wait(std::chrono::seconds(a.timeout_seconds), &query)) {
        std::cerr << "calsync: no answer from the browser within " << a.timeout_seconds
                  << " seconds\n";
        return kExitFailure;
    }
    if (query.count("error") != 0) {
        std::cerr << "calsync: Google did not grant access: " << query["error"] << "\n";
        return kExitFailure;
    }
    rapidjson::StringBuffer req;
    Writer rw(req);
    rw.StartObject();
    key_string(rw, "state", query["state"]);
    key_string(rw, "code", query["code"]);
    key_string(rw, "code_verifier", str(begun, "code_verifier"));
    rw.EndObject();
    if (!report(calsync_oauth_complete(oauth.o, req.GetString(), &out)))
        return kExitFailure;
    rapidjson::Document completed;
    completed.Parse(take(out).c_str());
    rapidjson::StringBuffer tokens;
    Writer tw(tokens);
    completed["tokens"].Accept(tw);
    save(a, c, key, tokens.GetString());
    std::printf("Connected. The tokens are sealed in %s.\n", a.tokens_file.c_str());
    return kExitOk;
}

// calendars and events: a provider from the connection file, the common action, and the
// tokens saved again when the provider refreshed them.
int use_connection(const GoogleArgs& a) {
    const std::string key = host_key(a, false);
    const Connection c = read_connection(a);
    char* out = nullptr;
    if (!report(calsync_secret_unseal(key.c_str(), c.sealed_tokens.c_str(), &out)))
        return kExitFailure;
    const std::string tokens = take(out);
    rapidjson::StringBuffer buf;
    Writer w(buf);
    start_google_document(w);
    w.Key("oauth");
    w.StartObject();
    write_oauth_client(w, c, "");
    w.EndObject();
    w.Key("tokens");
    w.RawValue(tokens.c_str(), tokens.size(), rapidjson::kObjectType);
    if (!c.api_url.empty())
        key_string(w, "api_base_url", c.api_url);
    write_network(w, c.allow_private);
    w.EndObject();
    ProviderHandle provider;
    if (!report(calsync_provider_new(buf.GetString(), &provider.p)))
        return kExitFailure;
    const int rc = run_provider_command(provider.p, a);
    if (calsync_provider_tokens(provider.p, &out) == CALSYNC_OK) {
        const std::string now = take(out);
        if (now != tokens)
            save(a, c, key, now);
    }
    return rc;
}

}  // namespace

int run_google(int argc, char** argv) {
    if (argc >= 3 && (std::string(argv[2]) == "--help" || std::string(argv[2]) == "-h")) {
        std::cout << kGoogleUsage;
        return kExitOk;
    }
    try {
        const GoogleArgs a = parse_google(argc, argv);
        return a.action == "connect" ? connect(a) : use_connection(a);
    } catch (const UsageError& e) {
        std::cerr << "calsync: " << e.message << "\n\n" << kGoogleUsage;
        return kExitUsage;
    } catch (const std::runtime_error& e) {
        std::cerr << "calsync: " << e.what() << "\n";
        return kExitFailure;
    }
}

}  // namespace calsync_cli
