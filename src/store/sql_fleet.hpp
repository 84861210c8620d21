// FleetStore on an SQL database (template definitions: included by sqlite_store.cpp and
// pg_store.cpp only). The queue is the table work_queue, one row per queued connection:
// due_at (when it is next due), requeue_at (a mark_due that came while a worker held it),
// lease_owner / lease_until (the holder and its expiry; NULL when free) and fence (the
// fencing token, raised by every claim). The claim is the job-claim pattern of Que,
// good_job and pg-boss; on PostgreSQL with FOR UPDATE SKIP LOCKED (Db::kSkipLocked), on
// SQLite inside BEGIN IMMEDIATE, which already admits one writer at a time. The request
// budgets are the table request_budgets, one token bucket per key (request_bucket.hpp).
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "calsync/fleet.hpp"
#include "store/connection_pool.hpp"
#include "store/fenced_store.hpp"
#include "store/request_bucket.hpp"
#include "store/sql_rows.hpp"
#include "store/sql_store.hpp"
#include "store/sql_store_records.hpp"  // sql_detail::release_lease
#include "store/store_checks.hpp"

namespace calsync::store {

template <class Db>
class SqlFleet final : public FleetStore {
  public:
    using Query = typename Db::Query;
    // A new connection to the same database, configured and migrated.
    using Connect = std::function<Result<Db>()>;

    // Views' connections kept when they close: a worker holds about one view per thread.
    static constexpr std::size_t kKeptConnections = 16;
    // Claims of at most this many connections have their limit in the statement's text.
    static constexpr std::size_t kLiteralClaimLimits = 64;

    SqlFleet(Db db, Connect connect)
        : db_(std::move(db)),
          pool_(std::make_shared<ConnectionPool<Db>>(std::move(connect), kKeptConnections)) {}

    Result<std::unique_ptr<StateStore>> open_business(const std::string& business_id) override {
        auto view = open_view(business_id);
        if (!view.ok())
            return view.error();
        return std::unique_ptr<StateStore>(std::move(view).value());
    }

    Result<LeasedView> open_leased(const Lease& lease) override {
        return leased(lease, std::nullopt);
    }
    Result<LeasedView> open_leased(const Lease& lease, ConnectionSnapshot first_reads) override {
        return leased(lease, std::move(first_reads));
    }

    Result<std::vector<std::optional<ConnectionSnapshot>>> read_leased_snapshots(
        const std::vector<Lease>& leases) override {
        if constexpr (!Db::kPipelines) {
            return FleetStore::read_leased_snapshots(leases);  // in process: no trips to save
        } else {
            Lock lock(mutex_);
            return read_together(leases);
        }
    }

    Result<std::vector<std::string>> list_businesses() override {
        Lock lock(mutex_);
        auto q = db_.query(
            "SELECT business_id FROM connections UNION SELECT business_id FROM appointments "
            "UNION SELECT business_id FROM pending_authorizations UNION SELECT business_id "
            "FROM spent_nonces UNION SELECT business_id FROM business_settings ORDER BY 1",
            "list the businesses");
        if (!q.ok())
            return q.error();
        return q->collect(read_text<Query>);
    }

    Result<std::vector<PushChannelOwner>> find_push_channel(
        const std::string& channel_id) override {
        Lock lock(mutex_);
        static const std::string text = std::string("SELECT business_id, ") + kChannelColumns +
                                        " FROM push_channels WHERE channel_id = ? ORDER BY "
                                        "business_id";
        auto q = db_.query(text.c_str(), "find a push channel");
        if (!q.ok())
            return q.error();
        return q->bind(channel_id).collect([](const Query& r) -> Result<PushChannelOwner> {
            return PushChannelOwner{r.text(0), PushChannel{r.text(1), r.text(2), r.text(3),
                                                           r.text(4), r.text(5), r.instant(6)}};
        });
    }

    Result<void> mark_due(const std::string& business_id, const std::string& connection_id,
                          Instant due) override {
        Lock lock(mutex_);
        // Held by a worker: remembered for when it finishes; free: the earlier time wins.
        auto q = db_.query(
            "INSERT INTO work_queue (business_id, connection_id, due_at, fence) "
            "SELECT business_id, id, CAST(? AS BIGINT), 0 FROM connections WHERE business_id = ? "
            "AND id = ? "
            "ON CONFLICT (business_id, connection_id) DO UPDATE SET "
            "due_at = CASE WHEN work_queue.lease_owner IS NULL AND (work_queue.due_at IS NULL "
            "OR work_queue.due_at > excluded.due_at) THEN excluded.due_at ELSE work_queue.due_at "
            "END, "
            "requeue_at = CASE WHEN work_queue.lease_owner IS NOT NULL AND "
            "(work_queue.requeue_at IS NULL OR work_queue.requeue_at > excluded.due_at) THEN "
            "excluded.due_at ELSE work_queue.requeue_at END",
            "mark a connection due");
        if (!q.ok())
            return q.error();
        auto done = q->bind(due).bind(business_id).bind(connection_id).run();
        if (!done.ok())
            return done;
        if (q->changes() == 0)
            return unknown_in_business("mark a connection due", connection_id, business_id);
        return {};
    }

