// The export ids (src/providers/google/google_event_id.cpp).
#include <algorithm>
#include <catch2/catch.hpp>

#include "providers/google/google_event_id.hpp"

using calsync::providers::google::base32hex;
using calsync::providers::google::export_event_id;

TEST_CASE("google ids: base32hex is RFC 4648's extended-hex alphabet") {
    // RFC 4648 section 10 test vectors, lower-cased and without padding.
    CHECK(base32hex("") == "");
    CHECK(base32hex("f") == "co");
    CHECK(base32hex("fo") == "cpng");
    CHECK(base32hex("foo") == "cpnmu");
    CHECK(base32hex("foob") == "cpnmuog");
    CHECK(base32hex("fooba") == "cpnmuoj1");
    CHECK(base32hex("foobar") == "cpnmuoj1e8");
}

TEST_CASE("google ids: stable, distinct and within Google's rules for any marker") {
    const auto valid = [](const std::string& id) {
        return id.size() >= 5 && id.size() <= 1024 && std::all_of(id.begin(), id.end(), [](char c) {
                   return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'v');
               });
    };
    for (const std::string& marker : {std::string("1"), std::string("appt-42"),
                                      std::string("Termin ü/42?#"), std::string(700, 'x')}) {
        INFO(marker.size());
        const std::string id = export_event_id(marker);
        CHECK(valid(id));
        CHECK(id == export_event_id(marker));  // the same after a restart or a retry
    }
    CHECK(export_event_id("appt-1") != export_event_id("appt-2"));
    CHECK(export_event_id("A") != export_event_id("a"));
    // Too long to encode: hashed, still distinct.
    CHECK(export_event_id(std::string(700, 'x'))[0] == 'h');
    CHECK(export_event_id(std::string(700, 'x')) != export_event_id(std::string(701, 'x')));
}

// Issue 14, item 7: the id, not the extendedProperties marker another app may drop, says
// which appointment an export belongs to.
TEST_CASE("google ids: the appointment is read back from the id it was derived from") {
    using calsync::providers::google::marker_of_event_id;
    for (const std::string& marker :
         {std::string("1"), std::string("appt-42"), std::string("Termin ü/42?#")}) {
        INFO(marker);
        CHECK(marker_of_event_id(export_event_id(marker)) == marker);
    }
    // Hashed ids cannot be read back; other ids were not derived from a marker.
    CHECK_FALSE(marker_of_event_id(export_event_id(std::string(700, 'x'))));
    CHECK_FALSE(marker_of_event_id("cpnmuoj1e8"));                  // "foobar"
    CHECK_FALSE(marker_of_event_id("cdgmosrpdphg"));                // "calsync" without ':'
    CHECK_FALSE(marker_of_event_id("7f4k1ss2ba3nkqhp6rbi0k0cj0"));  // one of Google's
    CHECK_FALSE(marker_of_event_id(export_event_id("appt-1") + "_20260302T080000Z"));
    CHECK_FALSE(marker_of_event_id(""));
    // Cut short, an encoding leaves bits over: no marker.
    const std::string id = export_event_id("appt-1");
    CHECK_FALSE(marker_of_event_id(id.substr(0, id.size() - 1)));
}
