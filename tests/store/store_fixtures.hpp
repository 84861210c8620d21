// The stores the conformance suite runs against, and small record builders.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "calsync/store.hpp"

namespace calsync::test {

// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
  public:
    TempDir() {
        const char* base = std::getenv("TMPDIR");
        std::string pattern =
            std::string(base != nullptr ? base : "/tmp") + "/calsync-store-XXXXXX";
        if (mkdtemp(pattern.data()) == nullptr)
            throw std::runtime_error("mkdtemp failed");
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    const std::string& path() const { return path_; }
    std::string file(const std::string& name) const { return path_ + "/" + name; }

  private:
    std::string path_;
};

struct MemoryStoreFixture {
    std::unique_ptr<StateStore> store = make_memory_store();
};

struct SqliteStoreFixture {
    TempDir dir;
    std::unique_ptr<StateStore> store;
    SqliteStoreFixture() {
        auto opened = open_sqlite_store(dir.file("state.db"));
        if (!opened.ok())
            throw std::runtime_error(opened.error().message);
        store = std::move(opened).value();
    }
};

inline Instant at(std::int64_t unix_seconds) {
    return instant_from_unix(unix_seconds);
}

inline ConnectionRecord connection_record(const std::string& id,
                                          ProviderKind kind = ProviderKind::caldav,
                                          const std::string& account = "me@example.com") {
    ConnectionRecord c;
    c.id = id;
    c.kind = kind;
    c.account = account;
    c.settings_json = R"({"url":"https://dav.example.com/"})";
    c.sealed_credentials = "v1.sealed-" + id;
    c.created_at = at(1770000000);
    return c;
}

inline CalendarRecord calendar_record(const std::string& connection_id, const std::string& id,
                                      CalendarDirection direction = CalendarDirection::both) {
    CalendarRecord c;
    c.connection_id = connection_id;
    c.calendar.id = id;
    c.calendar.name = "Calendar " + id;
    c.calendar.color = "#3366ff";
    c.calendar.time_zone = "Europe/Berlin";
    c.calendar.can_write = true;
    c.selected = true;
    c.direction = direction;
    c.policy.tentative_blocks = false;
    return c;
}

inline Event timed_event(const std::string& id, std::int64_t start,
                         const std::string& summary = {}) {
    Event e;
    e.id = id;
    e.uid = id + "@example.com";
    e.summary = summary.empty() ? "event " + id : summary;
    e.start = EventTime::at_utc(at(start));
    e.end = EventTime::at_utc(at(start + 3600));
    return e;
}

inline Appointment appointment(const std::string& id, std::int64_t start = 1775000000) {
    Appointment a;
    a.id = id;
    a.time = {at(start), at(start + 5400)};
    a.client = "Ann Example";
    a.service = "Oil change";
    a.vehicle = "VW Golf";
    return a;
}

}  // namespace calsync::test