    Result<std::vector<Lease>> claim_due(const std::string& owner, Instant now,
                                         std::chrono::seconds lease_for, std::size_t max) override {
        if (owner.empty())
            return invalid("claim due connections", "the worker's owner name is empty");
        // A small limit is written into the text, one prepared statement per limit (a worker
        // asks for at most its free threads): PostgreSQL plans a LIMIT parameter as a tenth
        // of the table, found its generic plan dear and planned the claim again at every
        // execution, two thirds of the claim's cost.
        const bool literal_limit = max <= kLiteralClaimLimits;
        const std::string text =
            std::string(
                "UPDATE work_queue SET lease_owner = ?, lease_until = ?, fence = fence + 1 "
                "WHERE (business_id, connection_id) IN (SELECT business_id, connection_id FROM "
                "work_queue WHERE due_at IS NOT NULL AND due_at <= ? AND (lease_until IS NULL OR "
                "lease_until <= ?) ORDER BY due_at, business_id, connection_id LIMIT ") +
            (literal_limit ? std::to_string(max) : std::string("?")) + Db::kSkipLocked +
            ") RETURNING business_id, connection_id, fence, due_at";
        const Instant until = now + lease_for;
        Lock lock(mutex_);
        std::optional<typename Db::Transaction> tx;
        if constexpr (Db::kOneStatementWriteNeedsTransaction) {
            auto opened = db_.transaction("claim due connections");
            if (!opened.ok())
                return opened.error();
            tx.emplace(std::move(opened).value());
        }
        auto q = db_.query(text.c_str(), "claim due connections");
        if (!q.ok())
            return q.error();
        q->bind(owner).bind(until).bind(now).bind(now);
        if (!literal_limit)
            q->bind(static_cast<std::int64_t>(max));
        auto leases = q->collect([&](const Query& r) -> Result<Lease> {
            return Lease{r.text(0), r.text(1), owner, r.integer(2), r.instant(3), until};
        });
        if (!leases.ok())
            return leases.error();
        if (tx) {
            auto committed = tx->commit();
            if (!committed.ok())
                return committed.error();
        }
        // RETURNING keeps no order.
        std::sort(leases->begin(), leases->end(), [](const Lease& a, const Lease& b) {
            return std::tie(a.due_at, a.business_id, a.connection_id) <
                   std::tie(b.due_at, b.business_id, b.connection_id);
        });
        return leases;
    }

    Result<Lease> renew_lease(const Lease& lease, Instant now,
                              std::chrono::seconds lease_for) override {
        Lock lock(mutex_);
        auto q = db_.query(
            "UPDATE work_queue SET lease_until = ? WHERE business_id = ? AND connection_id = ? "
            "AND fence = ? AND lease_owner = ?",
            "renew a worker's lease");
        if (!q.ok())
            return q.error();
        Lease renewed = lease;
        renewed.expires_at = now + lease_for;
        q->bind(renewed.expires_at);
        auto done = sql_detail::run_on_lease(*q, lease, "renew a worker's lease");
        if (!done.ok())
            return done.error();
        return renewed;
    }

    Result<void> finish_lease(const Lease& lease, std::optional<Instant> next_due) override {
        Lock lock(mutex_);
        return sql_detail::release_lease(db_, lease, next_due, "end a worker's lease");
    }

    Result<std::optional<Instant>> earliest_due(Instant now) override {
        Lock lock(mutex_);
        auto q = db_.query(
            "SELECT min(due_at) FROM work_queue WHERE due_at IS NOT NULL AND (lease_until IS "
            "NULL OR lease_until <= ?)",
            "read when the next connection is due");
        if (!q.ok())
            return q.error();
        auto row = q->bind(now).step();
        if (!row.ok())
            return row.error();
        std::optional<Instant> due = row.value() ? q->optional_instant(0) : std::nullopt;
        auto done = q->run();
        if (!done.ok())
            return done.error();
        return due;
    }

