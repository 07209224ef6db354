// Copies and conversions: to<U> between all ten dtypes against PyTorch, copy_, fill_, clone.

#include <algorithm>
#include <cstring>

#include "golden.hpp"

namespace test_copy {

TEST_CASE("to<U> gives PyTorch's results for all 100 dtype pairs", "[copy][conversion]") {
  const auto records = golden::load("conversions.txt");
  REQUIRE(records.size() == 100);
  for (const auto& r : records) {
    INFO("case " << r.name);
    ts::dispatch(golden::dtype(r.get("dtype")), [&]<class S>(std::type_identity<S>) {
      const ts::Tensor<S> src = golden::source<S>(r);
      ts::dispatch(golden::dtype(r.get("to")), [&]<class D>(std::type_identity<D>) {
        const auto out = src.template to<D>();
        CHECK(out.dtype() == ts::dtype_of<D>);
        CHECK(golden::same_bits(out.to_vector(), golden::values<D>(r.get("result"))));
        // A strided source converts the same way.
        const auto strided = ts::stack({src, src}, 1).select(1, 1).template to<D>();
        CHECK(golden::same_bits(strided.to_vector(), out.to_vector()));
      });
    });
  }
}

TEST_CASE("to<T> of the same type returns the same tensor", "[copy]") {
  auto x = ts::ones({3});
  CHECK(x.to<float>().data_ptr() == x.data_ptr());
  CHECK(x.to<double>().data_ptr() != static_cast<void*>(x.data_ptr()));
}

TEST_CASE("copy_ broadcasts and converts", "[copy]") {
  auto dst = ts::zeros<double>({2, 3});
  dst.copy_(ts::tensor<int32_t>({1, 2, 3}));
  CHECK(dst.to_vector() == std::vector<double>{1, 2, 3, 1, 2, 3});
  dst.copy_(ts::tensor(true));
  CHECK(dst.to_vector() == std::vector<double>(6, 1.0));
  dst.t().copy_(ts::arange(6).reshape({3, 2}));
  CHECK(dst.to_vector() == std::vector<double>{0, 2, 4, 1, 3, 5});
  CHECK_THROWS_WITH(dst.copy_(ts::zeros({4})), "copy_: shape [4] cannot be broadcast to [2, 3]");
  CHECK_THROWS_WITH(dst.copy_(ts::zeros({1, 2, 3})), Catch::Contains("cannot be broadcast"));
  CHECK_THROWS_WITH(ts::zeros({3, 1}).expand({3, 4}).copy_(ts::ones({3, 4})),
                    Catch::Contains("more than one element of the written-to tensor"));
}

TEST_CASE("copy_ between overlapping views: refused where PyTorch refuses, else from a snapshot", "[copy]") {
  // Note [Overlap of inputs and outputs]
  const std::string partial = "copy_: unsupported operation: some elements of the input tensor and the written-to "
                              "tensor refer to a single memory location. Please clone() the tensor before performing "
                              "the operation.";
  auto x = ts::arange(9).reshape({3, 3});
  CHECK_THROWS_WITH(x.copy_(x.t()), partial);
  auto y = ts::arange(6);
  CHECK_THROWS_WITH(y.slice(0, 1).copy_(y.slice(0, 0, 5)), partial);
  CHECK(y.to_vector() == std::vector<int64_t>{0, 1, 2, 3, 4, 5});
  auto z = ts::arange(4);
  z.copy_(z);
  CHECK(z.to_vector() == std::vector<int64_t>{0, 1, 2, 3});
  auto s = ts::arange(8);  // a strided source PyTorch does not check: read as it was
  s.slice(0, 0, 4).copy_(s.slice(0, 0, 8, 2));
  CHECK(s.to_vector() == std::vector<int64_t>{0, 2, 4, 6, 4, 5, 6, 7});
  auto c = ts::arange(9).reshape({3, 3});
  c.slice(1, 0, 2).copy_(c.slice(1, 1, 3));  // two columns from the next two: gaps, a snapshot
  CHECK(c.to_vector() == std::vector<int64_t>{1, 2, 2, 4, 5, 5, 7, 8, 8});
}

TEST_CASE("fill_ and zero_ write through strides and convert the value", "[copy]") {
  auto x = ts::zeros<uint8_t>({3, 4});
  // torch 1.13: an integral value on uint8 may be negative down to -255 and wraps (-212 is 44);
  // 300 does not fit (Note [Scalar conversion checks])
  x.slice(1, 0, 4, 2).fill_(-212);
  CHECK(x.to_vector() == std::vector<uint8_t>{44, 0, 44, 0, 44, 0, 44, 0, 44, 0, 44, 0});
  CHECK_THROWS_WITH(x.fill_(300), "fill_: value cannot be converted to type uint8_t without overflow");
  x.fill_(2.9);
  CHECK(x.to_vector() == std::vector<uint8_t>(12, 2));
  x.zero_();
  CHECK(x.to_vector() == std::vector<uint8_t>(12, 0));
  auto h = ts::zeros<ts::half>({2});
  h.fill_(1.0 / 3.0);
  CHECK(h.data_ptr()[0].bits == ts::half(1.0f / 3.0f).bits);
  // PyTorch fills an expanded tensor (and zero_ it), where it refuses other writes (copy_, add_)
  const auto expanded = ts::zeros({2, 1}).expand({2, 3});
  expanded.fill_(1.5);
  CHECK(expanded.to_vector() == std::vector<float>(6, 1.5f));
  expanded.zero_();
  CHECK(expanded.to_vector() == std::vector<float>(6, 0.0f));
  CHECK_THROWS_WITH(expanded.copy_(ts::ones({2, 3})), Catch::Contains("more than one element of the written-to tensor"));
}

TEST_CASE("fill_ of long runs: patterns, tails and threads write exactly their elements", "[copy][threads]") {
  const int64_t n = 100003;  // several threads' chunks, and a partial 64-byte pattern at the end
  auto x = ts::zeros({n + 2});
  auto inner = x.slice(0, 1, n + 1);  // contiguous, starting 4 bytes into the block
  for (float v : {1.5f, -0.0f, 0.0f}) {
    inner.fill_(v);
    const auto got = x.to_vector();
    CHECK(got.front() == 0.0f);
    CHECK(got.back() == 0.0f);
    CHECK(std::all_of(got.begin() + 1, got.end() - 1, [&](float g) { return std::memcmp(&g, &v, 4) == 0; }));
  }
  const auto d = ts::full({n}, -2.25).to_vector();
  CHECK(std::all_of(d.begin(), d.end(), [](double g) { return g == -2.25; }));
  const auto e = ts::full({1}, 3.5f).expand({n}).contiguous().to_vector();  // a broadcast copy
  CHECK(std::all_of(e.begin(), e.end(), [](float g) { return g == 3.5f; }));
}

TEST_CASE("contiguous and clone copy only when needed, keeping PyTorch's strides", "[copy]") {
  auto x = ts::arange(24.0).reshape({2, 3, 4});
  CHECK(x.contiguous().data_ptr() == x.data_ptr());
  auto t = x.transpose(0, 2);
  auto c = t.contiguous();
  CHECK(c.is_contiguous());
  CHECK(c.to_vector() == t.to_vector());
  auto k = t.clone();
  CHECK(k.strides() == t.strides());  // dense layouts are preserved, as torch's preserve_format
  CHECK(k.data_ptr() != t.data_ptr());
  CHECK(k.to_vector() == t.to_vector());
  CHECK(ts::empty_like(t).strides() == t.strides());
  CHECK(ts::zeros_like(t).strides() == t.strides());
}

TEST_CASE("to_vector works for every dtype including bool", "[copy]") {
  auto b = ts::tensor({true, false, true}).slice(0, 0, 3, 2);
  CHECK(b.to_vector() == std::vector<bool>{true, true});
  auto e = ts::zeros({0, 3});
  CHECK(e.to_vector().empty());
}

TEST_CASE("transposing copies go through tiles and stay exact", "[copy]") {
  // 4-byte types take 8 x 8 vector blocks (sizes not multiples of 8 leave edges), the others
  // a plain tile loop; every layout must equal an element-by-element copy.
  const auto check = [](const auto& x) {
    for (const auto& v : {x.transpose(1, 2), x.permute({2, 0, 1}), x.transpose(0, 2), x[1].t()}) {
      const auto c = v.contiguous();
      CHECK(c.is_contiguous());
      const auto flat = c.to_vector();
      const auto sizes = v.sizes();
      std::vector<int64_t> at(sizes.size(), 0);
      bool same = true;
      for (size_t k = 0; k < flat.size(); ++k) {
        int64_t offset = 0;
        for (size_t d = 0; d < at.size(); ++d) offset += at[d] * v.strides()[d];
        same &= flat[k] == v.data_ptr()[offset];
        for (size_t d = at.size(); d-- > 0;)
          if (++at[d] < sizes[d]) break;
          else at[d] = 0;
      }
      CHECK(same);
      CHECK(ts::equal(v.template to<double>(), c.template to<double>()));  // the converting copy takes the tile loop
    }
  };
  const auto x = ts::arange(3 * 70 * 45).reshape({3, 70, 45});
  check(x);
  check(x.to<float>());
  check(x.to<int32_t>());
  check(ts::arange(3 * 131 * 67).reshape({3, 131, 67}).to<float>());
  for (int level = 0; level <= 2; ++level) {  // each SIMD width the machine has
    ts::detail::simd_level_cap().store(level, ts::detail::MemoryOrder::Relaxed);
    check(ts::arange(2 * 64 * 96).reshape({2, 64, 96}).to<float>());
  }
  ts::detail::simd_level_cap().store(-1, ts::detail::MemoryOrder::Relaxed);
}

}  // namespace test_copy
