#include "net/origin.hpp"
#include "core/ascii.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace calsync::net {
namespace {

struct UrlDeleter {
    void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
using UrlPtr = std::unique_ptr<CURLU, UrlDeleter>;

struct PartDeleter {
    void operator()(char* p) const { curl_free(p); }
};

// One part of a parsed URL; empty when absent.
std::string part(CURLU* url, CURLUPart which, unsigned flags = 0) {
    char* raw = nullptr;
    if (curl_url_get(url, which, &raw, flags) != CURLUE_OK || raw == nullptr)
        return {};
    std::unique_ptr<char, PartDeleter> owned(raw);
    return raw;
}

UrlPtr parse(std::string_view url) {
    UrlPtr u(curl_url());
    if (!u || curl_url_set(u.get(), CURLUPART_URL, std::string(url).c_str(), 0) != CURLUE_OK)
        return nullptr;
    return u;
}

}  // namespace

std::string Origin::text() const {
    const int standard = scheme == "https" ? 443 : 80;
    return scheme + "://" + host + (port == standard ? "" : ":" + std::to_string(port));
}

Result<Origin> parse_origin(std::string_view url) {
    UrlPtr u = parse(url);
    const auto refused =
        make_error(ErrorCode::invalid_argument, "not an absolute http or https URL with a host");
    if (!u)
        return refused;
    Origin o;
    o.scheme = ascii::lower(part(u.get(), CURLUPART_SCHEME));
    o.host = ascii::lower(part(u.get(), CURLUPART_HOST));
    const std::string port = part(u.get(), CURLUPART_PORT, CURLU_DEFAULT_PORT);
    if ((o.scheme != "http" && o.scheme != "https") || o.host.empty() || port.empty())
        return refused;
    o.port = std::stoi(port);
    return o;
}

bool has_user_info(std::string_view url) {
    UrlPtr u = parse(url);
    return u &&
           (!part(u.get(), CURLUPART_USER).empty() || !part(u.get(), CURLUPART_PASSWORD).empty());
}

Result<std::string> resolve_reference(std::string_view base, std::string_view reference) {
    UrlPtr u = parse(base);
    if (!u || curl_url_set(u.get(), CURLUPART_URL, std::string(reference).c_str(), 0) != CURLUE_OK)
        return make_error(ErrorCode::parse, "a link that is not a URL");
    curl_url_set(u.get(), CURLUPART_USER, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_PASSWORD, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_OPTIONS, nullptr, 0);
    curl_url_set(u.get(), CURLUPART_FRAGMENT, nullptr, 0);
    std::string out = part(u.get(), CURLUPART_URL);
    if (out.empty())
        return make_error(ErrorCode::parse, "a link that is not a URL");
    return out;
}

std::string redact_secret_url(std::string_view url) {
    auto origin = parse_origin(url);
    if (!origin.ok())
        return "(a URL that cannot be read)";
    return origin->text() + "/...";
}

bool CredentialScope::covers(const Origin& target) const {
    if (target == origin)
        return true;
    if (https_domain.empty() || target.scheme != "https" || target.port != 443)
        return false;
    const std::string suffix = "." + https_domain;
    return target.host.size() > suffix.size() &&
           target.host.compare(target.host.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace calsync::net
