#include "sync/feed_secret.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "core/text_encoding.hpp"
#include "net/crypto.hpp"
#include "net/origin.hpp"

namespace calsync {
namespace {

std::string text_of(const rapidjson::Document& doc) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace

FeedSecret split_feed_secret(const std::string& settings_json,
                             const std::string& credentials_json) {
    FeedSecret out{settings_json, credentials_json, ""};
    rapidjson::Document settings;
    settings.Parse(settings_json.c_str());
    rapidjson::Document credentials;
    credentials.Parse(credentials_json.c_str());
    if (settings.HasParseError() || !settings.IsObject() || credentials.HasParseError() ||
        !credentials.IsObject())
        return out;
    auto url = settings.FindMember("url");
    if (url == settings.MemberEnd() || !url->value.IsString())
        return out;
    out.url = url->value.GetString();
    auto& a = credentials.GetAllocator();
    credentials.RemoveMember("url");
    credentials.AddMember("url", rapidjson::Value(out.url.c_str(), a), a);
    settings.RemoveMember("url");
    out.settings_json = text_of(settings);
    out.credentials_json = text_of(credentials);
    return out;
}

std::string feed_account(const SyncService::State& s, const std::string& url) {
    const std::string key =
        net::hmac_sha256(s.options.settings.host_key, "calsync: feed account digest, v1");
    return net::redact_secret_url(url) + " #" +
           encoding::base64url(net::hmac_sha256(key, url)).substr(0, 10);
}

}  // namespace calsync
