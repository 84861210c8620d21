// Every JSON document a host hands the C ABI: through the C function itself where that
// stays on this machine, else through the reader the C function uses (connect, watch,
// select and provider slots go on to the network or need a connected account).
//
// Input: one letter for the document, then the JSON.
//   c  CLIENT_CONFIG: calsync_client_new
//   b  calsync_engine_blocked_slots        f  calsync_engine_free_slots
//   p  calsync_provider_new                o  calsync_oauth_new
//   a  APPOINTMENT: calsync_client_upsert_appointment, then the appointments and the feed
//   r  calsync_client_blocked_slots        q  calsync_client_free_slots
//   k  calsync_client_confirm_free         t  calsync_client_team_feed
//   h  calsync_client_handle_push
//   O  calsync_oauth_complete (a state it never issued: refused before any request)
//   n  connect request    s  select request    w  watch request    B  authorize begin
//   C  authorize complete P  provider blocked-slots request       T  TOKENS
#include <calsync.h>

#include <cstdint>
#include <string>

#include "client_json.hpp"
#include "core/provider_config.hpp"
#include "engine/json_codec.hpp"
#include "fuzz_support.hpp"

using namespace calsync;

namespace {

// The output strings are the caller's to free; a status is all the target needs.
void drop(char* out) {
    calsync_string_free(out);
}

calsync_client* new_client(const char* config_json) {
    const std::string& key = fuzz::host_key();
    calsync_client_options options = CALSYNC_CLIENT_OPTIONS_INIT;
    options.host_key = reinterpret_cast<const unsigned char*>(key.data());
    options.host_key_length = key.size();
    options.config_json = config_json;
    calsync_client* client = nullptr;
    if (calsync_client_new(&options, &client) != CALSYNC_OK)
        return nullptr;
    return client;
}

// A client holding one booked appointment, for the calls that answer from what it holds.
calsync_client* client_with_appointment() {
    calsync_client* client = new_client(nullptr);
    if (client == nullptr)
        fuzz::broken(std::string("calsync_client_new failed: ") + calsync_last_error_message());
    const char* appointment =
        R"({"version":1,"id":"appt-1","start":"2026-03-02T09:00:00Z",)"
        R"("end":"2026-03-02T10:00:00Z","client":"Ada","service":"Inspection"})";
    if (calsync_client_upsert_appointment(client, appointment) != CALSYNC_OK)
        fuzz::broken(std::string("the fixed appointment was refused: ") +
                     calsync_last_error_message());
    return client;
}

void with_client(const std::string& json, int index) {
    calsync_client* client = client_with_appointment();
    char* out = nullptr;
    switch (index) {
        case 5:
            if (calsync_client_upsert_appointment(client, json.c_str()) == CALSYNC_OK) {
                (void)calsync_client_appointments(client, &out);
                drop(out);
                out = nullptr;
                (void)calsync_client_team_feed(client, nullptr, &out);
            }
            break;
        case 6:
            (void)calsync_client_blocked_slots(client, json.c_str(), &out);
            break;
        case 7:
            (void)calsync_client_free_slots(client, json.c_str(), &out);
            break;
        case 8:
            (void)calsync_client_confirm_free(client, json.c_str(), &out);
            break;
        case 9:
            (void)calsync_client_team_feed(client, json.c_str(), &out);
            break;
        default:
            (void)calsync_client_handle_push(client, json.c_str(), &out);
            break;
    }
    drop(out);
    calsync_client_free(client);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const fuzz::Mode mode = fuzz::pick_mode(fuzz::text_of(data, size), "cbfpoarqkthOnswBCPT");
    const std::string json(mode.rest);
    char* out = nullptr;
    switch (mode.index) {
        case 0:
            calsync_client_free(new_client(json.c_str()));
            break;
        case 1:
            (void)calsync_engine_blocked_slots(json.c_str(), &out);
            break;
        case 2:
            (void)calsync_engine_free_slots(json.c_str(), &out);
            break;
        case 3: {
            calsync_provider* provider = nullptr;
            if (calsync_provider_new(json.c_str(), &provider) == CALSYNC_OK)
                calsync_provider_free(provider);
            break;
        }
        case 4: {
            calsync_oauth* oauth = nullptr;
            if (calsync_oauth_new(json.c_str(), &oauth) == CALSYNC_OK)
                calsync_oauth_free(oauth);
            break;
        }
        case 5:
        case 6:
        case 7:
        case 8:
        case 9:
        case 10:
            with_client(json, static_cast<int>(mode.index));
            break;
        case 11: {
            const std::string config = R"({"kind":"google","client_id":"c",)"
                                       R"("redirect_uri":"http://127.0.0.1:8080/cb",)"
                                       R"("host_key":")" +
                                       fuzz::host_key() + R"("})";
            calsync_oauth* oauth = nullptr;
            if (calsync_oauth_new(config.c_str(), &oauth) != CALSYNC_OK)
                fuzz::broken(std::string("the fixed OAuth client was refused: ") +
                             calsync_last_error_message());
            (void)calsync_oauth_complete(oauth, json.c_str(), &out);
            calsync_oauth_free(oauth);
            break;
        }
        case 12:
            (void)capi::parse_connect_request(json);
            break;
        case 13:
            (void)capi::parse_select_request(json);
            break;
        case 14:
            (void)capi::parse_watch_request(json);
            break;
        case 15:
            (void)capi::parse_authorize_begin(json);
            break;
        case 16:
            (void)capi::parse_authorize_complete(json);
            break;
        case 17:
            (void)json::parse_provider_slots_request(json);
            break;
        default:
            (void)json::parse_tokens(json);
            break;
    }
    drop(out);
    return 0;
}
