// What the calsync program prints: times in the business's zone, tables, the library's
// JSON, and the progress line of a long sync.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "business_time.hpp"

namespace cli {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

// --- JSON
// Parses an answer of the library (always well-formed JSON; bounded all the same, and
// an empty document if it were not).
rapidjson::Document parse_json(const std::string& text);
// A string member, or "" when absent or not a string.
const char* str(const rapidjson::Value& v, const char* key);
bool boolean(const rapidjson::Value& v, const char* key);
long long integer(const rapidjson::Value& v, const char* key);
// The string the library returned, freed.
std::string take(char* library_string);
void key_string(Writer& w, const char* key, const std::string& value);
// A document {"version": 1, ...body(w)...} as text.
template <class Body>
std::string json_document(Body&& body) {
    rapidjson::StringBuffer buf;
    Writer w(buf);
    w.StartObject();
    w.Key("version");
    w.Int(1);
    body(w);
    w.EndObject();
    return buf.GetString();
}

// --- words
// "1 blocked slot", "3 blocked slots": `noun` is the singular, made plural with an "s".
std::string counted(long long n, const std::string& noun);

// --- tables
// Columns as wide as their widest cell, two spaces apart; the last column is not padded.
void print_table(const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);
// One table row per element of a JSON array.
template <class Row>
std::vector<std::vector<std::string>> rows_of(const rapidjson::Value& array, Row&& row) {
    std::vector<std::vector<std::string>> rows;
    std::transform(array.Begin(), array.End(), std::back_inserter(rows), row);
    return rows;
}
// A blocked-slots answer (slots, busy, and "errors" when there are any) as a table.
void print_slots(const rapidjson::Value& doc);

// --- the progress line: on stderr, only when stderr is a terminal, overwritten in place
class ProgressLine {
  public:
    ProgressLine();
    ~ProgressLine();
    ProgressLine(const ProgressLine&) = delete;
    ProgressLine& operator=(const ProgressLine&) = delete;
    void show(const std::string& text);
    void clear();

  private:
    bool enabled_;
    bool shown_ = false;
};

}  // namespace cli
