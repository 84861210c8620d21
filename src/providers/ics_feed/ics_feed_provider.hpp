// A read-only calendar behind a subscription URL (webcal:// or https:// .ics feed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "calsync/provider.hpp"
#include "net/retry.hpp"

namespace calsync::providers::ics_feed {

struct IcsFeedOptions {
    std::string calendar_id = "feed";
    std::string name;  // shown label; else the feed's X-WR-CALNAME
    std::vector<std::string> owner_addresses;
};

// One calendar, the feed, read whole each time (see ProviderCapabilities).
constexpr ProviderCapabilities kCapabilities{false, false, false, true};

// Fetches with a conditional GET (If-None-Match / If-Modified-Since); a 304 is "no
// change". The cursor remembers the validators and a fingerprint per event, so a changed
// feed yields only the events that changed (by UID, and UID + RECURRENCE-ID for a lone
// instance) and the ones that disappeared.
class IcsFeedProvider : public CalendarProvider {
  public:
    // `url` must already be normalised (net::normalize_user_url).
    IcsFeedProvider(std::string url, std::shared_ptr<net::HttpClient> http, IcsFeedOptions options);

    Result<std::vector<Calendar>> list_calendars() override;
    Result<ChangeSet> fetch_changes(const std::string& calendar_id, const std::string& cursor,
                                    const TimeRange& window) override;
    Result<RemoteEvent> create_event(const std::string& calendar_id, const Event& event) override;
    Result<RemoteEvent> update_event(const std::string& calendar_id, const RemoteEvent& existing,
                                     const Event& event) override;
    Result<void> delete_event(const std::string& calendar_id, const RemoteEvent& existing) override;
    ProviderCapabilities capabilities() const override { return kCapabilities; }

  private:
    // GET of the feed, conditional when a validator is given, following its redirects.
    Result<net::HttpResponse> get_feed(const std::string& etag, const std::string& last_modified);

    std::string url_;
    std::shared_ptr<net::HttpClient> http_;
    IcsFeedOptions options_;
    std::string feed_name_;
};

// A digest of everything about an event that changes when it blocks (times, recurrence,
// overrides, status ...), so two fetches can be compared event by event.
std::string fingerprint(const Event& event);

}  // namespace calsync::providers::ics_feed
