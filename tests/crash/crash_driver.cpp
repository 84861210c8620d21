// The process the crash test kills (crash_test.py). It opens a SQLite store and a
// SyncService with the real providers, connects the account (or finds it connected),
// selects the test calendar in direction `both`, and runs the seeded script
// (crash_script.hpp) from the step recorded next to the database, syncing as the script
// says and, once it is done, in a loop until killed.
//
//   crash_driver run    --db DB --connection FILE --seed S --base T --steps N
//                       [--until K] [--finish]
//       runs the script's steps up to K (default: all N), then syncs in a loop (the
//       parent paces the script with K, so every run has bookings to export).
//       --finish: no loop; finish the script, sync until a sync writes nothing, print
//       the blocked slots the service holds ("slots <json>") and exit 0.
// The blocked slots are written as calsync_blocked_slots answers them (calsync.h).
//   crash_driver script --seed S --base T --steps N
//       the appointments as the whole script leaves them (JSON), for the checks.
//   crash_driver report --db DB --connection FILE
//       what the store holds, read without syncing: blocked slots, export map,
//       appointments (JSON).
//   crash_driver clean  --db DB --connection FILE
//       a fresh store, the calendar selected for import only (nothing is written to the
//       server), one sync; its blocked slots (JSON).
//
// FILE names the account (JSON): {"id", "kind", "calendar", "settings", "credentials"}
// for CalDAV and iCloud; Google and Microsoft give "tokens" instead of "credentials" and
// "oauth" (the OAuthClientSettings fields: client_id, token_url, api_base_url ...) to
// point the service at a fake.
//
// Lines on stdout tell the parent where the driver is: "phase <name>" (connect, booking,
// import, export, idle), "step <k>" once step k is recorded, "synced ..." after each
// sync, "pause <point>" (crash_point_store.hpp). Exit 0 only from --finish and the other
// modes; 1 on a failure, with the reason on stderr.
#include <fcntl.h>
#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>

#include "calsync/sync.hpp"
#include "crash_point_store.hpp"
#include "crash_script.hpp"
#include "engine/json_codec.hpp"

using namespace calsync;
using calsync::test::announce;
using calsync::test::CrashPointStore;
using calsync::test::ScriptStep;

namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

[[noreturn]] void fail(const std::string& what) {
    std::fprintf(stderr, "crash_driver: %s\n", what.c_str());
    std::exit(1);
}

template <class T>
T must(Result<T> r, const std::string& what) {
    if (!r.ok())
        fail(what + ": " + r.error().message);
    return std::move(r).value();
}

void must(const Result<void>& r, const std::string& what) {
    if (!r.ok())
        fail(what + ": " + r.error().message);
}

struct Args {
    std::string mode;
    std::map<std::string, std::string> values;
    bool finish = false;

    const std::string& get(const std::string& name) const {
        auto it = values.find(name);
        if (it == values.end())
            fail("--" + name + " is required");
        return it->second;
    }
    std::int64_t number(const std::string& name) const { return std::stoll(get(name)); }
};

Args parse_args(int argc, char** argv) {
    if (argc < 2)
        fail("usage: crash_driver run|script|report|clean --option value ...");
    Args a;
    a.mode = argv[1];
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--finish") {
            a.finish = true;
        } else if (arg.rfind("--", 0) == 0 && i + 1 < argc) {
            a.values[arg.substr(2)] = argv[++i];
        } else {
            fail("unexpected argument " + arg);
        }
    }
    return a;
}

// --- the account

struct Account {
    std::string id;
    ProviderKind kind = ProviderKind::caldav;
    std::string calendar;
    std::string settings_json = "{}";
    std::string credentials_json = "{}";
    std::string tokens_json;
    OAuthClientSettings oauth;
};

std::string json_text(const rapidjson::Value& v) {
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    v.Accept(w);
    return buffer.GetString();
}

