// calsync: the command-line face of the library, built only on the public C ABI.
// `calsync --help` lists the commands; each file named in commands.hpp holds a few.
#include <calsync.h>
#include <sys/stat.h>

#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "completion.hpp"
#include "exit_codes.hpp"

namespace cli {
namespace {

const char* const kOverview =
    "usage: calsync [GLOBAL OPTIONS] COMMAND [ARGUMENTS]\n"
    "\n"
    "Keeps a garage's booking slots in sync with its calendars: events in the connected\n"
    "calendars block slots, and appointments are written to the calendars chosen for them.\n"
    "\n"
    "Getting started:\n"
    "  calsync connect caldav https://dav.example.com/ --user garage\n"
    "  calsync select Workshop --direction both\n"
    "  calsync sync --all\n"
    "  calsync blocked --from 2026-06-01 --to 2026-06-08\n"
    "\n"
    "commands:\n";

const char* const kGlobalHelp =
    "\n"
    "global options (anywhere on the line):\n"
    "  --state DIR    where calsync keeps its state (also $CALSYNC_STATE_DIR); default\n"
    "                 $XDG_DATA_HOME/calsync, i.e. ~/.local/share/calsync. It holds\n"
    "                 calsync.sqlite (the store), host.key (seals passwords and tokens;\n"
    "                 made with mode 0600 on first use; $CALSYNC_HOST_KEY, 64 or more hex\n"
    "                 digits, is used instead when set) and config.json (optional). Only\n"
    "                 connect and appointments upsert make it; every file calsync writes\n"
    "                 is readable by you alone (umask 077)\n"
    "  --config FILE  the configuration (also $CALSYNC_CONFIG); default DIR/config.json:\n"
    "                 the CLIENT_CONFIG document of calsync.h, e.g. {\"zone\":\n"
    "                 \"Europe/Berlin\", \"google\": {\"client_id\": \"...\"}, \"network\":\n"
    "                 {\"allow_private_addresses\": true}}; every OAuth endpoint and API base\n"
    "                 URL can be changed there\n"
    "  --zone ZONE    the business's IANA time zone (also --tz); default the config's\n"
    "                 \"zone\", else the system's\n"
    "  --allow-private-addresses\n"
    "                 let server URLs reach this machine or the local network (a calendar\n"
    "                 server in the workshop); refused by default\n"
    "  --verbose      the library's log on stderr\n"
    "  --help         after a command: its help\n"
    "  --version\n"
    "secrets: passwords come from $CALSYNC_PASSWORD or a prompt, OAuth client secrets from\n"
    "the config file or $CALSYNC_GOOGLE_CLIENT_SECRET / $CALSYNC_MICROSOFT_CLIENT_SECRET;\n"
    "never from arguments.\n"
    "\n";

int run_help(CommandLine& args, const GlobalOptions&);

// Made on first use: a table built before main could throw where nothing catches it.
const std::vector<Command>& commands() {
    static const std::vector<Command> kCommands = {
        {"connect", "add a calendar account (caldav, icloud, ics, google, microsoft)", kConnectHelp,
         run_connect},
        {"calendars", "list an account's calendars and what is synced", kCalendarsHelp,
         run_calendars},
        {"select", "sync a calendar: import, export or both", kSelectHelp, run_select},
        {"deselect", "stop syncing a calendar", kDeselectHelp, run_deselect},
        {"sync", "sync due connections, --all, or one now", kSyncHelp, run_sync},
        {"status", "how each connection is doing", kStatusHelp, run_status},
        {"blocked", "slots customers cannot book", kBlockedHelp, run_blocked},
        {"free", "bookable windows of a given length", kFreeHelp, run_free},
        {"appointments", "upsert FILE | cancel ID | list: the garage's bookings", kAppointmentsHelp,
         run_appointments},
        {"feed", "the appointments as an iCalendar feed for the team", kFeedHelp, run_feed},
        {"doctor", "check the connections and say what to do", kDoctorHelp, run_doctor},
        {"worker", "sync every business of a shared store (fleet)", kWorkerHelp, run_worker},
        {"disconnect", "stop syncing an account", kDisconnectHelp, run_disconnect},
        {"caldav", "read a CalDAV account directly, storing nothing", kCaldavHelp, run_caldav},
        {"demo", "blocked slots of the bundled sample calendars (offline)", kDemoHelp, run_demo},
        {"help", "help on a command", "usage: calsync help [COMMAND]\n", run_help},
    };
    return kCommands;
}

void print_overview() {
    std::cout << kOverview;
    for (const Command& c : commands())
        std::cout << "  " << c.name << std::string(14 - std::string(c.name).size(), ' ')
                  << c.summary << "\n";
    std::cout << kGlobalHelp << kExitCodesHelp;
}

const Command* find_command(const std::string& name) {
    const std::vector<Command>& all = commands();
    const auto it =
        std::find_if(all.begin(), all.end(), [&](const Command& c) { return name == c.name; });
    return it == all.end() ? nullptr : &*it;
}

// "unknown command 'sycn' (did you mean 'sync'?)".
UsageError unknown_command(const std::string& context, const std::string& name) {
    std::vector<std::string> names;
    names.reserve(commands().size());
    for (const Command& c : commands())
        names.emplace_back(c.name);
    return UsageError{context + "unknown command '" + name + "'" + did_you_mean(name, names)};
}

int run_help(CommandLine& args, const GlobalOptions&) {
    const auto words = args.positionals(1, "help");
    if (words.empty()) {
        print_overview();
        return kExitOk;
    }
    const Command* c = find_command(words[0]);
    if (c == nullptr)
        throw unknown_command("help: ", words[0]);
    std::cout << c->help;
    return kExitOk;
}

// Takes the global options out of the command line.
GlobalOptions take_globals(CommandLine& line) {
    GlobalOptions g;
    g.state_dir = line.value("--state");
    g.config_file = line.value("--config");
    g.zone = line.value("--zone");
    if (auto tz = line.value("--tz"))
        g.zone = tz;
    g.allow_private_addresses = line.flag("--allow-private-addresses");
    g.verbose = line.flag("--verbose");
    return g;
}

}  // namespace
}  // namespace cli

