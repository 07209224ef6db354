// Storage: shared bytes, refcounts, from_blob deleters, the CPU block cache.

#include <thread>

#include "golden.hpp"

namespace test_storage {

TEST_CASE("views share one storage and count its users", "[storage]") {
  auto a = ts::zeros({4, 4});
  CHECK(a.storage().use_count() == 1);
  {
    auto v = a.t();
    auto w = a[1];
    CHECK(a.storage().use_count() == 3);
    CHECK(v.storage().data() == a.storage().data());
    CHECK(w.storage().is_alias_of(a.storage()));
  }
  CHECK(a.storage().use_count() == 1);
  CHECK(a.storage().nbytes() == 64);
  CHECK(a.storage().device() == ts::Device::cpu());
}

TEST_CASE("from_blob wraps memory without copying and runs the deleter last", "[storage]") {
  std::vector<double> memory = {1, 2, 3, 4, 5, 6};
  int deleted = 0;
  {
    auto t = ts::from_blob(memory.data(), {2, 3}, [&](void* p) {
      CHECK(p == memory.data());
      ++deleted;
    });
    auto view = t.t();
    t = ts::Tensor<double>();
    CHECK(deleted == 0);
    view.index_put_({0, 1}, 40.0);
    CHECK(memory[3] == 40.0);
  }
  CHECK(deleted == 1);
  auto strided = ts::from_blob(memory.data(), {3}, ts::Shape{2});
  CHECK(strided.to_vector() == std::vector<double>{1, 3, 5});
  CHECK(strided.storage().nbytes() == 5 * sizeof(double));
}

TEST_CASE("large blocks are cached and released by empty_cache", "[storage]") {
  ts::empty_cache();
  auto& allocator = ts::detail::CpuAllocator::instance();
  const void* first;
  {
    auto big = ts::empty({1 << 20});  // 4 MiB
    first = big.data_ptr();
  }
  CHECK(allocator.cached_bytes() >= (size_t{4} << 20));
  auto again = ts::empty({1 << 20});
  CHECK(static_cast<const void*>(again.data_ptr()) == first);
  again = ts::Tensor<float>();
  ts::empty_cache();
  CHECK(allocator.cached_bytes() == 0);
}

TEST_CASE("data is 64-byte aligned", "[storage]") {
  for (int64_t n : {1, 3, 17, 1000, 300000}) {
    auto t = ts::empty<uint8_t>({n});
    CHECK(reinterpret_cast<uintptr_t>(t.data_ptr()) % 64 == 0);
  }
}

TEST_CASE("views keep a small storage's bytes (held inline) alive", "[storage]") {
  ts::Tensor<float> view;
  {
    const auto t = ts::arange(16).to<float>();  // 64 bytes: held by the storage itself
    view = t.slice(0, 8, 16);
  }
  CHECK(view.to_vector() == std::vector<float>{8, 9, 10, 11, 12, 13, 14, 15});
  CHECK(reinterpret_cast<uintptr_t>(view.storage().data()) % 64 == 0);
}

TEST_CASE("small blocks come back from the thread's size-class lists", "[storage]") {
  using Cache = ts::detail::SmallBlockCache;
  CHECK(Cache::class_of(1) == 0);
  CHECK(Cache::class_of(64) == 0);
  CHECK(Cache::class_of(65) == 1);
  CHECK(Cache::class_of(128) == 1);
  CHECK(Cache::class_of(Cache::kMaxBlock) == Cache::kClasses - 1);
  ts::empty_cache();
  CHECK(Cache::cached_bytes() == 0);
  const void* first;
  {
    auto t = ts::empty({100});  // 400 bytes: the 512-byte class
    first = t.data_ptr();
  }
  if (Cache::cached_bytes() > 0) {  // nothing is cached under AddressSanitizer
    CHECK(Cache::cached_bytes() >= 512);
    auto again = ts::empty<int32_t>({110});  // 440 bytes: the same class
    CHECK(static_cast<const void*>(again.data_ptr()) == first);
  }
  ts::empty_cache();
  CHECK(Cache::cached_bytes() == 0);
}

TEST_CASE("blocks freed on other threads, and threads that exit, leave the cache sound", "[storage]") {
  std::vector<ts::Tensor<float>> made(64);
  std::thread maker([&] {
    for (size_t i = 0; i < made.size(); ++i) made[i] = ts::full({static_cast<int64_t>(i + 1)}, float(i));
  });
  maker.join();  // its lists are returned to the system at exit; the tensors live on
  for (size_t i = 0; i < made.size(); ++i) CHECK(made[i].sum().item() == float(i) * float(i + 1));
  std::thread freer([&] {
    made.clear();  // freed into this thread's lists, released when it exits
    auto t = ts::ones({8}) + 1.0f;
    CHECK(t.sum().item() == 16.0f);
  });
  freer.join();
}

TEST_CASE("a fresh result starts at version 0 and an op writing into a tensor bumps it", "[storage]") {
  auto a = ts::ones({3}), b = a + a;
  CHECK(b.storage().version() == 0);
  CHECK(ts::exp(a).storage().version() == 0);
  CHECK((a * 2.0f).storage().version() == 0);
  // Copies into new tensors too, as PyTorch's (its saved-tensor errors name the version).
  const auto t = ts::arange<float>(0, 6).reshape({2, 3}).t();
  CHECK(t.clone().storage().version() == 0);
  CHECK(t.contiguous().storage().version() == 0);
  CHECK(t.reshape({6}).storage().version() == 0);
  CHECK(t.to<double>().storage().version() == 0);
  CHECK(ts::cat({t, t}).storage().version() == 0);
  ts::add_out(b, a, a);
  CHECK(b.storage().version() == 1);
  b += a;
  CHECK(b.storage().version() == 2);
}

}  // namespace test_storage
