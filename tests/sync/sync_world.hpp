// A SyncService wired to in-process calendar services (memory_provider.hpp), a store, a
// clock the test moves, and recorders for the service's callbacks.
#pragma once

#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "calsync/sync.hpp"
#include "memory_provider.hpp"
#include "providers/provider_kinds.hpp"

namespace calsync::test {

inline Instant at(const char* rfc3339) {
    return parse_rfc3339(rfc3339).value();
}

inline Event timed_event(const std::string& id, const char* start, const char* end,
                         const std::string& summary = "busy") {
    Event e;
    e.id = id;
    e.uid = id + "@example.com";
    e.summary = summary;
    e.start = EventTime::at_utc(at(start));
    e.end = EventTime::at_utc(at(end));
    return e;
}

inline Appointment appointment(const std::string& id, const char* start, const char* end,
                               const std::string& client = "J. Weber") {
    Appointment a;
    a.id = id;
    a.time = {at(start), at(end)};
    a.client = client;
    a.service = "Oil change";
    a.vehicle = "VW Golf, HH-AB 123";
    return a;
}

// Forwards to a MemoryProvider the test also holds, so faults can be set after the
// service built it. It reads as the connection's kind reads (a Google or Graph connection
// through a window), without push channels.
class SharedProvider : public CalendarProvider {
  public:
    SharedProvider(std::shared_ptr<MemoryProvider> p, ProviderKind kind)
        : p_(std::move(p)), capabilities_(providers::capabilities_of(kind)) {
        capabilities_.push = false;
    }
    ProviderCapabilities capabilities() const override { return capabilities_; }
    Result<std::vector<Calendar>> list_calendars() override { return p_->list_calendars(); }
    Result<ChangeSet> fetch_changes(const std::string& c, const std::string& cursor,
                                    const TimeRange& w) override {
        return p_->fetch_changes(c, cursor, w);
    }
    Result<RemoteEvent> create_event(const std::string& c, const Event& e) override {
        return p_->create_event(c, e);
    }
    Result<RemoteEvent> update_event(const std::string& c, const RemoteEvent& r,
                                     const Event& e) override {
        return p_->update_event(c, r, e);
    }
    Result<void> delete_event(const std::string& c, const RemoteEvent& r) override {
        return p_->delete_event(c, r);
    }
    Result<std::optional<RemoteEvent>> find_export(const std::string& c,
                                                   const std::string& appointment_id) override {
        return p_->find_export(c, appointment_id);
    }

  private:
    std::shared_ptr<MemoryProvider> p_;
    ProviderCapabilities capabilities_;
};

struct SyncWorld {
    Instant now = at("2026-06-01T08:00:00Z");
    std::shared_ptr<StateStore> store = make_memory_store();
    std::map<std::string, std::shared_ptr<MemoryAccount>> accounts;  // by settings "url"
    MemoryProvider::Fault fault;
    MemoryProvider::LostResponse lost;
    std::function<bool(const Event&)> hidden;                // left out of every read
    std::vector<std::shared_ptr<MemoryProvider>> providers;  // every one built
    std::vector<std::string> credentials_seen;               // what the factory was given
    std::shared_ptr<const CancelSignal> cancel;              // the service's, as given
    std::vector<std::pair<std::string, SlotDiff>> diffs;
    std::vector<std::string> logs;
    SyncSettings settings;
    // The service calls back from run_due's workers: the recorders take turns.
    std::recursive_mutex mutex;

    SyncWorld() {
        settings.host_key = std::string(32, 'k');
        settings.business_zone = "Europe/Berlin";
    }

    std::shared_ptr<MemoryAccount> account(const std::string& url) {
        std::lock_guard<std::recursive_mutex> lock(mutex);
        auto& a = accounts[url];
        if (!a)
            a = std::make_shared<MemoryAccount>();
        return a;
    }

    int requests() const {
        int n = 0;
        for (const auto& p : providers)
            n += p->requests;
        return n;
    }
    int lookups() const {
        int n = 0;
        for (const auto& p : providers)
            n += p->lookups;
        return n;
    }
    int writes() const {
        int n = 0;
        for (const auto& p : providers)
            n += p->writes;
        return n;
    }

    SyncServiceOptions options() {
        SyncServiceOptions o;
        o.settings = settings;
        o.store = store;
        o.clock = [this] { return now; };
        o.seed = 7;
        o.log = [this](LogLevel, const std::string& m) {
            std::lock_guard<std::recursive_mutex> lock(mutex);
            logs.push_back(m);
        };
        o.slots_changed = [this](const std::string& c, const SlotDiff& d) {
            std::lock_guard<std::recursive_mutex> lock(mutex);
            diffs.emplace_back(c, d);
        };
        o.provider_factory =
            [this](const ProviderContext& ctx) -> Result<std::unique_ptr<CalendarProvider>> {
            std::lock_guard<std::recursive_mutex> lock(mutex);
            rapidjson::Document doc;
            doc.Parse(ctx.connection.settings_json.c_str());
            const std::string url =
                doc.IsObject() && doc.HasMember("url") ? doc["url"].GetString() : "";
            credentials_seen.push_back(ctx.credentials_json);
            cancel = ctx.cancel;
            auto p = std::make_shared<MemoryProvider>(account(url));
            p->fault = [this](const std::string& op, const std::string& cal) {
                return fault ? fault(op, cal) : std::nullopt;
            };
            p->lost_response = [this](const std::string& op, const std::string& cal) {
                return lost ? lost(op, cal) : std::nullopt;
            };
            p->hidden = [this](const Event& e) { return hidden && hidden(e); };
            providers.push_back(p);
            return std::unique_ptr<CalendarProvider>(
                std::make_unique<SharedProvider>(p, ctx.connection.kind));
        };
        return o;
    }

    std::unique_ptr<SyncService> open() {
        auto s = SyncService::open(options());
        REQUIRE(s.ok());
        return std::move(s).value();
    }

    // Connects a CalDAV-like account at `url` (its calendars must exist already).
    static std::string connect(SyncService& service, const std::string& url,
                               const std::string& password = "pw-secret-1") {
        auto id = service.add_connection(ProviderKind::caldav,
                                         R"({"url": ")" + url + R"(", "username": "garage"})",
                                         R"({"password": ")" + password + R"("})");
        REQUIRE(id.ok());
        return id.value();
    }
};

inline Calendar calendar(const std::string& id, const std::string& name, bool writable = true) {
    Calendar c;
    c.id = id;
    c.name = name;
    c.can_write = writable;
    return c;
}

}  // namespace calsync::test
