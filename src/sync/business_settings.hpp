// A business's own settings (issue 16, item 1): the parts of SyncSettings that belong to
// the business, not to the host or the worker running it: its zone, sync window, default
// calendar policy and export policy. The store keeps them per business as a JSON document
// (StateStore::put_business_settings) with the members of the C ABI's client
// configuration ("zone", "window", "policy", "export"), so a host configures a business
// by opening its client once and every fleet worker syncs it that way. OAuth clients,
// network, schedule and host key stay the host's.
#pragma once

#include <string>

#include "calsync/store.hpp"
#include "calsync/sync.hpp"
#include "core/json_read.hpp"

namespace calsync::sync {

// Reads "zone", "window" {"days_back", "days_ahead"}, "policy" {flags} and "export"
// {"busy_only", "busy_summary", "uid_domain", "location", "include_notes",
// "on_remote_edit", "on_remote_delete"} of `doc` over `out`, each when present.
bool read_business_members(const rapidjson::Value& doc, SyncSettings* out,
                           json::detail::Problem* p);

// The business's part of `settings` as a version-1 document of those members.
std::string business_settings_json(const SyncSettings& settings);

// `host` with the business's part replaced by what `store` holds, or `host` as it is when
// the business never stored any. Error invalid_argument, naming the member, when the
// stored document cannot be read.
Result<SyncSettings> with_stored_business_settings(SyncSettings host, StateStore& store);

// Stores the business's part of `settings` unless the store holds exactly that already.
Result<void> store_business_settings(StateStore& store, const SyncSettings& settings);

}  // namespace calsync::sync
