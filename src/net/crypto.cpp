#include "net/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <memory>
#include <stdexcept>

#include "core/text_encoding.hpp"

namespace calsync::net {
namespace {

struct CipherDeleter {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherDeleter>;

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;
const char* const kSealPrefix = "v1.";

const unsigned char* bytes(std::string_view s) {
    return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

std::string random_bytes(std::size_t n) {
    std::string out(n, '\0');
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
        throw std::runtime_error("the system random number generator failed");
    return out;
}

std::string sha256(std::string_view data) {
    std::string out(SHA256_DIGEST_LENGTH, '\0');
    SHA256(bytes(data), data.size(), reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
    std::string out(EVP_MAX_MD_SIZE, '\0');
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), bytes(data), data.size(),
         reinterpret_cast<unsigned char*>(out.data()), &len);
    out.resize(len);
    return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace {

const char* const kBoundPrefix = "v2.";

// The associated data of a bound value: each part with its length, so no two bindings
// read the same ("a" + "bc" is not "ab" + "c").
std::string associated_data(const SealBinding& b) {
    return "calsync sealed value\n" + std::to_string(b.purpose.size()) + ":" +
           std::string(b.purpose) + std::to_string(b.owner.size()) + ":" + std::string(b.owner);
}

Result<std::string> seal_with(std::string_view plaintext, std::string_view key,
                              std::string_view aad, const char* prefix) {
    if (key.size() != 32)
        return make_error(ErrorCode::invalid_argument, "the sealing key must be 32 bytes");
    const std::string nonce = random_bytes(kNonce);
    CipherPtr ctx(EVP_CIPHER_CTX_new());
    std::string out(plaintext.size() + 16, '\0');
    int len = 0;
    int total = 0;
    if (!ctx ||
        EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1 ||
        (!aad.empty() && EVP_EncryptUpdate(ctx.get(), nullptr, &len, bytes(aad),
                                           static_cast<int>(aad.size())) != 1) ||
        EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                          bytes(plaintext), static_cast<int>(plaintext.size())) != 1)
        return make_error(ErrorCode::internal, "sealing failed");
    total = len;
    if (EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total,
                            &len) != 1)
        return make_error(ErrorCode::internal, "sealing failed");
    total += len;
    out.resize(static_cast<std::size_t>(total));
    std::string tag(kTag, '\0');
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, tag.data()) != 1)
        return make_error(ErrorCode::internal, "sealing failed");
    return prefix + encoding::base64url(nonce + out + tag);
}

Result<std::string> unseal_with(std::string_view sealed, std::string_view key, std::string_view aad,
                                std::string_view prefix) {
    const auto refused =
        make_error(ErrorCode::auth, "sealed secret cannot be opened (wrong key or altered)");
    if (key.size() != 32)
        return make_error(ErrorCode::invalid_argument, "the sealing key must be 32 bytes");
    if (sealed.substr(0, prefix.size()) != prefix)
        return refused;
    auto raw = encoding::base64url_decode(sealed.substr(prefix.size()));
    if (!raw.ok() || raw->size() < kNonce + kTag)
        return refused;
    const std::string& r = raw.value();
    const std::string nonce = r.substr(0, kNonce);
    const std::string body = r.substr(kNonce, r.size() - kNonce - kTag);
    std::string tag = r.substr(r.size() - kTag);
    CipherPtr ctx(EVP_CIPHER_CTX_new());
    std::string out(body.size() + 16, '\0');
    int len = 0;
    if (!ctx ||
        EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, bytes(key), bytes(nonce)) != 1 ||
        (!aad.empty() && EVP_DecryptUpdate(ctx.get(), nullptr, &len, bytes(aad),
                                           static_cast<int>(aad.size())) != 1) ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len,
                          bytes(body), static_cast<int>(body.size())) != 1)
        return refused;
    int total = len;
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + total,
                            &len) != 1)
        return refused;
    total += len;
    out.resize(static_cast<std::size_t>(total));
    return out;
}

}  // namespace

Result<std::string> seal(std::string_view plaintext, std::string_view key,
                         const SealBinding& binding) {
    return seal_with(plaintext, key, associated_data(binding), kBoundPrefix);
}

Result<std::string> unseal(std::string_view sealed, std::string_view key,
                           const SealBinding& binding) {
    return unseal_with(sealed, key, associated_data(binding), kBoundPrefix);
}

Result<std::string> seal_unbound(std::string_view plaintext, std::string_view key) {
    return seal_with(plaintext, key, "", kSealPrefix);
}

Result<std::string> unseal_unbound(std::string_view sealed, std::string_view key) {
    return unseal_with(sealed, key, "", kSealPrefix);
}

bool is_sealed_unbound(std::string_view sealed) {
    return sealed.substr(0, 3) == kSealPrefix;
}

}  // namespace calsync::net
