// Outlook and Microsoft 365 calendars through Microsoft Graph. Calendar ids and event ids
// are Graph's own (case-sensitive) ids. Every request goes through the connection's
// OAuthSession; national clouds are reached through `api_base_url`
// (graph.microsoft.us, microsoftgraph.chinacloudapi.cn, ...).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "calsync/provider.hpp"
#include "net/oauth_session.hpp"
#include "net/retry.hpp"
#include "providers/microsoft/graph_client.hpp"
#include "providers/microsoft/graph_export.hpp"
#include "providers/microsoft/graph_import.hpp"
#include "providers/microsoft/graph_push.hpp"

namespace calsync::providers::microsoft {

// OAuth, reads through the sync window (calendarView), subscriptions.
constexpr ProviderCapabilities kCapabilities{true, true, true};

struct GraphOptions {
    std::string api_base_url = "https://graph.microsoft.com/v1.0";
    // Delta for the default calendar; false reads it by listing too.
    bool delta_for_default_calendar = true;
    ImportOptions import;
    ExportOptions exports;
    PushOptions push;
};

class GraphProvider : public CalendarProvider, public PushChannels {
  public:
    GraphProvider(GraphOptions options, std::shared_ptr<net::OAuthSession> session,
                  std::shared_ptr<net::HttpClient> http);

    // /me/calendars, every page; canEdit -> can_write, isDefaultCalendar -> is_primary.
    Result<std::vector<Calendar>> list_calendars() override;
    // The default calendar by calendarView/delta, any other by a windowed listing compared
    // by changeKey (graph_import.hpp); the cursor says which, so the choice sticks.
    Result<ChangeSet> fetch_changes(const std::string& calendar_id, const std::string& cursor,
                                    const TimeRange& window) override;
    Result<RemoteEvent> create_event(const std::string& calendar_id, const Event& event) override;
    Result<RemoteEvent> update_event(const std::string& calendar_id, const RemoteEvent& existing,
                                     const Event& event) override;
    Result<void> delete_event(const std::string& calendar_id, const RemoteEvent& existing) override;
    // By the appointment property (graph_export.hpp).
    Result<std::optional<RemoteEvent>> find_export(const std::string& calendar_id,
                                                   const std::string& appointment_id) override;

    ProviderCapabilities capabilities() const override { return kCapabilities; }
    PushChannels* push() override { return this; }
    // A subscription whose clientState is signed with the request's host key (the
    // provider built from a connection's settings never holds it).
    Result<PushSubscription> subscribe(const PushChannelRequest& request) override;
    // PATCH of the expiry; Error not_found when Graph deleted it (expired, or removed
    // after a missed reauthorization).
    Result<PushSubscription> renew(const PushSubscription& channel,
                                   const PushChannelRequest& request) override;
    Result<void> stop(const PushSubscription& channel) override;

    Result<Subscription> subscribe(const std::string& calendar_id, const std::string& connection_id,
                                   const std::string& endpoint, Instant now);
    Result<Subscription> renew(const std::string& subscription_id, Instant now);
    // The same with `push` instead of the options' own: the sync service signs clientState
    // with its host key, which the provider built from a connection's settings never holds.
    Result<Subscription> subscribe(const std::string& calendar_id, const std::string& connection_id,
                                   const std::string& endpoint, Instant now,
                                   const PushOptions& push);
    Result<Subscription> renew(const std::string& subscription_id, Instant now,
                               const PushOptions& push);
    Result<void> unsubscribe(const std::string& subscription_id);

  private:
    Result<bool> is_default_calendar(const std::string& calendar_id);

    GraphOptions options_;
    GraphClient client_;
    std::vector<Calendar> calendars_;  // the last listing
};

}  // namespace calsync::providers::microsoft
