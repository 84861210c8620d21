// The DAV multistatus reader (RFC 4918, 4791, 6578) on any body a CalDAV server may send,
// then the lookups the CalDAV provider makes on what it read. The input is the XML body.
#include <cstdint>
#include <string>

#include "fuzz_support.hpp"
#include "providers/caldav/dav_xml.hpp"

using namespace calsync::providers::caldav;

namespace {

// The text the reader keeps: hrefs, property texts, what is packed inside properties and
// errors.
std::size_t bytes_kept(const Multistatus& m) {
    std::size_t n = m.sync_token.size() + m.packed_errors.size();
    for (const DavResponse& r : m.responses) {
        n += r.href.size() + r.packed_errors.size();
        for (const DavProp& p : r.props)
            n += p.name.size() + p.text.size() + p.packed.size();
    }
    return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    auto multistatus = parse_multistatus(calsync::fuzz::text_of(data, size));
    if (!multistatus.ok())
        return 0;
    // Issue 12: the reader's memory stays proportional to the body, a few times its size at
    // most (expat's namespace URIs must not be copied into every descendant's name).
    if (bytes_kept(multistatus.value()) > 4 * size + 4096)
        calsync::fuzz::broken("the multistatus reader keeps " +
                              std::to_string(bytes_kept(multistatus.value())) +
                              " bytes of text for a body of " + std::to_string(size));
    const std::string dav = kDavNs;
    const std::string cal = kCalDavNs;
    for (const DavResponse& r : multistatus->responses) {
        for (const std::string& name :
             {dav + "|getetag", dav + "|displayname", dav + "|current-user-principal",
              cal + "|calendar-home-set", cal + "|calendar-data",
              cal + "|supported-calendar-component-set",
              std::string(kAppleNs) + "|calendar-color"}) {
            if (const DavProp* p = r.prop(name)) {
                (void)p->hrefs();
                (void)p->comp_names();
            }
        }
        (void)r.has(dav + "|resourcetype", cal + "|calendar");
        (void)r.has(dav + "|current-user-privilege-set", dav + "|write");
    }
    return 0;
}
