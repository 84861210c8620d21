// Every RRULE example of RFC 5545 3.8.5.3 (pages 124-133), with the instances the RFC
// prints, in America/New_York as the RFC assumes. Each expected instance is written as the
// RFC prints it: a local date at 09:00 (or the printed time) with EDT or EST, and the test
// checks both the wall-clock time and the offset the occurrence has in New York.
#include <catch2/catch.hpp>

#include "expand_helpers.hpp"

namespace {

using Strings = std::vector<std::string>;

constexpr const char* kZone = "America/New_York";

// "DTSTART;TZID=America/New_York:<start>" plus `lines`, expanded over [from, to) (UTC).
Strings instances(const std::string& start, const std::string& lines, const std::string& from,
                  const std::string& to) {
    const std::string ics = calsync::test::vcalendar(
        "BEGIN:VEVENT\r\nUID:rfc\r\nDTSTART;TZID=America/New_York:" + start +
        "\r\nDURATION:PT15M\r\n" + lines + "END:VEVENT\r\n");
    std::string error;
    const auto ranges = calsync::test::expand(ics, kZone, from, to, &error);
    INFO(error);
    const auto zone = calsync::find_iana_zone(kZone).value();
    Strings out;
    for (const std::string& start_text : calsync::test::starts_of(ranges)) {
        const auto at = calsync::parse_rfc3339(start_text).value();
        const std::string local = calsync::format_local(zone->to_local(at));
        const int offset = zone->offset_at(at);
        out.push_back(local.substr(0, 16) + (offset == -4 * 3600 ? " EDT" : " EST"));
    }
    return out;
}

Strings years(const std::string& start, const std::string& lines, int from_year, int to_year) {
    return instances(start, lines, std::to_string(from_year) + "-01-01T00:00:00Z",
                     std::to_string(to_year) + "-01-01T00:00:00Z");
}

// The days `days` of one month at `time`, as the RFC lists them ("September 2,4,6").
Strings on(int year, int month, std::initializer_list<int> days, const char* zone_name,
           const char* time = "09:00") {
    Strings out;
    char buf[64];
    for (int d : days) {
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%s %s", year, month, d, time, zone_name);
        out.push_back(buf);
    }
    return out;
}

// Days `first` to `last` of one month ("September 2-30").
Strings span(int year, int month, int first, int last, const char* zone_name) {
    Strings out;
    for (int d = first; d <= last; ++d) {
        const Strings one = on(year, month, {d}, zone_name);
        out.push_back(one[0]);
    }
    return out;
}

Strings join(std::initializer_list<Strings> parts) {
    Strings out;
    for (const Strings& p : parts)
        out.insert(out.end(), p.begin(), p.end());
    return out;
}

Strings first(const Strings& all, std::size_t n) {
    return Strings(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(n, all.size())));
}

}  // namespace

TEST_CASE("RFC 5545 3.8.5.3: daily rules", "[recurrence][rfc5545]") {
    SECTION("Daily for 10 occurrences") {
        CHECK(years("19970902T090000", "RRULE:FREQ=DAILY;COUNT=10\r\n", 1997, 1998) ==
              span(1997, 9, 2, 11, "EDT"));
    }
    SECTION("Daily until December 24, 1997") {
        CHECK(years("19970902T090000", "RRULE:FREQ=DAILY;UNTIL=19971224T000000Z\r\n", 1997, 1999) ==
              join({span(1997, 9, 2, 30, "EDT"), span(1997, 10, 1, 25, "EDT"),
                    span(1997, 10, 26, 31, "EST"), span(1997, 11, 1, 30, "EST"),
                    span(1997, 12, 1, 23, "EST")}));
    }
    SECTION("Every other day - forever") {
        const Strings got = years("19970902T090000", "RRULE:FREQ=DAILY;INTERVAL=2\r\n", 1997, 1998);
        CHECK(first(got, 35) ==
              join({on(1997, 9, {2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30}, "EDT"),
                    on(1997, 10, {2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24}, "EDT"),
                    on(1997, 10, {26, 28, 30}, "EST"), on(1997, 11, {1, 3, 5, 7, 9}, "EST")}));
        CHECK(got.back() == "1997-12-31T09:00 EST");
    }
    SECTION("Every 10 days, 5 occurrences") {
        CHECK(years("19970902T090000", "RRULE:FREQ=DAILY;INTERVAL=10;COUNT=5\r\n", 1997, 1998) ==
              join({on(1997, 9, {2, 12, 22}, "EDT"), on(1997, 10, {2, 12}, "EDT")}));
    }
    SECTION("Every day in January, for 3 years (both forms)") {
        const Strings expected = join({span(1998, 1, 1, 31, "EST"), span(1999, 1, 1, 31, "EST"),
                                       span(2000, 1, 1, 31, "EST")});
        CHECK(years("19980101T090000",
                    "RRULE:FREQ=YEARLY;UNTIL=20000131T140000Z;BYMONTH=1;"
                    "BYDAY=SU,MO,TU,WE,TH,FR,SA\r\n",
                    1998, 2002) == expected);
        CHECK(years("19980101T090000", "RRULE:FREQ=DAILY;UNTIL=20000131T140000Z;BYMONTH=1\r\n",
                    1998, 2002) == expected);
    }
}

