// Writing calsync's exports to a Graph calendar without ever making a second event.
//
// A create carries a transactionId and an extended property derived from the appointment
// id (graph_event.hpp). When a create's fate is unknown (timeout, reset, 5xx after the
// request may have landed), the event is looked up by that property before the POST is
// sent again; the repeated POST carries the same transactionId, which Graph uses to drop
// it, should the lookup not see the first one yet. A 429 means Graph did not take the
// request (throttling happens before processing), so it is simply sent again after
// Retry-After.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "calsync/provider.hpp"
#include "net/retry.hpp"
#include "providers/microsoft/graph_client.hpp"

namespace calsync::providers::microsoft {

struct ExportOptions {
    int max_attempts = 4;
    // A Retry-After longer than this is not waited out: the Error carries it for the
    // scheduler instead.
    std::chrono::seconds max_retry_after{120};
    net::Sleeper sleep;  // empty: std::this_thread::sleep_for
};

Result<RemoteEvent> create_export(GraphClient& client, const ExportOptions& options,
                                  const std::string& calendar_id, const Event& event);
// PATCH with If-Match: existing.etag; a 412 re-reads the event and fails with conflict.
Result<RemoteEvent> update_export(GraphClient& client, const ExportOptions& options,
                                  const RemoteEvent& existing, const Event& event);
// 404 counts as done: the event is gone either way.
Result<void> delete_export(GraphClient& client, const RemoteEvent& existing);
// The export of `appointment_id` in the calendar, found by its extended property.
Result<std::optional<RemoteEvent>> find_export(GraphClient& client, const std::string& calendar_id,
                                               const std::string& appointment_id);

}  // namespace calsync::providers::microsoft
