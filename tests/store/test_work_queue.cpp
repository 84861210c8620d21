// The workers' queue (issue 16, item 3) on every fleet kind: due times, claims with leases
// and fencing tokens, renewal, take-over of an expired lease, and a worker whose lease was
// taken over unable to write; two claimers racing never take one connection twice.
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "store_fixtures.hpp"

using namespace calsync;
using calsync::test::at;
using calsync::test::calendar_record;
using calsync::test::connection_record;
using calsync::test::fails_with;
using calsync::test::must;

namespace {

constexpr std::chrono::seconds kLease{30};

void add_connections(FleetStore& fleet, const std::string& business, int count) {
    auto view = must(fleet.open_business(business));
    for (int i = 0; i < count; ++i)
        must(view->put_connection(connection_record("c" + std::to_string(i))));
}

// Business g1's connection c0 with its calendar "a", due at 100 and claimed by w1.
Lease claimed_with_calendar(FleetStore& fleet) {
    add_connections(fleet, "g1", 1);
    must(must(fleet.open_business("g1"))->put_calendar(calendar_record("c0", "a")));
    must(fleet.mark_due("g1", "c0", at(100)));
    return must(fleet.claim_due("w1", at(100), kLease, 10)).at(0);
}

}  // namespace

TEMPLATE_TEST_CASE("work queue: due connections are claimed once, earliest first", "[queue]",
                   CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& q = *f.fleet;
    add_connections(q, "g1", 2);
    add_connections(q, "g2", 1);

    SECTION("only what exists can be made due") {
        fails_with(q.mark_due("g1", "nope", at(100)), ErrorCode::not_found, "nope");
        fails_with(q.mark_due("g3", "c0", at(100)), ErrorCode::not_found, "g3");
    }
    SECTION("claims take what is due at now, earliest first, across businesses") {
        must(q.mark_due("g1", "c1", at(300)));
        must(q.mark_due("g2", "c0", at(100)));
        must(q.mark_due("g1", "c0", at(200)));
        CHECK(must(q.claim_due("w1", at(50), kLease, 10)).empty());
        CHECK(must(q.earliest_due(at(50))) == at(100));
        const auto leases = must(q.claim_due("w1", at(250), kLease, 10));
        REQUIRE(leases.size() == 2);
        CHECK(leases[0].business_id == "g2");
        CHECK(leases[0].connection_id == "c0");
        CHECK(leases[0].due_at == at(100));
        CHECK(leases[1].business_id == "g1");
        CHECK(leases[1].connection_id == "c0");
        CHECK(leases[0].owner == "w1");
        CHECK(leases[0].expires_at == at(280));
        CHECK(leases[0].fence == 1);
        // Held: nobody else gets them while the lease runs.
        CHECK(must(q.claim_due("w2", at(260), kLease, 10)).empty());
        CHECK(must(q.earliest_due(at(260))) == at(300));
    }
    SECTION("the earlier due time wins; max bounds a claim") {
        must(q.mark_due("g1", "c0", at(500)));
        must(q.mark_due("g1", "c0", at(100)));
        must(q.mark_due("g1", "c0", at(400)));
        must(q.mark_due("g1", "c1", at(150)));
        const auto one = must(q.claim_due("w1", at(200), kLease, 1));
        REQUIRE(one.size() == 1);
        CHECK(one[0].connection_id == "c0");
        CHECK(one[0].due_at == at(100));
    }
    SECTION("finish releases the lease and sets the next due time") {
        must(q.mark_due("g1", "c0", at(100)));
        const Lease lease = must(q.claim_due("w1", at(100), kLease, 10)).at(0);
        must(q.finish_lease(lease, at(1000)));
        CHECK(must(q.claim_due("w1", at(999), kLease, 10)).empty());
        const auto again = must(q.claim_due("w2", at(1000), kLease, 10));
        REQUIRE(again.size() == 1);
        CHECK(again[0].fence == lease.fence + 1);
        // Finished with no next time: due only when marked again.
        must(q.finish_lease(again[0], std::nullopt));
        CHECK_FALSE(must(q.earliest_due(at(5000))));
        CHECK(must(q.claim_due("w2", at(5000), kLease, 10)).empty());
    }
    SECTION("a push during a sync makes the connection due again when it finishes") {
        must(q.mark_due("g1", "c0", at(100)));
        const Lease lease = must(q.claim_due("w1", at(100), kLease, 10)).at(0);
        must(q.mark_due("g1", "c0", at(110)));
        CHECK(must(q.claim_due("w2", at(115), kLease, 10)).empty());  // still held
        must(q.finish_lease(lease, at(2000)));
        const auto again = must(q.claim_due("w2", at(120), kLease, 10));
        REQUIRE(again.size() == 1);
        CHECK(again[0].due_at == at(110));
    }
    SECTION("removing a connection removes it from the queue") {
        must(q.mark_due("g1", "c0", at(100)));
        must(must(q.open_business("g1"))->remove_connection("c0"));
        CHECK(must(q.claim_due("w1", at(100), kLease, 10)).empty());
    }
}

