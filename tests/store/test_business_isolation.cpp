// Many businesses in one store (issue 16, item 1): nothing of one business is visible or
// writable through the view of another, on every store kind; the same ids may be used by
// two businesses; a push channel id finds its business.
#include <catch2/catch.hpp>

#include "store_fixtures.hpp"

using namespace calsync;
using calsync::test::appointment;
using calsync::test::at;
using calsync::test::calendar_record;
using calsync::test::connection_record;
using calsync::test::fails_with;
using calsync::test::must;
using calsync::test::timed_event;
using calsync::test::upserts;

namespace {

constexpr Instant kFar = Instant(std::chrono::seconds(2000000000));

ExportRecord export_record(const std::string& appointment_id) {
    ExportRecord r;
    r.key = {appointment_id, "c", "a"};
    r.remote_id = "/dav/a/" + appointment_id + ".ics";
    r.etag = "\"1\"";
    r.content_hash = "h1";
    r.updated_at = at(1775000100);
    return r;
}

// Business A: one record of every kind.
void fill(StateStore& s) {
    must(s.put_connection(connection_record("c")));
    must(s.put_calendar(calendar_record("c", "a")));
    must(s.apply_changes("c", "a", upserts({timed_event("e1", 1775000000)}, "cursor-a")));
    must(s.put_appointment(appointment("ap1"), at(5)));
    must(s.put_export(export_record("ap1")));
    SyncStatus st;
    st.state = SyncState::ok;
    st.events_read = 7;
    must(s.put_connection_status("c", st));
    must(s.put_calendar_status("c", "a", st));
    must(s.put_pending_authorization({"state", "c", "v1.verifier", kFar}));
    CHECK(must(s.spend_nonce("nonce", kFar, at(1))));
    must(s.put_push_channel({"ch", "c", "a", "res", "v1.tok", at(1800000000)}));
    SlotChanges slots;
    slots.replace_all = true;
    BlockedSlot busy;
    busy.range = {at(1775000000), at(1775003600)};
    busy.event_id = "e1";
    slots.slots = {busy};
    slots.window = TimeRange{at(1774915200), at(1806451200)};
    must(s.apply_slot_changes("c", "a", slots));
    must(s.put_business_settings(R"({"zone":"Europe/Berlin"})"));
}

// What A holds, as fill() left it.
void check_intact(StateStore& s) {
    const ConnectionRecord c = must(s.get_connection("c"));
    CHECK(c.account == "me@example.com");
    CHECK(c.sealed_credentials == "v1.sealed-c");
    CHECK(c.state == ConnectionState::active);
    CHECK(must(s.get_calendar("c", "a")).cursor == "cursor-a");
    CHECK(must(s.load_events("c", "a")).size() == 1);
    const AppointmentRecord ap = must(s.get_appointment("ap1"));
    CHECK(ap.revision == 1);
    CHECK(ap.appointment.client == "Ann Example");
    CHECK(must(s.get_export({"ap1", "c", "a"})).etag == "\"1\"");
    CHECK(must(s.get_connection_status("c")).events_read == 7);
    CHECK(must(s.list_calendar_statuses("c")).at("a").events_read == 7);
    CHECK(must(s.get_push_channel("ch")).sealed_token == "v1.tok");
    CHECK(must(s.list_blocked_slots({at(0), kFar})).size() == 1);
    CHECK(must(s.find_slot_window("c", "a"))->end == at(1806451200));
    CHECK_FALSE(must(s.spend_nonce("nonce", kFar, at(2))));  // still spent in A
    CHECK(must(s.find_business_settings()) == std::string(R"({"zone":"Europe/Berlin"})"));
}

}  // namespace

