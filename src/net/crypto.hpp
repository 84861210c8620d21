// The few cryptographic operations calsync needs, on OpenSSL: random bytes, SHA-256,
// HMAC-SHA-256, and AES-256-GCM sealing of secrets at rest.
#pragma once

#include <string>
#include <string_view>

#include "calsync/result.hpp"

namespace calsync::net {

std::string random_bytes(std::size_t n);  // from the OS CSPRNG (RAND_bytes)
std::string sha256(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
// Compares without leaking where two strings differ.
bool constant_time_equal(std::string_view a, std::string_view b);

// What a sealed value is bound to: what it is ("connection credentials") and whose (a
// connection id). Both go into AES-GCM's associated data, so the value opens only for
// them: copied into another row, or read as another kind of secret, it does not open.
struct SealBinding {
    std::string_view purpose;
    std::string_view owner;
};

// "v2." + base64url(nonce || ciphertext || tag), bound to `binding`; `key` is 32 bytes (a
// host-provided key).
Result<std::string> seal(std::string_view plaintext, std::string_view key,
                         const SealBinding& binding);
// Fails (without saying more) when the key is wrong, the binding is another, or the text
// was altered.
Result<std::string> unseal(std::string_view sealed, std::string_view key,
                           const SealBinding& binding);

// "v1.": bound to nothing. What calsync_secret_seal hands hosts, who keep the value where
// they choose, and what stores written before bound values hold (opened once, to be
// sealed again bound).
Result<std::string> seal_unbound(std::string_view plaintext, std::string_view key);
Result<std::string> unseal_unbound(std::string_view sealed, std::string_view key);
bool is_sealed_unbound(std::string_view sealed);

}  // namespace calsync::net