TEMPLATE_TEST_CASE("work queue: an expired lease is taken over and the old holder is fenced off",
                   "[queue]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& q = *f.fleet;
    const Lease old = claimed_with_calendar(q);
    auto old_view = must(q.open_leased(old)).store;

    // Renewed in time, the lease holds past its first expiry.
    const Lease renewed = must(q.renew_lease(old, at(120), kLease));
    CHECK(renewed.expires_at == at(150));
    CHECK(must(q.claim_due("w2", at(140), kLease, 10)).empty());
    SyncStatus mine;
    mine.state = SyncState::ok;
    mine.events_read = 1;
    must(old_view->put_connection_status("c0", mine));  // the holder writes

    // w1 stalls past its lease; w2 takes the connection over with a higher fence.
    const auto taken = must(q.claim_due("w2", at(151), kLease, 10));
    REQUIRE(taken.size() == 1);
    CHECK(taken[0].fence == old.fence + 1);
    CHECK(taken[0].owner == "w2");

    // Everything w1 tries now is refused, and writes nothing.
    fails_with(q.renew_lease(old, at(152), kLease), ErrorCode::lease_lost, "w1");
    fails_with(q.finish_lease(old, at(9999)), ErrorCode::lease_lost, "w1");
    SyncStatus late;
    late.state = SyncState::error;
    late.events_read = 99;
    fails_with(old_view->put_connection_status("c0", late), ErrorCode::lease_lost, "w1");
    fails_with(old_view->apply_changes("c0", "a", calsync::test::upserts({}, "late", true)),
               ErrorCode::lease_lost, "");
    fails_with(old_view->transaction([&] { return old_view->remove_calendar("c0", "a"); }),
               ErrorCode::lease_lost, "");
    auto reader = must(q.open_business("g1"));
    CHECK(must(reader->get_connection_status("c0")).events_read == 1);
    CHECK(must(reader->get_calendar("c0", "a")).cursor.empty());
    // Reads through the fenced view still work.
    CHECK(must(old_view->get_connection_status("c0")).events_read == 1);

    // The new holder writes and finishes.
    auto new_view = must(q.open_leased(taken[0])).store;
    must(new_view->put_connection_status("c0", late));
    CHECK(must(reader->get_connection_status("c0")).events_read == 99);
    must(q.finish_lease(taken[0], at(500)));
    // A finished lease fences too: its view can no longer write.
    fails_with(new_view->put_connection_status("c0", mine), ErrorCode::lease_lost, "w2");
}

