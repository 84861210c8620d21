// Secrets at rest for hosts (and the CLI): AES-256-GCM under a key derived from the host
// key, so TOKENS can be stored sealed without the host carrying its own crypto.
#include <string>

#include "calsync.h"
#include "capi_support.hpp"
#include "core/text_encoding.hpp"
#include "net/crypto.hpp"

namespace {

using namespace calsync;
using namespace calsync::capi;

constexpr std::size_t kMinHostKeyBytes = 32;

// The AES key: SHA-256 over a label and the host key, so the key that signs OAuth states
// is never used as it is for encryption too.
Result<std::string> sealing_key(const char* host_key) {
    if (host_key == nullptr)
        return make_error(ErrorCode::invalid_argument,
                          argument_message("host_key", "must not be NULL"));
    auto key = encoding::base64url_decode(host_key);
    if (!key.ok() || key->size() < kMinHostKeyBytes)
        return make_error(
            ErrorCode::invalid_argument,
            argument_message("host_key", "expected base64url of at least 32 random bytes"));
    return net::sha256("calsync secret sealing v1\n" + key.value());
}

calsync_status key_new(char** out) {
    if (out == nullptr)
        return null_argument("host_key");
    return hand_out(encoding::base64url(net::random_bytes(kMinHostKeyBytes)), out);
}

calsync_status seal(const char* host_key, const char* plaintext, char** out) {
    if (plaintext == nullptr)
        return null_argument("plaintext");
    if (out == nullptr)
        return null_argument("sealed");
    auto key = sealing_key(host_key);
    if (!key.ok())
        return fail(key.error());
    auto sealed = net::seal_unbound(plaintext, key.value());
    if (!sealed.ok())
        return fail(sealed.error());
    return hand_out(sealed.value(), out);
}

calsync_status unseal(const char* host_key, const char* sealed, char** out) {
    if (sealed == nullptr)
        return null_argument("sealed");
    if (out == nullptr)
        return null_argument("plaintext");
    auto key = sealing_key(host_key);
    if (!key.ok())
        return fail(key.error());
    auto plain = net::unseal_unbound(sealed, key.value());
    if (!plain.ok())
        return fail(CALSYNC_EAUTH,
                    argument_message(
                        "sealed", "cannot be opened with this host key (another key, or altered)"));
    return hand_out(plain.value(), out);
}

}  // namespace

extern "C" {

calsync_status calsync_secret_key_new(char** host_key) {
    return guarded("calsync_secret_key_new", [&] { return key_new(host_key); });
}

calsync_status calsync_secret_seal(const char* host_key, const char* plaintext, char** sealed) {
    return guarded("calsync_secret_seal", [&] { return seal(host_key, plaintext, sealed); });
}

calsync_status calsync_secret_unseal(const char* host_key, const char* sealed, char** plaintext) {
    return guarded("calsync_secret_unseal", [&] { return unseal(host_key, sealed, plaintext); });
}

}  // extern "C"
