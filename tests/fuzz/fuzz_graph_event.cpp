// One Microsoft Graph event resource (a calendarView or delta item) read into the model,
// with its version and transactionId, and the model written back as create and update
// bodies. The input is the JSON.
#include <rapidjson/document.h>

#include <cstdint>

#include "fuzz_support.hpp"
#include "providers/microsoft/graph_client.hpp"
#include "providers/microsoft/graph_event.hpp"

using namespace calsync::providers::microsoft;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    // The reader is the target here, not the parse: iterative, so no input depth can
    // overflow the harness's stack. The provider's own parse of whole pages is fuzzed by
    // fuzz_graph_page.cpp.
    rapidjson::Document doc;
    doc.Parse<rapidjson::kParseIterativeFlag>(reinterpret_cast<const char*>(data), size);
    if (doc.HasParseError())
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
