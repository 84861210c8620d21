// The CalDAV identity of an export: the resource name and the UID both say which
// appointment an event is, with or without calsync's X- property.
#include <catch2/catch.hpp>

#include "calsync/export_identity.hpp"
#include "providers/caldav/export_resource.hpp"

using calsync::export_uid;
using calsync::providers::caldav::export_resource_name;
using calsync::providers::caldav::exported_appointment;

TEST_CASE("export_resource_name keeps an id's characters a path takes, and its length") {
    CHECK(export_resource_name("s7") == "s7.ics");
    CHECK(export_resource_name("A-1_b.c") == "A-1_b.c.ics");
    CHECK(export_resource_name("a/b c@d") == "a_b_c_d.ics");
}

TEST_CASE("exported_appointment recognises an export by its resource name and UID") {
    const std::string cal = "https://dav.example/cal/";
    SECTION("both halves of the identity") {
        CHECK(exported_appointment(cal + "s7.ics", export_uid("s7", "")) == "s7");
        CHECK(exported_appointment(cal + "s7.ics", export_uid("s7", "garage.test")) == "s7");
        CHECK(exported_appointment("/cal/s7.ics", "calsync-s7") == "s7");
    }
    SECTION("an id with characters the name replaces, '@' among them") {
        const std::string id = "job@bay 2";
        CHECK(exported_appointment(cal + export_resource_name(id), export_uid(id, "")) == id);
        CHECK(exported_appointment(cal + export_resource_name(id), export_uid(id, "g.test")) == id);
        // A name shared by two ids ("a/b", "a_b"): the UID tells them apart.
        CHECK(exported_appointment(cal + "a_b.ics", "calsync-a/b") == "a/b");
        CHECK(exported_appointment(cal + "a_b.ics", "calsync-a_b") == "a_b");
    }
    SECTION("one half is not enough") {
        CHECK(exported_appointment(cal + "copy-of-s7.ics", "calsync-s7").empty());
        CHECK(exported_appointment(cal + "s7.ics", "s7").empty());
        CHECK(exported_appointment(cal + "s7.ics", "calsync-s8").empty());
        CHECK(exported_appointment(cal + "s7.ics", "calsync-s7x").empty());
        CHECK(exported_appointment(cal + "s7.ics", "calsync-s7@").empty());
        CHECK(exported_appointment(cal + "s7.ical", "calsync-s7").empty());
        CHECK(exported_appointment(cal + "s7.ics/", "calsync-s7").empty());
        CHECK(exported_appointment(cal + ".ics", "calsync-").empty());
    }
}
