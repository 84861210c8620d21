// The health check: what a troubleshooting page tells a garage owner about one connection,
// each problem with what to do about it.
#include <rapidjson/document.h>

#include <algorithm>
#include <iterator>
#include <sstream>

#include "calsync/sync.hpp"
#include "core/bounded_json.hpp"
#include "core/user_terms.hpp"
#include "providers/provider_kinds.hpp"
#include "sync/service_state.hpp"

namespace calsync {
namespace {

std::string sign_in_action(ProviderKind kind) {
    if (providers::capabilities_of(kind).oauth)
        return "Reconnect the account: sign in again and allow access to your calendars.";
    switch (kind) {
        case ProviderKind::google:
        case ProviderKind::microsoft:
            break;  // OAuth, above
        case ProviderKind::icloud:
            return "Create a new app-specific password at appleid.apple.com (Sign-In and "
                   "Security) and reconnect with it; your normal Apple ID password does not "
                   "work here.";
        case ProviderKind::caldav:
            return "Check the user name and password for the calendar server and reconnect.";
        case ProviderKind::ics_feed:
            return "Check that the calendar's subscription link is still valid (some links "
                   "contain a secret that changes when it is reset) and add it again.";
    }
    return {};
}

HealthItem credentials_item(ProviderKind kind, const Result<std::vector<Calendar>>& listed) {
    HealthItem item{"credentials", listed.ok(), "", ""};
    if (listed.ok()) {
        item.reason = "The calendar service accepted the sign-in and listed " +
                      counted(listed->size(), "calendar") + ".";
        return item;
    }
    const Error& e = listed.error();
    switch (e.code) {
        case ErrorCode::auth:
            item.reason = "The calendar service refused the sign-in: " + e.message;
            item.action = sign_in_action(kind);
            break;
        case ErrorCode::network:
            item.reason = "The calendar service could not be reached: " + e.message;
            item.action =
                "Check the internet connection and the server address; if they are "
                "right, the service may be down: try again later.";
            break;
        case ErrorCode::rate_limited:
            item.reason = "The calendar service asked calsync to slow down.";
            item.action = "Nothing: calsync waits and tries again by itself.";
            break;
        default:
            item.reason = "The calendar service answered with an error: " + e.message;
            item.action = "Try again later; if it persists, reconnect the account.";
    }
    return item;
}

bool granted(const std::string& granted_scopes, const std::string& scope) {
    std::istringstream words(granted_scopes);
    std::string w;
    while (words >> w) {
        // Graph reports scopes with or without the resource prefix; a write scope also
        // covers reading.
        if (w == scope || w == "https://graph.microsoft.com/" + scope)
            return true;
        if (scope.size() > 9 && scope.compare(scope.size() - 9, 9, ".readonly") == 0 &&
            w == scope.substr(0, scope.size() - 9))
            return true;
        if (scope == "Calendars.Read" &&
            (w == "Calendars.ReadWrite" || w == "https://graph.microsoft.com/Calendars.ReadWrite"))
            return true;
    }
    return false;
}

std::string granted_scope_of(const std::string& credentials_json) {
    const rapidjson::Document doc = json::parse_bounded_or_null(credentials_json);
    if (!doc.IsObject() || !doc.HasMember("tokens") || !doc["tokens"].IsObject())
        return {};
    const auto& t = doc["tokens"];
    return t.HasMember("scope") && t["scope"].IsString() ? t["scope"].GetString() : "";
}

}  // namespace

Result<HealthReport> SyncService::check(const std::string& connection_id) {
    const DeferredCallbacks callbacks;  // a provider may log under the sync lock
    auto connection = s_->store->get_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    HealthReport report;
    report.connection_id = connection_id;
    if (connection->state != ConnectionState::active) {
        report.items.push_back({"credentials", false, "The account is disconnected.",
                                "Connect it again to sync its calendars."});
        return report;
    }
    auto calendars = s_->store->list_calendars(connection_id);
    if (!calendars.ok())
        return calendars.error();

    if (!connection->sealed_credentials.empty() && !s_->open_credentials(connection.value()).ok()) {
        // Not the service's refusal: this process holds another host key than the one the
        // credentials were sealed with, so nothing can be asked of the service at all.
        report.items.push_back(
            {"credentials", false,
             "The stored password or sign-in cannot be opened with this host key.",
             "Start calsync with the host key it was set up with, or connect the account "
             "again."});
        return report;
    }
    const Result<std::vector<Calendar>> listed = [&]() -> Result<std::vector<Calendar>> {
        auto live = s_->live_connection(connection_id);
        std::lock_guard<std::mutex> turn(live->sync_mutex);
        const auto deadline = s_->operation_deadline();
        auto provider = s_->provider(*live, connection.value());
        if (!provider.ok())
            return provider.error();
        return provider.value()->list_calendars();
    }();
    report.items.push_back(credentials_item(connection->kind, listed));

    const bool any_export =
        std::any_of(calendars->begin(), calendars->end(),
                    [](const CalendarRecord& c) { return c.selected && exports(c.direction); });
    const providers::ProviderKindTraits& kind = providers::traits_of(connection->kind);
    if (kind.capabilities.oauth && kind.required_scopes != nullptr) {
        auto clear = s_->open_credentials(connection.value());
        const std::string scope = clear.ok() ? granted_scope_of(clear.value()) : "";
        HealthItem item{"scopes", true, "", ""};
        const std::vector<std::string> needed = kind.required_scopes(any_export);
        std::vector<std::string> missing;
        std::copy_if(
            needed.begin(), needed.end(), std::back_inserter(missing),
            [&scope](const std::string& s) { return !scope.empty() && !granted(scope, s); });
        if (scope.empty()) {
            item.reason =
                "The service did not say which access it granted; the calendar "
                "checks below show what works.";
        } else if (missing.empty()) {
            item.reason = any_export
                              ? "Access to read calendars and write appointments was granted."
                              : "Access to read calendars was granted.";
        } else {
            item.ok = false;
            std::string list;
            for (const std::string& m : missing)
                list += (list.empty() ? "" : ", ") + m;
            item.reason = "The sign-in did not grant all the access needed (" + list + ").";
            item.action = "Reconnect the account and allow calsync to " +
                          std::string(any_export ? "see and edit" : "see") +
                          " your calendar events when asked.";
        }
        report.items.push_back(item);
    }

    for (const CalendarRecord& c : calendars.value()) {
        if (!c.selected)
            continue;
        const std::string name = c.calendar.name.empty() ? c.calendar.id : c.calendar.name;
        if (!listed.ok())
            continue;  // the credentials item already says why nothing can be checked
        auto now = std::find_if(listed->begin(), listed->end(),
                                [&](const Calendar& l) { return l.id == c.calendar.id; });
        if (now == listed->end()) {
            report.items.push_back(
                {"calendar:" + c.calendar.id, false,
                 "The calendar \"" + name +
                     "\" is gone: it was deleted or is no longer shared with this account.",
                 "Share it with the account again, or choose another calendar."});
            continue;
        }
        report.items.push_back(
            {"calendar:" + c.calendar.id, true, "The calendar \"" + name + "\" can be read.", ""});
        if (exports(c.direction)) {
            if (now->can_write)
                report.items.push_back({"writable:" + c.calendar.id, true,
                                        "Appointments can be written to \"" + name + "\".", ""});
            else
                report.items.push_back(
                    {"writable:" + c.calendar.id, false,
                     "The calendar \"" + name +
                         "\" is read-only for this account, so "
                         "appointments cannot be written to it.",
                     "Give the account permission to make changes to the calendar, or choose "
                     "another calendar for appointments."});
        }
    }

    auto last = s_->store->get_connection_status(connection_id);
    if (last.ok()) {
        const SyncStatus& st = last.value();
        HealthItem item{"sync", st.state == SyncState::ok || st.state == SyncState::never_synced,
                        "", ""};
        if (st.state == SyncState::never_synced)
            item.reason = "Not synced yet.";
        else if (item.ok)
            item.reason = "The last sync worked.";
        else {
            item.reason = "The last sync failed: " + st.last_error;
            item.action = st.state == SyncState::needs_reauthorisation
                              ? sign_in_action(connection->kind)
                              : "calsync retries by itself; if this stays, check the items above.";
        }
        report.items.push_back(item);
    }
    report.ok = std::all_of(report.items.begin(), report.items.end(),
                            [](const HealthItem& i) { return i.ok; });
    return report;
}

}  // namespace calsync
