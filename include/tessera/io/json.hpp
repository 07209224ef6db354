#pragma once
// A small, strict JSON reader and string escaper, enough for safetensors headers.

#include "../core/algorithm.hpp"
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "../core/config.hpp"

namespace tessera::detail {

/** A parsed JSON value. Numbers keep their text, so integers up to 2^64 stay exact. */
struct JsonValue {
  enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
  bool boolean = false;
  std::string text;  // the string's contents, or the number's digits
  std::vector<JsonValue> items;   // an array's elements, or an object's values
  std::vector<std::string> keys;  // an object's keys, parallel to items, in file order

  /** The value of `key`, or null; a linear search (objects are small, and parsing checked
   *  that keys are unique). */
  const JsonValue* find(std::string_view key) const {
    for (size_t i = 0; i < keys.size(); ++i)
      if (keys[i] == key) return &items[i];
    return nullptr;
  }
};

/** What a JsonReader accepts, beyond the grammar. */
struct JsonLimits {
  int max_depth = 64;                 // nested arrays and objects
  size_t max_items = size_t{1} << 20;  // elements of one array, members of one object
};

// Note [Strict JSON]
// The reader accepts RFC 8259 JSON and nothing else: no comments, no trailing commas, no
// duplicate keys, no unpaired surrogates. Every error throws ts::Error with the byte offset.
// Hostile input costs time and memory in proportion to its length, never more:
//  - nesting is limited (JsonLimits::max_depth, 64), so recursion cannot exhaust the stack;
//  - an array or object longer than JsonLimits::max_items (2^20) is refused at the first
//    element too many, before that element is parsed;
//  - duplicate keys are found by sorting an object's keys once it is complete: O(k log k)
//    comparisons for k keys, whatever the keys are (a hash set could be flooded with
//    colliding keys, and comparing each key with all earlier ones is quadratic);
//  - a caller that knows what it expects (a safetensors header) walks the document with the
//    pull interface (enter / next / key / string_value / number_value / skip) and applies its
//    own, tighter limits while reading, instead of building the whole tree first.
template <class = void>
class BasicJsonReader {
 public:
  BasicJsonReader(std::string_view text, const char* op, JsonLimits limits = {})
      : s_(text), op_(op), limits_(limits) {}

  /** The whole text as one value; only whitespace may follow it. */
  JsonValue parse_document() {
    JsonValue v;
    value(&v);
    finish();
    return v;
  }

  // --- the pull interface -------------------------------------------------------------------

