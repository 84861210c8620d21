// Appointments and the export map on SQLite.
#include "store/sqlite_rows.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_checks.hpp"

namespace calsync::store {
namespace {

const char* status_name(AppointmentStatus s) {
    return s == AppointmentStatus::cancelled ? "cancelled" : "booked";
}

std::string select(const char* columns, const char* rest) {
    return std::string("SELECT ") + columns + rest;
}

}  // namespace

Result<AppointmentRecord> SqliteStore::put_appointment(const Appointment& appointment,
                                                       Instant now) {
    static const char* const kOperation = "put_appointment";
    auto ok = check_appointment(appointment);
    if (!ok.ok())
        return ok.error();
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    {
        static const std::string text =
            select(kAppointmentColumns, " FROM appointments WHERE id = ?");
        auto q = db_.query(text.c_str(), kOperation);
        if (!q.ok())
            return q.error();
        auto held = q->bind(appointment.id).collect(read_appointment);
        if (!held.ok())
            return held.error();
        if (!held->empty() && same_appointment(held->front().appointment, appointment))
            return held->front();  // unchanged: the revision stays (tx has nothing to undo)
    }
    // Appointments are never deleted, so the largest revision so far is the last one given.
    auto q = db_.query(
        "INSERT INTO appointments (id, start_at, end_at, client, service, vehicle, notes, status, "
        "revision, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, "
        "(SELECT coalesce(max(revision), 0) + 1 FROM appointments), ?) "
        "ON CONFLICT (id) DO UPDATE SET start_at = excluded.start_at, end_at = excluded.end_at, "
        "client = excluded.client, service = excluded.service, vehicle = excluded.vehicle, "
        "notes = excluded.notes, status = excluded.status, revision = excluded.revision, "
        "updated_at = excluded.updated_at RETURNING revision",
        kOperation);
    if (!q.ok())
        return q.error();
    const Appointment& a = appointment;
    auto row = q->bind(a.id)
                   .bind(a.time.start)
                   .bind(a.time.end)
                   .bind(a.client)
                   .bind(a.service)
                   .bind(a.vehicle)
                   .bind(a.notes)
                   .bind(status_name(a.status))
                   .bind(now)
                   .step();
    if (!row.ok())
        return row.error();
    AppointmentRecord record{appointment, q->integer(0), now};
    auto done = q->run();
    if (!done.ok())
        return done.error();
    auto committed = tx->commit();
    if (!committed.ok())
        return committed.error();
    return record;
}

Result<AppointmentRecord> SqliteStore::get_appointment(const std::string& id) {
    Lock lock(mutex_);
    static const std::string text = select(kAppointmentColumns, " FROM appointments WHERE id = ?");
    auto q = db_.query(text.c_str(), "get_appointment");
    if (!q.ok())
        return q.error();
    return q->bind(id).single(read_appointment,
                              not_found("get_appointment", "appointment '" + id + "'"));
}

Result<std::vector<AppointmentRecord>> SqliteStore::list_appointments() {
    Lock lock(mutex_);
    static const std::string text = select(kAppointmentColumns, " FROM appointments ORDER BY id");
    auto q = db_.query(text.c_str(), "list_appointments");
    if (!q.ok())
        return q.error();
    return q->collect(read_appointment);
}

Result<std::vector<AppointmentRecord>> SqliteStore::list_appointments_since(std::int64_t revision) {
    Lock lock(mutex_);
    static const std::string text =
        select(kAppointmentColumns, " FROM appointments WHERE revision > ? ORDER BY revision");
    auto q = db_.query(text.c_str(), "list_appointments_since");
    if (!q.ok())
        return q.error();
    return q->bind(revision).collect(read_appointment);
}

Result<void> SqliteStore::put_export(const ExportRecord& record) {
    static const char* const kOperation = "put_export";
    auto ok = check_export(record);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    auto known = require_connection(kOperation, record.key.connection_id);
    if (!known.ok())
        return known;
    auto appointment =
        exists("SELECT 1 FROM appointments WHERE id = ?", kOperation, {record.key.appointment_id});
    if (!appointment.ok())
        return appointment.error();
    if (!appointment.value())
        return not_found(kOperation, "appointment '" + record.key.appointment_id + "'");
    static const std::string text = std::string("INSERT OR REPLACE INTO exports (") +
                                    kExportColumns + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    auto q = db_.query(text.c_str(), kOperation);
    if (!q.ok())
        return q.error();
    return bind_export(q.value(), record).run();
}

Result<ExportRecord> SqliteStore::get_export(const ExportKey& key) {
    Lock lock(mutex_);
    static const std::string text =
        select(kExportColumns,
               " FROM exports WHERE appointment_id = ? AND connection_id = ? AND calendar_id = ?");
    auto q = db_.query(text.c_str(), "get_export");
    if (!q.ok())
        return q.error();
    return q->bind(key.appointment_id)
        .bind(key.connection_id)
        .bind(key.calendar_id)
        .single(read_export, not_found("get_export", export_key(key)));
}

Result<void> SqliteStore::remove_export(const ExportKey& key) {
    Lock lock(mutex_);
    return run(
        "DELETE FROM exports WHERE appointment_id = ? AND connection_id = ? AND calendar_id = ?",
        "remove_export", {key.appointment_id, key.connection_id, key.calendar_id});
}

Result<std::vector<ExportRecord>> SqliteStore::exports_where(
    const char* text, const char* operation, std::initializer_list<std::string_view> keys) {
    auto q = db_.query(text, operation);
    if (!q.ok())
        return q.error();
    for (std::string_view k : keys)
        q->bind(k);
    return q->collect(read_export);
}

Result<std::vector<ExportRecord>> SqliteStore::list_exports(const std::string& connection_id,
                                                            const std::string& calendar_id) {
    Lock lock(mutex_);
    static const std::string text =
        select(kExportColumns,
               " FROM exports WHERE connection_id = ? AND calendar_id = ? ORDER BY appointment_id");
    return exports_where(text.c_str(), "list_exports", {connection_id, calendar_id});
}

Result<std::vector<ExportRecord>> SqliteStore::list_connection_exports(
    const std::string& connection_id) {
    Lock lock(mutex_);
    static const std::string text = select(kExportColumns,
                                           " FROM exports WHERE connection_id = ? ORDER BY "
                                           "appointment_id, connection_id, calendar_id");
    return exports_where(text.c_str(), "list_connection_exports", {connection_id});
}

Result<std::vector<ExportRecord>> SqliteStore::list_appointment_exports(
    const std::string& appointment_id) {
    Lock lock(mutex_);
    static const std::string text = select(kExportColumns,
                                           " FROM exports WHERE appointment_id = ? ORDER BY "
                                           "appointment_id, connection_id, calendar_id");
    return exports_where(text.c_str(), "list_appointment_exports", {appointment_id});
}

}  // namespace calsync::store
