// One Google Calendar Event resource (events.list item, events.get answer) read into the
// model, and the model written back as an events.insert body. The input is the JSON.
#include <rapidjson/document.h>

#include <cstdint>

#include "fuzz_support.hpp"
#include "providers/google/google_event_json.hpp"

using namespace calsync;
using namespace calsync::providers::google;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader is the target; the provider's own parse of whole pages is fuzzed by the
    // page target.
    rapidjson::Document doc;
    if (!fuzz::parse_iteratively(fuzz::text_of(data, size), &doc))
        return 0;
    auto item = read_google_event(doc, "garage@example.com", "Europe/Berlin");
    if (!item.ok())
        return 0;
    (void)write_google_event(item->event, item->event.id);
    return 0;
}
