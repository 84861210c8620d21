// What each kind of provider can do, known before a provider of it exists: the sync
// service and the C ABI choose OAuth at connect, refuse push to a service without it, and
// read an incoming notification before anything says which connection it is for. The one
// place that names the services; code above the adapters asks here.
#pragma once

#include <string>
#include <vector>

#include "calsync/provider.hpp"
#include "calsync/push.hpp"

namespace calsync::providers {

struct ProviderKindTraits {
    ProviderKind kind;
    const char* display_name;  // "Google", "Microsoft", "CalDAV", "iCloud", "ICS feed"
    ProviderCapabilities capabilities;
    PushReader read_push;   // nullptr without push
    const char* push_mark;  // what read_push knows its service's requests by, for errors
    // The scopes a finished grant must report (oauth only; nullptr otherwise): reading,
    // and writing too when `exports`.
    std::vector<std::string> (*required_scopes)(bool exports);
};

const ProviderKindTraits& traits_of(ProviderKind kind);
inline ProviderCapabilities capabilities_of(ProviderKind kind) {
    return traits_of(kind).capabilities;
}

// The kinds with push (a read_push), in a fixed order.
std::vector<const ProviderKindTraits*> push_kinds();

}  // namespace calsync::providers