TEST_CASE("RFC 5545 3.8.5.3: weekly rules", "[recurrence][rfc5545]") {
    SECTION("Weekly for 10 occurrences") {
        CHECK(years("19970902T090000", "RRULE:FREQ=WEEKLY;COUNT=10\r\n", 1997, 1998) ==
              join({on(1997, 9, {2, 9, 16, 23, 30}, "EDT"), on(1997, 10, {7, 14, 21}, "EDT"),
                    on(1997, 10, {28}, "EST"), on(1997, 11, {4}, "EST")}));
    }
    SECTION("Weekly until December 24, 1997") {
        CHECK(
            years("19970902T090000", "RRULE:FREQ=WEEKLY;UNTIL=19971224T000000Z\r\n", 1997, 1999) ==
            join({on(1997, 9, {2, 9, 16, 23, 30}, "EDT"), on(1997, 10, {7, 14, 21}, "EDT"),
                  on(1997, 10, {28}, "EST"), on(1997, 11, {4, 11, 18, 25}, "EST"),
                  on(1997, 12, {2, 9, 16, 23}, "EST")}));
    }
    SECTION("Every other week - forever") {
        CHECK(
            first(years("19970902T090000", "RRULE:FREQ=WEEKLY;INTERVAL=2;WKST=SU\r\n", 1997, 1999),
                  13) == join({on(1997, 9, {2, 16, 30}, "EDT"), on(1997, 10, {14}, "EDT"),
                               on(1997, 10, {28}, "EST"), on(1997, 11, {11, 25}, "EST"),
                               on(1997, 12, {9, 23}, "EST"), on(1998, 1, {6, 20}, "EST"),
                               on(1998, 2, {3, 17}, "EST")}));
    }
    SECTION("Weekly on Tuesday and Thursday for five weeks (both forms)") {
        const Strings expected =
            join({on(1997, 9, {2, 4, 9, 11, 16, 18, 23, 25, 30}, "EDT"), on(1997, 10, {2}, "EDT")});
        CHECK(years("19970902T090000",
                    "RRULE:FREQ=WEEKLY;UNTIL=19971007T000000Z;WKST=SU;BYDAY=TU,TH\r\n", 1997,
                    1998) == expected);
        CHECK(years("19970902T090000", "RRULE:FREQ=WEEKLY;COUNT=10;WKST=SU;BYDAY=TU,TH\r\n", 1997,
                    1998) == expected);
    }
    SECTION("Every other week on Monday, Wednesday and Friday until December 24, 1997") {
        CHECK(years("19970901T090000",
                    "RRULE:FREQ=WEEKLY;INTERVAL=2;UNTIL=19971224T000000Z;WKST=SU;"
                    "BYDAY=MO,WE,FR\r\n",
                    1997, 1998) ==
              join({on(1997, 9, {1, 3, 5, 15, 17, 19, 29}, "EDT"),
                    on(1997, 10, {1, 3, 13, 15, 17}, "EDT"), on(1997, 10, {27, 29, 31}, "EST"),
                    on(1997, 11, {10, 12, 14, 24, 26, 28}, "EST"),
                    on(1997, 12, {8, 10, 12, 22}, "EST")}));
    }
    SECTION("Every other week on Tuesday and Thursday, for 8 occurrences") {
        CHECK(years("19970902T090000",
                    "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=8;WKST=SU;BYDAY=TU,TH\r\n", 1997, 1998) ==
              join({on(1997, 9, {2, 4, 16, 18, 30}, "EDT"), on(1997, 10, {2, 14, 16}, "EDT")}));
    }
    SECTION("WKST changes the days generated (MO, then SU)") {
        CHECK(years("19970805T090000",
                    "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=MO\r\n", 1997,
                    1998) == on(1997, 8, {5, 10, 19, 24}, "EDT"));
        CHECK(years("19970805T090000",
                    "RRULE:FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=TU,SU;WKST=SU\r\n", 1997,
                    1998) == on(1997, 8, {5, 17, 19, 31}, "EDT"));
    }
}

