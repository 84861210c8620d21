// Google Calendar API v3 as a CalendarProvider: calendarList.list, events.list full and
// incremental sync (syncToken, 410 => full resync) and events.watch / channels.stop for
// push (google_provider.cpp); exports with client-chosen ids, events.patch and If-Match
// (google_exports.cpp). Every request goes through the
// connection's OAuthSession (bearer token, refresh) and an HttpClient (retries; see
// google_api_client.hpp for the one with Google's throttling rules and the shared pace).
//
// Ids: calendar ids are Google's (an address, or "primary"); event ids are Google's event
// ids; a series is one Event (the master's id) with its exceptions as overrides.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "calsync/provider.hpp"
#include "net/oauth_session.hpp"
#include "net/retry.hpp"

namespace calsync::providers::google {

// OAuth, reads through the sync window (timeMin/timeMax), events.watch channels.
constexpr ProviderCapabilities kCapabilities{true, true, true};

constexpr const char* kGoogleApiBase = "https://www.googleapis.com/calendar/v3";

struct GoogleOptions {
    std::string api_base_url = kGoogleApiBase;  // no trailing slash; a fake in tests
    int events_page_size = 2500;                // events.list maxResults (the maximum)
    int calendars_page_size = 250;              // calendarList.list maxResults (the maximum)
    int max_pages = 10000;                      // per listing, against a server that never ends one
};

struct WatchRequest {
    std::string channel_id;             // unique per channel: 1-64 of [A-Za-z0-9-_+/=] (a UUID)
    std::string address;                // the host's HTTPS receiver
    std::string connection_id;          // signed into the channel token with the calendar id
    std::string host_key;               // the key that signs it (see google_push.hpp)
    std::optional<Instant> expiration;  // asked for; Google may shorten it
};

struct WatchChannel {
    std::string id;
    std::string resource_id;  // with `id`, what channels.stop needs
    std::string resource_uri;
    std::string calendar_id;
    std::optional<Instant> expiration;  // channels are not renewed: watch again before
};

struct IncrementalPlan;  // google_series.hpp
struct GoogleItem;       // google_event_json.hpp

class GoogleProvider : public CalendarProvider, public PushChannels {
  public:
    GoogleProvider(GoogleOptions options, std::shared_ptr<net::OAuthSession> session,
                   std::shared_ptr<net::HttpClient> http);

    // calendarList.list, every page: accessRole writer or owner can take exports.
    Result<std::vector<Calendar>> list_calendars() override;
    // Without a cursor: a full sync within `window` (timeMin/timeMax), every page,
    // showDeleted=true. With one: the changes since that sync token; a series touched by
    // a change is read again whole (one events.list by iCalUID per series) so each upsert
    // is a complete series. An expired token (410) gives a full resync instead.
    Result<ChangeSet> fetch_changes(const std::string& calendar_id, const std::string& cursor,
                                    const TimeRange& window) override;
    // events.insert with the id derived from the marker; a 409 (the id is taken: an
    // earlier attempt whose answer was lost, or an export deleted since, which Google
    // keeps as cancelled) reads that event and patches what differs: never a second event.
    Result<RemoteEvent> create_event(const std::string& calendar_id, const Event& event) override;
    // events.get, then events.patch with If-Match of only the fields calsync writes that
    // differ (nothing at all when none does): what the owner or another app added stays.
    // Error conflict when the event is no longer `existing.etag` (a 412 likewise), Error
    // not_found when it was deleted.
    Result<RemoteEvent> update_event(const std::string& calendar_id, const RemoteEvent& existing,
                                     const Event& event) override;
    // events.delete with If-Match; already deleted (410) or gone (404) is success.
    Result<void> delete_event(const std::string& calendar_id, const RemoteEvent& existing) override;

    // events.get of the id derived from the appointment id; 404, 410, a cancelled event or
    // one marked for another appointment are none (one whose marker another app dropped
    // is ours: the id says so).
    Result<std::optional<RemoteEvent>> find_export(const std::string& calendar_id,
                                                   const std::string& appointment_id) override;

    ProviderCapabilities capabilities() const override { return kCapabilities; }
    PushChannels* push() override { return this; }
    // A watch() with a new channel id (a random UUID) and calsync's lifetime.
    Result<PushSubscription> subscribe(const PushChannelRequest& request) override;
    // Google channels are not renewed: always Error not_found (subscribe anew).
    Result<PushSubscription> renew(const PushSubscription& channel,
                                   const PushChannelRequest& request) override;
    Result<void> stop(const PushSubscription& channel) override;

    // events.watch: a web_hook channel whose token names the connection and calendar.
    Result<WatchChannel> watch(const std::string& calendar_id, const WatchRequest& request);
    // channels.stop; a channel Google no longer knows (404) counts as stopped.
    Result<void> stop_channel(const std::string& channel_id, const std::string& resource_id);

    net::OAuthSession& session() { return *session_; }

  private:
    struct Listing;
    Result<net::HttpResponse> call(const std::string& method, const std::string& url,
                                   const std::string& body, std::vector<net::Header> headers = {},
                                   bool retry_safe_post = false);
    std::string events_url(const std::string& calendar_id) const;
    std::string event_url(const std::string& calendar_id, const std::string& event_id) const;
    Result<Listing> list_events(const std::string& calendar_id,
                                std::vector<std::pair<std::string, std::string>> query,
                                bool need_sync_token);
    Result<ChangeSet> full_sync(const std::string& calendar_id, const TimeRange& window);
    Result<ChangeSet> incremental_sync(const std::string& calendar_id, const std::string& token);
    Result<void> read_series(const std::string& calendar_id, const std::string& master_id,
                             const IncrementalPlan& plan, ChangeSet* into);
    Result<RemoteEvent> write_event(const std::string& method, const std::string& url,
                                    const std::string& body, const std::string& if_match,
                                    const std::string& subject);
    // events.get of `url`; nullopt for 404 and 410.
    Result<std::optional<GoogleItem>> read_event(const std::string& url,
                                                 const std::string& calendar_id,
                                                 const std::string& subject);
    Result<RemoteEvent> patch_export(const std::string& url, const GoogleItem& current,
                                     const Event& event, const std::string& subject);

    GoogleOptions options_;
    std::shared_ptr<net::OAuthSession> session_;
    std::shared_ptr<net::HttpClient> http_;
};

}  // namespace calsync::providers::google
