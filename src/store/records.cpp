// The names of the store's enumerations, as written to storage and shown to hosts.
#include <algorithm>
#include <iterator>
#include <tuple>

#include "calsync/store.hpp"

namespace calsync {
namespace {

template <class Enum>
struct Name {
    Enum value;
    const char* text;
};

template <class Enum, std::size_t N>
const char* name_of(const Name<Enum> (&names)[N], Enum value) {
    const auto* it = std::find_if(std::begin(names), std::end(names),
                                  [&](const Name<Enum>& n) { return n.value == value; });
    return it == std::end(names) ? names[0].text : it->text;
}

template <class Enum, std::size_t N>
std::optional<Enum> value_of(const Name<Enum> (&names)[N], std::string_view text) {
    const auto* it = std::find_if(std::begin(names), std::end(names),
                                  [&](const Name<Enum>& n) { return text == n.text; });
    return it == std::end(names) ? std::nullopt : std::optional<Enum>(it->value);
}

constexpr Name<ProviderKind> kProviderKinds[] = {{ProviderKind::google, "google"},
                                                 {ProviderKind::microsoft, "microsoft"},
                                                 {ProviderKind::caldav, "caldav"},
                                                 {ProviderKind::icloud, "icloud"},
                                                 {ProviderKind::ics_feed, "ics_feed"}};
constexpr Name<ConnectionState> kConnectionStates[] = {
    {ConnectionState::active, "active"}, {ConnectionState::disconnected, "disconnected"}};
constexpr Name<CalendarDirection> kDirections[] = {{CalendarDirection::import_only, "import"},
                                                   {CalendarDirection::export_only, "export"},
                                                   {CalendarDirection::both, "both"}};
constexpr Name<ExportIntent> kIntents[] = {{ExportIntent::none, "none"},
                                           {ExportIntent::create, "create"},
                                           {ExportIntent::update, "update"},
                                           {ExportIntent::remove, "remove"}};
constexpr Name<SyncState> kSyncStates[] = {
    {SyncState::never_synced, "never_synced"},
    {SyncState::ok, "ok"},
    {SyncState::error, "error"},
    {SyncState::rate_limited, "rate_limited"},
    {SyncState::needs_reauthorisation, "needs_reauthorisation"},
    {SyncState::calendar_gone, "calendar_gone"}};

}  // namespace

const char* to_string(ProviderKind kind) {
    return name_of(kProviderKinds, kind);
}
std::optional<ProviderKind> provider_kind_from_string(std::string_view text) {
    return value_of(kProviderKinds, text);
}
const char* to_string(ConnectionState state) {
    return name_of(kConnectionStates, state);
}
std::optional<ConnectionState> connection_state_from_string(std::string_view text) {
    return value_of(kConnectionStates, text);
}
const char* to_string(CalendarDirection direction) {
    return name_of(kDirections, direction);
}
std::optional<CalendarDirection> calendar_direction_from_string(std::string_view text) {
    return value_of(kDirections, text);
}
const char* to_string(ExportIntent intent) {
    return name_of(kIntents, intent);
}
std::optional<ExportIntent> export_intent_from_string(std::string_view text) {
    return value_of(kIntents, text);
}
const char* to_string(SyncState state) {
    return name_of(kSyncStates, state);
}
std::optional<SyncState> sync_state_from_string(std::string_view text) {
    return value_of(kSyncStates, text);
}

Result<void> StateStore::apply_slot_changes(const std::string&, const std::string&,
                                            const SlotChanges&) {
    return make_error(ErrorCode::internal,
                      "could not store blocked slot changes: this store keeps no blocked slots");
}

Result<std::vector<StoredSlot>> StateStore::list_blocked_slots(const TimeRange&) {
    return make_error(ErrorCode::internal,
                      "could not read blocked slots: this store keeps no blocked slots");
}

Result<std::optional<TimeRange>> StateStore::find_slot_window(const std::string&,
                                                              const std::string&) {
    return make_error(ErrorCode::internal,
                      "could not read a calendar's slot window: this store keeps no blocked slots");
}

bool StoredSlot::operator<(const StoredSlot& o) const {
    const BlockedSlot& a = slot;
    const BlockedSlot& b = o.slot;
    return std::tie(a.range.start, a.range.end, connection_id, a.calendar_id, a.event_id,
                    a.recurrence_id) < std::tie(b.range.start, b.range.end, o.connection_id,
                                                b.calendar_id, b.event_id, b.recurrence_id);
}

Result<void> StateStore::put_business_settings(const std::string&) {
    return {};  // kept nowhere: see store.hpp
}

Result<std::optional<std::string>> StateStore::find_business_settings() {
    return std::optional<std::string>();
}

Result<void> StateStore::put_sync_end(const std::string& connection_id, const SyncEnd& end) {
    return transaction([&]() -> Result<void> {
        // Known first: a calendar's not_found is passed over, the connection's is not.
        auto known = get_connection(connection_id);
        if (!known.ok())
            return known.error();
        for (const auto& [calendar_id, cursor] : end.cursors) {
            ChangeSet nothing;
            nothing.next_cursor = cursor;
            auto moved = apply_changes(connection_id, calendar_id, nothing);
            if (!moved.ok() && moved.error().code != ErrorCode::not_found)
                return moved.error();
        }
        for (const auto& [calendar_id, status] : end.calendar_statuses) {
            auto kept = put_calendar_status(connection_id, calendar_id, status);
            if (!kept.ok() && kept.error().code != ErrorCode::not_found)
                return kept;
        }
        return put_connection_status(connection_id, end.status);
    });
}

Result<ConnectionSnapshot> StateStore::read_connection_snapshot(const std::string& connection_id) {
    ConnectionSnapshot snapshot;
    auto settings = find_business_settings();
    if (!settings.ok())
        return settings.error();
    snapshot.business_settings = std::move(settings).value();
    auto connection = get_connection(connection_id);
    if (!connection.ok())
        return connection.error();
    snapshot.connection = std::move(connection).value();
    auto status = get_connection_status(connection_id);
    if (!status.ok())
        return status.error();
    snapshot.status = std::move(status).value();
    auto calendars = list_calendars(connection_id);
    if (!calendars.ok())
        return calendars.error();
    snapshot.calendars = std::move(calendars).value();
    auto statuses = list_calendar_statuses(connection_id);
    if (!statuses.ok())
        return statuses.error();
    snapshot.calendar_statuses = std::move(statuses).value();
    auto channels = list_push_channels(connection_id);
    if (!channels.ok())
        return channels.error();
    snapshot.push_channels = std::move(channels).value();
    return snapshot;
}

Result<ExportInputs> StateStore::read_export_inputs(const std::string& connection_id,
                                                    const std::string& calendar_id) {
    ExportInputs in;
    auto appointments = list_appointments();
    if (!appointments.ok())
        return appointments.error();
    in.appointments = std::move(appointments).value();
    auto records = list_exports(connection_id, calendar_id);
    if (!records.ok())
        return records.error();
    in.exports = std::move(records).value();
    auto events = load_events(connection_id, calendar_id);
    if (!events.ok())
        return events.error();
    in.events = std::move(events).value();
    return in;
}

}  // namespace calsync
