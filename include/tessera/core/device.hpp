#pragma once
// Device: where a tensor's storage lives: the CPU, an Apple GPU through Metal, a GPU through
// Vulkan, or a backend registered from outside tessera (PrivateUse1, as in PyTorch).

#include <cstdint>
#include <cstdio>
#include <ostream>
#include <string>
#include <string_view>

#include "config.hpp"

namespace tessera {

enum class DeviceType : int8_t { CPU, Metal, Vulkan, PrivateUse1 };

namespace detail {
inline constexpr int kDeviceTypes = 4;
/** The name a device type prints and parses as. */
constexpr const char* device_type_name(DeviceType type) {
  switch (type) {
    case DeviceType::CPU: return "cpu";
    case DeviceType::Metal: return "metal";
    case DeviceType::Vulkan: return "vulkan";
    case DeviceType::PrivateUse1: return "privateuseone";
  }
  return "unknown";
}
}  // namespace detail

/** A device: `Device::cpu()`, `Device::metal(0)`, `Device::vulkan(0)`, or parsed from "cpu", "metal",
 *  "mps" (an alias of metal), "vulkan:1", "privateuseone". */
class Device {
 public:
  constexpr Device() = default;
  constexpr Device(DeviceType type, int index) : type_(type), index_(type == DeviceType::CPU ? -1 : index) {}
  explicit Device(std::string_view name) {
    std::string_view kind = name;
    int index = 0;
    if (const auto colon = name.find(':'); colon != std::string_view::npos) {
      kind = name.substr(0, colon);
      const std::string_view digits = name.substr(colon + 1);
      TS_CHECK(!digits.empty() && digits.size() < 4 && digits.find_first_not_of("0123456789") == std::string_view::npos,
               "Device: invalid device string '", name, "'");
      index = std::stoi(std::string(digits));
    }
    if (kind == "cpu") {
      TS_CHECK(index == 0, "Device: the cpu device has no index other than 0, got '", name, "'");
      *this = cpu();
    } else if (kind == "metal" || kind == "mps") {
      *this = metal(index);
    } else if (kind == "vulkan") {
      *this = vulkan(index);
    } else if (kind == "privateuseone") {
      *this = Device(DeviceType::PrivateUse1, index);
    } else {
      detail::throw_error("Device: unknown device type in '", name,
                          "' (expected cpu, metal, mps, vulkan or privateuseone)");
    }
  }

  static constexpr Device cpu() { return Device(DeviceType::CPU, -1); }
  static constexpr Device metal(int index = 0) { return Device(DeviceType::Metal, index); }
  static constexpr Device vulkan(int index = 0) { return Device(DeviceType::Vulkan, index); }

  constexpr DeviceType type() const { return type_; }
  /** -1 for the CPU, as in PyTorch. */
  constexpr int index() const { return index_; }
  constexpr bool is_cpu() const { return type_ == DeviceType::CPU; }
  constexpr bool is_metal() const { return type_ == DeviceType::Metal; }
  constexpr bool is_vulkan() const { return type_ == DeviceType::Vulkan; }
  constexpr bool operator==(const Device&) const = default;

  /** "cpu", "metal:0" or "vulkan:1", as `std::ostream <<` prints it. */
  std::string str() const {
    if (is_cpu()) return "cpu";
    char buffer[32];
    return std::string(buffer, static_cast<size_t>(std::snprintf(buffer, sizeof buffer, "%s:%d",
                                                                 detail::device_type_name(type_), index_)));
  }

 private:
  DeviceType type_ = DeviceType::CPU;
  int index_ = -1;
};

inline std::ostream& operator<<(std::ostream& os, const Device& d) { return os << d.str(); }
inline void append_error_part(std::string& out, const Device& d) { out += d.str(); }

}  // namespace tessera
