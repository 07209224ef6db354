// DType, dtype_of, element sizes, names, half/bfloat16 and the promotion table.

#include "golden.hpp"

namespace test_dtype {

TEST_CASE("dtype_of and element_size cover the ten element types", "[dtype]") {
  STATIC_REQUIRE(ts::dtype_of<bool> == ts::DType::Bool);
  STATIC_REQUIRE(ts::dtype_of<uint8_t> == ts::DType::UInt8);
  STATIC_REQUIRE(ts::dtype_of<int8_t> == ts::DType::Int8);
  STATIC_REQUIRE(ts::dtype_of<int16_t> == ts::DType::Int16);
  STATIC_REQUIRE(ts::dtype_of<int32_t> == ts::DType::Int32);
  STATIC_REQUIRE(ts::dtype_of<int64_t> == ts::DType::Int64);
  STATIC_REQUIRE(ts::dtype_of<ts::half> == ts::DType::Float16);
  STATIC_REQUIRE(ts::dtype_of<ts::bfloat16> == ts::DType::BFloat16);
  STATIC_REQUIRE(ts::dtype_of<float> == ts::DType::Float32);
  STATIC_REQUIRE(ts::dtype_of<double> == ts::DType::Float64);
  for (int i = 0; i < ts::kNumDTypes; ++i) {
    const auto d = static_cast<ts::DType>(i);
    ts::dispatch(d, [&]<class T>(std::type_identity<T>) {
      CHECK(ts::element_size(d) == static_cast<int64_t>(sizeof(T)));
      CHECK(ts::dtype_of<T> == d);
      CHECK(ts::is_floating_point(d) == ts::is_floating_v<T>);
    });
  }
}

TEST_CASE("dtypes print as torch.<name>", "[dtype]") {
  const char* names[] = {"torch.bool",  "torch.uint8",   "torch.int8",     "torch.int16",   "torch.int32",
                         "torch.int64", "torch.float16", "torch.bfloat16", "torch.float32", "torch.float64"};
  for (int i = 0; i < ts::kNumDTypes; ++i) {
    std::ostringstream os;
    os << static_cast<ts::DType>(i);
    CHECK(os.str() == names[i]);
  }
}

TEST_CASE("half rounds to nearest even and keeps specials", "[dtype][half]") {
  CHECK(ts::half(1.0f).bits == 0x3c00);
  CHECK(ts::half(65504.0f).bits == 0x7bff);
  CHECK(ts::half(65519.0f).bits == 0x7bff);
  CHECK(ts::half(65520.0f).bits == 0x7c00);          // ties to even: rounds up to infinity
  CHECK(ts::half(0x1p-24f).bits == 0x0001);          // smallest subnormal
  CHECK(ts::half(0x1p-25f).bits == 0x0000);          // halfway to zero: even
  CHECK(ts::half(0x1.8p-25f).bits == 0x0001);
  CHECK(ts::half(-0.0f).bits == 0x8000);
  CHECK(ts::half(1.0f + 0x1p-11f).bits == 0x3c00);   // tie, even stays
  CHECK(ts::half(1.0f + 0x1.8p-11f).bits == 0x3c01);
  CHECK(std::isnan(static_cast<float>(ts::half(NAN))));
  CHECK(static_cast<float>(ts::half::from_bits(0x7c00)) == INFINITY);
  // Every finite half survives a round trip through float.
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const auto h = ts::half::from_bits(static_cast<uint16_t>(bits));
    const float f = h;
    if (std::isnan(f)) continue;
    REQUIRE(ts::half(f).bits == bits);
  }
}

TEST_CASE("bfloat16 rounds to nearest even", "[dtype][half]") {
  CHECK(ts::bfloat16(1.0f).bits == 0x3f80);
  CHECK(ts::bfloat16(1.0f + 0x1p-8f).bits == 0x3f80);
  CHECK(ts::bfloat16(1.0f + 0x1.8p-8f).bits == 0x3f81);
  CHECK(ts::bfloat16(NAN).bits == 0x7fc0);
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const auto b = ts::bfloat16::from_bits(static_cast<uint16_t>(bits));
    const float f = b;
    if (std::isnan(f)) continue;
    REQUIRE(ts::bfloat16(f).bits == bits);
  }
}

TEST_CASE("promote_types equals torch.promote_types for all 100 pairs", "[dtype][promotion]") {
  // Rows and columns in DType order; generated from torch.promote_types (see generate.py).
  const auto records = golden::load("promotion.txt");
  REQUIRE(records.size() == 100);
  for (const auto& r : records) {
    INFO(r.name);
    CHECK(ts::promote_types(golden::dtype(r.get("a")), golden::dtype(r.get("b"))) == golden::dtype(r.get("result")));
  }
  STATIC_REQUIRE(ts::promote_types(ts::DType::Float16, ts::DType::BFloat16) == ts::DType::Float32);
  STATIC_REQUIRE(std::is_same_v<ts::promote_t<int32_t, float>, float>);
  STATIC_REQUIRE(std::is_same_v<ts::promote_t<uint8_t, int8_t>, int16_t>);
  STATIC_REQUIRE(std::is_same_v<ts::promote_t<bool, bool>, bool>);
}

}  // namespace test_dtype