TEMPLATE_TEST_CASE("businesses: nothing of one is visible or writable through another's view",
                   "[isolation]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    auto a = must(f.fleet->open_business("garage-a"));
    auto b = must(f.fleet->open_business("garage-b"));
    fill(*a);

    SECTION("reads through B find nothing of A") {
        fails_with(b->get_connection("c"), ErrorCode::not_found, "'c'");
        CHECK(must(b->list_connections()).empty());
        CHECK_FALSE(must(b->find_connection(ProviderKind::caldav, "me@example.com")));
        fails_with(b->get_calendar("c", "a"), ErrorCode::not_found, "");
        fails_with(b->list_calendars("c"), ErrorCode::not_found, "");
        fails_with(b->load_events("c", "a"), ErrorCode::not_found, "");
        fails_with(b->get_appointment("ap1"), ErrorCode::not_found, "ap1");
        CHECK(must(b->list_appointments()).empty());
        CHECK(must(b->list_appointments_since(0)).empty());
        fails_with(b->get_export({"ap1", "c", "a"}), ErrorCode::not_found, "");
        CHECK(must(b->list_exports("c", "a")).empty());
        CHECK(must(b->list_connection_exports("c")).empty());
        CHECK(must(b->list_appointment_exports("ap1")).empty());
        fails_with(b->get_connection_status("c"), ErrorCode::not_found, "");
        CHECK(must(b->list_connection_statuses()).empty());
        fails_with(b->list_calendar_statuses("c"), ErrorCode::not_found, "");
        fails_with(b->get_push_channel("ch"), ErrorCode::not_found, "ch");
        CHECK(must(b->list_push_channels("c")).empty());
        CHECK(must(b->list_push_channels_expiring(kFar)).empty());
        CHECK(must(b->list_blocked_slots({at(0), kFar})).empty());
        CHECK_FALSE(must(b->find_slot_window("c", "a")).has_value());
        CHECK_FALSE(must(b->find_business_settings()));
        // Taking A's pending authorization through B fails, and leaves it to A.
        fails_with(b->take_pending_authorization("state", at(10)), ErrorCode::not_found, "");
        CHECK(must(a->take_pending_authorization("state", at(10))).sealed_code_verifier ==
              "v1.verifier");
        // A nonce spent in A is not spent in B.
        CHECK(must(b->spend_nonce("nonce", kFar, at(2))));
        check_intact(*a);
    }

    SECTION("writes through B to A's records fail or miss, and A keeps everything") {
        fails_with(b->set_credentials("c", "v1.stolen"), ErrorCode::not_found, "");
        fails_with(b->disconnect_connection("c"), ErrorCode::not_found, "");
        must(b->remove_connection("c"));  // absent in B: no error, and nothing of A goes
        fails_with(b->put_calendar(calendar_record("c", "a")), ErrorCode::not_found, "");
        fails_with(b->remove_calendar("c", "a"), ErrorCode::not_found, "");
        fails_with(b->apply_changes("c", "a", upserts({}, "cursor-b", true)), ErrorCode::not_found,
                   "");
        fails_with(b->put_export(export_record("ap1")), ErrorCode::not_found, "");
        must(b->remove_export({"ap1", "c", "a"}));
        fails_with(b->put_connection_status("c", SyncStatus{}), ErrorCode::not_found, "");
        fails_with(b->put_calendar_status("c", "a", SyncStatus{}), ErrorCode::not_found, "");
        fails_with(b->put_push_channel({"ch", "c", "a", "r", "v1.other", kFar}),
                   ErrorCode::not_found, "");
        must(b->remove_push_channel("ch"));
        SlotChanges wipe;
        wipe.replace_all = true;
        fails_with(b->apply_slot_changes("c", "a", wipe), ErrorCode::not_found, "");
        check_intact(*a);
        CHECK(must(a->take_pending_authorization("state", at(10))).connection_id == "c");
    }

    SECTION("B may use the same ids; each business sees its own") {
        ConnectionRecord other = connection_record("c", ProviderKind::google, "bob@example.com");
        other.sealed_credentials = "v1.sealed-b";
        must(b->put_connection(other));
        must(b->put_calendar(calendar_record("c", "a")));
        CHECK(must(b->get_calendar("c", "a")).cursor.empty());  // not A's cursor
        CHECK(must(b->load_events("c", "a")).empty());
        CHECK_FALSE(must(b->find_slot_window("c", "a")).has_value());  // not A's
        // B's slots are B's: a whole write with its own window leaves A's as they were.
        SlotChanges mine;
        mine.replace_all = true;
        mine.window = TimeRange{at(1775001600), at(1806537600)};
        must(b->apply_slot_changes("c", "a", mine));
        CHECK(must(b->find_slot_window("c", "a"))->end == at(1806537600));
        // B's revisions are B's own: its first appointment is revision 1 too.
        CHECK(must(b->put_appointment(appointment("ap1", 1776000000), at(6))).revision == 1);
        must(b->put_push_channel({"ch", "c", "a", "res-b", "v1.tok-b", kFar}));
        must(b->put_pending_authorization({"state", "c", "v1.verifier-b", kFar}));
        must(b->put_business_settings(R"({"zone":"America/New_York"})"));
        CHECK(must(b->get_connection("c")).account == "bob@example.com");
        CHECK(must(b->find_business_settings()) == std::string(R"({"zone":"America/New_York"})"));
        CHECK(must(b->list_appointments_since(0)).size() == 1);
        check_intact(*a);
        CHECK(must(a->take_pending_authorization("state", at(10))).sealed_code_verifier ==
              "v1.verifier");
        CHECK(must(b->take_pending_authorization("state", at(10))).sealed_code_verifier ==
              "v1.verifier-b");
        // Removing B's connection leaves A's.
        must(b->remove_connection("c"));
        check_intact(*a);

        CHECK(must(f.fleet->list_businesses()) == std::vector<std::string>{"garage-a", "garage-b"});
    }

    SECTION("a push channel id finds its business") {
        const auto owners = must(f.fleet->find_push_channel("ch"));
        REQUIRE(owners.size() == 1);
        CHECK(owners[0].business_id == "garage-a");
        CHECK(owners[0].channel.connection_id == "c");
        CHECK(owners[0].channel.sealed_token == "v1.tok");
        CHECK(must(f.fleet->find_push_channel("unknown")).empty());
    }

    SECTION("a business id is checked") {
        fails_with(f.fleet->open_business(""), ErrorCode::invalid_argument, "business id");
        fails_with(f.fleet->open_business(std::string(201, 'x')), ErrorCode::invalid_argument,
                   "business id");
    }
}