TEST_CASE("RFC 5545 3.8.5.3: monthly rules", "[recurrence][rfc5545]") {
    SECTION("Monthly on the first Friday for 10 occurrences") {
        CHECK(years("19970905T090000", "RRULE:FREQ=MONTHLY;COUNT=10;BYDAY=1FR\r\n", 1997, 1999) ==
              join({on(1997, 9, {5}, "EDT"), on(1997, 10, {3}, "EDT"), on(1997, 11, {7}, "EST"),
                    on(1997, 12, {5}, "EST"), on(1998, 1, {2}, "EST"), on(1998, 2, {6}, "EST"),
                    on(1998, 3, {6}, "EST"), on(1998, 4, {3}, "EST"), on(1998, 5, {1}, "EDT"),
                    on(1998, 6, {5}, "EDT")}));
    }
    SECTION("Monthly on the first Friday until December 24, 1997") {
        CHECK(years("19970905T090000", "RRULE:FREQ=MONTHLY;UNTIL=19971224T000000Z;BYDAY=1FR\r\n",
                    1997, 1999) == join({on(1997, 9, {5}, "EDT"), on(1997, 10, {3}, "EDT"),
                                         on(1997, 11, {7}, "EST"), on(1997, 12, {5}, "EST")}));
    }
    SECTION("Every other month on the first and last Sunday, for 10 occurrences") {
        CHECK(years("19970907T090000", "RRULE:FREQ=MONTHLY;INTERVAL=2;COUNT=10;BYDAY=1SU,-1SU\r\n",
                    1997, 1999) == join({on(1997, 9, {7, 28}, "EDT"), on(1997, 11, {2, 30}, "EST"),
                                         on(1998, 1, {4, 25}, "EST"), on(1998, 3, {1, 29}, "EST"),
                                         on(1998, 5, {3, 31}, "EDT")}));
    }
    SECTION("Monthly on the second-to-last Monday for 6 months") {
        CHECK(
            years("19970922T090000", "RRULE:FREQ=MONTHLY;COUNT=6;BYDAY=-2MO\r\n", 1997, 1999) ==
            join({on(1997, 9, {22}, "EDT"), on(1997, 10, {20}, "EDT"), on(1997, 11, {17}, "EST"),
                  on(1997, 12, {22}, "EST"), on(1998, 1, {19}, "EST"), on(1998, 2, {16}, "EST")}));
    }
    SECTION("Monthly on the third-to-the-last day, forever") {
        CHECK(first(years("19970928T090000", "RRULE:FREQ=MONTHLY;BYMONTHDAY=-3\r\n", 1997, 1999),
                    6) == join({on(1997, 9, {28}, "EDT"), on(1997, 10, {29}, "EST"),
                                on(1997, 11, {28}, "EST"), on(1997, 12, {29}, "EST"),
                                on(1998, 1, {29}, "EST"), on(1998, 2, {26}, "EST")}));
    }
    SECTION("Monthly on the 2nd and 15th for 10 occurrences") {
        CHECK(years("19970902T090000", "RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=2,15\r\n", 1997,
                    1999) == join({on(1997, 9, {2, 15}, "EDT"), on(1997, 10, {2, 15}, "EDT"),
                                   on(1997, 11, {2, 15}, "EST"), on(1997, 12, {2, 15}, "EST"),
                                   on(1998, 1, {2, 15}, "EST")}));
    }
    SECTION("Monthly on the first and last day for 10 occurrences") {
        CHECK(years("19970930T090000", "RRULE:FREQ=MONTHLY;COUNT=10;BYMONTHDAY=1,-1\r\n", 1997,
                    1999) ==
              join({on(1997, 9, {30}, "EDT"), on(1997, 10, {1}, "EDT"), on(1997, 10, {31}, "EST"),
                    on(1997, 11, {1, 30}, "EST"), on(1997, 12, {1, 31}, "EST"),
                    on(1998, 1, {1, 31}, "EST"), on(1998, 2, {1}, "EST")}));
    }
    SECTION("Every 18 months on the 10th thru 15th for 10 occurrences") {
        CHECK(years("19970910T090000",
                    "RRULE:FREQ=MONTHLY;INTERVAL=18;COUNT=10;BYMONTHDAY=10,11,12,13,14,15\r\n",
                    1997, 2001) == join({on(1997, 9, {10, 11, 12, 13, 14, 15}, "EDT"),
                                         on(1999, 3, {10, 11, 12, 13}, "EST")}));
    }
    SECTION("Every Tuesday, every other month") {
        CHECK(first(years("19970902T090000", "RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=TU\r\n", 1997,
                          1999),
                    18) ==
              join({on(1997, 9, {2, 9, 16, 23, 30}, "EDT"), on(1997, 11, {4, 11, 18, 25}, "EST"),
                    on(1998, 1, {6, 13, 20, 27}, "EST"), on(1998, 3, {3, 10, 17, 24, 31}, "EST")}));
    }
    SECTION("Every Friday the 13th, forever (DTSTART excluded)") {
        CHECK(first(instances("19970902T090000",
                              "EXDATE;TZID=America/New_York:19970902T090000\r\n"
                              "RRULE:FREQ=MONTHLY;BYDAY=FR;BYMONTHDAY=13\r\n",
                              "1997-01-01T00:00:00Z", "2001-01-01T00:00:00Z"),
                    5) ==
              join({on(1998, 2, {13}, "EST"), on(1998, 3, {13}, "EST"), on(1998, 11, {13}, "EST"),
                    on(1999, 8, {13}, "EDT"), on(2000, 10, {13}, "EDT")}));
    }
    SECTION("The first Saturday that follows the first Sunday of the month, forever") {
        CHECK(
            first(years("19970913T090000",
                        "RRULE:FREQ=MONTHLY;BYDAY=SA;BYMONTHDAY=7,8,9,10,11,12,13\r\n", 1997, 1999),
                  10) ==
            join({on(1997, 9, {13}, "EDT"), on(1997, 10, {11}, "EDT"), on(1997, 11, {8}, "EST"),
                  on(1997, 12, {13}, "EST"), on(1998, 1, {10}, "EST"), on(1998, 2, {7}, "EST"),
                  on(1998, 3, {7}, "EST"), on(1998, 4, {11}, "EDT"), on(1998, 5, {9}, "EDT"),
                  on(1998, 6, {13}, "EDT")}));
    }
    SECTION("The third instance of Tuesday, Wednesday or Thursday, for 3 months (BYSETPOS)") {
        CHECK(years("19970904T090000", "RRULE:FREQ=MONTHLY;COUNT=3;BYDAY=TU,WE,TH;BYSETPOS=3\r\n",
                    1997, 1998) ==
              join({on(1997, 9, {4}, "EDT"), on(1997, 10, {7}, "EDT"), on(1997, 11, {6}, "EST")}));
    }
    SECTION("The second-to-last weekday of the month (BYSETPOS=-2)") {
        CHECK(first(years("19970929T090000",
                          "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-2\r\n", 1997, 1999),
                    7) ==
              join({on(1997, 9, {29}, "EDT"), on(1997, 10, {30}, "EST"), on(1997, 11, {27}, "EST"),
                    on(1997, 12, {30}, "EST"), on(1998, 1, {29}, "EST"), on(1998, 2, {26}, "EST"),
                    on(1998, 3, {30}, "EST")}));
    }
    SECTION("An invalid date (February 30) is ignored") {
        CHECK(years("20070115T090000", "RRULE:FREQ=MONTHLY;BYMONTHDAY=15,30;COUNT=5\r\n", 2007,
                    2008) == join({on(2007, 1, {15, 30}, "EST"), on(2007, 2, {15}, "EST"),
                                   on(2007, 3, {15, 30}, "EDT")}));
    }
}