  /** The kind of the next value, after skipping whitespace (nothing is consumed). */
  JsonValue::Kind peek() {
    skip_space();
    if (i_ >= s_.size()) fail("unexpected end of input");
    switch (s_[i_]) {
      case '{': return JsonValue::Kind::Object;
      case '[': return JsonValue::Kind::Array;
      case '"': return JsonValue::Kind::String;
      case 't':
      case 'f': return JsonValue::Kind::Bool;
      case 'n': return JsonValue::Kind::Null;
      default:
        if (s_[i_] == '-' || (s_[i_] >= '0' && s_[i_] <= '9')) return JsonValue::Kind::Number;
        fail("unexpected character");
    }
  }
  /** Consumes the '{' or '[' (`open`) that starts an object or array. */
  void enter(char open) {
    skip_space();
    if (i_ >= s_.size() || s_[i_] != open) fail(open == '{' ? "expected '{'" : "expected '['");
    if (depth_ >= limits_.max_depth)
      throw_error(op_, ": malformed JSON header at byte ", i_, ": nesting deeper than ", limits_.max_depth, " levels");
    ++depth_;
    ++i_;
  }
  /** Moves to the next element of the array or object entered last, whose closing character
   *  is `close`: true when there is one (for an object, `key` reads it next), false after the
   *  closing character. `count` starts at 0 and counts the elements seen. */
  bool next(char close, size_t& count) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == close) {
      ++i_;
      --depth_;
      return false;
    }
    if (count > 0) {
      if (i_ >= s_.size() || s_[i_] != ',') fail(close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
      ++i_;
    }
    if (count >= limits_.max_items)
      throw_error(op_, ": malformed JSON header at byte ", i_, ": more than ", limits_.max_items,
                  close == '}' ? " members in an object" : " elements in an array");
    ++count;
    return true;
  }
  /** An object member's key and the ':' after it. */
  std::string key() {
    skip_space();
    if (i_ >= s_.size() || s_[i_] != '"') fail("expected a string key");
    std::string k;
    string(&k);
    skip_space();
    if (i_ >= s_.size() || s_[i_] != ':') fail("expected ':'");
    ++i_;
    return k;
  }
  /** A string value, unescaped. */
  std::string string_value() {
    if (peek() != JsonValue::Kind::String) fail("expected a string");
    std::string out;
    string(&out);
    return out;
  }
  /** A number's text, checked against the grammar; a view into the input. */
  std::string_view number_value() {
    if (peek() != JsonValue::Kind::Number) fail("expected a number");
    return number();
  }
  /** Reads past the next value, checking it as parse_document would, keeping nothing of it
   *  but an object's keys until the object ends (for the duplicate check). */
  void skip() { value(nullptr); }
  /** Checks that only whitespace is left. */
  void finish() {
    skip_space();
    if (i_ != s_.size()) fail("unexpected data after the JSON value");
  }
  /** The byte offset reached. */
  size_t offset() const { return i_; }
  /** Throws the reader's error for the current offset. */
  [[noreturn]] void fail(std::string_view what) const {
    throw_error(op_, ": malformed JSON header at byte ", i_, ": ", what);
  }

  /** The first key that occurs twice, or null: sorts pointers, O(k log k) comparisons. */
  static const std::string* first_duplicate(const std::vector<std::string>& keys) {
    if (keys.size() < 2) return nullptr;
    std::vector<const std::string*> sorted(keys.size());
    for (size_t k = 0; k < keys.size(); ++k) sorted[k] = &keys[k];
    std::sort(sorted.begin(), sorted.end(), [](const std::string* a, const std::string* b) { return *a < *b; });
    for (size_t k = 1; k < sorted.size(); ++k)
      if (*sorted[k] == *sorted[k - 1]) return sorted[k];
    return nullptr;
  }