int main(int argc, char** argv) {
    using namespace cli;
    // Everything calsync writes (the store and its journal, the key, the config, the
    // team feed) is the person's alone, whatever umask the shell had.
    umask(077);
    // Hidden from the help: the bash completion's question, asked before the words are
    // read as options (the word being completed may be half an option, or empty).
    if (argc > 1 && std::string(argv[1]) == "__complete")
        return run_complete(std::vector<std::string>(argv + 2, argv + argc), commands(),
                            kGlobalHelp);
    const Command* command = nullptr;
    try {
        CommandLine line(std::vector<std::string>(argv + 1, argv + argc));
        const bool help = line.flag("--help") || line.flag("-h");
        if (line.flag("--version")) {
            std::cout << "calsync " << calsync_version() << "\n";
            return kExitOk;
        }
        const GlobalOptions globals = take_globals(line);
        const auto name = line.take_subcommand();
        if (!name) {
            if (help) {
                print_overview();
                return kExitOk;
            }
            line.positionals();  // names an unknown option, if there is one
            throw UsageError{"missing command"};
        }
        command = find_command(*name);
        if (command == nullptr)
            throw unknown_command("", *name);
        if (help) {
            std::cout << command->help;
            return kExitOk;
        }
        return command->run(line, globals);
    } catch (const UsageError& e) {
        // One line, as git and khal answer a typo: what was wrong, and where the help is
        // (a page of usage would push the mistake off the screen).
        std::cerr << "calsync: " << e.what() << "; see calsync "
                  << (command != nullptr ? std::string(command->name) + " " : "") << "--help\n";
        return kExitUsage;
    } catch (const Failure& f) {
        return f.exit_code;
    }
}