Account read_account(const std::string& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document doc;
    doc.Parse(text.str().c_str());
    if (doc.HasParseError() || !doc.IsObject())
        fail(path + ": not a JSON object");
    const auto string = [&](const rapidjson::Value& obj, const char* name) -> std::string {
        return obj.HasMember(name) && obj[name].IsString() ? obj[name].GetString() : "";
    };
    Account a;
    a.id = string(doc, "id");
    a.calendar = string(doc, "calendar");
    auto kind = provider_kind_from_string(string(doc, "kind"));
    if (!kind || a.id.empty() || a.calendar.empty())
        fail(path + ": needs id, kind and calendar");
    a.kind = *kind;
    if (doc.HasMember("settings"))
        a.settings_json = json_text(doc["settings"]);
    if (doc.HasMember("credentials"))
        a.credentials_json = json_text(doc["credentials"]);
    if (doc.HasMember("tokens"))
        a.tokens_json = json_text(doc["tokens"]);
    if (doc.HasMember("oauth") && doc["oauth"].IsObject()) {
        const rapidjson::Value& o = doc["oauth"];
        const std::pair<const char*, std::string*> fields[] = {
            {"client_id", &a.oauth.client_id},
            {"client_secret", &a.oauth.client_secret},
            {"redirect_uri", &a.oauth.redirect_uri},
            {"tenant", &a.oauth.tenant},
            {"authority_url", &a.oauth.authority_url},
            {"authorization_url", &a.oauth.authorization_url},
            {"token_url", &a.oauth.token_url},
            {"revocation_url", &a.oauth.revocation_url},
            {"device_authorization_url", &a.oauth.device_authorization_url},
            {"api_base_url", &a.oauth.api_base_url}};
        for (const auto& [name, field] : fields)
            *field = string(o, name);
    }
    return a;
}

SyncSettings settings_for(const Account& account) {
    SyncSettings s;
    s.host_key = "crash-test host key, not a secret anywhere";
    s.business_zone = "UTC";
    s.network.allow_private_addresses = true;  // the servers are on 127.0.0.1
    s.network.total_timeout = std::chrono::seconds(20);
    if (account.kind == ProviderKind::google)
        s.google = account.oauth;
    if (account.kind == ProviderKind::microsoft)
        s.microsoft = account.oauth;
    return s;
}

std::unique_ptr<SyncService> open_service(const Account& account,
                                          std::shared_ptr<StateStore> store) {
    SyncServiceOptions o;
    o.settings = settings_for(account);
    o.store = std::move(store);
    o.log = [](LogLevel level, const std::string& message) {
        if (level >= LogLevel::warning)
            std::fprintf(stderr, "log: %s\n", message.c_str());
    };
    return must(SyncService::open(std::move(o)), "opening the sync service");
}

// Connected with the calendar selected in `direction`, whatever part of this an earlier
// (killed) run got done.
void ensure_connected(SyncService& service, StateStore& store, const Account& account,
                      CalendarDirection direction) {
    auto existing = store.get_connection(account.id);
    if (!existing.ok() || existing->state != ConnectionState::active) {
        const bool oauth =
            account.kind == ProviderKind::google || account.kind == ProviderKind::microsoft;
        must(oauth ? service.add_oauth_connection(account.kind, account.tokens_json, account.id)
                   : service.add_connection(account.kind, account.settings_json,
                                            account.credentials_json, account.id),
             "connecting " + account.id);
    }
    auto calendar = store.get_calendar(account.id, account.calendar);
    if (!calendar.ok()) {
        must(service.list_calendars(account.id), "listing the calendars");
        calendar = store.get_calendar(account.id, account.calendar);
    }
    if (!calendar.ok())
        fail("the account has no calendar " + account.calendar);
    if (!calendar->selected || calendar->direction != direction)
        must(service.select_calendar(account.id, account.calendar, direction),
             "selecting " + account.calendar);
}

// --- the step file: the last script step done, next to the database

std::string step_path(const std::string& db) {
    return db + ".step";
}

