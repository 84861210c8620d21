#include "providers/microsoft/graph_provider.hpp"

#include <algorithm>

#include "providers/microsoft/graph_error.hpp"

namespace calsync::providers::microsoft {
namespace {

Calendar read_calendar(const rapidjson::Value& c) {
    Calendar out;
    out.id = string_member(c, "id");
    out.name = string_member(c, "name");
    // hexColor ("#FF8800") when the user chose one; else the named colour ("lightBlue"),
    // and "auto" means Outlook picks, so nothing is kept.
    out.color = string_member(c, "hexColor");
    if (out.color.empty() && string_member(c, "color") != "auto")
        out.color = string_member(c, "color");
    out.can_write = bool_member(c, "canEdit", false);
    out.is_primary = bool_member(c, "isDefaultCalendar", false);
    if (const rapidjson::Value* owner = object_member(c, "owner"))
        out.owner = string_member(*owner, "address");
    return out;
}

}  // namespace

GraphProvider::GraphProvider(GraphOptions options, std::shared_ptr<net::OAuthSession> session,
                             std::shared_ptr<net::HttpClient> http)
    : options_(std::move(options)),
      client_(options_.api_base_url, std::move(session), std::move(http)) {}

Result<std::vector<Calendar>> GraphProvider::list_calendars() {
    std::vector<Calendar> out;
    std::string url =
        client_.url("/me/calendars") + query_string({{"$select",
                                                      "id,name,color,hexColor,canEdit,"
                                                      "isDefaultCalendar,owner"}});
    for (int pages = 0; !url.empty(); ++pages) {
        if (pages >= options_.import.max_pages)
            return make_error(ErrorCode::limit_exceeded, "GET calendars: too many pages");
        auto response = client_.get(url);
        if (!response.ok())
            return response.error();
        auto page = client_.read_collection(response.value(), "GET calendars");
        if (!page.ok())
            return page.error();
        for (const auto& c : page->items().GetArray()) {
            Calendar calendar = read_calendar(c);
            if (!calendar.id.empty())
                out.push_back(std::move(calendar));
        }
        url = page->next_link;
    }
    calendars_ = out;
    return out;
}

Result<bool> GraphProvider::is_default_calendar(const std::string& calendar_id) {
    const auto find = [&] {
        return std::find_if(calendars_.begin(), calendars_.end(),
                            [&](const Calendar& c) { return c.id == calendar_id; });
    };
    if (find() == calendars_.end()) {
        auto listed = list_calendars();
        if (!listed.ok())
            return listed.error();
    }
    auto it = find();
    if (it == calendars_.end())
        return make_error(ErrorCode::not_found,
                          "Microsoft Graph lists no calendar with the id " + calendar_id);
    return it->is_primary;
}

Result<ChangeSet> GraphProvider::fetch_changes(const std::string& calendar_id,
                                               const std::string& cursor, const TimeRange& window) {
    if (window.empty())
        return make_error(ErrorCode::invalid_argument,
                          "Microsoft Graph needs a sync window (calendarView is windowed)");
    bool delta = is_delta_cursor(cursor);
    if (!delta && !is_listing_cursor(cursor)) {
        auto is_default = is_default_calendar(calendar_id);
        if (!is_default.ok())
            return is_default.error();
        delta = is_default.value() && options_.delta_for_default_calendar;
    }
    return delta ? delta_changes(client_, options_.import, calendar_id, cursor, window)
                 : listing_changes(client_, options_.import, calendar_id, cursor, window);
}

Result<RemoteEvent> GraphProvider::create_event(const std::string& calendar_id,
                                                const Event& event) {
    return create_export(client_, options_.exports, calendar_id, event);
}

Result<RemoteEvent> GraphProvider::update_event(const std::string&, const RemoteEvent& existing,
                                                const Event& event) {
    return update_export(client_, options_.exports, existing, event);
}

Result<void> GraphProvider::delete_event(const std::string&, const RemoteEvent& existing) {
    return delete_export(client_, existing);
}

Result<std::optional<RemoteEvent>> GraphProvider::find_export(const std::string& calendar_id,
                                                              const std::string& appointment_id) {
    return microsoft::find_export(client_, calendar_id, appointment_id);
}

Result<Subscription> GraphProvider::subscribe(const std::string& calendar_id,
                                              const std::string& connection_id,
                                              const std::string& endpoint, Instant now) {
    return create_subscription(client_, options_.push, endpoint, connection_id, calendar_id, now);
}

Result<Subscription> GraphProvider::renew(const std::string& subscription_id, Instant now) {
    return renew_subscription(client_, options_.push, subscription_id, now);
}

Result<Subscription> GraphProvider::subscribe(const std::string& calendar_id,
                                              const std::string& connection_id,
                                              const std::string& endpoint, Instant now,
                                              const PushOptions& push) {
    return create_subscription(client_, push, endpoint, connection_id, calendar_id, now);
}

Result<Subscription> GraphProvider::renew(const std::string& subscription_id, Instant now,
                                          const PushOptions& push) {
    return renew_subscription(client_, push, subscription_id, now);
}

Result<void> GraphProvider::unsubscribe(const std::string& subscription_id) {
    return delete_subscription(client_, subscription_id);
}

namespace {

PushOptions signed_with(PushOptions push, const std::string& host_key) {
    push.host_key = host_key;
    return push;
}

}  // namespace

Result<PushSubscription> GraphProvider::subscribe(const PushChannelRequest& request) {
    auto sub = subscribe(request.calendar_id, request.connection_id, request.address, request.now,
                         signed_with(options_.push, request.host_key));
    if (!sub.ok())
        return sub.error();
    return PushSubscription{
        sub->id, "", sub->expires_at,
        client_state_for(request.host_key, request.connection_id, request.calendar_id)};
}

Result<PushSubscription> GraphProvider::renew(const PushSubscription& channel,
                                              const PushChannelRequest& request) {
    auto sub = renew(channel.channel_id, request.now, signed_with(options_.push, request.host_key));
    if (!sub.ok())
        return sub.error();
    return PushSubscription{sub->id, "", sub->expires_at, ""};
}

Result<void> GraphProvider::stop(const PushSubscription& channel) {
    return unsubscribe(channel.channel_id);
}

}  // namespace calsync::providers::microsoft
