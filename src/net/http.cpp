#include "net/http.hpp"

#include <algorithm>
#include <cctype>

#include "core/ascii.hpp"
#include "net/origin.hpp"

namespace calsync::net {

std::string origin_of(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos)
        return std::string(url);
    const auto path = url.find('/', scheme + 3);
    return std::string(path == std::string_view::npos ? url : url.substr(0, path));
}

std::string redact_url(std::string_view url) {
    std::string out(url.substr(0, url.find_first_of("?#")));
    const auto scheme = out.find("://");
    if (scheme != std::string::npos) {
        const auto host_start = scheme + 3;
        const auto path = out.find('/', host_start);
        const auto at = out.rfind('@', path == std::string::npos ? out.size() : path);
        if (at != std::string::npos && at >= host_start)
            out.erase(host_start, at + 1 - host_start);
    }
    if (url.find('?') != std::string_view::npos)
        out += "?...";
    return out;
}

std::string shown_url(const HttpRequest& request) {
    return request.url_is_secret ? redact_secret_url(request.url) : redact_url(request.url);
}

Error http_status_error(int status, const std::string& what) {
    ErrorCode code = ErrorCode::http;
    if (status == 401 || status == 403)
        code = ErrorCode::auth;
    if (status == 404 || status == 410)
        code = ErrorCode::not_found;
    if (status == 412)
        code = ErrorCode::conflict;
    if (status == 429)
        code = ErrorCode::rate_limited;
    Error e = make_error(code, what + ": HTTP " + std::to_string(status));
    e.http_status = status;
    return e;
}

const std::string* HttpResponse::header(std::string_view name) const {
    for (const Header& h : headers) {
        if (ascii::iequals(h.name, name))
            return &h.value;
    }
    return nullptr;
}

}  // namespace calsync::net
