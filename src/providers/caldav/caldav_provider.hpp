// CalDAV (RFC 4791) with discovery (RFC 6764) and sync-collection (RFC 6578); also the
// iCloud preset. Calendar ids are absolute collection URLs; event ids are resource hrefs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "calsync/provider.hpp"
#include "net/redirects.hpp"
#include "net/retry.hpp"
#include "providers/caldav/dav_xml.hpp"

namespace calsync::providers::caldav {

struct CalDavOptions {
    std::string url;  // a server, a principal, a calendar home or a calendar
    std::string username;
    // Never logged; sent as Basic auth only to the origin of `url` (and, for a preset, the
    // service's own https hosts), never over plain http once `url` is https.
    std::string password;
    bool icloud = false;  // names app-specific passwords when the server answers 401
    // A preset service spread over hosts of one DNS domain (iCloud: the home is on
    // pNN-caldav.icloud.com): the password also goes to https hosts in it.
    std::string service_domain{};
    // The calendar home an earlier discovery found (learned_settings): listing starts
    // there, and discovers again only if the home no longer answers.
    std::string calendar_home{};
};

// Apple's CalDAV entry point; it answers with the account's partition host.
CalDavOptions icloud_options(std::string apple_id, std::string app_specific_password);

class CalDavProvider : public CalendarProvider {
  public:
    CalDavProvider(CalDavOptions options, std::shared_ptr<net::HttpClient> http);

    // Finds the principal and the calendar home; list_calendars() calls it when needed.
    Result<void> discover();
    const std::string& calendar_home() const { return home_; }

    Result<std::vector<Calendar>> list_calendars() override;
    // {"calendar_home": "..."} once discovery found one.
    std::string learned_settings() const override;
    Result<ChangeSet> fetch_changes(const std::string& calendar_id, const std::string& cursor,
                                    const TimeRange& window) override;
    Result<RemoteEvent> create_event(const std::string& calendar_id, const Event& event) override;
    Result<RemoteEvent> update_event(const std::string& calendar_id, const RemoteEvent& existing,
                                     const Event& event) override;
    Result<void> delete_event(const std::string& calendar_id, const RemoteEvent& existing) override;

  private:
    struct Reply;
    Result<Reply> send(const std::string& method, const std::string& url, const char* depth,
                       const std::string& body, const std::vector<net::Header>& extra = {});
    Result<std::string> find_href(const std::string& url, const std::string& property);
    Result<std::vector<Calendar>> list_home();
    Result<ChangeSet> sync_collection(const std::string& calendar, const std::string& token,
                                      bool full);
    Result<ChangeSet> etag_sync(const std::string& calendar, const std::string& cursor);
    Result<void> read_resources(const std::string& calendar, const std::vector<std::string>& hrefs,
                                ChangeSet* into);
    // A 207 answer to `method`, parsed; any other status is an error. `final_url` receives
    // the URL that answered (after redirects), which relative hrefs resolve against.
    Result<Multistatus> multistatus(const std::string& method, const std::string& url,
                                    const char* depth, const std::string& body,
                                    std::string* final_url = nullptr);
    // Adds the series in one multistatus member's calendar-data (with its etag); false when
    // the member carries no data.
    static bool add_member(const DavResponse& member, const std::string& calendar, ChangeSet* into);
    // add_member for each of `members`, in their order; a large answer is read on a few
    // threads. Per member: whether it carried data.
    static std::vector<char> add_members(const std::vector<const DavResponse*>& members,
                                         const std::string& calendar, ChangeSet* into);
    static std::string absolute(const std::string& href, const std::string& base);

    CalDavOptions options_;
    std::shared_ptr<net::HttpClient> http_;
    net::RedirectPolicy redirects_;  // the password, and where it may go
    std::string principal_;
    std::string home_;
};

}  // namespace calsync::providers::caldav
