#include "core/bounded_json.hpp"

#include <rapidjson/encodedstream.h>
#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/utf8.hpp"

namespace calsync::json {
namespace {

using rapidjson::SizeType;

// Forwards SAX events to the document being built, refusing what is over the limits. The
// parser is iterative, so depth costs this handler's counter and the document's own stack
// (on the heap), never the thread's stack.
class BoundedHandler {
  public:
    BoundedHandler(rapidjson::Document& doc, InvalidUtf8 invalid_utf8, const Limits& limits)
        : doc_(doc), invalid_utf8_(invalid_utf8), limits_(limits) {}

    bool Null() { return value() && doc_.Null(); }
    bool Bool(bool b) { return value() && doc_.Bool(b); }
    bool Int(int i) { return value() && doc_.Int(i); }
    bool Uint(unsigned u) { return value() && doc_.Uint(u); }
    bool Int64(std::int64_t i) { return value() && doc_.Int64(i); }
    bool Uint64(std::uint64_t u) { return value() && doc_.Uint64(u); }
    bool Double(double d) { return value() && doc_.Double(d); }
    bool RawNumber(const char* s, SizeType n, bool copy) {
        return value() && doc_.RawNumber(s, n, copy);
    }
    bool String(const char* s, SizeType n, bool copy) {
        if (!value())
            return false;
        return text(s, n, copy, false);
    }
    bool Key(const char* s, SizeType n, bool copy) {
        if (!count())
            return false;
        Frame& object = frames_.back();  // a key is always inside an object
        object.key.clear();
        if (!text(s, n, copy, true))
            return false;
        if (invalid_utf8_ == InvalidUtf8::refuse)
            object.key.assign(s, n);
        return true;
    }
    bool StartObject() { return open(false) && doc_.StartObject(); }
    bool EndObject(SizeType members) {
        frames_.pop_back();
        return doc_.EndObject(members);
    }
    bool StartArray() { return open(true) && doc_.StartArray(); }
    bool EndArray(SizeType elements) {
        frames_.pop_back();
        return doc_.EndArray(elements);
    }

    // Set when this handler stopped the parse.
    std::optional<Error> failure;

  private:
    struct Frame {
        bool array = false;
        std::size_t next = 0;  // the index the next element of an array gets
        std::string key;       // the member being read (tracked under InvalidUtf8::refuse)
    };

    bool count() {
        if (++values_ <= limits_.max_values)
            return true;
        failure = make_error(ErrorCode::limit_exceeded, "JSON text holds more than " +
                                                            std::to_string(limits_.max_values) +
                                                            " values, the limit");
        return false;
    }

    // Every value: counted, and its index taken when it is an array element.
    bool value() {
        if (!frames_.empty() && frames_.back().array)
            ++frames_.back().next;
        return count();
    }

    bool open(bool array) {
        if (!value())
            return false;
        if (frames_.size() >= limits_.max_depth) {
            failure = make_error(ErrorCode::limit_exceeded, "JSON text nests deeper than " +
                                                                std::to_string(limits_.max_depth) +
                                                                " levels, the limit");
            return false;
        }
        frames_.push_back(Frame{array, 0, {}});
        return true;
    }

    bool text(const char* s, SizeType n, bool copy, bool is_key) {
        const std::string_view view(s, n);
        if (utf8::is_valid(view))
            return is_key ? doc_.Key(s, n, copy) : doc_.String(s, n, copy);
        if (invalid_utf8_ == InvalidUtf8::refuse) {
            failure =
                make_error(ErrorCode::invalid_argument,
                           path() + (is_key ? ": a member name" : "") + " is not valid UTF-8");
            return false;
        }
        const std::string fixed = utf8::replace_invalid(view);
        const auto length = static_cast<SizeType>(fixed.size());
        // copy: the document keeps its own copy of the replaced text.
        return is_key ? doc_.Key(fixed.data(), length, true)
                      : doc_.String(fixed.data(), length, true);
    }

    // "calendars[0].events[2].summary", as core/json_read.hpp names fields.
    std::string path() const {
        std::string out;
        for (const Frame& f : frames_) {
            if (f.array)
                out += "[" + std::to_string(f.next == 0 ? 0 : f.next - 1) + "]";
            else if (!f.key.empty())
                out += (out.empty() ? "" : ".") + f.key;
        }
        return out.empty() ? "the document" : out;
    }

    rapidjson::Document& doc_;
    InvalidUtf8 invalid_utf8_;
    Limits limits_;
    std::vector<Frame> frames_;
    std::size_t values_ = 0;
};

}  // namespace

Result<rapidjson::Document> parse_bounded(std::string_view text, InvalidUtf8 invalid_utf8,
                                          const Limits& limits) {
    if (text.size() > limits.max_bytes)
        return make_error(ErrorCode::limit_exceeded,
                          "JSON text of " + std::to_string(text.size()) + " bytes is over the " +
                              std::to_string(limits.max_bytes) + "-byte limit");
    rapidjson::Document doc;
    BoundedHandler handler(doc, invalid_utf8, limits);
    rapidjson::ParseResult parsed;
    const auto generate = [&](rapidjson::Document& building) {
        (void)building;  // the handler forwards to it
        rapidjson::MemoryStream bytes(text.data(), text.size());
        // As Document::Parse reads a text: a UTF-8 byte order mark is skipped.
        rapidjson::EncodedInputStream<rapidjson::UTF8<>, rapidjson::MemoryStream> stream(bytes);
        rapidjson::Reader reader;
        parsed = reader.Parse<rapidjson::kParseIterativeFlag>(stream, handler);
        return !parsed.IsError();
    };
    doc.Populate(generate);
    if (handler.failure)
        return *handler.failure;
    if (parsed.IsError())
        return make_error(ErrorCode::parse, std::string("not valid JSON: ") +
                                                rapidjson::GetParseError_En(parsed.Code()) +
                                                " at offset " + std::to_string(parsed.Offset()));
    return Result<rapidjson::Document>(std::move(doc));
}

rapidjson::Document parse_bounded_or_null(std::string_view text) {
    auto parsed = parse_bounded(text, InvalidUtf8::replace);
    return parsed.ok() ? std::move(parsed).value() : rapidjson::Document();
}

}  // namespace calsync::json
