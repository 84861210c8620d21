// What the fuzz targets share: the network replaced by answers scripted from the fuzz input,
// a fixed "now", and a way to report a broken invariant as a crash. Every run of an input
// does the same thing, so a crash found once reproduces from its file.
#pragma once

#include <rapidjson/document.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "calsync/civil_time.hpp"
#include "calsync/model.hpp"
#include "net/http.hpp"
#include "net/oauth_session.hpp"
#include "net/retry.hpp"

namespace calsync::fuzz {

// Inputs that script several HTTP answers separate them with this line.
constexpr std::string_view kAnswerSeparator = "\n~~~\n";

// The instant every target takes as "now", and the sync window around it (1 day back, 365
// ahead: the sync service's default).
Instant fixed_now();
TimeRange sync_window();

// A host key (32 bytes and more) for what the targets sign and seal.
const std::string& host_key();

// The input as text.
inline std::string_view text_of(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// The input's first byte chooses what a target does with the rest: its position in
// `letters` (readable corpus files), or the byte modulo the number of letters.
struct Mode {
    std::size_t index = 0;
    std::string_view rest;
};
Mode pick_mode(std::string_view input, std::string_view letters);

std::vector<std::string_view> split(std::string_view text, std::string_view separator);

// The first line of *text (without its "\n" or "\r\n"), taken off it.
std::string_view take_line(std::string_view* text);
// "Name: value" lines taken off *text up to an empty line or its end; names as written.
std::vector<net::Header> take_headers(std::string_view* text);

// A JSON document parsed without recursion, so that no depth overflows the harness's own
// stack: for targets whose subject is what reads the document, not the parse. False when
// it is not JSON.
bool parse_iteratively(std::string_view text, rapidjson::Document* doc);

// One scripted answer: "HTTP/1.1 <status>\n<Name: value\n>...\n<body>", or only a body
// (status 200).
net::HttpResponse parse_answer(std::string_view text);

// Hands out the scripted answers in order, whatever is asked; then 404s.
class ScriptedTransport : public net::Transport {
  public:
    explicit ScriptedTransport(std::string_view script);
    Result<net::HttpResponse> perform(const net::HttpRequest& request) override;

  private:
    std::vector<net::HttpResponse> answers_;
    std::size_t next_ = 0;
};

// An HttpClient over the answers in `script`: one retry (so Retry-After is read), never
// sleeping. `policy` may add a provider's throttling rule.
std::shared_ptr<net::HttpClient> scripted_http(std::string_view script,
                                               net::RetryPolicy policy = {});

// An OAuth session over `http` whose token is valid until `expires_at` (a refresh, a 401,
// goes to the token endpoint through `http` too).
std::shared_ptr<net::OAuthSession> scripted_session(std::shared_ptr<net::HttpClient> http,
                                                    Instant expires_at);

// A broken invariant: printed, then abort(), which libFuzzer and the replay report as a
// crash with this input.
[[noreturn]] void broken(const std::string& what);

// Merged busy intervals as the engine documents them (sorted, disjoint, not empty), and
// the union of the slots shown.
void check_busy(const std::vector<BlockedSlot>& slots, const std::vector<TimeRange>& busy);

}  // namespace calsync::fuzz