    // The bucket's row is read and written in one transaction. Its first statement makes
    // the row (full) or, as an update of nothing, locks it (PostgreSQL: until the commit;
    // a concurrent taker waits a few milliseconds, then reads what this one left; SQLite:
    // BEGIN IMMEDIATE admits one writer at a time) and returns it.
    Result<RequestGrant> take_requests(const std::string& key, RequestRate rate,
                                       std::int64_t wanted, PreciseInstant now) override {
        auto valid = check_request_take(key, rate, wanted);
        if (!valid.ok())
            return valid.error();
        static const char* const kOperation = "take from a request budget";
        Lock lock(mutex_);
        auto tx = db_.transaction(kOperation);
        if (!tx.ok())
            return tx.error();
        auto bucket = read_request_bucket(key, full_request_bucket(rate, now), kOperation);
        if (!bucket.ok())
            return bucket.error();
        const RequestGrant grant = take_from_bucket(bucket.value(), rate, wanted, now);
        auto update = db_.query(
            "UPDATE request_budgets SET micro_tokens = ?, refreshed_at = ? WHERE budget_key = ?",
            kOperation);
        if (!update.ok())
            return update.error();
        auto written =
            update->bind(bucket->micro_tokens).bind(bucket->refreshed_ms).bind(key).run();
        if (!written.ok())
            return written.error();
        auto committed = tx->commit();
        if (!committed.ok())
            return committed.error();
        return grant;
    }

  private:
    using Lock = std::lock_guard<std::recursive_mutex>;
    using LeaseKey = std::pair<std::string, std::string>;  // business id, connection id

    // What one leased connection's rows said, as read_connection_snapshot assembles it.
    struct LeasedReads {
        ConnectionSnapshot snapshot;
        bool found = false;       // its connection's row came
        bool unreadable = false;  // a row of it did not read: its view reads, and reports
    };

    // read_leased_snapshots on PostgreSQL: the seven reads of read_connection_snapshot, each
    // for the whole batch, in one round trip.
    Result<std::vector<std::optional<ConnectionSnapshot>>> read_together(
        const std::vector<Lease>& leases) {
        std::map<LeaseKey, LeasedReads> reads;
        std::set<std::string> business_set;
        std::set<std::string> connection_set;
        for (const Lease& l : leases) {
            // Read, though a connection may have no window kept whole.
            reads[{l.business_id, l.connection_id}].snapshot.slot_windows.emplace();
            business_set.insert(l.business_id);
            connection_set.insert(l.connection_id);
        }
        const std::vector<std::optional<std::string>> businesses(business_set.begin(),
                                                                 business_set.end());
        const std::vector<std::optional<std::string>> connections(connection_set.begin(),
                                                                  connection_set.end());
        static const char* const kOperation = "read the first reads of a claimed batch";
        auto settings = db_.query(sql_detail::kReadLeasedSettingsSql, kOperation);
        auto connection = db_.query(sql_detail::read_leased_connections_sql().c_str(), kOperation);
        auto status =
            db_.query(sql_detail::read_leased_connection_statuses_sql().c_str(), kOperation);
        auto calendars = db_.query(sql_detail::list_leased_calendars_sql().c_str(), kOperation);
        auto statuses =
            db_.query(sql_detail::list_leased_calendar_statuses_sql().c_str(), kOperation);
        auto channels = db_.query(sql_detail::list_leased_push_channels_sql().c_str(), kOperation);
        auto windows = db_.query(sql_detail::list_leased_slot_windows_sql().c_str(), kOperation);
        for (auto* q :
             {&settings, &connection, &status, &calendars, &statuses, &channels, &windows}) {
            if (!q->ok())
                return q->error();
            q->value().bind_array(businesses);
            if (q != &settings)
                q->value().bind_array(connections);
        }
        db_.run_together({&settings.value(), &connection.value(), &status.value(),
                          &calendars.value(), &statuses.value(), &channels.value(),
                          &windows.value()});
        std::map<std::string, std::optional<std::string>> business_settings;
        for (;;) {
            auto row = settings->step();
            if (!row.ok())
                return row.error();
            if (!row.value())
                break;
            business_settings[settings->text(1)] = settings->text(0);
        }
        // The statuses' rows: a key, then the status columns.
        auto status_after_key = [](const Query& r) { return read_status(r, 1); };
        auto parts = {
            each_leased_row(connection.value(), 7, reads, read_connection<Query>,
                            [](LeasedReads& to, ConnectionRecord c, const Query&) {
                                to.snapshot.connection = std::move(c);
                                to.found = true;
                            }),
            each_leased_row(status.value(), 9, reads, status_after_key,
                            [](LeasedReads& to, SyncStatus status, const Query&) {
                                to.snapshot.status = std::move(status);
                            }),
            each_leased_row(calendars.value(), 13, reads, read_calendar<Query>,
                            [](LeasedReads& to, CalendarRecord c, const Query&) {
                                to.snapshot.calendars.push_back(std::move(c));
                            }),
            each_leased_row(statuses.value(), 9, reads, status_after_key,
                            [](LeasedReads& to, SyncStatus status, const Query& r) {
                                to.snapshot.calendar_statuses[r.text(0)] = std::move(status);
                            }),
            each_leased_row(channels.value(), 6, reads, read_channel<Query>,
                            [](LeasedReads& to, PushChannel channel, const Query&) {
                                to.snapshot.push_channels.push_back(std::move(channel));
                            }),
            each_leased_row(
                windows.value(), 3, reads,
                [](const Query& r) -> Result<TimeRange> {
                    return TimeRange{r.instant(1), r.instant(2)};
                },
                [](LeasedReads& to, TimeRange window, const Query& r) {
                    (*to.snapshot.slot_windows)[r.text(0)] = window;
                }),
        };
        const auto* failed = std::find_if(parts.begin(), parts.end(),
                                          [](const Result<void>& part) { return !part.ok(); });
        if (failed != parts.end())
            return failed->error();
        std::vector<std::optional<ConnectionSnapshot>> out;
        out.reserve(leases.size());
        for (const Lease& l : leases) {
            const LeasedReads& r = reads.at({l.business_id, l.connection_id});
            if (!r.found || r.unreadable) {
                out.emplace_back();
                continue;
            }
            ConnectionSnapshot snapshot = r.snapshot;  // a lease twice in the batch: each a copy
            // One status per calendar, as list_calendar_statuses answers: never_synced
            // without a row; a row is never without its calendar (it cascades).
            for (const CalendarRecord& c : snapshot.calendars)
                snapshot.calendar_statuses.try_emplace(c.calendar.id);
            auto kept = business_settings.find(l.business_id);
            if (kept != business_settings.end())
                snapshot.business_settings = kept->second;
            out.emplace_back(std::move(snapshot));
        }
        return out;
    }

