#pragma once
// safetensors files: save_safetensors and load_safetensors, for exchanging weights with PyTorch.

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../core/algorithm.hpp"
#include <cstring>
#include <map>
#include <memory>
#include <string>

#include "../core/named_tensors.hpp"
#include "../ops/copy.hpp"
#include "../ops/creation.hpp"
#include "file.hpp"
#include "json.hpp"

namespace tessera {
namespace detail {

// Note [safetensors format]
// 8 bytes: the header length N (little-endian u64); N bytes: a JSON object mapping each tensor's
// name to {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]} (offsets relative to
// the data that follows the header), with an optional "__metadata__" object of strings; then
// the data, little-endian and C-ordered. As the reference implementation requires, the
// tensors' byte ranges must tile the data exactly: no gaps, no overlaps, nothing after.

inline constexpr uint64_t kMaxSafetensorsHeader = uint64_t{100} << 20;  // the reference limit

template <class = void>
const char* safetensors_dtype_name(DType d) {
  static constexpr const char* names[kNumDTypes] = {"BOOL", "U8", "I8", "I16", "I32", "I64", "F16", "BF16", "F32", "F64"};
  return names[static_cast<int>(d)];
}

template <class = void>
DType safetensors_dtype(const std::string& name, const std::string& tensor) {
  for (int d = 0; d < kNumDTypes; ++d)
    if (name == safetensors_dtype_name(static_cast<DType>(d))) return static_cast<DType>(d);
  throw_error("load_safetensors: tensor '", tensor, "' has dtype '", name, "', which tessera does not have");
}

/** One tensor's entry in the header, checked. */
struct SafetensorsEntry {
  std::string name;
  DType dtype;
  Shape shape;
  int64_t begin, end;
};

inline constexpr size_t kMaxSafetensorsDims = 64;

// Note [safetensors header budget]
// The header is read in one pass with JsonReader's pull interface, straight into the entries:
// no JSON tree is built, a shape is refused at its 65th dimension before that dimension is
// read, data_offsets at its third number, an entry's unknown keys are checked and skipped
// without being kept, and every key is checked against the earlier ones of its object in
// O(log k) (a std::map used as a set: <set> would add its parse to every program). Memory is the entries, time is linear in the header (times log k for
// the keys, as the std::map the loader returns costs anyway).

/** One entry's object, at its '{'. */
template <class = void>
SafetensorsEntry parse_safetensors_entry(JsonReader& json, std::string name, uint64_t data_bytes) {
  const char* op = "load_safetensors";
  // A value of the wrong kind is read through before the error, so that a JSON error inside
  // it is the one reported (as when the whole header was parsed first).
  if (json.peek() != JsonValue::Kind::Object) {
    json.skip();
    throw_error(op, ": entry '", name, "' must be an object");
  }
  SafetensorsEntry e{std::move(name), DType::Float32, {}, 0, 0};
  auto malformed = [&] {
    throw_error(op, ": entry '", e.name, "' needs a dtype string, a shape array and two data_offsets");
  };
  auto expect = [&](JsonValue::Kind kind) {
    if (json.peek() == kind) return;
    json.skip();
    malformed();
  };
  auto index = [&](const char* what) {
    if (json.peek() != JsonValue::Kind::Number) {
      json.skip();
      throw_error(op, ": ", what, " must be a non-negative integer");
    }
    return json_index(json.number_value(), op, what);
  };
  bool have_dtype = false, have_shape = false, have_offsets = false;
  std::map<std::string, bool> other_keys;
  int64_t numel = 1;
  json.enter('{');
  for (size_t members = 0; json.next('}', members);) {
    const size_t at = json.offset();
    std::string key = json.key();
    auto once = [&](bool& seen) {
      if (seen) throw_error(op, ": malformed JSON header at byte ", at, ": duplicate key '", key, "'");
      seen = true;
    };
    if (key == "dtype") {
      once(have_dtype);
      expect(JsonValue::Kind::String);
      e.dtype = safetensors_dtype(json.string_value(), e.name);
    } else if (key == "shape") {
      once(have_shape);
      expect(JsonValue::Kind::Array);
      json.enter('[');
      for (size_t dims = 0; json.next(']', dims);) {
        TS_CHECK(dims <= kMaxSafetensorsDims, op, ": tensor '", e.name, "' has too many dimensions (more than ",
                 kMaxSafetensorsDims, ", at byte ", json.offset(), " of the header)");
        const int64_t n = index("a dimension");
        TS_CHECK(n == 0 || numel <= INT64_MAX / n, op, ": tensor '", e.name, "' is too large");
        numel *= n;
        e.shape.push_back(n);
      }
    } else if (key == "data_offsets") {
      once(have_offsets);
      expect(JsonValue::Kind::Array);
      json.enter('[');
      size_t count = 0;
      for (int64_t* field : {&e.begin, &e.end}) {
        if (!json.next(']', count)) malformed();
        *field = index("a data offset");
      }
      if (json.next(']', count)) malformed();
    } else {
      // Ignored, as the reference implementation ignores unknown fields; still strict JSON.
      if (!other_keys.try_emplace(key).second)
        throw_error(op, ": malformed JSON header at byte ", at, ": duplicate key '", key, "'");
      json.skip();
    }
  }
  if (!have_dtype || !have_shape || !have_offsets) malformed();
  const int64_t item = static_cast<int64_t>(element_size(e.dtype));
  TS_CHECK(e.begin <= e.end && static_cast<uint64_t>(e.end) <= data_bytes, op, ": tensor '", e.name,
           "' has data_offsets [", e.begin, ", ", e.end, "] outside the ", data_bytes, " bytes of data");
  TS_CHECK(numel <= (e.end - e.begin) / item && (e.end - e.begin) == numel * item, op, ": tensor '", e.name,
           "' of shape ", shape_str(e.shape), " and dtype ", safetensors_dtype_name(e.dtype), " needs ",
           static_cast<uint64_t>(numel) * static_cast<uint64_t>(item), " bytes, its data_offsets give ",
           e.end - e.begin);
  return e;
}

template <class = void>
std::vector<SafetensorsEntry> parse_safetensors_header(std::string_view header, uint64_t data_bytes,
                                                       std::map<std::string, std::string>* metadata) {
  const char* op = "load_safetensors";
  JsonReader json(header, op);
  if (json.peek() != JsonValue::Kind::Object) {
    json.skip();
    throw_error(op, ": the header must be a JSON object");
  }
  std::vector<SafetensorsEntry> entries;
  std::map<std::string, bool> names;
  std::map<std::string, std::string> meta;
  json.enter('{');
  for (size_t members = 0; json.next('}', members);) {
    const size_t at = json.offset();
    std::string name = json.key();
    if (!names.try_emplace(name).second)
      throw_error(op, ": malformed JSON header at byte ", at, ": duplicate key '", name, "'");
    if (name != "__metadata__") {
      entries.push_back(parse_safetensors_entry(json, std::move(name), data_bytes));
      continue;
    }
    if (json.peek() != JsonValue::Kind::Object) {
      json.skip();
      throw_error(op, ": __metadata__ must be an object of strings");
    }
    json.enter('{');
    for (size_t count = 0; json.next('}', count);) {
      const size_t key_at = json.offset();
      std::string key = json.key();
      if (json.peek() != JsonValue::Kind::String) {
        json.skip();
        throw_error(op, ": __metadata__ value of '", key, "' is not a string");
      }
      auto [slot, fresh] = meta.try_emplace(std::move(key));
      if (!fresh)
        throw_error(op, ": malformed JSON header at byte ", key_at, ": duplicate key '", slot->first, "'");
      slot->second = json.string_value();
    }
  }
  json.finish();
  if (metadata)
    for (auto& [k, v] : meta) (*metadata)[k] = std::move(v);
  std::vector<const SafetensorsEntry*> order;
  order.reserve(entries.size());
  for (const auto& e : entries) order.push_back(&e);
  std::sort(order.begin(), order.end(), [](auto* a, auto* b) { return a->begin != b->begin ? a->begin < b->begin : a->end < b->end; });
  int64_t at = 0;
  for (const SafetensorsEntry* e : order) {
    TS_CHECK(e->begin == at, "load_safetensors: the data of tensor '", e->name, "' starts at byte ", e->begin,
             ", expected ", at, " (tensors must tile the data without gaps or overlaps)");
    at = e->end;
  }
  TS_CHECK(static_cast<uint64_t>(at) == data_bytes, "load_safetensors: ", data_bytes - static_cast<uint64_t>(at),
           " bytes of data after the last tensor");
  return entries;
}

/** The tensors of a safetensors image. `keep_alive` owns the bytes: tensors whose data is
 *  suitably aligned view them without a copy and share it; others are copied. */
template <class = void>
NamedTensors parse_safetensors(const char* data, size_t size, std::shared_ptr<void> keep_alive,
                                                          std::map<std::string, std::string>* metadata = nullptr) {
  TS_CHECK(size >= 8, "load_safetensors: the file is too short for a header length (", size, " bytes)");
  uint64_t n = 0;
  for (int i = 8; i-- > 0;) n = n << 8 | static_cast<unsigned char>(data[i]);
  TS_CHECK(n <= kMaxSafetensorsHeader && n <= size - 8, "load_safetensors: the header length ", n,
           " does not fit the file (", size, " bytes)");
  const char* bytes = data + 8 + n;
  const auto entries = parse_safetensors_header(std::string_view(data + 8, n), size - 8 - n, metadata);
  NamedTensors out;
  for (const SafetensorsEntry& e : entries) {
    out[e.name] = dispatch(e.dtype, [&]<class T>(std::type_identity<T>) {
      const char* p = bytes + e.begin;
      bool valid = true;
      if constexpr (std::is_same_v<T, bool>)
        for (int64_t i = 0; i < e.end - e.begin; ++i) valid = valid && (p[i] == 0 || p[i] == 1);
      if (keep_alive && valid && reinterpret_cast<uintptr_t>(p) % alignof(T) == 0) {
        auto storage = Storage::from_blob(const_cast<char*>(p), static_cast<size_t>(e.end - e.begin),
                                          [keep_alive](void*) {});
        return AnyTensor(Tensor<T>(make_tensor_impl(storage, e.shape, contiguous_strides(e.shape), 0,
                                                                dtype_of<T>)));
      }
      Tensor<T> t = empty_tensor<T>(e.shape, {}, "load_safetensors");
      std::memcpy(t.data_ptr(), p, static_cast<size_t>(e.end - e.begin));
      if constexpr (std::is_same_v<T, bool>) {
        auto* b = reinterpret_cast<unsigned char*>(t.data_ptr());
        for (int64_t i = 0; i < t.numel(); ++i) b[i] = b[i] != 0;
      }
      return AnyTensor(t);
    });
  }
  return out;
}

}  // namespace detail

/** Reads every tensor of a safetensors file. The file is memory-mapped (copy-on-write): the
 *  tensors view the mapping, which lives until the last of them is gone. */
template <class = void>
NamedTensors load_safetensors(const std::string& path,
                                std::map<std::string, std::string>* metadata = nullptr) {
  const int fd = ::open(path.c_str(), O_RDONLY);
  TS_CHECK(fd >= 0, "load_safetensors: cannot open '", path, "'");
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    ::close(fd);
    detail::throw_error("load_safetensors: cannot stat '", path, "'");
  }
  const size_t size = static_cast<size_t>(st.st_size);
  if (size == 0) {
    ::close(fd);
    detail::throw_error("load_safetensors: '", path, "' is empty");
  }
  void* map = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ::close(fd);
  TS_CHECK(map != MAP_FAILED, "load_safetensors: cannot map '", path, "'");
  std::shared_ptr<void> mapping(map, [size](void* p) { ::munmap(p, size); });
  return detail::parse_safetensors(static_cast<const char*>(map), size, mapping, metadata);
}