TEMPLATE_TEST_CASE(
    "businesses: each keeps one settings record, replaced by a put, kept by "
    "transactions like any record",
    "[isolation][settings]", CALSYNC_FLEET_FIXTURES) {
    TestType f;
    auto a = must(f.fleet->open_business("garage-a"));
    CHECK_FALSE(must(a->find_business_settings()));
    CHECK(must(f.fleet->list_businesses()).empty());
    must(a->put_business_settings(R"({"zone":"Europe/Paris"})"));
    must(a->put_business_settings(R"({"zone":"Europe/Berlin"})"));
    CHECK(must(a->find_business_settings()) == std::string(R"({"zone":"Europe/Berlin"})"));
    // A business that stored only its settings holds a record.
    CHECK(must(f.fleet->list_businesses()) == std::vector<std::string>{"garage-a"});
    // A transaction that fails takes its settings write back.
    auto undone = a->transaction([&]() -> Result<void> {
        must(a->put_business_settings(R"({"zone":"Asia/Tokyo"})"));
        return make_error(ErrorCode::internal, "stop");
    });
    CHECK_FALSE(undone.ok());
    CHECK(must(a->find_business_settings()) == std::string(R"({"zone":"Europe/Berlin"})"));
    // Another view of the same business reads it (another connection on SQL fleets).
    auto again = must(f.fleet->open_business("garage-a"));
    CHECK(must(again->find_business_settings()) == std::string(R"({"zone":"Europe/Berlin"})"));
}

TEMPLATE_TEST_CASE(
    "businesses: a view opened after another business's view closed sees only its own",
    "[isolation][pool]", CALSYNC_FLEET_FIXTURES) {
    // SQL fleets keep a closed view's connection for the next view (connection_pool.hpp):
    // nothing of the first view's business may come with it.
    TestType f;
    {
        auto a = must(f.fleet->open_business("garage-a"));
        fill(*a);
    }
    {
        auto b = must(f.fleet->open_business("garage-b"));
        CHECK(must(b->list_connections()).empty());
        CHECK(must(b->list_appointments()).empty());
        must(b->put_connection(connection_record("c-b")));
    }
    auto a = must(f.fleet->open_business("garage-a"));
    check_intact(*a);
    fails_with(a->get_connection("c-b"), ErrorCode::not_found, "");
}

TEMPLATE_TEST_CASE("businesses: a view may outlive its fleet", "[isolation][pool]",
                   CALSYNC_FLEET_FIXTURES) {
    TestType f;
    auto view = must(f.fleet->open_business("garage-a"));
    fill(*view);
    f.fleet.reset();
    check_intact(*view);  // and on closing, its connection closes: the fleet's pool is gone
}

TEST_CASE("businesses: the default business is what a store opened without one sees",
          "[isolation]") {
    calsync::test::TempDir dir;
    const std::string path = dir.file("state.db");
    {
        auto plain = must(open_sqlite_store(path));
        must(plain->put_connection(connection_record("c")));
    }
    auto fleet = must(open_sqlite_fleet(path));
    auto view = must(fleet->open_business(kDefaultBusiness));
    CHECK(must(view->get_connection("c")).account == "me@example.com");
    auto other = must(fleet->open_business("other"));
    CHECK(must(other->list_connections()).empty());
}
