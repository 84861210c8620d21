// The schema of a store holding many businesses, in the SQL both SQLite and PostgreSQL
// read (BIGINT has INTEGER affinity in SQLite). SQLite reaches it by migration 4 (from its
// single-business tables, sqlite_schema.cpp); PostgreSQL starts with it (pg_schema.cpp).
// Every key starts with business_id; push channels are found by channel id alone too (a
// notification carries no business), zone_definitions holds the zones of stored events once
// (stored_zones.hpp; event_zones, added by the next version, says which events use each),
// and work_queue is the workers' queue (sql_fleet.hpp).
#pragma once

namespace calsync::store {

inline constexpr const char* kBusinessSchema = R"sql(
CREATE TABLE businesses (
    id TEXT PRIMARY KEY NOT NULL,
    last_revision BIGINT NOT NULL
);

CREATE TABLE connections (
    business_id TEXT NOT NULL,
    id TEXT NOT NULL,
    kind TEXT NOT NULL,
    account TEXT NOT NULL,
    settings_json TEXT NOT NULL,
    sealed_credentials TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (business_id, id)
);
CREATE INDEX connections_by_account ON connections (business_id, kind, account, created_at);

CREATE TABLE calendars (
    business_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    name TEXT NOT NULL,
    color TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    can_write BIGINT NOT NULL,
    is_primary BIGINT NOT NULL,
    selected BIGINT NOT NULL,
    direction TEXT NOT NULL,
    tentative_blocks BIGINT NOT NULL,
    unanswered_blocks BIGINT NOT NULL,
    all_day_blocks BIGINT NOT NULL,
    cursor TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (business_id, connection_id, calendar_id),
    FOREIGN KEY (business_id, connection_id)
        REFERENCES connections (business_id, id) ON DELETE CASCADE
);

CREATE TABLE events (
    business_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (business_id, connection_id, calendar_id, event_id),
    FOREIGN KEY (business_id, connection_id, calendar_id)
        REFERENCES calendars (business_id, connection_id, calendar_id) ON DELETE CASCADE
);

CREATE TABLE appointments (
    business_id TEXT NOT NULL,
    id TEXT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    client TEXT NOT NULL,
    service TEXT NOT NULL,
    vehicle TEXT NOT NULL,
    notes TEXT NOT NULL,
    status TEXT NOT NULL,
    revision BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (business_id, id),
    UNIQUE (business_id, revision)
);

CREATE TABLE exports (
    business_id TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    remote_id TEXT NOT NULL,
    etag TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    intent TEXT NOT NULL,
    intent_hash TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    generation BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, appointment_id, connection_id, calendar_id),
    FOREIGN KEY (business_id, appointment_id) REFERENCES appointments (business_id, id),
    FOREIGN KEY (business_id, connection_id)
        REFERENCES connections (business_id, id) ON DELETE CASCADE
);
CREATE INDEX exports_by_calendar ON exports (business_id, connection_id, calendar_id);

CREATE TABLE connection_status (
    business_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    state TEXT NOT NULL,
    last_attempt BIGINT,
    last_success BIGINT,
    last_error TEXT NOT NULL,
    events_read BIGINT NOT NULL,
    events_exported BIGINT NOT NULL,
    consecutive_failures BIGINT NOT NULL,
    next_due BIGINT,
    PRIMARY KEY (business_id, connection_id),
    FOREIGN KEY (business_id, connection_id)
        REFERENCES connections (business_id, id) ON DELETE CASCADE
);

CREATE TABLE calendar_status (
    business_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    state TEXT NOT NULL,
    last_attempt BIGINT,
    last_success BIGINT,
    last_error TEXT NOT NULL,
    events_read BIGINT NOT NULL,
    events_exported BIGINT NOT NULL,
    consecutive_failures BIGINT NOT NULL,
    next_due BIGINT,
    PRIMARY KEY (business_id, connection_id, calendar_id),
    FOREIGN KEY (business_id, connection_id, calendar_id)
        REFERENCES calendars (business_id, connection_id, calendar_id) ON DELETE CASCADE
);

CREATE TABLE pending_authorizations (
    business_id TEXT NOT NULL,
    state TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    sealed_code_verifier TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (business_id, state)
);

CREATE TABLE spent_nonces (
    business_id TEXT NOT NULL,
    nonce TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (business_id, nonce)
);
CREATE INDEX spent_nonces_by_expiry ON spent_nonces (business_id, expires_at);

CREATE TABLE push_channels (
    business_id TEXT NOT NULL,
    channel_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    sealed_token TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (business_id, channel_id),
    FOREIGN KEY (business_id, connection_id, calendar_id)
        REFERENCES calendars (business_id, connection_id, calendar_id) ON DELETE CASCADE
);
CREATE INDEX push_channels_by_channel ON push_channels (channel_id);
CREATE INDEX push_channels_by_calendar ON push_channels (business_id, connection_id, calendar_id);
CREATE INDEX push_channels_by_expiry ON push_channels (business_id, expires_at);

-- Blocked slots as the sync service computed them (StateStore::apply_slot_changes).
CREATE TABLE blocked_slots (
    business_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    recurrence_id BIGINT NOT NULL,
    start_at BIGINT NOT NULL,
    end_at BIGINT NOT NULL,
    label TEXT NOT NULL,
    all_day BIGINT NOT NULL,
    tentative BIGINT NOT NULL,
    FOREIGN KEY (business_id, connection_id, calendar_id)
        REFERENCES calendars (business_id, connection_id, calendar_id) ON DELETE CASCADE
);
CREATE INDEX blocked_slots_by_event ON blocked_slots (business_id, connection_id, calendar_id,
    event_id);