int read_step(const std::string& db) {
    std::ifstream in(step_path(db));
    int step = 0;
    if (!(in >> step))
        return 0;  // no step done yet
    return step;
}

// Durable before the next step starts: written aside, synced, renamed over, directory
// synced (a kill leaves the old number or the new one, never a torn one).
void write_step(const std::string& db, int step) {
    const std::string path = step_path(db);
    const std::string tmp = path + ".tmp";
    const std::string text = std::to_string(step) + "\n";
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ::write(fd, text.data(), text.size()) != static_cast<ssize_t>(text.size()) ||
        ::fsync(fd) != 0 || ::close(fd) != 0 || std::rename(tmp.c_str(), path.c_str()) != 0)
        fail("writing " + path + ": " + std::strerror(errno));
    const std::string dir = path.find('/') == std::string::npos
                                ? std::string(".")
                                : path.substr(0, path.find_last_of('/'));
    const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

// --- JSON output

void write_appointment(Writer& w, const Appointment& a) {
    w.StartObject();
    w.Key("id");
    w.String(a.id.c_str());
    w.Key("status");
    w.String(a.status == AppointmentStatus::booked ? "booked" : "cancelled");
    w.Key("start");
    w.Int64(to_unix(a.time.start));
    w.Key("end");
    w.Int64(to_unix(a.time.end));
    w.Key("client");
    w.String(a.client.c_str());
    w.Key("service");
    w.String(a.service.c_str());
    w.Key("vehicle");
    w.String(a.vehicle.c_str());
    w.EndObject();
}

const TimeRange kEverything{instant_from_unix(0), instant_from_unix(std::int64_t{1} << 40)};

// Every slot the service holds, as the C ABI writes them (calsync.h: version, slots with
// start, end, calendar_id, label, event_id, recurrence_id, all_day, tentative).
std::string slots_json(const SyncService& service) {
    return json::write_blocked_slots_response(service.blocked_slots(kEverything), {}, {});
}

// --- modes

// One sync, reported on stdout; true when it ended ok and wrote nothing.
bool sync_once(SyncService& service, CrashPointStore& store, const Account& account) {
    store.phase("import");
    auto report = service.sync(account.id);
    store.phase("idle");
    if (!report.ok()) {
        announce("synced failed: " + report.error().message);
        return false;
    }
    std::size_t read = 0;
    std::size_t written = 0;
    for (const CalendarSyncResult& c : report->calendars) {
        read += c.events_read;
        written += c.exports_written;
    }
    announce("synced " + std::string(to_string(report->status.state)) + " read " +
             std::to_string(read) + " written " + std::to_string(written) +
             (report->status.last_error.empty() ? "" : ": " + report->status.last_error));
    return report->status.state == SyncState::ok && written == 0;
}

void run_step(SyncService& service, CrashPointStore& store, const Account& account,
              const ScriptStep& step) {
    switch (step.kind) {
        case ScriptStep::Kind::book:
            store.phase("booking");
            must(service.upsert_appointment(step.appointment), "booking " + step.appointment.id);
            return;
        case ScriptStep::Kind::cancel:
            store.phase("booking");
            must(service.cancel_appointment(step.appointment.id),
                 "cancelling " + step.appointment.id);
            return;
        case ScriptStep::Kind::sync:
            sync_once(service, store, account);
            return;
    }
}

