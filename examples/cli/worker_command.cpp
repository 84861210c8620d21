// `calsync worker --store URL`: one fleet worker, until SIGINT or SIGTERM.
#include <calsync.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <csignal>
#include <iostream>
#include <string>
#include <thread>

#include "commands.hpp"
#include "exit_codes.hpp"

namespace cli {

const char* const kWorkerHelp =
    "usage: calsync worker --store URL [--threads N] [--lease SECONDS] [--owner NAME]\n"
    "                      [--once]\n"
    "\n"
    "Syncs the due connections of every business in a shared store, with the host key and\n"
    "configuration of this state directory, until interrupted (SIGINT, SIGTERM: the syncs\n"
    "running finish first). Start one on each machine, all on the same store:\n"
    "  --store URL    postgresql://user@host/db (or postgres://, a libpq URI), sqlite:PATH,\n"
    "                 memory:\n"
    "  --threads N    syncs at once (default: the configuration's max_concurrent_syncs)\n"
    "  --lease S      how long a claim lives unless renewed (default 60); after a crash,\n"
    "                 another worker takes its connections over once it lapsed\n"
    "  --owner NAME   how this worker names itself in its claims (default host:pid)\n"
    "  --once         one pass over what is due now, printed as JSON, then exit\n";

namespace {

// What the signal handler stops: a handler can reach nothing but a global.
// NOLINTNEXTLINE(*-avoid-non-const-global-variables)
calsync_worker* running_worker = nullptr;

void stop_on_signal(int) {
    // calsync_worker_stop only sets a flag and wakes the loop: safe enough here, and the
    // loop is what a second signal would otherwise interrupt.
    if (running_worker != nullptr)
        calsync_worker_stop(running_worker);
}

void log_to_stderr(int level, const char* message, void* verbose) {
    if (level >= CALSYNC_LOG_WARNING || *static_cast<const bool*>(verbose))
        std::cerr << "calsync worker: " << message << "\n";
}

std::string text_of(const rapidjson::Value& v) {
    rapidjson::StringBuffer buf;
    rapidjson::Writer<rapidjson::StringBuffer> w(buf);
    v.Accept(w);
    return buf.GetString();
}

}  // namespace

int run_worker(CommandLine& args, const GlobalOptions& globals) {
    const std::string store = args.required("--store", "the fleet store to work on");
    const auto threads = args.value("--threads");
    const auto lease = args.value("--lease");
    const auto owner = args.value("--owner");
    const bool once = args.flag("--once");
    args.positionals(0, "worker");
    const StateLocation state = locate_state(globals);
    require_state_dir(state);
    const rapidjson::Document config = load_config(state, globals);
    const std::vector<unsigned char> key = load_host_key(state);
    const std::string config_text = text_of(config);
    bool verbose = globals.verbose;
    calsync_worker_options o = CALSYNC_WORKER_OPTIONS_INIT;
    o.store_url = store.c_str();
    o.owner = owner ? owner->c_str() : nullptr;
    o.host_key = key.data();
    o.host_key_length = key.size();
    o.config_json = config_text.c_str();
    try {
        o.threads = threads ? static_cast<unsigned>(std::stoul(*threads)) : 0;
        o.lease_seconds = lease ? static_cast<unsigned>(std::stoul(*lease)) : 0;
    } catch (const std::exception&) {
        throw UsageError{"--threads and --lease take a number"};
    }
    o.log = log_to_stderr;
    o.user_data = &verbose;
    calsync_worker* worker = nullptr;
    check(calsync_worker_new(&o, &worker));
    if (once) {
        char* out = nullptr;
        const calsync_status s = calsync_worker_run_once(worker, &out);
        if (s == CALSYNC_OK)
            std::cout << out << "\n";
        calsync_string_free(out);
        calsync_worker_free(worker);
        check(s);
        return kExitOk;
    }
    running_worker = worker;
    std::signal(SIGINT, stop_on_signal);
    std::signal(SIGTERM, stop_on_signal);
    const calsync_status s = calsync_worker_run(worker);
    running_worker = nullptr;
    calsync_worker_free(worker);
    check(s);
    return kExitOk;
}

}  // namespace cli