    // Reads each row of `q` with `read` and hands the value to `put`, with the reads of its
    // lease: the row's connection id in column `connection`, its business id in the next. A
    // row of a pair not leased is passed over; one that does not read makes its lease
    // unreadable.
    template <class Read, class Put>
    static Result<void> each_leased_row(Query& q, int connection,
                                        std::map<LeaseKey, LeasedReads>& reads, Read read,
                                        Put put) {
        for (;;) {
            auto row = q.step();
            if (!row.ok())
                return row.error();
            if (!row.value())
                return {};
            auto to = reads.find({q.text(connection + 1), q.text(connection)});
            if (to == reads.end() || to->second.unreadable)
                continue;
            auto value = read(q);
            if (value.ok())
                put(to->second, std::move(value).value(), q);
            else
                to->second.unreadable = true;
        }
    }

    // The row of `key` (made as `fresh` when there is none), locked (see take_requests).
    Result<RequestBucket> read_request_bucket(const std::string& key, const RequestBucket& fresh,
                                              const char* operation) {
        auto q = db_.query(
            "INSERT INTO request_budgets (budget_key, micro_tokens, refreshed_at) "
            "VALUES (?, ?, ?) ON CONFLICT (budget_key) DO UPDATE SET "
            "micro_tokens = request_budgets.micro_tokens RETURNING micro_tokens, refreshed_at",
            operation);
        if (!q.ok())
            return q.error();
        return q->bind(key)
            .bind(fresh.micro_tokens)
            .bind(fresh.refreshed_ms)
            .single(
                [](const Query& r) -> Result<RequestBucket> {
                    return RequestBucket{r.integer(0), r.integer(1)};
                },
                make_error(ErrorCode::internal,
                           could_not(operation, "the upsert returned no row")));
    }

    Result<LeasedView> leased(const Lease& lease, std::optional<ConnectionSnapshot> first_reads) {
        auto view = open_view(lease.business_id);
        if (!view.ok())
            return view.error();
        SqlStore<Db>* raw = view->get();
        LeaseGuard guard;
        guard.check = [raw, lease] { return raw->check_lease(lease); };
        guard.end_sync = [raw, lease](const SyncEnd& end) {
            return raw->end_leased_sync(lease, end);
        };
        return make_fenced_store(std::move(view).value(), std::move(guard), lease.connection_id,
                                 std::move(first_reads));
    }

    Result<std::unique_ptr<SqlStore<Db>>> open_view(const std::string& business_id) {
        auto valid = check_business_id(business_id);
        if (!valid.ok())
            return valid.error();
        auto db = pool_->take();
        if (!db.ok())
            return db.error();
        // Views may outlive the fleet: then their connections close with them.
        std::weak_ptr<ConnectionPool<Db>> pool = pool_;
        auto release = [pool](Db closing) {
            if (auto kept = pool.lock())
                kept->give_back(std::move(closing));
        };
        return std::make_unique<SqlStore<Db>>(std::move(db).value(), business_id, release);
    }

    std::recursive_mutex mutex_;
    Db db_;
    std::shared_ptr<ConnectionPool<Db>> pool_;
};

}  // namespace calsync::store