TEST_CASE("RFC 5545 3.8.5.3: yearly rules", "[recurrence][rfc5545]") {
    SECTION("Yearly in June and July for 10 occurrences") {
        Strings expected;
        for (int y = 1997; y <= 2001; ++y)
            expected = join({expected, on(y, 6, {10}, "EDT"), on(y, 7, {10}, "EDT")});
        CHECK(years("19970610T090000", "RRULE:FREQ=YEARLY;COUNT=10;BYMONTH=6,7\r\n", 1997, 2003) ==
              expected);
    }
    SECTION("Every other year on January, February and March for 10 occurrences") {
        Strings expected = on(1997, 3, {10}, "EST");
        for (int y : {1999, 2001, 2003})
            expected = join(
                {expected, on(y, 1, {10}, "EST"), on(y, 2, {10}, "EST"), on(y, 3, {10}, "EST")});
        CHECK(years("19970310T090000", "RRULE:FREQ=YEARLY;INTERVAL=2;COUNT=10;BYMONTH=1,2,3\r\n",
                    1997, 2005) == expected);
    }
    SECTION("Every third year on the 1st, 100th and 200th day for 10 occurrences") {
        CHECK(years("19970101T090000",
                    "RRULE:FREQ=YEARLY;INTERVAL=3;COUNT=10;BYYEARDAY=1,100,200\r\n", 1997, 2008) ==
              join({on(1997, 1, {1}, "EST"), on(1997, 4, {10}, "EDT"), on(1997, 7, {19}, "EDT"),
                    on(2000, 1, {1}, "EST"), on(2000, 4, {9}, "EDT"), on(2000, 7, {18}, "EDT"),
                    on(2003, 1, {1}, "EST"), on(2003, 4, {10}, "EDT"), on(2003, 7, {19}, "EDT"),
                    on(2006, 1, {1}, "EST")}));
    }
    SECTION("Every 20th Monday of the year, forever") {
        CHECK(first(years("19970519T090000", "RRULE:FREQ=YEARLY;BYDAY=20MO\r\n", 1997, 2000), 3) ==
              join({on(1997, 5, {19}, "EDT"), on(1998, 5, {18}, "EDT"), on(1999, 5, {17}, "EDT")}));
    }
    SECTION("Monday of week number 20, forever") {
        CHECK(first(years("19970512T090000", "RRULE:FREQ=YEARLY;BYWEEKNO=20;BYDAY=MO\r\n", 1997,
                          2000),
                    3) ==
              join({on(1997, 5, {12}, "EDT"), on(1998, 5, {11}, "EDT"), on(1999, 5, {17}, "EDT")}));
    }
    SECTION("Every Thursday in March, forever") {
        CHECK(
            first(years("19970313T090000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=TH\r\n", 1997, 2000),
                  11) ==
            join({on(1997, 3, {13, 20, 27}, "EST"), on(1998, 3, {5, 12, 19, 26}, "EST"),
                  on(1999, 3, {4, 11, 18, 25}, "EST")}));
    }
    SECTION("Every Thursday, but only during June, July and August, forever") {
        CHECK(first(years("19970605T090000", "RRULE:FREQ=YEARLY;BYDAY=TH;BYMONTH=6,7,8\r\n", 1997,
                          2000),
                    39) ==
              join({on(1997, 6, {5, 12, 19, 26}, "EDT"), on(1997, 7, {3, 10, 17, 24, 31}, "EDT"),
                    on(1997, 8, {7, 14, 21, 28}, "EDT"), on(1998, 6, {4, 11, 18, 25}, "EDT"),
                    on(1998, 7, {2, 9, 16, 23, 30}, "EDT"), on(1998, 8, {6, 13, 20, 27}, "EDT"),
                    on(1999, 6, {3, 10, 17, 24}, "EDT"), on(1999, 7, {1, 8, 15, 22, 29}, "EDT"),
                    on(1999, 8, {5, 12, 19, 26}, "EDT")}));
    }
    SECTION("Every 4 years, the first Tuesday after a Monday in November (election day)") {
        CHECK(first(years("19961105T090000",
                          "RRULE:FREQ=YEARLY;INTERVAL=4;BYMONTH=11;BYDAY=TU;"
                          "BYMONTHDAY=2,3,4,5,6,7,8\r\n",
                          1996, 2006),
                    3) ==
              join({on(1996, 11, {5}, "EST"), on(2000, 11, {7}, "EST"), on(2004, 11, {2}, "EST")}));
    }
}

