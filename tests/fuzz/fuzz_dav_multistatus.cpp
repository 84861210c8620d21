// The DAV multistatus reader (RFC 4918, 4791, 6578) on any body a CalDAV server may send,
// then the lookups the CalDAV provider makes on what it read. The input is the XML body.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "providers/caldav/dav_xml.hpp"

using namespace calsync::providers::caldav;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto multistatus = parse_multistatus(calsync::fuzz::text_of(data, size));
    if (!multistatus.ok())
        return 0;
    const std::string dav = kDavNs;
    const std::string cal = kCalDavNs;
    for (const DavResponse& r : multistatus->responses) {
        for (const std::string& name :
             {dav + "|getetag", dav + "|displayname", dav + "|current-user-principal",
              cal + "|calendar-home-set", cal + "|calendar-data",
              cal + "|supported-calendar-component-set",
              std::string(kAppleNs) + "|calendar-color"}) {
            if (const DavProp* p = r.prop(name))
                (void)p->text.size();
        }
        (void)r.has(dav + "|resourcetype", cal + "|calendar");
        (void)r.has(dav + "|current-user-privilege-set", dav + "|write");
    }
    return 0;
}