int run_mode(const Args& args) {
    const std::string db = args.get("db");
    const Account account = read_account(args.get("connection"));
    const auto script = test::make_script(static_cast<std::uint64_t>(args.number("seed")),
                                          instant_from_unix(args.number("base")),
                                          static_cast<int>(args.number("steps")));
    announce("phase connect");
    auto opened = must(open_sqlite_store(db), "opening " + db);
    auto store = std::make_shared<CrashPointStore>(std::move(opened));
    auto service = open_service(account, store);
    ensure_connected(*service, *store, account, CalendarDirection::both);
    const int until = args.values.count("until") != 0 && !args.finish
                          ? static_cast<int>(args.number("until"))
                          : static_cast<int>(script.size());
    for (int k = read_step(db); k < std::min(until, static_cast<int>(script.size())); ++k) {
        // A booking is recorded once done (a kill before repeats it, which changes
        // nothing); a sync before it starts: a killed sync is not repeated, the next
        // bookings come first, as they would for a host whose sync process died.
        const ScriptStep& step = script[static_cast<std::size_t>(k)];
        if (step.kind == ScriptStep::Kind::sync)
            write_step(db, k + 1);
        run_step(*service, *store, account, step);
        if (step.kind != ScriptStep::Kind::sync)
            write_step(db, k + 1);
        announce("step " + std::to_string(k + 1));
    }
    if (!args.finish) {
        for (;;)
            sync_once(*service, *store, account);
    }
    // Settled: a sync that wrote nothing. The first may still write what the kills left.
    for (int round = 0; round < 5; ++round) {
        if (sync_once(*service, *store, account)) {
            announce("slots " + slots_json(*service));
            announce("finished");
            return 0;
        }
    }
    fail("five syncs after the script and each still wrote or failed");
}

int script_mode(const Args& args) {
    const auto steps = test::make_script(static_cast<std::uint64_t>(args.number("seed")),
                                         instant_from_unix(args.number("base")),
                                         static_cast<int>(args.number("steps")));
    std::map<std::string, Appointment> final_state;
    for (const ScriptStep& s : steps) {
        if (s.kind != ScriptStep::Kind::sync)
            final_state[s.appointment.id] = s.appointment;
    }
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartArray();
    for (const auto& [id, a] : final_state)
        write_appointment(w, a);
    w.EndArray();
    std::printf("%s\n", buffer.GetString());
    return 0;
}

int report_mode(const Args& args) {
    const Account account = read_account(args.get("connection"));
    std::shared_ptr<StateStore> store = must(open_sqlite_store(args.get("db")), "opening");
    auto service = open_service(account, store);
    rapidjson::StringBuffer buffer;
    Writer w(buffer);
    w.StartObject();
    w.Key("slots");
    const std::string slots = slots_json(*service);
    w.RawValue(slots.data(), slots.size(), rapidjson::kObjectType);
    w.Key("exports");
    w.StartArray();
    for (const ExportRecord& r :
         must(store->list_exports(account.id, account.calendar), "listing exports")) {
        w.StartObject();
        w.Key("appointment");
        w.String(r.key.appointment_id.c_str());
        w.Key("remote_id");
        w.String(r.remote_id.c_str());
        w.Key("etag");
        w.String(r.etag.c_str());
        w.Key("intent");
        w.String(to_string(r.intent));
        w.EndObject();
    }
    w.EndArray();
    w.Key("appointments");
    w.StartArray();
    for (const AppointmentRecord& r : must(store->list_appointments(), "listing appointments"))
        write_appointment(w, r.appointment);
    w.EndArray();
    w.EndObject();
    std::printf("%s\n", buffer.GetString());
    return 0;
}

int clean_mode(const Args& args) {
    const Account account = read_account(args.get("connection"));
    std::shared_ptr<StateStore> store = must(open_sqlite_store(args.get("db")), "opening");
    auto service = open_service(account, store);
    ensure_connected(*service, *store, account, CalendarDirection::import_only);
    auto synced = must(service->sync(account.id), "syncing");
    if (synced.status.state != SyncState::ok)
        fail("the clean sync ended " + std::string(to_string(synced.status.state)) + ": " +
             synced.status.last_error);
    std::printf("%s\n", slots_json(*service).c_str());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const Args args = parse_args(argc, argv);
    if (args.mode == "run")
        return run_mode(args);
    if (args.mode == "script")
        return script_mode(args);
    if (args.mode == "report")
        return report_mode(args);
    if (args.mode == "clean")
        return clean_mode(args);
    fail("unknown mode " + args.mode);
}
