// `calsync connect`: adds an account (CalDAV, iCloud, an ICS feed; Google and Microsoft in
// oauth_connect.cpp) to the state, after the account answered.
#include <calsync.h>

#include <cstdio>
#include <functional>
#include <iostream>

#include "client_session.hpp"
#include "commands.hpp"
#include "exit_codes.hpp"
#include "password_prompt.hpp"

namespace cli {

const char* const kConnectHelp =
    "usage: calsync connect caldav URL --user USER [--id NAME]\n"
    "       calsync connect icloud --user APPLE_ID [URL] [--id NAME]\n"
    "       calsync connect ics URL [--name NAME] [--owner EMAIL ...] [--id NAME]\n"
    "       calsync connect google [--id NAME] [--client-id ID] [--timeout SECONDS]\n"
    "       calsync connect microsoft [--id NAME] [--client-id ID] [--tenant TENANT]\n"
    "       (every form takes --json)\n"
    "\n"
    "Adds a calendar account. calsync first checks that the account answers (it lists\n"
    "its calendars), then keeps it, with its password or tokens sealed by the host key.\n"
    "Connecting an account again gives back its old connection, so appointments written\n"
    "to it before are not written twice.\n"
    "  caldav     any CalDAV server (Nextcloud, Fastmail, Radicale ...): URL is the server,\n"
    "             the principal, the calendar home or a calendar; discovery finds the rest\n"
    "  icloud     iCloud with an app-specific password (appleid.apple.com > Sign-In and\n"
    "             Security > App-Specific Passwords), not the Apple ID password\n"
    "  ics        a read-only subscription link (https:// or webcal://)\n"
    "  google     signs in in the browser: calsync prints an address to open and waits\n"
    "             for the browser to come back to http://127.0.0.1:PORT/callback\n"
    "             (--timeout, default 300 s); the OAuth client is google.client_id (and\n"
    "             google.client_secret) in the config file, or --client-id\n"
    "  microsoft  signs in with a code: calsync prints a code and an address where you\n"
    "             enter it (on any device), and waits; the OAuth client is\n"
    "             microsoft.client_id in the config file, or --client-id: a public\n"
    "             client (no secret) with public client flows allowed\n"
    "  --id NAME  the connection's name in later commands (default: made up, e.g.\n"
    "             caldav-1a2b3c4d5e6f); letters, digits, '-', '_', '.'\n"
    "  --name     ics: the calendar's label (default: its X-WR-CALNAME)\n"
    "  --owner    ics: the owner's address; invitations they declined do not block\n"
    "Passwords come from $CALSYNC_PASSWORD, else a prompt on the terminal; never from an\n"
    "argument. An OAuth client secret comes from the config file (google.client_secret)\n"
    "or $CALSYNC_GOOGLE_CLIENT_SECRET, which every later sync needs too.\n"
    "Every endpoint can be changed in the config file (google.authorization_url,\n"
    "google.token_url, google.api_base_url, microsoft.device_authorization_url ...).\n"
    "Next: calsync calendars, then calsync select.\n";

namespace {

struct AccountArgs {
    std::string kind;  // as calsync_client_connect names it
    std::string url;
    std::string user;
    std::string name;
    std::vector<std::string> owners;
    std::string id;
    bool json = false;
};

std::string connect_request(const AccountArgs& a, const std::string& password) {
    return json_document([&](Writer& w) {
        key_string(w, "kind", a.kind);
        if (!a.id.empty())
            key_string(w, "connection_id", a.id);
        w.Key("settings");
        w.StartObject();
        if (!a.url.empty())
            key_string(w, "url", a.url);
        if (!a.user.empty())
            key_string(w, "username", a.user);
        if (!a.name.empty())
            key_string(w, "name", a.name);
        if (!a.owners.empty()) {
            w.Key("owner_addresses");
            w.StartArray();
            for (const std::string& o : a.owners)
                w.String(o.c_str());
            w.EndArray();
        }
        w.EndObject();
        if (!password.empty())
            key_string(w, "password", password);
    });
}

AccountArgs parse_account(CommandLine& args, const std::string& kind) {
    AccountArgs a;
    a.kind = kind == "ics" ? "ics_feed" : kind;
    a.id = args.value("--id").value_or("");
    a.json = args.flag("--json");
    if (kind == "ics") {
        a.name = args.value("--name").value_or("");
        a.owners = args.values("--owner");
    } else {
        a.user = args.required("--user", "connect " + kind);
    }
    auto words = args.positionals(1, "connect " + kind);
    if (!words.empty())
        a.url = words[0];
    if (a.url.empty() && kind != "icloud")
        throw UsageError{"connect " + kind + ": the " +
                         (kind == "ics" ? "subscription link" : "server URL") + " is required"};
    return a;
}

}  // namespace

void remember_settings(const Session& session, const GlobalOptions& globals,
                       const std::function<void(rapidjson::Document&)>& more) {
    const bool changed = update_config_file(session.state(), [&](rapidjson::Document& file) {
        auto& alloc = file.GetAllocator();
        if (globals.zone)
            set_member(file, file, "zone", rapidjson::Value(globals.zone->c_str(), alloc));
        if (globals.allow_private_addresses)
            set_member(file, config_section(file, "network"), "allow_private_addresses",
                       rapidjson::Value(true));
        if (more)
            more(file);
    });
    if (changed)
        std::fprintf(stderr, "Saved %s%s%sin %s for the next commands.\n",
                     globals.zone ? "the time zone " : "",
                     globals.zone && globals.allow_private_addresses ? "and " : "",
                     globals.allow_private_addresses ? "--allow-private-addresses " : "",
                     session.state().config_file.c_str());
}

void announce_connection(Session& session, calsync_connection* connection,
                         const std::vector<ConnectionSummary>& before,
                         const std::string& requested_id, bool json) {
    const std::string info = session.answer(calsync_connection_info, connection);
    const auto doc = parse_json(info);
    const std::string id = str(doc, "id");
    // The library gives an account connected before its old connection back, id and all,
    // so the appointments written through it stay attached (a new id would orphan them and
    // break scripts that name the old one). Said on stderr, so --json stays one document.
    if (!requested_id.empty() && requested_id != id)
        std::fprintf(stderr,
                     "calsync: this account was already connected as '%s': it keeps that id "
                     "(--id %s was not used)\n",
                     id.c_str(), requested_id.c_str());
    if (json) {
        std::cout << info << "\n";
        return;
    }
    bool again = false;
    for (const ConnectionSummary& c : before)
        again = again || c.id == id;
    std::printf("%s %s (%s, %s).\n", again ? "Reconnected" : "Connected", id.c_str(),
                str(doc, "kind"), str(doc, "account"));
    if (again)
        std::printf("Its earlier exports are attached again: nothing is written twice.\n");
    std::printf("\n");
    print_calendars(session, id);
    std::printf(
        "\nChoose what to sync: calsync select CALENDAR --direction import|export|both%s\n"
        "(import: its events block booking slots; export: appointments are written to it)\n",
        session.connections().size() > 1 ? (" --connection " + id).c_str() : "");
}

int run_connect(CommandLine& args, const GlobalOptions& globals) {
    args.refuse_secret_options();
    const auto service = args.take_subcommand();
    if (!service)
        throw UsageError{"connect: which service? caldav, icloud, ics, google or microsoft"};
    const std::string& kind = *service;
    if (kind == "google")
        return connect_google(args, globals);
    if (kind == "microsoft")
        return connect_microsoft(args, globals);
    if (kind != "caldav" && kind != "icloud" && kind != "ics")
        throw UsageError{"connect: unknown service '" + kind + "'" +
                         did_you_mean(kind, {"caldav", "icloud", "ics", "google", "microsoft"}) +
                         "; expected caldav, icloud, ics, google or microsoft"};
    const AccountArgs a = parse_account(args, kind);
    const std::string password = kind == "ics" ? "" : read_password(a.user);
    Session session(globals, StateUse::create);
    const auto before = session.connections();
    ConnectionHandle connection;
    session.show_progress("Checking the account ...");
    const calsync_status s = calsync_client_connect(
        session.client(), connect_request(a, password).c_str(), connection.out());
    session.clear_progress();
    if (s != CALSYNC_OK) {
        const std::string why = calsync_last_error_message();
        std::cerr << "calsync: " << status_name(s) << ": " << why << "\n";
        if (s == CALSYNC_EAUTH && kind == "icloud")
            std::cerr << "calsync: iCloud needs an app-specific password "
                         "(appleid.apple.com), not the Apple ID password\n";
        if (why.find("loopback, private or link-local") != std::string::npos)
            std::cerr << "calsync: a server on this machine or the local network needs "
                         "--allow-private-addresses\n";
        throw Failure{exit_code_for(s)};
    }
    remember_settings(session, globals);
    announce_connection(session, connection.get(), before, a.id, a.json);
    return kExitOk;
}

}  // namespace cli
