#include "providers/provider_kinds.hpp"

#include <algorithm>
#include <iterator>

#include "providers/google/google_oauth.hpp"
#include "providers/google/google_provider.hpp"
#include "providers/google/google_push.hpp"
#include "providers/ics_feed/ics_feed_provider.hpp"
#include "providers/microsoft/graph_oauth.hpp"
#include "providers/microsoft/graph_provider.hpp"
#include "providers/microsoft/graph_push.hpp"

namespace calsync::providers {
namespace {

// offline_access asks for a refresh token; Microsoft does not list it among the scopes it
// reports as granted, so a grant is not short of it.
std::vector<std::string> graph_granted_scopes(bool exports) {
    auto scopes = microsoft::oauth_scopes(exports);
    scopes.erase(std::remove(scopes.begin(), scopes.end(), "offline_access"), scopes.end());
    return scopes;
}

const ProviderKindTraits kTraits[] = {
    {ProviderKind::google, "Google", google::kCapabilities, &google::read_push,
     "an X-Goog-Channel-ID header", &google::oauth_scopes},
    {ProviderKind::microsoft, "Microsoft", microsoft::kCapabilities, &microsoft::read_push,
     "a calsync connection named in its URL", &graph_granted_scopes},
    {ProviderKind::caldav, "CalDAV", {}, nullptr, nullptr, nullptr},
    {ProviderKind::icloud, "iCloud", {}, nullptr, nullptr, nullptr},
    {ProviderKind::ics_feed, "ICS feed", ics_feed::kCapabilities, nullptr, nullptr, nullptr},
};

}  // namespace

const ProviderKindTraits& traits_of(ProviderKind kind) {
    const auto* found =
        std::find_if(std::begin(kTraits), std::end(kTraits),
                     [kind](const ProviderKindTraits& t) { return t.kind == kind; });
    // Every kind has a row; were one missing, the plainest (CalDAV's: no OAuth, no push).
    return found != std::end(kTraits) ? *found : kTraits[2];
}

std::vector<const ProviderKindTraits*> push_kinds() {
    std::vector<const ProviderKindTraits*> kinds;
    for (const ProviderKindTraits& t : kTraits) {
        if (t.read_push != nullptr)
            kinds.push_back(&t);
    }
    return kinds;
}

}  // namespace calsync::providers
