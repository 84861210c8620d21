#include "store/stored_zones.hpp"

#include <openssl/evp.h>

#include <algorithm>

namespace calsync::store {
namespace {

constexpr std::string_view kZoneKey = "\"zone\":{";
constexpr std::string_view kReference = "\"zone\":{\"stored\":\"";

std::string sha256_hex(std::string_view text) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
    static const char* const kHex = "0123456789abcdef";
    std::string hex;
    hex.reserve(size * 2);
    for (unsigned int i = 0; i < size; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0xf];
    }
    return hex;
}

// The end (one past the closing brace) of the JSON object opening at `open`, or npos.
std::size_t object_end(std::string_view text, std::size_t open) {
    int depth = 0;
    bool in_string = false;
    for (std::size_t i = open; i < text.size(); ++i) {
        const char c = text[i];
        if (in_string) {
            if (c == '\\')
                ++i;
            else if (c == '"')
                in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '{' || c == '[') {
            ++depth;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            return i + 1;
        }
    }
    return std::string_view::npos;
}

}  // namespace

CompactedBody compact_zones(std::string_view body, ZoneKeys* known) {
    CompactedBody out;
    out.body.reserve(body.size());
    std::size_t from = 0;
    for (;;) {
        const std::size_t key = body.find(kZoneKey, from);
        if (key == std::string_view::npos)
            break;
        const std::size_t open = key + kZoneKey.size() - 1;
        const std::size_t end = object_end(body, open);
        if (end == std::string_view::npos)
            break;
        const std::string_view object = body.substr(open, end - open);
        out.body.append(body.substr(from, open - from));
        if (object.size() < kInlineZoneBytes) {
            out.body.append(object);
        } else {
            auto it = known->find(object);
            if (it == known->end()) {
                it = known->emplace(std::string(object), sha256_hex(object)).first;
                out.zones.emplace_back(it->second, it->first);
            }
            out.body += "{\"stored\":\"" + it->second + "\"}";
            if (std::find(out.references.begin(), out.references.end(), it->second) ==
                out.references.end())
                out.references.push_back(it->second);
        }
        from = end;
    }
    out.body.append(body.substr(from));
    return out;
}

bool refers_to_zones(std::string_view stored_body) {
    return stored_body.find(kReference) != std::string_view::npos;
}

Result<std::string> expand_zones(
    std::string_view body, const std::function<Result<std::string>(const std::string&)>& zone) {
    std::string out;
    std::size_t from = 0;
    for (;;) {
        const std::size_t ref = body.find(kReference, from);
        if (ref == std::string_view::npos)
            break;
        const std::size_t id_start = ref + kReference.size();
        const std::size_t id_end = body.find('"', id_start);
        if (id_end == std::string_view::npos || body.substr(id_end, 2) != "\"}")
            return make_error(ErrorCode::parse, "store: a stored event's zone reference is cut");
        auto object = zone(std::string(body.substr(id_start, id_end - id_start)));
        if (!object.ok())
            return object.error();
        out.append(body.substr(from, ref + kZoneKey.size() - 1 - from));
        out += object.value();
        from = id_end + 2;
    }
    if (from == 0)
        return std::string(body);
    out.append(body.substr(from));
    return out;
}

}  // namespace calsync::store