/** Writes `named` tensors (any dtypes and strides) and optional string metadata as a
 *  safetensors file that PyTorch's safetensors package reads. */
template <class = void>
void save_safetensors(const std::string& path, const std::map<std::string, AnyTensor>& named,
                             const std::map<std::string, std::string>& metadata = {}) {
  std::string header = "{";
  if (!metadata.empty()) {
    header += "\"__metadata__\":{";
    bool first = true;
    for (const auto& [k, v] : metadata) {
      if (!first) header += ',';
      header += detail::json_quote(k);
      header += ':';
      header += detail::json_quote(v);
      first = false;
    }
    header += "}";
  }
  int64_t offset = 0;
  for (const auto& [name, t] : named) {
    TS_CHECK(t.defined(), "save_safetensors: tensor '", name, "' is undefined");
    TS_CHECK(name != "__metadata__", "save_safetensors: '__metadata__' is reserved");
    const int64_t bytes = t.numel() * static_cast<int64_t>(element_size(t.dtype()));
    if (header.size() > 1) header += ',';
    header += detail::json_quote(name);
    header += ":{\"dtype\":\"";
    header += detail::safetensors_dtype_name(t.dtype());
    header += "\",\"shape\":[";
    for (size_t d = 0; d < t.sizes().size(); ++d) {
      if (d) header += ',';
      header += std::to_string(t.sizes()[d]);
    }
    header += "],\"data_offsets\":[";
    header += std::to_string(offset);
    header += ',';
    header += std::to_string(offset + bytes);
    header += "]}";
    offset += bytes;
  }
  header += "}";
  header.append((8 - header.size() % 8) % 8, ' ');  // keeps the data 8-byte aligned
  detail::FileWriter out(path, "save_safetensors");
  const uint64_t n = header.size();
  for (int i = 0; i < 8; ++i) out.put(static_cast<char>((n >> (8 * i)) & 0xff));
  out.write(header.data(), header.size());
  for (const auto& entry : named) {
    const std::string& name = entry.first;
    const AnyTensor& t = entry.second;
    dispatch(t.dtype(), [&]<class T>(std::type_identity<T>) {
      const Tensor<T> c = t.as<T>().contiguous();
      TS_CHECK(c.device().is_cpu(), "save_safetensors: tensor '", name, "' is on ", c.device());
      out.write(c.data_ptr(), static_cast<size_t>(c.numel()) * sizeof(T));
    });
  }
  out.close();
}

}  // namespace tessera
