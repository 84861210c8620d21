#include "sync/fleet_budget.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <string>
#include <utility>

namespace calsync::sync {
namespace {

constexpr std::int64_t kLargestBlock = 20;
constexpr std::chrono::milliseconds kHeldAtMost{1000};

class FleetRequestBudget final : public RequestBudget {
  public:
    FleetRequestBudget(std::shared_ptr<FleetStore> fleet, std::string key, RequestRate rate,
                       PreciseClock now)
        : fleet_(std::move(fleet)),
          key_(std::move(key)),
          rate_(rate),
          now_(std::move(now)),
          // A second's share, but no more than the bucket can hold.
          block_(std::clamp<std::int64_t>(
              static_cast<std::int64_t>(std::min(rate.requests_per_second, rate.burst)), 1,
              kLargestBlock)) {}

    // The lock is held while the store is asked: this process's other threads wait for
    // that answer rather than ask too. Nobody sleeps here: an empty bucket is answered
    // with its wait, which the caller sleeps without any lock.
    Result<RequestGrant> take(std::int64_t wanted) override {
        std::lock_guard<std::mutex> lock(mutex_);
        const PreciseInstant now = now_();
        if (now - held_since_ > kHeldAtMost || now < held_since_)
            held_ = 0;
        if (held_ == 0 && now < empty_until_)
            return RequestGrant{0, empty_until_ - now};
        if (held_ == 0) {
            auto block = fleet_->take_requests(key_, rate_, std::max(block_, wanted), now);
            if (!block.ok())
                return block.error();
            if (block->granted == 0) {
                // Asked again when a whole block has accrued, by one thread: the store
                // sees about one take per block and worker, however many threads wait.
                const auto rest = std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(
                    1000.0 * static_cast<double>(block_ - 1) / rate_.requests_per_second)));
                empty_until_ = now + block->wait + rest;
                return RequestGrant{0, block->wait + rest};
            }
            held_ = block->granted;
            held_since_ = now;
        }
        RequestGrant grant;
        grant.granted = std::min(held_, wanted);
        held_ -= grant.granted;
        return grant;
    }

  private:
    std::shared_ptr<FleetStore> fleet_;
    const std::string key_;
    const RequestRate rate_;
    const PreciseClock now_;
    const std::int64_t block_;
    std::mutex mutex_;
    std::int64_t held_ = 0;
    PreciseInstant held_since_{};
    PreciseInstant empty_until_{};  // the bucket was empty: when to ask it again
};

}  // namespace

RequestBudgets fleet_request_budgets(std::shared_ptr<FleetStore> fleet, PreciseClock now) {
    if (!now)
        now = [] {
            return std::chrono::time_point_cast<std::chrono::milliseconds>(
                std::chrono::system_clock::now());
        };
    struct Budgets {
        std::mutex mutex;
        std::map<std::string, std::shared_ptr<RequestBudget>> by_key;
    };
    auto budgets = std::make_shared<Budgets>();
    return [fleet = std::move(fleet), now = std::move(now), budgets](
               const std::string& key, RequestRate rate) -> std::shared_ptr<RequestBudget> {
        std::lock_guard<std::mutex> lock(budgets->mutex);
        auto& budget = budgets->by_key[key];
        if (!budget)
            budget = std::make_shared<FleetRequestBudget>(fleet, key, rate, now);
        return budget;
    };
}

}  // namespace calsync::sync
