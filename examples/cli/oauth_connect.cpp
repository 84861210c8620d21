// `calsync connect google` (the authorization code flow with PKCE and a loopback
// redirect, RFC 8252) and `calsync connect microsoft` (the device flow, RFC 8628): the
// sign-ins that need a person, on the C ABI's calsync_client_authorize_* and
// calsync_oauth_device_* calls. Every endpoint comes from the config file, so fakes can
// stand in for the services.
#include <calsync.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <thread>

#include "client_session.hpp"
#include "commands.hpp"
#include "core/text_encoding.hpp"
#include "exit_codes.hpp"
#include "loopback_listener.hpp"

namespace cli {
namespace {

struct OAuthArgs {
    std::string id;
    std::optional<std::string> client_id;
    std::optional<std::string> tenant;
    long long timeout_seconds = 300;
    bool json = false;
};

OAuthArgs parse_oauth(CommandLine& args, const std::string& service) {
    args.refuse_secret_options();
    OAuthArgs a;
    a.id = args.value("--id").value_or("");
    a.client_id = args.value("--client-id");
    if (service == "microsoft")
        a.tenant = args.value("--tenant");
    if (auto t = args.value("--timeout"))
        a.timeout_seconds = parse_duration(
            *t + (t->find_first_of("hms") == std::string::npos ? "s" : ""), "--timeout");
    a.json = args.flag("--json");
    args.positionals(0, "connect " + service);
    return a;
}

// The OAuth client of `service` in the config: --client-id and --tenant over the file's
// values.
void configure_client(rapidjson::Document& config, const char* service, const OAuthArgs& a) {
    rapidjson::Value& section = config_section(config, service);
    auto& alloc = config.GetAllocator();
    if (a.client_id)
        set_member(config, section, "client_id", rapidjson::Value(a.client_id->c_str(), alloc));
    if (a.tenant)
        set_member(config, section, "tenant", rapidjson::Value(a.tenant->c_str(), alloc));
}

// The client id and tenant given on the command line, for the config file: refreshing the
// tokens later needs the same client.
std::function<void(rapidjson::Document&)> remembered_client(const char* service,
                                                            const OAuthArgs& a) {
    return [service, a](rapidjson::Document& file) {
        rapidjson::Value& section = config_section(file, service);
        if (a.client_id)
            set_member(file, section, "client_id",
                       rapidjson::Value(a.client_id->c_str(), file.GetAllocator()));
        if (a.tenant)
            set_member(file, section, "tenant",
                       rapidjson::Value(a.tenant->c_str(), file.GetAllocator()));
    };
}

void require_client_id(const Session& session, const char* service) {
    const auto it = session.config().FindMember(service);
    if (it == session.config().MemberEnd() || *str(it->value, "client_id") == '\0')
        throw UsageError{std::string("connect ") + service + ": no OAuth client: set " + service +
                         ".client_id in " + session.state().config_file +
                         " or pass --client-id (register one with " +
                         (std::string(service) == "google"
                              ? "Google Cloud: an OAuth client of type Desktop app"
                              : "Microsoft Entra: a public client with device code flow "
                                "allowed") +
                         ")"};
}

// connect microsoft signs in with the device flow, which Microsoft keeps to public clients
// (a confidential client would have to send its secret, and a public one must not): a
// configured secret is named before anything is sent, with where it came from.
void refuse_secret_for_device_flow(const Session& session) {
    const auto it = session.config().FindMember("microsoft");
    if (it == session.config().MemberEnd() || *str(it->value, "client_secret") == '\0')
        return;
    const char* variable = std::getenv("CALSYNC_MICROSOFT_CLIENT_SECRET");
    const std::string source = variable != nullptr && *variable != '\0'
                                   ? "$CALSYNC_MICROSOFT_CLIENT_SECRET"
                                   : "microsoft.client_secret in " + session.state().config_file;
    fail_with(kExitUsage,
              "connect microsoft: the device sign-in is for public clients, but a "
              "client secret is configured (" +
                  source +
                  "): remove it, and allow public client flows for the app in "
                  "Microsoft Entra (a confidential client cannot sign in here)");
}

std::string connection_request(const char* kind, const std::string& id) {
    return json_document([&](Writer& w) {
        key_string(w, "kind", kind);
        if (!id.empty())
            key_string(w, "connection_id", id);
    });
}

// The OAuth handle of the device flow, freed on every path out.
struct OAuthHandle {
    calsync_oauth* o = nullptr;
    ~OAuthHandle() { calsync_oauth_free(o); }
};

// calsync_oauth_new's document: the config's "microsoft" client plus the host key and the
// network settings.
std::string device_client_config(const Session& session) {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& alloc = doc.GetAllocator();
    const auto& config = session.config();
    if (auto it = config.FindMember("microsoft"); it != config.MemberEnd())
        doc.CopyFrom(it->value, alloc);
    doc.RemoveMember("api_base_url");  // where the API lives: the client's, not the OAuth's
    set_member(doc, doc, "version", rapidjson::Value(1));
    set_member(doc, doc, "kind", rapidjson::Value("microsoft"));
    const std::vector<unsigned char>& host_key = session.host_key();
    const std::string key =
        calsync::encoding::base64url(std::string(host_key.begin(), host_key.end()));
    set_member(doc, doc, "host_key", rapidjson::Value(key.c_str(), alloc));
    if (auto it = config.FindMember("network"); it != config.MemberEnd())
        set_member(doc, doc, "network", rapidjson::Value(it->value, alloc));
    rapidjson::StringBuffer buf;
    Writer w(buf);
    doc.Accept(w);
    return buf.GetString();
}

// "... poll again in 6 s": the interval the server asked for (it grows on slow_down).
long long interval_in(const std::string& message, long long fallback) {
    const auto at = message.rfind(" in ");
    if (at == std::string::npos)
        return fallback;
    const long long n = std::atoll(message.c_str() + at + 4);
    return n > 0 ? n : fallback;
}

}  // namespace

int connect_google(CommandLine& args, const GlobalOptions& globals) {
    const OAuthArgs a = parse_oauth(args, "google");
    LoopbackListener listener;
    Session session(globals, StateUse::create, [&](rapidjson::Document& config) {
        configure_client(config, "google", a);
        set_member(config, config_section(config, "google"), "redirect_uri",
                   rapidjson::Value(listener.redirect_uri().c_str(), config.GetAllocator()));
    });
    require_client_id(session, "google");
    const auto before = session.connections();
    const auto start = parse_json(session.answer(calsync_client_authorize_begin, session.client(),
                                                 connection_request("google", a.id).c_str()));
    std::cerr << "Sign in to Google in your web browser on this computer: open\n\n  "
              << str(start, "url") << "\n\nand allow calsync to see and edit your calendar "
              << "events. Waiting for the browser to come back (at most " << a.timeout_seconds
              << " s) ...\n";
    const auto redirect =
        listener.wait_for_redirect(std::chrono::seconds(a.timeout_seconds), str(start, "state"));
    if (!redirect)
        fail_with(kExitSignIn, "the sign-in did not come back within " +
                                   std::to_string(a.timeout_seconds) +
                                   " s; run the command again (--timeout gives more time)");
    std::cerr << "The browser came back; checking the account ...\n";
    const std::string request =
        json_document([&](Writer& w) { key_string(w, "redirect_url", *redirect); });
    ConnectionHandle connection;
    const calsync_status s =
        calsync_client_authorize_complete(session.client(), request.c_str(), connection.out());
    if (s != CALSYNC_OK) {
        const std::string why = calsync_last_error_message();
        listener.answer("calsync: the sign-in did not work",
                        why + " - see the terminal for what to do.");
        std::cerr << "calsync: " << status_name(s) << ": " << why << "\n";
        throw Failure{exit_code_for(s)};
    }
    listener.answer("calsync is connected",
                    "Your Google calendars are connected. You can close this window.");
    remember_settings(session, globals, remembered_client("google", a));
    announce_connection(session, connection.get(), before, a.id, a.json);
    return kExitOk;
}

int connect_microsoft(CommandLine& args, const GlobalOptions& globals) {
    const OAuthArgs a = parse_oauth(args, "microsoft");
    Session session(globals, StateUse::create,
                    [&](rapidjson::Document& config) { configure_client(config, "microsoft", a); });
    require_client_id(session, "microsoft");
    refuse_secret_for_device_flow(session);
    const auto before = session.connections();
    OAuthHandle oauth;
    check(calsync_oauth_new(device_client_config(session).c_str(), &oauth.o));
    const auto device = parse_json(session.answer(calsync_oauth_device_begin, oauth.o));
    std::cerr << "To sign in to Microsoft, open " << str(device, "verification_uri")
              << " on any device and enter the code\n\n  " << str(device, "user_code")
              << "\n\nthen allow calsync to see and edit your calendars. Waiting for the "
                 "sign-in (the code is valid until "
              << local_time(str(device, "expires_at")) << ") ...\n";
    long long interval = integer(device, "interval_seconds");
    if (interval <= 0)
        interval = 5;  // RFC 8628 3.2: the default when the server gives none
    std::string tokens;
    for (;;) {
        std::this_thread::sleep_for(std::chrono::seconds(interval));
        char* out = nullptr;
        const calsync_status s =
            calsync_oauth_device_poll(oauth.o, str(device, "device_code"), &out);
        if (s == CALSYNC_OK) {
            tokens = take(out);
            break;
        }
        if (s != CALSYNC_EPENDING)
            fail_with(s);
        interval = interval_in(calsync_last_error_message(), interval);
        session.show_progress("Waiting for the sign-in to be approved ...");
    }
    session.clear_progress();
    std::cerr << "Signed in; checking the account ...\n";
    const auto token_doc = parse_json(tokens);
    const std::string request = json_document([&](Writer& w) {
        key_string(w, "kind", "microsoft");
        if (!a.id.empty())
            key_string(w, "connection_id", a.id);
        w.Key("tokens");
        token_doc.Accept(w);
    });
    ConnectionHandle connection;
    check(calsync_client_connect(session.client(), request.c_str(), connection.out()));
    remember_settings(session, globals, remembered_client("microsoft", a));
    announce_connection(session, connection.get(), before, a.id, a.json);
    return kExitOk;
}

}  // namespace cli
