// The JSON documents of the client half of the C ABI (schemas in calsync.h, "Clients")
// <-> the sync service's types. Structural mistakes fail with the field's path.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/sync.hpp"

namespace calsync::capi {

// A client on a fleet store: CLIENT_CONFIG's "store" member (calsync.h).
struct ClientStore {
    std::string url;          // as calsync_worker_options.store_url
    std::string business_id;  // the business the client opens; default kDefaultBusiness
};
// `store` receives CLIENT_CONFIG's "store" member when present; with `store` NULL (a
// worker's config, which names its store in its options) that member is refused.
Result<SyncSettings> parse_client_config(std::string_view text,
                                         std::optional<ClientStore>* store = nullptr);

struct ConnectRequest {
    ProviderKind kind = ProviderKind::caldav;
    std::string settings_json = "{}";  // without secrets
    std::string credentials_json = "{}";
    std::string tokens_json;  // google, microsoft
    std::string connection_id;
};
Result<ConnectRequest> parse_connect_request(std::string_view text);

struct AuthorizeBegin {
    ProviderKind kind = ProviderKind::google;
    std::string connection_id;
};
Result<AuthorizeBegin> parse_authorize_begin(std::string_view text);

struct AuthorizeComplete {
    std::string state;
    std::string code;
};
// {"state", "code"} or {"redirect_url"}; an "error" in the redirect is a refusal.
Result<AuthorizeComplete> parse_authorize_complete(std::string_view text);

struct SelectRequest {
    std::string calendar_id;
    CalendarDirection direction = CalendarDirection::import_only;
    std::optional<CalendarPolicy> policy;
};
Result<SelectRequest> parse_select_request(std::string_view text);

Result<TimeRange> parse_range(std::string_view text);

struct ConfirmRequest {
    TimeRange range;
    std::chrono::milliseconds timeout{3000};
};
Result<ConfirmRequest> parse_confirm_request(std::string_view text);

Result<Appointment> parse_appointment(std::string_view text);

struct TeamFeedRequest {
    std::string connection_id;
    TeamFeedOptions options;
};
Result<TeamFeedRequest> parse_team_feed_request(std::string_view text);

struct WatchDocument {
    std::string calendar_id;
    std::string address;
};
Result<WatchDocument> parse_watch_request(std::string_view text);
Result<PushRequest> parse_push_request(std::string_view text);
std::string write_watch(const PushWatch& watch);
std::string write_renewals(const std::vector<PushRenewal>& renewals);
std::string write_push_answer(const PushAnswer& answer);

std::string write_connection_info(const ConnectionRecord& connection);
std::string write_connections(const std::vector<ConnectionRecord>& connections,
                              const std::map<std::string, SyncStatus>& statuses);
std::string write_status(const SyncStatus& status,
                         const std::map<std::string, SyncStatus>& calendars);
std::string write_calendars(const ConnectionCalendars& calendars);
std::string write_report(const SyncReport& report);
std::string write_reports(const std::vector<SyncReport>& reports,
                          const std::vector<std::string>& unfinished = {});
std::string write_slot_diff(const std::string& connection_id, const SlotDiff& diff);
std::string write_slots(const std::vector<BlockedSlot>& slots, const std::vector<TimeRange>& busy);
std::string write_free(const std::vector<TimeRange>& free);
std::string write_free_answer(const FreeAnswer& answer);
std::string write_health(const HealthReport& report);
std::string write_appointments(const std::vector<AppointmentRecord>& appointments);
std::string write_authorization_start(const AuthorizationStart& start);

}  // namespace calsync::capi
