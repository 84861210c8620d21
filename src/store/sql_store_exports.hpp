// SqlStore's appointments and export map (template definitions: included by
// sqlite_store.cpp and pg_store.cpp only).
#pragma once

#include "store/sql_rows.hpp"
#include "store/sql_store.hpp"
#include "store/sql_store_events.hpp"  // sql_detail::kLoadEventsSql, events_of
#include "store/store_checks.hpp"

namespace calsync::store {
namespace sql_detail {

inline const char* status_name(AppointmentStatus s) {
    return s == AppointmentStatus::cancelled ? "cancelled" : "booked";
}

inline std::string select(const char* columns, const char* rest) {
    return std::string("SELECT ") + columns + rest;
}

// list_appointments' and list_exports' statements, also read_export_inputs'.
inline const std::string& list_appointments_sql() {
    static const std::string text =
        select(kAppointmentColumns, " FROM appointments WHERE business_id = ? ORDER BY id");
    return text;
}
inline const std::string& list_exports_sql() {
    static const std::string text =
        select(kExportColumns,
               " FROM exports WHERE business_id = ? AND connection_id = ? AND calendar_id = ? "
               "ORDER BY appointment_id");
    return text;
}

}  // namespace sql_detail

template <class Db>
Result<AppointmentRecord> SqlStore<Db>::put_appointment(const Appointment& appointment,
                                                        Instant now) {
    using sql_detail::select;
    static const char* const kOperation = "store an appointment";
    auto ok = check_appointment(appointment);
    if (!ok.ok())
        return ok.error();
    Lock lock(mutex_);
    auto tx = db_.transaction(kOperation);
    if (!tx.ok())
        return tx.error();
    {
        static const std::string text =
            select(kAppointmentColumns, " FROM appointments WHERE business_id = ? AND id = ?");
        auto q = business_query(text.c_str(), kOperation);
        if (!q.ok())
            return q.error();
        auto held = q->bind(appointment.id).collect(read_appointment<Query>);
        if (!held.ok())
            return held.error();
        if (!held->empty() && same_appointment(held->front().appointment, appointment))
            return held->front();  // unchanged: the revision stays (tx has nothing to undo)
    }
    // The business's revision counter: its row lock makes concurrent writers (other
    // processes on PostgreSQL) take revisions one after the other.
    std::int64_t revision = 0;
    {
        auto q = business_query(
            "INSERT INTO businesses (id, last_revision) VALUES (?, 1) ON CONFLICT (id) DO "
            "UPDATE SET last_revision = businesses.last_revision + 1 RETURNING last_revision",
            kOperation);
        if (!q.ok())
            return q.error();
        auto row = q->step();
        if (!row.ok())
            return row.error();
        revision = q->integer(0);
        auto done = q->run();
        if (!done.ok())
            return done.error();
    }
    static const std::string text =
        upsert_sql("appointments", "business_id, id",
                   "start_at, end_at, client, service, vehicle, notes, status, revision, "
                   "updated_at");
    auto q = business_query(text.c_str(), kOperation);
    if (!q.ok())
        return q.error();
    const Appointment& a = appointment;
    auto done = q->bind(a.id)
                    .bind(a.time.start)
                    .bind(a.time.end)
                    .bind(a.client)
                    .bind(a.service)
                    .bind(a.vehicle)
                    .bind(a.notes)
                    .bind(sql_detail::status_name(a.status))
                    .bind(revision)
                    .bind(now)
                    .run();
    if (!done.ok())
        return done.error();
    auto committed = tx->commit();
    if (!committed.ok())
        return committed.error();
    return AppointmentRecord{appointment, revision, now};
}

template <class Db>
Result<AppointmentRecord> SqlStore<Db>::get_appointment(const std::string& id) {
    Lock lock(mutex_);
    static const std::string text = sql_detail::select(
        kAppointmentColumns, " FROM appointments WHERE business_id = ? AND id = ?");
    auto q = business_query(text.c_str(), "read an appointment");
    if (!q.ok())
        return q.error();
    return q->bind(id).single(read_appointment<Query>,
                              not_found("read an appointment", "appointment '" + id + "'"));
}

template <class Db>
Result<std::vector<AppointmentRecord>> SqlStore<Db>::list_appointments() {
    Lock lock(mutex_);
    auto q = business_query(sql_detail::list_appointments_sql().c_str(), "list the appointments");
    if (!q.ok())
        return q.error();
    return q->collect(read_appointment<Query>);
}

template <class Db>
Result<std::vector<AppointmentRecord>> SqlStore<Db>::list_appointments_since(
    std::int64_t revision) {
    Lock lock(mutex_);
    static const std::string text = sql_detail::select(
        kAppointmentColumns,
        " FROM appointments WHERE business_id = ? AND revision > ? ORDER BY revision");
    auto q = business_query(text.c_str(), "list the changed appointments");
    if (!q.ok())
        return q.error();
    return q->bind(revision).collect(read_appointment<Query>);
}

template <class Db>
Result<void> SqlStore<Db>::put_export(const ExportRecord& record) {
    static const char* const kOperation = "record an export";
    auto ok = check_export(record);
    if (!ok.ok())
        return ok;
    Lock lock(mutex_);
    auto known = require_connection(kOperation, record.key.connection_id);
    if (!known.ok())
        return known;
    auto appointment = exists("SELECT 1 FROM appointments WHERE business_id = ? AND id = ?",
                              kOperation, {record.key.appointment_id});
    if (!appointment.ok())
        return appointment.error();
    if (!appointment.value())
        return not_found(kOperation, "appointment '" + record.key.appointment_id + "'");
    static const std::string text =
        upsert_sql("exports", "business_id, appointment_id, connection_id, calendar_id",
                   "remote_id, etag, content_hash, intent, intent_hash, updated_at, generation");
    auto q = business_query(text.c_str(), kOperation);
    if (!q.ok())
        return q.error();
    return bind_export(q.value(), record).run();
}

template <class Db>
Result<ExportRecord> SqlStore<Db>::get_export(const ExportKey& key) {
    Lock lock(mutex_);
    static const std::string text =
        sql_detail::select(kExportColumns,
                           " FROM exports WHERE business_id = ? AND appointment_id = ? AND "
                           "connection_id = ? AND calendar_id = ?");
    auto q = business_query(text.c_str(), "read an export");
    if (!q.ok())
        return q.error();
    return q->bind(key.appointment_id)
        .bind(key.connection_id)
        .bind(key.calendar_id)
        .single(read_export<Query>, not_found("read an export", export_key(key)));
}

template <class Db>
Result<void> SqlStore<Db>::remove_export(const ExportKey& key) {
    Lock lock(mutex_);
    return run(
        "DELETE FROM exports WHERE business_id = ? AND appointment_id = ? AND connection_id = ? "
        "AND calendar_id = ?",
        "remove an export", {key.appointment_id, key.connection_id, key.calendar_id});
}

template <class Db>
Result<std::vector<ExportRecord>> SqlStore<Db>::exports_where(
    const char* text, const char* operation, std::initializer_list<std::string_view> keys) {
    auto q = business_query(text, operation);
    if (!q.ok())
        return q.error();
    for (std::string_view k : keys)
        q->bind(k);
    return q->collect(read_export<Query>);
}

template <class Db>
Result<std::vector<ExportRecord>> SqlStore<Db>::list_exports(const std::string& connection_id,
                                                             const std::string& calendar_id) {
    Lock lock(mutex_);
    return exports_where(sql_detail::list_exports_sql().c_str(), "list the exports",
                         {connection_id, calendar_id});
}

template <class Db>
Result<ExportInputs> SqlStore<Db>::read_export_inputs(const std::string& connection_id,
                                                      const std::string& calendar_id) {
    if constexpr (!Db::kPipelines) {
        return StateStore::read_export_inputs(connection_id, calendar_id);  // in process
    } else {
        Lock lock(mutex_);
        auto appointments =
            business_query(sql_detail::list_appointments_sql().c_str(), "list the appointments");
        auto export_map = business_query(sql_detail::list_exports_sql().c_str(), "list the exports",
                                         {connection_id, calendar_id});
        auto events = business_query(sql_detail::kLoadEventsSql, sql_detail::kLoadEventsOperation,
                                     {connection_id, calendar_id});
        for (const auto* q : {&appointments, &export_map, &events})
            if (!q->ok())
                return q->error();
        db_.run_together({&appointments.value(), &export_map.value(), &events.value()});
        ExportInputs in;
        auto listed = appointments->collect(read_appointment<Query>);
        if (!listed.ok())
            return listed.error();
        in.appointments = std::move(listed).value();
        auto records = export_map->collect(read_export<Query>);
        if (!records.ok())
            return records.error();
        in.exports = std::move(records).value();
        auto stored = events_of(events.value(), connection_id, calendar_id);
        if (!stored.ok())
            return stored.error();
        in.events = std::move(stored).value();
        return in;
    }
}

template <class Db>
Result<std::vector<ExportRecord>> SqlStore<Db>::list_connection_exports(
    const std::string& connection_id) {
    Lock lock(mutex_);
    static const std::string text =
        sql_detail::select(kExportColumns,
                           " FROM exports WHERE business_id = ? AND connection_id = ? ORDER BY "
                           "appointment_id, connection_id, calendar_id");
    return exports_where(text.c_str(), "list a connection's exports", {connection_id});
}

template <class Db>
Result<std::vector<ExportRecord>> SqlStore<Db>::list_appointment_exports(
    const std::string& appointment_id) {
    Lock lock(mutex_);
    static const std::string text =
        sql_detail::select(kExportColumns,
                           " FROM exports WHERE business_id = ? AND appointment_id = ? ORDER BY "
                           "appointment_id, connection_id, calendar_id");
    return exports_where(text.c_str(), "list an appointment's exports", {appointment_id});
}

}  // namespace calsync::store
