#include "net/easy_handle_pool.hpp"

#include <unistd.h>

#include <algorithm>
#include <iterator>
#include <map>
#include <mutex>
#include <vector>

namespace calsync::net {

ConnectionKey connection_key_of(const HttpOptions& options) {
    ConnectionKey key;
    key.allow_private_addresses = options.allow_private_addresses;
    key.insecure_skip_tls_verify_for_tests = options.insecure_skip_tls_verify_for_tests;
    key.proxy = options.proxy;
    key.ca_bundle_path = options.ca_bundle_path;
    return key;
}

void curl_global_init_once() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct EasyHandlePool::State {
    std::size_t max_idle_per_key = 0;
    mutable std::mutex mutex;
    bool closed = false;
    std::map<ConnectionKey, std::vector<EasyHandle>> idle;
    // The process the idle handles belong to. A child forked from it (a pre-forking host)
    // shares their sockets with its parent: two processes on one connection would read each
    // other's answers. The child therefore never uses them, and never frees them either
    // (curl_easy_cleanup would end a TLS session its parent is still using): they are kept
    // here, unused, until the child exits.
    pid_t owner = getpid();
    std::vector<CURL*> inherited;

    // Under the lock, at every use: the idle handles are the parent's after a fork.
    void leave_parents_handles() {
        if (owner == getpid())
            return;
        for (auto& [key, handles] : idle)
            std::transform(handles.begin(), handles.end(), std::back_inserter(inherited),
                           [](EasyHandle& handle) { return handle.release(); });
        idle.clear();
        owner = getpid();
    }
};

EasyHandlePool::EasyHandlePool(std::size_t max_idle_per_key) : state_(new State) {
    state_->max_idle_per_key = max_idle_per_key;
}

EasyHandlePool::~EasyHandlePool() {
    close();
}

EasyHandlePool& EasyHandlePool::process_wide() {
    // curl_global_init first: OpenSSL registers its atexit cleanup there, and exit handlers
    // run in reverse order, so the idle handles (and their TLS connections) are freed below
    // before OpenSSL is torn down. curl_global_cleanup is never called (it is not thread-safe
    // and a host may still use libcurl).
    curl_global_init_once();
    // Never destroyed (see the header); shared and mutable by design, behind its mutex.
    // NOLINTNEXTLINE(cppcoreguidelines-avoid-non-const-global-variables)
    static auto* const pool = new EasyHandlePool();
    // Frees the idle handles at exit, so that leak checkers see none; statics destroyed after
    // this one still give back safely (the pool, closed, frees what they give back).
    struct CloseAtExit {
        ~CloseAtExit() { pool->close(); }
    };
    static CloseAtExit close_at_exit;
    return *pool;
}

EasyHandle EasyHandlePool::take(const ConnectionKey& key) {
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->leave_parents_handles();
        auto found = state_->idle.find(key);
        if (found != state_->idle.end() && !found->second.empty()) {
            EasyHandle handle = std::move(found->second.back());
            found->second.pop_back();
            return handle;
        }
    }
    curl_global_init_once();
    return EasyHandle(curl_easy_init());
}

void EasyHandlePool::give_back(const ConnectionKey& key, EasyHandle handle) {
    if (!handle)
        return;
    curl_easy_reset(handle.get());
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->leave_parents_handles();
    if (state_->closed)
        return;  // freed on return
    auto& handles = state_->idle[key];
    if (handles.size() < state_->max_idle_per_key)
        handles.push_back(std::move(handle));
    // else freed on return
}

void EasyHandlePool::close() {
    std::unique_lock<std::mutex> lock(state_->mutex);
    state_->leave_parents_handles();
    state_->closed = true;
    auto idle = std::move(state_->idle);
    state_->idle.clear();
    lock.unlock();
    idle.clear();  // outside the lock: curl_easy_cleanup closes connections
}

void EasyHandlePool::abandon(EasyHandle handle) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->inherited.push_back(handle.release());
}

std::size_t EasyHandlePool::idle_count(const ConnectionKey& key) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->leave_parents_handles();
    auto found = state_->idle.find(key);
    return found == state_->idle.end() ? 0 : found->second.size();
}

}  // namespace calsync::net