 private:
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }

  /** Parses one value into `*v`, or checks and skips it when `v` is null. */
  void value(JsonValue* v) {
    const JsonValue::Kind kind = peek();
    if (v) v->kind = kind;
    switch (kind) {
      case JsonValue::Kind::Object: {
        enter('{');
        std::vector<std::string> skipped_keys;
        std::vector<std::string>& keys = v ? v->keys : skipped_keys;
        for (size_t count = 0; next('}', count);) {
          keys.push_back(key());
          if (v) v->items.emplace_back();
          value(v ? &v->items.back() : nullptr);
        }
        if (const std::string* dup = first_duplicate(keys)) fail("duplicate key '" + *dup + "'");
        return;
      }
      case JsonValue::Kind::Array:
        enter('[');
        for (size_t count = 0; next(']', count);) {
          if (v) v->items.emplace_back();
          value(v ? &v->items.back() : nullptr);
        }
        return;
      case JsonValue::Kind::String: string(v ? &v->text : nullptr); return;
      case JsonValue::Kind::Number: {
        const std::string_view digits = number();
        if (v) v->text = digits;
        return;
      }
      default:
        if (literal("true")) {
          if (v) v->kind = JsonValue::Kind::Bool, v->boolean = true;
          return;
        }
        if (literal("false")) {
          if (v) v->kind = JsonValue::Kind::Bool;
          return;
        }
        if (literal("null")) {
          if (v) v->kind = JsonValue::Kind::Null;
          return;
        }
        fail("unexpected character");
    }
  }

  std::string_view number() {
    const size_t start = i_;
    auto digits = [&] {
      const size_t from = i_;
      while (i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') ++i_;
      if (i_ == from) fail("expected a digit");
    };
    if (s_[i_] == '-') ++i_;
    if (i_ < s_.size() && s_[i_] == '0') ++i_;
    else digits();
    if (i_ < s_.size() && s_[i_] == '.') ++i_, digits();
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      digits();
    }
    return s_.substr(start, i_ - start);
  }

  unsigned hex4() {
    if (s_.size() - i_ < 4) fail("truncated \\u escape");
    unsigned v = 0;
    for (int k = 0; k < 4; ++k) {
      const char h = s_[i_++];
      v <<= 4;
      if (h >= '0' && h <= '9') v |= static_cast<unsigned>(h - '0');
      else if (h >= 'a' && h <= 'f') v |= static_cast<unsigned>(h - 'a' + 10);
      else if (h >= 'A' && h <= 'F') v |= static_cast<unsigned>(h - 'A' + 10);
      else fail("bad hex digit in \\u escape");
    }
    return v;
  }

  /** Reads a string (at its opening quote), appending its unescaped contents to `*out` when
   *  `out` is not null. */
  void string(std::string* out) {
    ++i_;  // the opening quote
    std::string scratch;
    std::string& to = out ? *out : scratch;
    for (;;) {
      // A run without quotes, escapes or control characters is appended at once.
      const size_t from = i_;
      while (i_ < s_.size() && s_[i_] != '"' && s_[i_] != '\\' && static_cast<unsigned char>(s_[i_]) >= 0x20) ++i_;
      if (out) to.append(s_.data() + from, i_ - from);
      if (i_ >= s_.size()) fail("unterminated string");
      const char c = s_[i_++];
      if (c == '"') return;
      if (c != '\\') {
        --i_;
        fail("control character in a string");
      }
      if (i_ >= s_.size()) fail("unterminated escape");
      const char e = s_[i_++];
      char plain = 0;
      switch (e) {
        case '"': plain = '"'; break;
        case '\\': plain = '\\'; break;
        case '/': plain = '/'; break;
        case 'b': plain = '\b'; break;
        case 'f': plain = '\f'; break;
        case 'n': plain = '\n'; break;
        case 'r': plain = '\r'; break;
        case 't': plain = '\t'; break;
        case 'u': {
          unsigned cp = hex4();
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!literal("\\u")) fail("unpaired surrogate");
            const unsigned low = hex4();
            if (low < 0xDC00 || low > 0xDFFF) fail("unpaired surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail("unpaired surrogate");
          }
          if (out) append_utf8(to, cp);
          continue;
        }
        default: fail("unknown escape");
      }
      if (out) to += plain;
    }
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }

  std::string_view s_;
  const char* op_;
  JsonLimits limits_;
  size_t i_ = 0;
  int depth_ = 0;
};
using JsonReader = BasicJsonReader<>;

/** `"text"` with JSON escapes. */
template <class = void>
std::string json_quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xF];
      out += hex[c & 0xF];
    } else {
      out += c;
    }
  }
  return out + "\"";
}

/** A JSON number's text that must be a non-negative integer below 2^63. */
template <class = void>
int64_t json_index(std::string_view text, const char* op, const char* what) {
  TS_CHECK(!text.empty() && text.size() <= 19 && text.find_first_not_of("0123456789") == std::string_view::npos, op,
           ": ", what, " must be a non-negative integer, got '", text.substr(0, 32), text.size() > 32 ? "...'" : "'");
  uint64_t x = 0;
  for (const char c : text) x = x * 10 + static_cast<uint64_t>(c - '0');  // 19 digits cannot overflow
  TS_CHECK(x <= static_cast<uint64_t>(INT64_MAX), op, ": ", what, " ", text, " is too large");
  return static_cast<int64_t>(x);
}

/** A JSON number that must be a non-negative integer below 2^63. */
template <class = void>
int64_t json_index(const JsonValue& v, const char* op, const char* what) {
  TS_CHECK(v.kind == JsonValue::Kind::Number, op, ": ", what, " must be a non-negative integer");
  return json_index(std::string_view(v.text), op, what);
}

}  // namespace tessera::detail
