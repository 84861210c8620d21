// Sealing secrets at rest for hosts (calsync_seal / calsync_unseal): net::seal's
// AES-256-GCM under a key derived from the host key.
#include <string>

#include "calsync.h"
#include "capi_support.hpp"
#include "net/crypto.hpp"

namespace {

using namespace calsync;
using namespace calsync::capi;

constexpr std::size_t kMinHostKeyBytes = 32;

// Its own key, derived from the host key (RFC 2104 HMAC as a PRF), so sealing and the
// signing of OAuth states never use the same key.
Result<std::string> sealing_key(const char* host_key) {
    if (host_key == nullptr)
        return make_error(ErrorCode::invalid_argument, "host_key: must not be NULL");
    auto key = net::base64url_decode(host_key);
    if (!key.ok() || key->size() < kMinHostKeyBytes)
        return make_error(ErrorCode::invalid_argument,
                          "host_key: expected base64url of at least 32 random bytes");
    return net::hmac_sha256(key.value(), "calsync sealing key v1");
}

calsync_status seal(const char* host_key, const char* plaintext, char** out) {
    if (plaintext == nullptr || out == nullptr)
        return fail(CALSYNC_EINVAL, "plaintext, sealed: must not be NULL");
    auto key = sealing_key(host_key);
    if (!key.ok())
        return fail(key.error());
    auto sealed = net::seal(plaintext, key.value());
    if (!sealed.ok())
        return fail(sealed.error());
    return hand_out(sealed.value(), out);
}

calsync_status unseal(const char* host_key, const char* sealed, char** out) {
    if (sealed == nullptr || out == nullptr)
        return fail(CALSYNC_EINVAL, "sealed, plaintext: must not be NULL");
    auto key = sealing_key(host_key);
    if (!key.ok())
        return fail(key.error());
    auto opened = net::unseal(sealed, key.value());
    if (!opened.ok())
        return fail(CALSYNC_EAUTH,
                    "cannot unseal: the host key is not the one it was sealed with, or the "
                    "sealed text was altered");
    return hand_out(opened.value(), out);
}

}  // namespace

extern "C" {

calsync_status calsync_seal(const char* host_key, const char* plaintext, char** sealed) {
    return guarded("calsync_seal", [&] { return seal(host_key, plaintext, sealed); });
}

calsync_status calsync_unseal(const char* host_key, const char* sealed, char** plaintext) {
    return guarded("calsync_unseal", [&] { return unseal(host_key, sealed, plaintext); });
}

}  // extern "C"