TEMPLATE_TEST_CASE("work queue: a leased view's sync end releases the lease in its transaction",
                   "[queue]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& q = *f.fleet;
    const Lease lease = claimed_with_calendar(q);
    auto view = must(q.open_leased(lease));
    auto host = must(q.open_business("g1"));
    SyncEnd end;
    end.status.state = SyncState::ok;
    end.status.events_read = 4;
    end.status.next_due = at(900);
    end.calendar_statuses["a"] = end.status;
    end.cursors["a"] = "cursor-a1";
    CHECK_FALSE(view.released());

    SECTION("released, due again at the end's next_due; the view writes no more") {
        must(view.store->put_sync_end("c0", end));
        CHECK(view.released());
        CHECK(must(host->get_connection_status("c0")).events_read == 4);
        CHECK(must(host->get_calendar("c0", "a")).cursor == "cursor-a1");
        fails_with(q.finish_lease(lease, at(9999)), ErrorCode::lease_lost, "w1");
        CHECK(must(q.claim_due("w2", at(899), kLease, 10)).empty());
        const auto next = must(q.claim_due("w2", at(900), kLease, 10));
        REQUIRE(next.size() == 1);
        CHECK(next[0].due_at == at(900));
        fails_with(view.store->put_connection_status("c0", end.status), ErrorCode::lease_lost,
                   "w1");
    }
    SECTION("a connection marked due while held is due at once") {
        must(q.mark_due("g1", "c0", at(120)));
        must(view.store->put_sync_end("c0", end));
        CHECK(view.released());
        const auto next = must(q.claim_due("w2", at(120), kLease, 10));
        REQUIRE(next.size() == 1);
        CHECK(next[0].due_at == at(120));
    }
    SECTION("inside the view's transaction the end joins it, and the holder finishes") {
        must(view.store->transaction([&] { return view.store->put_sync_end("c0", end); }));
        CHECK_FALSE(view.released());
        CHECK(must(host->get_connection_status("c0")).events_read == 4);
        CHECK(must(q.claim_due("w2", at(120), kLease, 10)).empty());
        must(q.finish_lease(lease, at(900)));
        CHECK(must(q.claim_due("w2", at(900), kLease, 10)).size() == 1);
    }
    SECTION("taken over, the old holder's end releases nothing and writes nothing") {
        const auto taken = must(q.claim_due("w2", lease.expires_at, kLease, 10));
        REQUIRE(taken.size() == 1);
        fails_with(view.store->put_sync_end("c0", end), ErrorCode::lease_lost, "w1");
        CHECK_FALSE(view.released());
        CHECK(must(host->get_connection_status("c0")).state == SyncState::never_synced);
        CHECK(must(host->list_calendar_statuses("c0")).at("a").state == SyncState::never_synced);
        CHECK(must(host->get_calendar("c0", "a")).cursor.empty());
        CHECK(must(q.renew_lease(taken[0], lease.expires_at, kLease)).owner == "w2");
    }
}

TEMPLATE_TEST_CASE("work queue: a leased view's sync end stores what put_sync_end stores",
                   "[queue]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& q = *f.fleet;
    const Lease lease = claimed_with_calendar(q);  // "c0" with "a"
    auto host = must(q.open_business("g1"));
    must(host->put_calendar(calendar_record("c0", "b\"{,}")));
    // Texts an array literal or a NULL could swallow: quotes, backslashes, braces, commas,
    // the word NULL, nothing at all.
    const std::string odd_cursor = "NULL";
    const std::string odd_error = "the server said \"no\" {a,b} \\ NULL";
    SyncStatus ok;
    ok.state = SyncState::ok;
    ok.last_attempt = at(700);
    ok.last_success = at(700);
    ok.events_read = 4;
    ok.events_exported = 2;
    ok.next_due = at(900);
    SyncStatus failed;
    failed.state = SyncState::error;
    failed.last_attempt = at(710);
    failed.last_error = odd_error;
    failed.consecutive_failures = 3;

    SyncEnd end;
    end.cursors = {{"a", odd_cursor}, {"b\"{,}", ""}, {"gone", "cursor-x"}};
    end.calendar_statuses = {{"a", ok}, {"b\"{,}", failed}, {"gone", ok}};
    end.status = failed;
    end.status.next_due = at(950);
    {
        auto view = must(q.open_leased(lease));
        must(view.store->put_sync_end("c0", end));
        CHECK(view.released());
    }
    CHECK(must(host->get_calendar("c0", "a")).cursor == odd_cursor);
    CHECK(must(host->get_calendar("c0", "b\"{,}")).cursor.empty());
    fails_with(host->get_calendar("c0", "gone"), ErrorCode::not_found, "gone");
    auto statuses = must(host->list_calendar_statuses("c0"));
    REQUIRE(statuses.size() == 2);
    const SyncStatus& a = statuses.at("a");
    CHECK(a.state == SyncState::ok);
    CHECK(a.last_attempt == at(700));
    CHECK(a.last_success == at(700));
    CHECK(a.last_error.empty());
    CHECK(a.events_read == 4);
    CHECK(a.events_exported == 2);
    CHECK(a.next_due == at(900));
    const SyncStatus& b = statuses.at("b\"{,}");
    CHECK(b.state == SyncState::error);
    CHECK(b.last_attempt == at(710));
    CHECK_FALSE(b.last_success.has_value());
    CHECK(b.last_error == odd_error);
    CHECK(b.consecutive_failures == 3);
    CHECK_FALSE(b.next_due.has_value());
    const SyncStatus own = must(host->get_connection_status("c0"));
    CHECK(own.state == SyncState::error);
    CHECK(own.last_error == odd_error);
    CHECK(own.next_due == at(950));
    // Due again at the connection's next_due.
    CHECK(must(q.claim_due("w2", at(949), kLease, 10)).empty());
    const auto next = must(q.claim_due("w2", at(950), kLease, 10));
    REQUIRE(next.size() == 1);

    // The next sync's end updates the rows the first one made; a calendar left out keeps
    // its cursor and status, and no calendar at all is fine.
    SyncEnd second;
    second.calendar_statuses = {{"b\"{,}", ok}};
    second.status = ok;
    {
        auto view = must(q.open_leased(next[0]));
        must(view.store->put_sync_end("c0", second));
    }
    CHECK(must(host->get_calendar("c0", "a")).cursor == odd_cursor);
    statuses = must(host->list_calendar_statuses("c0"));
    CHECK(statuses.at("a").events_read == 4);
    CHECK(statuses.at("b\"{,}").state == SyncState::ok);
    CHECK(statuses.at("b\"{,}").last_error.empty());
    CHECK(must(host->get_connection_status("c0")).state == SyncState::ok);
    CHECK(must(host->get_connection_status("c0")).next_due == at(900));
}