TEST_CASE("RFC 5545 3.8.5.3: hourly and minutely rules", "[recurrence][rfc5545]") {
    SECTION("Every 3 hours from 9:00 AM to 5:00 PM on a specific day") {
        // The RFC prints UNTIL=19970902T170000Z, which is 13:00 EDT; verified erratum 3883
        // corrects it to 21:00Z (17:00 EDT), which gives the printed instances.
        CHECK(years("19970902T090000", "RRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T210000Z\r\n",
                    1997, 1998) ==
              Strings{"1997-09-02T09:00 EDT", "1997-09-02T12:00 EDT", "1997-09-02T15:00 EDT"});
        // As printed, UNTIL (an instant, 3.3.10) ends the day at 13:00 EDT.
        CHECK(years("19970902T090000", "RRULE:FREQ=HOURLY;INTERVAL=3;UNTIL=19970902T170000Z\r\n",
                    1997, 1998) == Strings{"1997-09-02T09:00 EDT", "1997-09-02T12:00 EDT"});
    }
    SECTION("Every 15 minutes for 6 occurrences") {
        CHECK(years("19970902T090000", "RRULE:FREQ=MINUTELY;INTERVAL=15;COUNT=6\r\n", 1997, 1998) ==
              Strings{"1997-09-02T09:00 EDT", "1997-09-02T09:15 EDT", "1997-09-02T09:30 EDT",
                      "1997-09-02T09:45 EDT", "1997-09-02T10:00 EDT", "1997-09-02T10:15 EDT"});
    }
    SECTION("Every hour and a half for 4 occurrences") {
        CHECK(years("19970902T090000", "RRULE:FREQ=MINUTELY;INTERVAL=90;COUNT=4\r\n", 1997, 1998) ==
              Strings{"1997-09-02T09:00 EDT", "1997-09-02T10:30 EDT", "1997-09-02T12:00 EDT",
                      "1997-09-02T13:30 EDT"});
    }
    SECTION("Every 20 minutes from 9:00 AM to 4:40 PM every day (both forms)") {
        Strings day_one;
        Strings day_two;
        for (int h = 9; h <= 16; ++h) {
            for (int m : {0, 20, 40}) {
                char buf[32];
                std::snprintf(buf, sizeof buf, "%02d:%02d", h, m);
                day_one.push_back(on(1997, 9, {2}, "EDT", buf)[0]);
                day_two.push_back(on(1997, 9, {3}, "EDT", buf)[0]);
            }
        }
        const Strings expected = join({day_one, day_two});
        const std::string from = "1997-09-02T00:00:00Z";
        const std::string to = "1997-09-04T04:00:00Z";  // midnight after the 3rd, in New York
        CHECK(instances("19970902T090000",
                        "RRULE:FREQ=DAILY;BYHOUR=9,10,11,12,13,14,15,16;BYMINUTE=0,20,40\r\n", from,
                        to) == expected);
        CHECK(instances("19970902T090000",
                        "RRULE:FREQ=MINUTELY;INTERVAL=20;BYHOUR=9,10,11,12,13,14,15,16\r\n", from,
                        to) == expected);
    }
}
