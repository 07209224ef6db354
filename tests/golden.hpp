#pragma once
// Reads the golden files written by tests/golden/generate.py (PyTorch's own output).

#include <catch2/catch.hpp>
#include <tessera/tessera.hpp>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace golden {

struct Record {
  std::string name;
  std::vector<std::pair<std::string, std::string>> fields;  // in file order; keys may repeat
  std::string expect;                                       // the verbatim block, lines joined by '\n'

  std::string get(const std::string& key) const {
    for (const auto& [k, v] : fields)
      if (k == key) return v;
    FAIL("golden record " << name << " has no field " << key);
    return {};
  }
  bool has(const std::string& key) const {
    for (const auto& [k, v] : fields)
      if (k == key) return true;
    return false;
  }
  std::vector<std::string> all(const std::string& key) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : fields)
      if (k == key) out.push_back(v);
    return out;
  }
};

inline std::vector<Record> load(const std::string& file) {
  std::ifstream in(std::string(TESSERA_GOLDEN_DIR) + "/" + file);
  REQUIRE(in.good());
  std::vector<Record> records;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("case ", 0) != 0) continue;
    Record r;
    r.name = line.substr(5);
    while (std::getline(in, line) && line != "end") {
      const auto space = line.find(' ');
      const std::string key = line.substr(0, space), value = space == std::string::npos ? "" : line.substr(space + 1);
      if (key == "expect") {
        const int n = std::stoi(value);
        for (int i = 0; i < n; ++i) {
          std::getline(in, line);
          r.expect += (i ? "\n" : "") + line;
        }
      } else {
        r.fields.emplace_back(key, value);
      }
    }
    records.push_back(std::move(r));
  }
  REQUIRE(!records.empty());
  return records;
}

inline std::vector<std::string> tokens(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> out;
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

inline std::vector<int64_t> ints(const std::string& s) {
  std::vector<int64_t> out;
  for (const auto& t : tokens(s)) out.push_back(std::stoll(t));
  return out;
}

inline ts::DType dtype(const std::string& name) {
  static const std::map<std::string, ts::DType> names = {
      {"bool", ts::DType::Bool},         {"uint8", ts::DType::UInt8},     {"int8", ts::DType::Int8},
      {"int16", ts::DType::Int16},       {"int32", ts::DType::Int32},     {"int64", ts::DType::Int64},
      {"float16", ts::DType::Float16},   {"bfloat16", ts::DType::BFloat16}, {"float32", ts::DType::Float32},
      {"float64", ts::DType::Float64}};
  return names.at(name);
}

/** Parses one value token exactly: hex floats, nan/inf, or decimal integers. */
template <class T>
T parse(const std::string& token) {
  if constexpr (ts::is_floating_v<T>) {
    return ts::detail::convert<T>(std::strtod(token.c_str(), nullptr));
  } else if constexpr (std::is_same_v<T, uint8_t> || std::is_same_v<T, bool>) {
    return static_cast<T>(std::stoi(token));
  } else {
    return static_cast<T>(std::stoll(token));
  }
}

template <class T>
std::vector<T> values(const std::string& s) {
  std::vector<T> out;
  for (const auto& t : tokens(s)) out.push_back(parse<T>(t));
  return out;
}

/** While alive, the default generator is PyTorch's mt19937 (for replaying PyTorch's draws); Philox again after. */
struct DefaultMt19937 {
  DefaultMt19937() { ts::set_default_rng_algorithm(ts::RngAlgorithm::mt19937); }
  ~DefaultMt19937() { ts::set_default_rng_algorithm(ts::RngAlgorithm::philox4x32_10); }
  DefaultMt19937(const DefaultMt19937&) = delete;
  DefaultMt19937& operator=(const DefaultMt19937&) = delete;
};

/** The record's source tensor (dtype, shape, values) as Tensor<T>. */
template <class T>
ts::Tensor<T> source(const Record& r) {
  return ts::from_vector(values<T>(r.get("values")), ts::Shape(ints(r.get("shape"))));
}

/** Bitwise equality of element lists (NaN equals NaN; -0 differs from 0). */
template <class T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  if constexpr (std::is_same_v<T, bool>) {
    return a == b;
  } else {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (std::memcmp(&a[i], &b[i], sizeof(T)) == 0) continue;
      if constexpr (!ts::is_floating_v<T>) return false;
      else if (!std::isnan(static_cast<double>(a[i])) || !std::isnan(static_cast<double>(b[i]))) return false;
    }
    return true;
  }
}

}  // namespace golden