TEMPLATE_TEST_CASE("work queue: two claimers racing never take one connection twice", "[queue]",
                   CALSYNC_FLEET_FIXTURES) {
    TestType f;
    constexpr int kConnections = 120;
    add_connections(*f.fleet, "g1", kConnections / 2);
    add_connections(*f.fleet, "g2", kConnections / 2);
    for (const char* business : {"g1", "g2"}) {
        for (int i = 0; i < kConnections / 2; ++i)
            must(f.fleet->mark_due(business, "c" + std::to_string(i), at(100 + i % 7)));
    }
    std::mutex mutex;
    std::multiset<std::pair<std::string, std::string>> claimed;
    std::vector<std::string> errors;
    auto worker = [&](FleetStore& fleet, const std::string& name) {
        for (;;) {
            auto leases = fleet.claim_due(name, at(1000), kLease, 7);
            std::lock_guard<std::mutex> lock(mutex);
            if (!leases.ok()) {
                errors.push_back(leases.error().message);
                return;
            }
            if (leases->empty())
                return;
            for (const Lease& l : *leases)
                claimed.emplace(l.business_id, l.connection_id);
        }
    };
    FleetStore& second = f.second();
    std::thread t1([&] { worker(*f.fleet, "w1"); });
    std::thread t2([&] { worker(second, "w2"); });
    t1.join();
    t2.join();
    INFO((errors.empty() ? std::string() : errors.front()));
    CHECK(errors.empty());
    CHECK(claimed.size() == static_cast<std::size_t>(kConnections));
    std::set<std::pair<std::string, std::string>> distinct(claimed.begin(), claimed.end());
    CHECK(distinct.size() == claimed.size());
}

TEMPLATE_TEST_CASE("work queue: a leased view's first read takes its connection's records together",
                   "[queue]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& q = *f.fleet;
    const Lease lease = claimed_with_calendar(q);
    auto host = must(q.open_business("g1"));
    must(host->put_push_channel({"ch-1", "c0", "a", "res-1", "v1.tok-1", at(5000)}));
    const TimeRange first_window{at(1774915200), at(1806451200)};
    const TimeRange next_window{at(1775001600), at(1806537600)};
    SlotChanges whole;
    whole.replace_all = true;
    whole.window = first_window;
    must(host->apply_slot_changes("c0", "a", whole));
    auto view = must(q.open_leased(lease)).store;

    // The first read is the business's settings; the calendars, statuses and channels come
    // with it, so the host's changes after it are not seen until the view writes.
    CHECK_FALSE(must(view->find_business_settings()).has_value());
    CalendarRecord renamed = calendar_record("c0", "a");
    renamed.calendar.name = "Renamed";
    must(host->put_calendar(renamed));
    SyncStatus failed;
    failed.state = SyncState::error;
    must(host->put_calendar_status("c0", "a", failed));
    must(host->put_push_channel({"ch-2", "c0", "a", "res-2", "v1.tok-2", at(6000)}));
    whole.window = next_window;
    must(host->apply_slot_changes("c0", "a", whole));
    CHECK(must(view->find_slot_window("c0", "a")) == std::optional<TimeRange>(first_window));
    CHECK_FALSE(must(view->find_slot_window("c0", "unknown")).has_value());
    CHECK(must(view->list_calendars("c0")).at(0).calendar.name == "Calendar a");
    CHECK(must(view->list_calendar_statuses("c0")).at("a").state == SyncState::never_synced);
    CHECK(must(view->list_push_channels("c0")).size() == 1);

    must(view->apply_changes("c0", "a", calsync::test::upserts({}, "cursor-1")));
    CHECK(must(view->list_calendars("c0")).at(0).calendar.name == "Renamed");
    CHECK(must(view->list_calendar_statuses("c0")).at("a").state == SyncState::error);
    CHECK(must(view->list_push_channels("c0")).size() == 2);
    CHECK(must(view->find_slot_window("c0", "a")) == std::optional<TimeRange>(next_window));
}