CREATE INDEX blocked_slots_by_start ON blocked_slots (business_id, start_at);

-- What hosts read by SQL (documented in calsync/store.hpp): one row per blocked slot,
-- times in UTC seconds, [start_at, end_at). For reading only: calsync writes the table.
CREATE VIEW calsync_blocked_slots AS
    SELECT business_id, connection_id, calendar_id, event_id, recurrence_id, start_at, end_at,
           label, all_day, tentative
    FROM blocked_slots;

-- Zone objects of stored events, once per distinct text (stored_zones.hpp). Shared by
-- every business: a key is the SHA-256 of a public zone definition.
CREATE TABLE zone_definitions (
    id TEXT PRIMARY KEY NOT NULL,
    definition TEXT NOT NULL
);

CREATE TABLE work_queue (
    business_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    due_at BIGINT,
    requeue_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT,
    fence BIGINT NOT NULL,
    PRIMARY KEY (business_id, connection_id),
    FOREIGN KEY (business_id, connection_id)
        REFERENCES connections (business_id, id) ON DELETE CASCADE
);
CREATE INDEX work_queue_by_due ON work_queue (due_at);
)sql";

// Which zone definitions each stored event refers to (SQLite version 5, PostgreSQL version
// 2): a row per reference in the event's body, so a definition no event refers to any more
// is found by index (event_zones_by_zone) and deleted with the last event that used it
// (SqlStore::collect_zones). The foreign key to zone_definitions makes a collection that
// would leave a reference dangling fail rather than lose the zone.
inline constexpr const char* kEventZonesSchema = R"sql(
CREATE TABLE event_zones (
    business_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    zone_id TEXT NOT NULL,
    PRIMARY KEY (business_id, connection_id, calendar_id, event_id, zone_id),
    FOREIGN KEY (business_id, connection_id, calendar_id, event_id)
        REFERENCES events (business_id, connection_id, calendar_id, event_id) ON DELETE CASCADE,
    FOREIGN KEY (zone_id) REFERENCES zone_definitions (id)
);
CREATE INDEX event_zones_by_zone ON event_zones (zone_id);
)sql";

// After the references of the stored events are filled in (each engine reads them out of
// the bodies its own way): the definitions nothing refers to, left by earlier versions.
inline constexpr const char* kDeleteUnreferencedZones = R"sql(
DELETE FROM zone_definitions WHERE NOT EXISTS (
    SELECT 1 FROM event_zones WHERE event_zones.zone_id = zone_definitions.id);
)sql";

// The work queue's claim order (SQLite version 9, PostgreSQL version 6): due time, then
// key. Indexed by due time alone, a claim sorted every due row to take the first few: when
// a whole fleet falls due in one second, each claim of a 20,000-connection queue read and
// sorted all 20,000. In the claim's order, it reads the rows it takes (and the few leased).
inline constexpr const char* kWorkQueueClaimOrder = R"sql(
CREATE INDEX work_queue_by_claim_order ON work_queue (due_at, business_id, connection_id);
DROP INDEX work_queue_by_due;
)sql";

// Per calendar (SQLite version 8, PostgreSQL version 5): the window its blocked slots were
// last written whole for (NULL: none kept; SlotChanges::window), so a sync sees when the
// moving window has left them behind, and the longest slot the calendar held since that
// write, so an overlap read (list_blocked_slots) scans the index by start from
// range.start minus the business's longest slot instead of from the first slot. Filled
// from the slots already kept, with no window: each calendar is written whole at its next
// sync.
inline constexpr const char* kSlotWindowsSchema = R"sql(
CREATE TABLE slot_windows (
    business_id TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    calendar_id TEXT NOT NULL,
    window_start BIGINT,
    window_end BIGINT,
    longest_slot BIGINT NOT NULL,
    PRIMARY KEY (business_id, connection_id, calendar_id),
    FOREIGN KEY (business_id, connection_id, calendar_id)
        REFERENCES calendars (business_id, connection_id, calendar_id) ON DELETE CASCADE
);
INSERT INTO slot_windows (business_id, connection_id, calendar_id, window_start, window_end,
    longest_slot)
SELECT business_id, connection_id, calendar_id, NULL, NULL, max(end_at - start_at)
FROM blocked_slots GROUP BY business_id, connection_id, calendar_id;
)sql";

// Each business's own settings (StateStore::put_business_settings; SQLite version 7,
// PostgreSQL version 4): the sync service's JSON document of its zone, window and policies.
inline constexpr const char* kBusinessSettingsSchema = R"sql(
CREATE TABLE business_settings (
    business_id TEXT PRIMARY KEY NOT NULL,
    settings_json TEXT NOT NULL
);
)sql";

// The fleet's request budgets (SQLite version 6, PostgreSQL version 3): one token bucket per
// key (FleetStore::take_requests, request_bucket.hpp), tokens in millionths of a request,
// refreshed_at in unix milliseconds.
inline constexpr const char* kRequestBudgetsSchema = R"sql(
CREATE TABLE request_budgets (
    budget_key TEXT PRIMARY KEY NOT NULL,
    micro_tokens BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL
);
)sql";

}  // namespace calsync::store
