// libFuzzer target: the JSON reader (io/json.hpp) on arbitrary bytes, with the default limits
// and with small ones (so that inputs of a few hundred bytes reach the depth and length
// limits). Any input may throw ts::Error; none may crash, hang or touch memory outside the
// input. Checks: skip() accepts exactly what parse_document() accepts, and a parsed tree
// written back out (numbers as their text, strings through json_quote) parses to itself.
#include <tessera/io/json.hpp>

#include <cstdint>
#include <string>

namespace ts = tessera;
using ts::detail::JsonLimits;
using ts::detail::JsonReader;
using ts::detail::JsonValue;

namespace {

void write(const JsonValue& v, std::string& out) {
  switch (v.kind) {
    case JsonValue::Kind::Null: out += "null"; return;
    case JsonValue::Kind::Bool: out += v.boolean ? "true" : "false"; return;
    case JsonValue::Kind::Number: out += v.text; return;
    case JsonValue::Kind::String: out += ts::detail::json_quote(v.text); return;
    case JsonValue::Kind::Array:
    case JsonValue::Kind::Object: {
      const bool object = v.kind == JsonValue::Kind::Object;
      out += object ? '{' : '[';
      for (size_t i = 0; i < v.items.size(); ++i) {
        if (i) out += ',';
        if (object) (out += ts::detail::json_quote(v.keys[i])) += ':';
        write(v.items[i], out);
      }
      out += object ? '}' : ']';
      return;
    }
  }
}

bool same(const JsonValue& a, const JsonValue& b) {
  if (a.kind != b.kind || a.boolean != b.boolean || a.text != b.text || a.keys != b.keys ||
      a.items.size() != b.items.size())
    return false;
  for (size_t i = 0; i < a.items.size(); ++i)
    if (!same(a.items[i], b.items[i])) return false;
  return true;
}

void index_numbers(const JsonValue& v) {
  if (v.kind == JsonValue::Kind::Number) {
    try {
      (void)ts::detail::json_index(v, "fuzz", "a number");
    } catch (const ts::Error&) {
    }
  }
  for (const JsonValue& item : v.items) index_numbers(item);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const JsonLimits limits : {JsonLimits{}, JsonLimits{.max_depth = 4, .max_items = 8}}) {
    JsonValue tree;
    bool parsed = false, skipped = false;
    try {
      tree = JsonReader(text, "fuzz", limits).parse_document();
      parsed = true;
    } catch (const ts::Error&) {
    }
    try {
      JsonReader reader(text, "fuzz", limits);
      reader.skip();
      reader.finish();
      skipped = true;
    } catch (const ts::Error&) {
    }
    if (parsed != skipped) __builtin_trap();
    if (!parsed) continue;
    index_numbers(tree);
    std::string again;
    write(tree, again);
    if (!same(JsonReader(again, "fuzz", limits).parse_document(), tree)) __builtin_trap();
  }
  return 0;
}