TEMPLATE_TEST_CASE("work queue: a leased view's slot write is seen by its next window read",
                   "[queue]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& q = *f.fleet;
    const Lease lease = claimed_with_calendar(q);
    auto view = must(q.open_leased(lease)).store;
    CHECK_FALSE(must(view->find_slot_window("c0", "a")).has_value());  // the snapshot's
    const TimeRange window{at(1774915200), at(1806451200)};
    SlotChanges whole;
    whole.replace_all = true;
    whole.window = window;
    must(view->apply_slot_changes("c0", "a", whole));
    CHECK(must(view->find_slot_window("c0", "a")) == std::optional<TimeRange>(window));
    whole.window.reset();
    must(view->apply_slot_changes("c0", "a", whole));
    CHECK_FALSE(must(view->find_slot_window("c0", "a")).has_value());
}

TEMPLATE_TEST_CASE("work queue: a leased view keeps what it read until its next write", "[queue]",
                   CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& q = *f.fleet;
    const Lease lease = claimed_with_calendar(q);
    auto host = must(q.open_business("g1"));
    auto view = must(q.open_leased(lease)).store;

    // Read once: a host's rename meanwhile is seen after the view's next write.
    CHECK(must(view->list_calendars("c0")).at(0).calendar.name == "Calendar a");
    CalendarRecord renamed = calendar_record("c0", "a");
    renamed.calendar.name = "Renamed";
    must(host->put_calendar(renamed));
    CHECK(must(view->list_calendars("c0")).at(0).calendar.name == "Calendar a");
    must(view->apply_changes("c0", "a", calsync::test::upserts({}, "cursor-1")));
    const auto after = must(view->list_calendars("c0"));
    REQUIRE(after.size() == 1);
    CHECK(after.at(0).calendar.name == "Renamed");
    CHECK(after.at(0).cursor == "cursor-1");

    SECTION("a status write is read back through the view") {
        CHECK(must(view->get_connection_status("c0")).state == SyncState::never_synced);
        CHECK(must(view->list_calendar_statuses("c0")).at("a").state == SyncState::never_synced);
        SyncStatus ok;
        ok.state = SyncState::ok;
        ok.events_read = 3;
        must(view->put_connection_status("c0", ok));
        must(view->put_calendar_status("c0", "a", ok));
        CHECK(must(view->get_connection_status("c0")).events_read == 3);
        CHECK(must(view->list_calendar_statuses("c0")).at("a").events_read == 3);
        CHECK(must(host->get_connection_status("c0")).events_read == 3);
    }
    SECTION("writes joined to a transaction that fails are rolled back with it, and not kept") {
        SyncStatus ok;
        ok.state = SyncState::ok;
        ok.events_read = 5;
        auto failed = view->transaction([&]() -> Result<void> {
            must(view->apply_changes("c0", "a", calsync::test::upserts({}, "cursor-2")));
            must(view->put_calendar_status("c0", "a", ok));
            must(view->put_connection_status("c0", ok));
            CHECK(must(view->list_calendars("c0")).at(0).cursor == "cursor-2");
            CHECK(must(view->get_connection_status("c0")).events_read == 5);
            return make_error(ErrorCode::internal, "given up");
        });
        fails_with(failed, ErrorCode::internal, "given up");
        CHECK(must(view->list_calendars("c0")).at(0).cursor == "cursor-1");
        CHECK(must(view->get_connection_status("c0")).state == SyncState::never_synced);
        CHECK(must(view->list_calendar_statuses("c0")).at("a").state == SyncState::never_synced);
        CHECK(must(host->get_connection_status("c0")).state == SyncState::never_synced);
    }
    SECTION("a write joined to a transaction is fenced by it") {
        const auto taken =
            must(q.claim_due("w2", at(100) + kLease + std::chrono::seconds(1), kLease, 10));
        REQUIRE(taken.size() == 1);
        SyncStatus ok;
        ok.state = SyncState::ok;
        fails_with(view->transaction([&] { return view->put_connection_status("c0", ok); }),
                   ErrorCode::lease_lost, "w1");
        fails_with(view->apply_changes("c0", "a", calsync::test::upserts({}, "late")),
                   ErrorCode::lease_lost, "w1");
        CHECK(must(host->get_calendar("c0", "a")).cursor == "cursor-1");
        CHECK(must(host->get_connection_status("c0")).state == SyncState::never_synced);
    }
}

