// One Microsoft Graph event resource (a calendarView or delta item) read into the model,
// with its version and transactionId, and the model written back as create and update
// bodies. The input is the JSON.
#include <rapidjson/document.h>

#include <cstdint>

#include "fuzz_support.hpp"
#include "providers/microsoft/graph_client.hpp"
#include "providers/microsoft/graph_event.hpp"

using namespace calsync;
using namespace calsync::providers::microsoft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader is the target; the provider's own parse of whole pages is fuzzed by the
    // page target.
    rapidjson::Document doc;
    if (!fuzz::parse_iteratively(fuzz::text_of(data, size), &doc))
        return 0;
    (void)event_version(doc);
    (void)appointment_from_transaction_id(string_member(doc, "transactionId"));
    auto item = read_item(doc, "calendar-1");
    if (!item.ok() || item->kind != GraphItem::Kind::event)
        return 0;
    (void)create_body(item->event, "calendar-1");
    (void)update_body(item->event);
    return 0;
}