namespace {

std::string described(const std::optional<Instant>& t) {
    return t ? std::to_string(t->time_since_epoch().count()) : "-";
}

std::string described(const SyncStatus& s) {
    return std::string(to_string(s.state)) + " " + described(s.last_attempt) + " " +
           described(s.last_success) + " [" + s.last_error + "] " + std::to_string(s.events_read) +
           " " + std::to_string(s.events_exported) + " " + std::to_string(s.consecutive_failures) +
           " " + described(s.next_due);
}

// Every field a snapshot holds, as text: two snapshots read alike describe alike.
std::string described(const ConnectionSnapshot& s) {
    std::string out = "settings " + s.business_settings.value_or("(none)") + "\n";
    const ConnectionRecord& c = s.connection;
    out += "connection " + c.id + " " + to_string(c.kind) + " " + c.account + " " +
           c.settings_json + " " + c.sealed_credentials + " " + to_string(c.state) + " " +
           described(std::optional<Instant>(c.created_at)) + "\n";
    out += "status " + described(s.status) + "\n";
    for (const CalendarRecord& k : s.calendars)
        out += "calendar " + k.connection_id + "/" + k.calendar.id + " " + k.calendar.name + " " +
               k.calendar.color + " " + k.calendar.time_zone + " " +
               std::to_string(k.calendar.can_write) + std::to_string(k.calendar.is_primary) +
               std::to_string(k.selected) + " " + to_string(k.direction) + " " +
               std::to_string(k.policy.tentative_blocks) +
               std::to_string(k.policy.unanswered_blocks) +
               std::to_string(k.policy.all_day_blocks) + " cursor " + k.cursor + "\n";
    for (const auto& [id, status] : s.calendar_statuses)
        out += "calendar status " + id + " " + described(status) + "\n";
    for (const PushChannel& p : s.push_channels)
        out += "channel " + p.channel_id + " " + p.connection_id + " " + p.calendar_id + " " +
               p.resource_id + " " + p.sealed_token + " " +
               described(std::optional<Instant>(p.expires_at)) + "\n";
    if (s.slot_windows)
        for (const auto& [id, w] : *s.slot_windows)
            out += "window " + id + " " + described(std::optional<Instant>(w.start)) + " " +
                   described(std::optional<Instant>(w.end)) + "\n";
    return out;
}

}  // namespace

TEMPLATE_TEST_CASE("work queue: a claimed batch's first reads are each connection's own", "[queue]",
                   CALSYNC_FLEET_FIXTURES) {
    TestType f;
    FleetStore& q = *f.fleet;
    // Two businesses with a connection "c0" each, and a calendar "a" each: the batch's rows
    // must go to their own business. g2's "c1" is not leased, though both of the batch's
    // id lists name it.
    add_connections(q, "g1", 2);
    add_connections(q, "g2", 2);
    auto g1 = must(q.open_business("g1"));
    auto g2 = must(q.open_business("g2"));
    must(g2->put_business_settings(R"({"zone":"Europe/Paris"})"));
    CalendarRecord exported = calendar_record("c0", "b", CalendarDirection::export_only);
    exported.policy.all_day_blocks = false;
    must(g1->put_calendar(calendar_record("c0", "a")));
    must(g1->put_calendar(exported));
    must(g1->put_calendar(calendar_record("c1", "x")));
    must(g1->apply_changes("c0", "a", calsync::test::upserts({}, "cursor-g1")));
    must(g2->put_calendar(calendar_record("c0", "a")));
    must(g2->put_calendar(calendar_record("c1", "secret")));
    SyncStatus failed;
    failed.state = SyncState::error;
    failed.last_attempt = at(700);
    failed.last_error = "refused";
    failed.consecutive_failures = 2;
    SyncStatus ok;
    ok.state = SyncState::ok;
    ok.last_success = at(650);
    ok.events_read = 7;
    ok.next_due = at(1900);
    must(g1->put_calendar_status("c0", "a", failed));  // "b" has none: never_synced
    must(g2->put_calendar_status("c0", "a", ok));
    must(g2->put_calendar_status("c1", "secret", failed));
    must(g1->put_connection_status("c0", ok));  // g2's c0 has none
    must(g1->put_push_channel({"ch-1", "c0", "a", "res-1", "v1.tok-1", at(5000)}));
    must(g2->put_push_channel({"ch-2", "c1", "secret", "res-2", "v1.tok-2", at(5000)}));
    SlotChanges whole;
    whole.replace_all = true;
    whole.window = TimeRange{at(1774915200), at(1806451200)};
    must(g1->apply_slot_changes("c0", "a", whole));
    must(g2->apply_slot_changes("c1", "secret", whole));
    for (const auto& [business, connection] :
         std::vector<std::pair<std::string, std::string>>{{"g1", "c0"}, {"g1", "c1"}, {"g2", "c0"}})
        must(q.mark_due(business, connection, at(100)));
    const auto leases = must(q.claim_due("w1", at(100), kLease, 10));
    REQUIRE(leases.size() == 3);

    SECTION("each as its business's view reads it") {
        const auto read = must(q.read_leased_snapshots(leases));
        REQUIRE(read.size() == leases.size());
        for (std::size_t i = 0; i < leases.size(); ++i) {
            INFO(leases[i].business_id << "/" << leases[i].connection_id);
            REQUIRE(read[i].has_value());
            auto view = must(q.open_business(leases[i].business_id));
            CHECK(described(*read[i]) ==
                  described(must(view->read_connection_snapshot(leases[i].connection_id))));
            CHECK(read[i]->connection.id == leases[i].connection_id);
            for (const CalendarRecord& k : read[i]->calendars)
                CHECK(k.calendar.id != "secret");
        }
    }
    SECTION("a connection removed since its claim reads as nothing") {
        must(g1->remove_connection("c1"));
        const auto read = must(q.read_leased_snapshots(leases));
        REQUIRE(read.size() == leases.size());
        for (std::size_t i = 0; i < leases.size(); ++i)
            CHECK(read[i].has_value() == (leases[i].connection_id != "c1"));
    }
    SECTION("a view opened with them keeps them, as it keeps its own first reads") {
        const Lease& lease = leases.at(0);  // g1's c0: due first, ties by business
        REQUIRE(lease.business_id == "g1");
        REQUIRE(lease.connection_id == "c0");
        auto read = must(q.read_leased_snapshots({lease}));
        REQUIRE(read.at(0).has_value());
        CalendarRecord renamed = calendar_record("c0", "a");
        renamed.calendar.name = "Renamed";
        must(g1->put_calendar(renamed));
        must(g1->put_business_settings(R"({"zone":"Europe/Berlin"})"));
        auto view = must(q.open_leased(lease, std::move(*read.at(0)))).store;
        CHECK(must(view->list_calendars("c0")).at(0).calendar.name == "Calendar a");
        CHECK_FALSE(must(view->find_business_settings()).has_value());
        CHECK(must(view->get_connection_status("c0")).events_read == 7);
        CHECK(must(view->find_slot_window("c0", "a")) == std::optional<TimeRange>(whole.window));
        // Its first write makes them stale, as any write does.
        must(view->apply_changes("c0", "a", calsync::test::upserts({}, "cursor-2")));
        CHECK(must(view->list_calendars("c0")).at(0).calendar.name == "Renamed");
        CHECK(must(view->find_business_settings()).has_value());
    }
}
