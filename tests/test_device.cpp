// The device seam, proved by a device that exists only here: a backend registered as
// PrivateUse1 whose memory is host memory, mapped page by page and sealed (PROT_NONE) except
// while one of its kernels runs or after a host access, so that any CPU code touching device
// memory behind the seam's back faults; freed memory is unmapped. Its kernels are the CPU ones
// run through each plan's host kernel (counted per family), and host access counts every sync.

#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <cstring>
#include <functional>
#include <string>

#include <tessera/tessera.hpp>
#include "error_of.hpp"

namespace test_device {

namespace {

const ts::Device kTest(ts::DeviceType::PrivateUse1, 0);

struct Counts {
  int64_t live_bytes = 0;
  int64_t allocations = 0;
  int64_t syncs = 0;
  int64_t elementwise = 0;
  int64_t copies = 0;
  int64_t fills = 0;
  int64_t reductions = 0;
  int64_t rows = 0;
  int64_t matmuls = 0;
  int64_t draws = 0;
  int64_t indexings = 0;
  int64_t ranges = 0;
  int64_t windows = 0;
  int64_t sorts = 0;
  int64_t convolutions = 0;
};
Counts counts;

// Note [Sealed device memory]
// Every block of the test device is its own mapping. Between kernels the blocks are PROT_NONE;
// a kernel (and the host kernels it runs, nested) opens them all, and the outermost one seals
// them again when it returns. Host access opens them until the next kernel ends, as a GPU's
// host pointer is good until more work is queued.
std::map<void*, size_t> blocks;  // mapping -> its length
int kernel_depth = 0;

void protect_all(int protection) {
  for (const auto& [address, length] : blocks)
    if (mprotect(address, length, protection) != 0) std::abort();
}
struct OpenDeviceMemory {
  OpenDeviceMemory() {
    if (kernel_depth++ == 0) protect_all(PROT_READ | PROT_WRITE);
  }
  ~OpenDeviceMemory() {
    if (--kernel_depth == 0) protect_all(PROT_NONE);
  }
};

class TestAllocator final : public ts::DeviceAllocator {
 public:
  ts::DataPtr allocate(size_t nbytes, ts::Device device) override {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t length = (std::max<size_t>(nbytes, 1) + page - 1) / page * page;
    void* block = mmap(nullptr, length, kernel_depth > 0 ? PROT_READ | PROT_WRITE : PROT_NONE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (block == MAP_FAILED) throw std::bad_alloc();
    blocks[block] = length;
    counts.live_bytes += static_cast<int64_t>(nbytes);
    ++counts.allocations;
    return {block, reinterpret_cast<void*>(nbytes), &release, device};
  }
  void* host_address(const ts::DataPtr& data) override {
    ++counts.syncs;
    protect_all(PROT_READ | PROT_WRITE);
    return data.data;
  }
  void copy_from_host(const ts::DataPtr& dst, size_t offset, const void* src, size_t nbytes) override {
    OpenDeviceMemory open;
    std::memcpy(static_cast<char*>(dst.data) + offset, src, nbytes);
  }
  void copy_to_host(void* dst, const ts::DataPtr& src, size_t offset, size_t nbytes) override {
    OpenDeviceMemory open;
    std::memcpy(dst, static_cast<const char*>(src.data) + offset, nbytes);
  }
  int device_count() override { return 1; }

 private:
  static void release(void* data, void* nbytes) {
    const auto it = blocks.find(data);
    munmap(data, it->second);  // any later use faults
    blocks.erase(it);
    counts.live_bytes -= static_cast<int64_t>(reinterpret_cast<size_t>(nbytes));
  }
};

class TestKernels final : public ts::DeviceKernels {
 public:
  void elementwise(const ts::detail::ElementwisePlan& plan) override { run(plan, counts.elementwise); }
  void copy(const ts::detail::CopyPlan& plan) override { run(plan, counts.copies); }
  void fill(const ts::detail::FillPlan& plan) override { run(plan, counts.fills); }
  void reduce(const ts::detail::ReductionPlan& plan) override { run(plan, counts.reductions); }
  void rows(const ts::detail::RowPlan& plan) override { run(plan, counts.rows); }
  void matmul(const ts::detail::MatmulPlan& plan) override { run(plan, counts.matmuls); }
  void random(const ts::detail::RandomPlan& plan) override { run(plan, counts.draws); }
  void index(const ts::detail::IndexPlan& plan) override { run(plan, counts.indexings); }
  void range(const ts::detail::RangePlan& plan) override { run(plan, counts.ranges); }
  void window(const ts::detail::WindowPlan& plan) override { run(plan, counts.windows); }
  void sort(const ts::detail::SortPlan& plan) override { run(plan, counts.sorts); }
  bool convolution(const ts::detail::ConvolutionPlan& plan) override {
    if (!fuse_convolutions) return false;
    run(plan, counts.convolutions);
    return true;
  }
  std::string last_op;
  bool fuse_convolutions = true;  // false: convolutions are composed from im2col and matmul

 private:
  template <class Plan>
  void run(const Plan& plan, int64_t& counter) {
    ++counter;
    last_op = plan.op;
    OpenDeviceMemory open;
    plan.run_on_host();
  }
};

TestAllocator test_allocator;
TestKernels test_kernels;
const bool registered = (ts::register_device_backend(ts::DeviceType::PrivateUse1, &test_allocator, &test_kernels), true);

}  // namespace

TEST_CASE("device: names print and parse") {
  CHECK(ts::Device("vulkan:1") == ts::Device::vulkan(1));
  CHECK(ts::Device("vulkan").str() == "vulkan:0");
  CHECK(ts::Device("mps") == ts::Device::metal());
  CHECK(ts::Device("privateuseone") == kTest);
  CHECK(kTest.str() == "privateuseone:0");
  CHECK(error_of([] { ts::Device("cuda"); }).find("unknown device type") != std::string::npos);
}

TEST_CASE("device: no backend, no device") {
  CHECK_FALSE(ts::vulkan::is_available());
  CHECK(ts::vulkan::device_count() == 0);
  CHECK(error_of([] { ts::zeros({2}, {.device = ts::Device::vulkan()}); }) ==
        "zeros: no vulkan backend is registered in this program, so vulkan:0 cannot be used");
#if !(defined(TESSERA_METAL) && TESSERA_METAL)  // a build with the Metal backend (CMake's TESSERA_METAL) has the device
  CHECK_FALSE(ts::metal::is_available());
  float x[2] = {1, 2};
  CHECK(error_of([&] { ts::from_blob(x, {2}, nullptr, {.device = ts::Device::metal()}); })
            .find("no metal backend is registered") != std::string::npos);
#endif
  CHECK(error_of([] { ts::ones({2}).to(ts::Device::vulkan()); }).find("vulkan:0 cannot be used") != std::string::npos);
  CHECK(error_of([] { ts::zeros({2}, {.device = ts::Device(ts::DeviceType::PrivateUse1, 3)}); }) ==
        "zeros: privateuseone:3 does not exist (1 privateuseone devices)");
}

TEST_CASE("device: factories, ops and copies run through the registered backend") {
  REQUIRE(registered);
  const Counts before = counts;
  {
    auto a = ts::ones({2, 3}, {.device = kTest});
    auto b = ts::arange(6.0f).reshape({2, 3}).to(kTest);
    CHECK(a.device() == kTest);
    CHECK(b.device() == kTest);
    CHECK(counts.fills == before.fills + 1);

    auto c = a + b * 2.0f;
    CHECK(c.device() == kTest);
    CHECK(counts.elementwise == before.elementwise + 2);
    CHECK(test_kernels.last_op == "add");
    auto d = c.exp().t().contiguous();
    CHECK(counts.copies >= before.copies + 1);
    CHECK(d.device() == kTest);

    const int64_t syncs = counts.syncs;
    const auto on_cpu = d.to(ts::Device::cpu());
    CHECK(on_cpu.device() == ts::Device::cpu());
    CHECK(counts.syncs == syncs);  // copying to the host is no host access
    CHECK(ts::equal(on_cpu, (ts::ones({2, 3}) + ts::arange(6.0f).reshape({2, 3}) * 2.0f).exp().t()));

    CHECK(d.to_vector() == on_cpu.to_vector());
    CHECK(counts.syncs == syncs);  // nor is to_vector: both copy
    CHECK(ts::to_string(a.index({0})) == "tensor([1., 1., 1.], device='privateuseone:0')");
    CHECK(d.index({2, 1}).item() == on_cpu.index({2, 1}).item());
    CHECK(counts.syncs > syncs);  // printing and item() read through the host-access point

    auto mask = ts::tensor({true, false, true}).to(kTest);
    auto e = a.index({1}).masked_fill(mask, 5.0f);
    CHECK(e.to(ts::Device::cpu()).to_vector() == std::vector<float>{5, 1, 5});
    CHECK(ts::where(mask, b.index({0}), e).to(ts::Device::cpu()).to_vector() == std::vector<float>{0, 1, 2});
    CHECK(b.clamp(1.0, 4.0).to(ts::Device::cpu()).to_vector() == std::vector<float>{1, 1, 2, 3, 4, 4});
    CHECK(b.index({0}).lerp(e, 0.5).device() == kTest);
    CHECK(counts.live_bytes > 0);
  }
  CHECK(counts.live_bytes == before.live_bytes);  // every block came back
}

TEST_CASE("device: factories from values and ranges give the CPU's values") {
  const Counts before = counts;
  const auto cpu = [](const auto& t) {
    CHECK(t.device() == kTest);
    return t.to(ts::Device::cpu());
  };
  CHECK(ts::equal(cpu(ts::tensor({{1.5, 2.0}, {3.0, -4.0}}, {.device = kTest})), ts::tensor({{1.5, 2.0}, {3.0, -4.0}})));
  CHECK(ts::equal(cpu(ts::tensor({true, false, true}, {.device = kTest})), ts::tensor({true, false, true})));
  CHECK(ts::equal(cpu(ts::from_vector(std::vector<bool>{false, true}, {2}, {.device = kTest})), ts::tensor({false, true})));
  CHECK(ts::equal(cpu(ts::arange(0.0, 3.0, 0.25, {.device = kTest})), ts::arange(0.0, 3.0, 0.25)));
  CHECK(ts::equal(cpu(ts::arange(2, 40, 3, {.device = kTest})), ts::arange(2, 40, 3)));
  CHECK(ts::equal(cpu(ts::linspace(-1, 1, 37, {.device = kTest})), ts::linspace(-1, 1, 37)));
  CHECK(ts::equal(cpu(ts::logspace<double>(0, 2, 5, 2.0, {.device = kTest})), ts::logspace<double>(0, 2, 5, 2.0)));
  CHECK(ts::equal(cpu(ts::eye<int32_t>(3, 4, {.device = kTest})), ts::eye<int32_t>(3, 4)));
  CHECK(counts.ranges == before.ranges + 4);
}

TEST_CASE("device: reductions and row ops run through the registered backend") {
  const auto cpu = ts::arange(24.0f).reshape({2, 3, 4}).sin();
  const auto x = cpu.to(kTest);
  const Counts before = counts;
  const auto back = [](const auto& t) {
    CHECK(t.device() == kTest);
    return t.to(ts::Device::cpu());
  };
  CHECK(ts::equal(back(x.sum()), cpu.sum()));
  CHECK(ts::equal(back(x.sum(0)), cpu.sum(0)));  // the column-sum path
  CHECK(ts::equal(back(x.mean({0, 2}, true)), cpu.mean({0, 2}, true)));
  CHECK(ts::equal(back(x.var(1)), cpu.var(1)));
  CHECK(ts::equal(back(x.amax(-1)), cpu.amax(-1)));
  const auto [values, indices] = x.max(1);
  CHECK(ts::equal(back(values), std::get<0>(cpu.max(1))));
  CHECK(ts::equal(back(indices), std::get<1>(cpu.max(1))));
  CHECK(test_kernels.last_op == "max");
  CHECK(counts.reductions == before.reductions + 6);
  CHECK(ts::equal(back(x.softmax(1)), cpu.softmax(1)));
  CHECK(ts::equal(back(x.log_softmax(0)), cpu.log_softmax(0)));
  CHECK(ts::equal(back(x.cumsum(2)), cpu.cumsum(2)));
  CHECK(test_kernels.last_op == "cumsum");
  CHECK(counts.rows == before.rows + 3);
}

TEST_CASE("device: matrix products run through the registered backend") {
  const auto a = ts::arange(12.0f).reshape({3, 4}).cos(), b = ts::arange(8.0f).reshape({4, 2}).sin();
  const auto ad = a.to(kTest), bd = b.to(kTest);
  const Counts before = counts;
  CHECK(ts::equal(ts::mm(ad, bd).to(ts::Device::cpu()), ts::mm(a, b)));
  CHECK(ts::equal(ts::matmul(ad.expand({2, 3, 4}), bd.expand({2, 4, 2})).to(ts::Device::cpu()),
                  ts::matmul(a.expand({2, 3, 4}), b.expand({2, 4, 2}))));
  CHECK(test_kernels.last_op == "bmm");
  CHECK(ts::equal(ts::mv(ad, bd.select(1, 0)).to(ts::Device::cpu()), ts::mv(a, b.select(1, 0))));
  const auto ai = ts::arange(6).reshape({2, 3});
  CHECK(ts::equal(ts::mm(ai.to(kTest), ai.t().to(kTest)).to(ts::Device::cpu()), ts::mm(ai, ai.t())));
  const auto ah = a.to<ts::half>();
  CHECK(ts::equal(ts::mm(ah.to(kTest), ah.t().to(kTest)).to(ts::Device::cpu()), ts::mm(ah, ah.t())));
  CHECK(counts.matmuls == before.matmuls + 5);
}

TEST_CASE("device: random draws give the CPU's values") {
  const Counts before = counts;
  const auto same = [](auto make) {
    ts::manual_seed(7);
    const auto on_cpu = make(ts::Device::cpu());
    ts::manual_seed(7);
    const auto on_device = make(kTest);
    CHECK(on_device.device() == kTest);
    CHECK(ts::equal(on_device.to(ts::Device::cpu()), on_cpu));
  };
  same([](ts::Device d) { return ts::rand({5, 7}, {.device = d}); });
  same([](ts::Device d) { return ts::randn<double>({9}, {.device = d}); });
  same([](ts::Device d) { return ts::randint(-3, 9, {4, 4}, {.device = d}); });
  same([](ts::Device d) { return ts::randperm(10, {.device = d}); });
  same([](ts::Device d) { return ts::bernoulli(ts::full({6}, 0.5f, {.device = d})); });
  same([](ts::Device d) { return ts::multinomial(ts::ones({2, 5}, {.device = d}), 3); });
  same([](ts::Device d) { return ts::zeros<ts::half>({3, 3}, {.device = d}).normal_(2.0, 0.5); });
  CHECK(counts.draws >= before.draws + 5);
}

TEST_CASE("device: indexing, gather and scatter run through the registered backend") {
  const auto cpu = ts::arange(12.0f).reshape({3, 4});
  const auto x = cpu.to(kTest);
  const Counts before = counts;
  const auto back = [](const auto& t) {
    CHECK(t.device() == kTest);
    return t.to(ts::Device::cpu());
  };
  CHECK(ts::equal(back(x.index({ts::tensor({2, 0})})), cpu.index({ts::tensor({2, 0})})));
  CHECK(ts::equal(back(x.index({cpu > 4.0f})), cpu.index({cpu > 4.0f})));
  CHECK(ts::equal(back(x.index({(cpu > 4.0f).to(kTest)})), cpu.index({cpu > 4.0f})));
  CHECK(ts::equal(back(x.index_select(1, ts::tensor({3, 1}).to(kTest))), cpu.index_select(1, ts::tensor({3, 1}))));
  const auto idx = ts::tensor({{0, 2}, {1, 0}});
  CHECK(ts::equal(back(x.gather(1, idx.to(kTest))), cpu.gather(1, idx)));
  CHECK(ts::equal(back(x.scatter(1, idx.to(kTest), 7.0f)), cpu.scatter(1, idx, 7.0f)));
  auto y = x.clone();
  y.index_put_({ts::tensor({1}), ts::tensor({3})}, ts::tensor(-1.0f).to(kTest));
  CHECK(y.to(ts::Device::cpu()).index({1, 3}).item() == -1.0f);
  CHECK(counts.indexings >= before.indexings + 7);

  auto w = cpu.clone().requires_grad_().to(kTest);
  (w.index({ts::tensor({0, 0, 2})}).sum() + w.as_strided({2, 2}, {1, 1}).sum()).backward();
}

// The public op list of API.md §2-§4 and §12, each run on the CPU and on the test device from the
// same inputs: the results must be equal and on the device, and every op must reach the
// device's kernels (no op may run a CPU kernel on device memory behind the seam's back).
TEST_CASE("device: the public op list gives the CPU's values on the device") {
  namespace F = ts::nn::functional;
  using Op = std::function<ts::AnyTensor(ts::Device)>;
  const auto x = [](ts::Device d) { return ts::linspace(-2, 3, 24).reshape({2, 3, 4}).to(d); };
  const auto y = [](ts::Device d) { return ts::linspace(0.5, 4, 12).reshape({3, 4}).to(d); };
  const auto i = [](ts::Device d) { return ts::arange(-6, 6).reshape({3, 4}).to(d); };
  const auto m = [](ts::Device d) { return (ts::remainder(ts::arange(12), 3) == 0).reshape({3, 4}).to(d); };
  const std::vector<std::pair<const char*, Op>> ops = {
      {"add", [&](ts::Device d) { return x(d) + y(d); }},
      {"sub", [&](ts::Device d) { return x(d) - 1.5; }},
      {"mul", [&](ts::Device d) { return 2 * x(d) * y(d); }},
      {"div", [&](ts::Device d) { return x(d) / y(d); }},
      {"div int", [&](ts::Device d) { return i(d) / 4; }},
      {"pow", [&](ts::Device d) { return y(d).pow(x(d)); }},
      {"remainder", [&](ts::Device d) { return ts::remainder(i(d), 5); }},
      {"fmod", [&](ts::Device d) { return ts::fmod(x(d), 0.7); }},
      {"floor_divide", [&](ts::Device d) { return ts::floor_divide(i(d), ts::full({4}, 3, {.device = d})); }},
      {"minimum", [&](ts::Device d) { return ts::minimum(x(d), y(d)); }},
      {"maximum", [&](ts::Device d) { return ts::maximum(x(d), 0.5); }},
      {"compare", [&](ts::Device d) { return (x(d) < y(d)) || (!(x(d) >= 1.0) && (x(d) != 0.0)); }},
      {"neg abs sign", [&](ts::Device d) { return x(d).neg().abs() + x(d).sign(); }},
      {"floor ceil round", [&](ts::Device d) { return x(d).floor() + x(d).ceil() * 2 + x(d).round() * 3; }},
      {"relu sqrt rsqrt", [&](ts::Device d) { return x(d).relu() + y(d).sqrt() + y(d).rsqrt(); }},
      {"exp expm1 log", [&](ts::Device d) { return x(d).exp() + x(d).expm1() + y(d).log() + y(d).log1p() + y(d).log2(); }},
      {"trigonometry", [&](ts::Device d) { return x(d).sin() + x(d).cos() + x(d).tan() + x(d).tanh(); }},
      {"sigmoid gelu softplus", [&](ts::Device d) { return x(d).sigmoid() + x(d).gelu() + x(d).softplus(); }},
      {"isnan isinf isfinite", [&](ts::Device d) { return (x(d) / 0.0).isnan() || (x(d) / 0.0).isinf() || x(d).isfinite(); }},
      {"clamp", [&](ts::Device d) { return x(d).clamp(-1.0, 1.0); }},
      {"lerp", [&](ts::Device d) { return ts::lerp(x(d), y(d), 0.25); }},
      {"where", [&](ts::Device d) { return ts::where(m(d), y(d), -1.0f); }},
      {"masked_fill", [&](ts::Device d) { return y(d).masked_fill(m(d), 7); }},
      {"in place", [&](ts::Device d) { auto t = x(d).clone(); t += y(d); t *= 2; t.sub_(1.0).div_(y(d)).exp_(); return t; }},
      {"sum mean prod", [&](ts::Device d) { return x(d).sum(1) + x(d).mean(1) + x(d).prod(1); }},
      {"sum of ints", [&](ts::Device d) { return i(d).sum({0, 1}, true); }},
      {"amax amin norm", [&](ts::Device d) { return x(d).amax({0, 2}) + x(d).amin(2).sum(0) + x(d).norm(2, -1).sum(0); }},
      {"max min", [&](ts::Device d) { return std::get<0>(x(d).max(2)) + x(d).min(); }},
      {"argmax argmin", [&](ts::Device d) { return x(d).argmax(1) + x(d).argmin(); }},
      {"var std", [&](ts::Device d) { return x(d).var(1) + x(d).std(ts::Shape{0, 2}, true).sum(); }},
      {"logsumexp", [&](ts::Device d) { return x(d).logsumexp(2); }},
      {"all any", [&](ts::Device d) { return m(d).all(1) || m(d).any(0).sum() > 2; }},
      {"softmax log_softmax", [&](ts::Device d) { return x(d).softmax(1) + x(d).log_softmax(-1); }},
      {"cumsum", [&](ts::Device d) { return x(d).cumsum(1); }},
      {"sort topk", [&](ts::Device d) { return x(d).sort(1, true).values + x(d).topk(2, 1).values.sum(1, true) + x(d).argsort(2).to<float>(); }},
      {"median kthvalue mode", [&](ts::Device d) { return y(d).median(1).values + y(d).kthvalue(2, 1).values + y(d).mode(1).indices.to<float>() + y(d).nanmedian(); }},
      {"unique searchsorted", [&](ts::Device d) { return ts::searchsorted(y(d).flatten().msort(), y(d)).to<float>() + ts::unique(y(d)).values.sum() + ts::bucketize(y(d), ts::tensor({0.0f, 0.5f}).to(d)).to<float>(); }},
      {"views", [&](ts::Device d) { return x(d).transpose(0, 2).contiguous() + x(d).permute({2, 1, 0}); }},
      {"reshape flatten", [&](ts::Device d) { return x(d).transpose(0, 2).reshape({-1}).view({4, 6}).flatten(); }},
      {"narrow select slice", [&](ts::Device d) { return x(d).narrow(2, 1, 2).select(0, 1).slice(1, 0, 2, 1) * 3; }},
      {"expand unfold", [&](ts::Device d) { return y(d).unfold(1, 2, 1).sum(-1) + y(d).select(1, 0).unsqueeze(1).expand({3, 3}); }},
      {"cat stack", [&](ts::Device d) { return ts::cat({y(d), y(d) * 2}, 1).sum(1) + ts::stack({y(d), y(d)}).sum({0, 2}); }},
      {"split chunk", [&](ts::Device d) { return ts::split(y(d), 2, 1)[1] + ts::chunk(y(d), 2, 1)[0]; }},
      {"to dtype", [&](ts::Device d) { return x(d).to<ts::half>().to<double>() + i(d).to<float>().sum(); }},
      {"matmul", [&](ts::Device d) { return ts::matmul(x(d), y(d).t()) ; }},
      {"mv dot outer", [&](ts::Device d) { return ts::mv(y(d), y(d)[0]) + ts::dot(y(d)[1], y(d)[2]) + ts::outer(y(d)[0], y(d)[1]).sum(0).narrow(0, 0, 3); }},
      {"einsum", [&](ts::Device d) { return ts::einsum("bij,kj->bik", {x(d), y(d)}); }},
      {"index", [&](ts::Device d) { return x(d).index({ts::Slice(), ts::tensor({2, 0}).to(d), ts::Ellipsis}); }},
      {"index by mask", [&](ts::Device d) { return y(d).index({m(d)}); }},
      {"index_put_", [&](ts::Device d) { auto t = y(d).clone(); t.index_put_({m(d)}, 0.0f); t.index_put_({1}, y(d)[0]); return t; }},
      {"index_select gather", [&](ts::Device d) { return y(d).index_select(1, ts::tensor({3, 3, 0}).to(d)) + y(d).gather(1, ts::tensor({{0, 1, 2}, {3, 3, 3}, {1, 0, 1}}).to(d)); }},
      {"scatter", [&](ts::Device d) { return y(d).scatter(1, ts::tensor({{0}, {3}, {1}}).to(d), -2.0f); }},
      {"fill zero copy", [&](ts::Device d) { auto t = ts::empty({3, 4}, {.device = d}); t.fill_(2); t[0].zero_(); t[1].copy_(y(d)[2]); return t; }},
      {"factories", [&](ts::Device d) { return ts::eye(3, 4, {.device = d}) + ts::ones({3, 4}, {.device = d}) + ts::full({4}, 0.5f, {.device = d}) + ts::zeros_like(y(d)); }},
      {"ranges", [&](ts::Device d) { return ts::arange(0.0, 1.2, 0.1, {.device = d}) + ts::linspace(1, 2, 12, {.device = d}); }},
      {"random", [&](ts::Device d) { ts::manual_seed(4); return ts::rand({3, 4}, {.device = d}) + ts::randn({3, 4}, {.device = d}) + ts::randint(0, 5, {4}, {.device = d}).to<float>(); }},
      {"linear", [&](ts::Device d) { return F::linear(x(d), y(d), y(d)[0].narrow(0, 0, 3)); }},
      {"conv2d pools", [&](ts::Device d) {
         const auto img = ts::linspace(-1, 1, 2 * 2 * 5 * 5).reshape({2, 2, 5, 5}).to(d);
         const auto w = ts::linspace(-1, 1, 3 * 2 * 3 * 3).reshape({3, 2, 3, 3}).to(d);
         return F::conv2d(img, w, {}, {.padding = 1}).sum({0, 1}) + F::max_pool2d(img, 2, 1, 0).sum({0, 1}).narrow(0, 0, 4).narrow(1, 0, 4).sum() +
                F::avg_pool2d(img, 3, 1, 1).sum({0, 1}); }},
      {"pooling options and interpolate", [&](ts::Device d) {
         const auto img = ts::linspace(-1, 1, 2 * 2 * 5 * 5).reshape({2, 2, 5, 5}).sin().to(d);
         const auto [values, indices] = F::max_pool2d_with_indices(img, {3, 2}, {2, 1}, {1, 0}, 1, true);
         return values.sum({0, 1}) + indices.sum({0, 1}).to<float>() + F::avg_pool2d(img, {2, 3}, 2, {1, 1}, true, false).sum() +
                F::max_unpool2d(values, indices, {3, 2}, {2, 1}, {1, 0}, {5, 5}).sum({0, 1}).narrow(0, 0, 3).narrow(1, 0, 4) +
                F::interpolate(img, {.size = {3, 4}, .mode = "bilinear"}).sum({0, 1}) +
                F::interpolate(img, {.scale_factor = {0.7}}).sum({0, 1}).narrow(0, 0, 3).narrow(1, 0, 3).sum(); }},
      {"interpolate and its gradient, every mode (the CPU's resize kernels against the composed ops)", [&](ts::Device d) {
         const auto leaf = ts::linspace(-1, 1, 2 * 3 * 5 * 6).reshape({2, 3, 5, 6}).sin().to(d).requires_grad_();
         const auto leaf3 = ts::linspace(-1, 1, 2 * 2 * 3 * 4 * 5).reshape({2, 2, 3, 4, 5}).cos().to(d).requires_grad_();
         ts::Tensor<float> total = ts::zeros({1}, {.device = d});
         for (const char* mode : {"nearest", "nearest-exact", "bilinear", "bicubic"})
           for (const std::vector<int64_t>& size : {std::vector<int64_t>{7, 4}, std::vector<int64_t>{10, 13}}) {
             const auto y = F::interpolate(leaf, {.size = size, .mode = mode});
             total = total + (y * y.sin()).sum();
           }
         total = total + F::interpolate(leaf.flatten(2), {.scale_factor = {1.7}, .mode = "linear", .align_corners = true}).pow(2.0).sum();
         total = total + F::interpolate(leaf3, {.size = {4, 3, 7}, .mode = "trilinear"}).pow(2.0).sum();
         total.backward();
         return ts::cat({total, leaf.grad().flatten(), leaf3.grad().flatten()}); }},
      {"reflect and replicate padding and their gradients (the CPU's resize kernels against the composed ops)",
       [&](ts::Device d) {
         const auto leaf = ts::linspace(-1, 1, 2 * 3 * 4 * 5).reshape({2, 3, 4, 5}).sin().to(d).requires_grad_();
         const auto y = F::pad(leaf, {2, 3, 1, 3}, "reflect") * 1.5f + F::pad(leaf, {4, 1, 3, 1}, "replicate");
         (y * y.cos()).sum().backward();
         return ts::cat({y.detach().flatten(), leaf.grad().flatten()}); }},
      {"max and adaptive max pooling with NaN, -inf and empty windows, indices and gradient (the CPU's kernels against the composed ops)",
       [&](ts::Device d) {
         const auto base = ts::linspace(-1, 1, 2 * 3 * 6 * 7).reshape({2, 3, 6, 7}).sin();
         const auto leaf = base.masked_fill(base.gt(0.9f), NAN).masked_fill(base.lt(-0.8f), -INFINITY).to(d).requires_grad_();
         const auto thin = ts::linspace(-1, 1, 6).reshape({1, 2, 3, 1}).to(d).requires_grad_();
         std::vector<ts::Tensor<float>> parts;
         ts::Tensor<float> total = ts::zeros({1}, {.device = d});
         const auto add = [&](const ts::Tensor<float>& values, const ts::Tensor<int64_t>& indices = {}) {
           const auto finite = values.nan_to_num(0.0, 0.0, 0.0);
           total = total + (finite * finite.cos()).sum();
           parts.push_back(finite.flatten());
           if (indices.defined()) parts.push_back(indices.to<float>().flatten());
         };
         std::apply(add, F::max_pool2d_with_indices(leaf, 3, 2, 1, 2, true));
         std::apply(add, F::max_pool2d_with_indices(leaf, {2, 3}, 1));
         std::apply(add, F::max_pool3d_with_indices(leaf.unsqueeze(0), {2, 3, 2}, {1, 2, 2}, 1));
         std::apply(add, F::max_pool2d_with_indices(thin, {1, 2}, 1, {0, 1}, {1, 2}));  // a window with no element
         std::apply(add, F::adaptive_max_pool2d_with_indices(leaf, {4, 5}));
         add(F::adaptive_max_pool3d(leaf, {2, 4, 3}));
         total.backward();
         parts.push_back(leaf.grad().flatten());
         parts.push_back(thin.grad().flatten());
         return ts::cat(parts); }},
      {"losses", [&](ts::Device d) {
         const auto targets = ts::tensor({2, 0, 1}).to(d);
         return F::cross_entropy(y(d), targets) + F::nll_loss(y(d).log_softmax(1), targets) + F::mse_loss(y(d), y(d) * 0.5f) +
                F::binary_cross_entropy_with_logits(y(d), m(d).to<float>()) + F::one_hot(targets, 4).to<float>().sum(); }},
      {"backward", [&](ts::Device d) {
         auto w = y(d).clone().requires_grad_();
         (F::cross_entropy(ts::matmul(x(d)[0], w.t()).gelu(), ts::tensor({1, 0, 2}).to(d)) + w.pow(2).mean()).backward();
         return w.grad(); }},
  };
  for (const auto& [name, op] : ops) {
    INFO(name);
    const Counts before = counts;
    const ts::AnyTensor on_cpu = op(ts::Device::cpu());
    const ts::AnyTensor on_device = op(kTest);
    CHECK(on_device.device() == kTest);
    REQUIRE(on_device.dtype() == on_cpu.dtype());
    ts::dispatch(on_cpu.dtype(), [&]<class T>(std::type_identity<T>) {
      CHECK(ts::equal(on_device.as<T>().to(ts::Device::cpu()), on_cpu.as<T>()));
    });
    const int64_t dispatched = (counts.elementwise - before.elementwise) + (counts.reductions - before.reductions) +
                               (counts.rows - before.rows) + (counts.matmuls - before.matmuls) +
                               (counts.indexings - before.indexings) + (counts.windows - before.windows) +
                               (counts.draws - before.draws) + (counts.ranges - before.ranges) +
                               (counts.copies - before.copies) + (counts.fills - before.fills) +
                               (counts.sorts - before.sorts) + (counts.convolutions - before.convolutions);
    CHECK(dispatched > 0);
  }
}

TEST_CASE("device: ops mixing devices are refused with both devices named") {
  auto a = ts::ones({3}, {.device = kTest});
  auto b = ts::ones({3});
  const std::string both = "expected all tensors to be on the same device, but found at least two devices";
  CHECK(error_of([&] { a + b; }).find("add: " + both + ", privateuseone:0 and cpu") != std::string::npos);
  CHECK(error_of([&] { ts::add_out(a, b, b); }).find(both) != std::string::npos);
  CHECK(error_of([&] { a.copy_(b); }).find("privateuseone:0") != std::string::npos);
  CHECK(error_of([&] { a.masked_fill_(ts::tensor({true, false, true}), 0); }).find("masked_fill_: " + both) !=
        std::string::npos);
  CHECK(error_of([&] { b.masked_fill_(ts::tensor({true, false, true}).to(kTest), 0); }).find(both) !=
        std::string::npos);
  CHECK(error_of([&] { ts::lerp(a, b, 0.5); }).find("lerp: " + both) != std::string::npos);
  CHECK(error_of([&] { ts::lerp(b, b, a); }).find("lerp: " + both) != std::string::npos);
  CHECK(error_of([&] { ts::where(ts::tensor({true, false, true}), b, b.clone()); }).empty());
  CHECK(error_of([&] { ts::where_out(a, ts::tensor({true, false, true}), b, b); }).find("where: " + both) !=
        std::string::npos);
  CHECK(error_of([&] { ts::where(ts::tensor({true, false, true}).to(kTest), b, b); }).find(both) != std::string::npos);
  CHECK(error_of([&] { a.clamp_(0.0, 1.0); b.index_put_({ts::tensor({0})}, a.index({0})); })
            .find("index_put_: " + both) != std::string::npos);
  CHECK(error_of([&] { b.index({ts::tensor({0, 1}).to(kTest)}); })
            .find("indices should be either on cpu or on the same device as the indexed tensor (cpu)") !=
        std::string::npos);
  CHECK(error_of([&] { b.gather(0, ts::tensor({0, 1}).to(kTest)); }).find("gather: " + both) != std::string::npos);
  CHECK(error_of([&] { b.index_select(0, ts::tensor({0, 1}).to(kTest)); }).find("index_select: " + both) !=
        std::string::npos);
  CHECK(error_of([&] { b.scatter_(0, ts::tensor({0, 1}), a); }).find("scatter_: " + both) != std::string::npos);
}

TEST_CASE("device: autograd through device copies") {
  auto x = ts::tensor({1.0f, 2.0f, 3.0f}, {.requires_grad = true});
  auto y = x.to(kTest);
  CHECK(y.grad_fn_name() == "ToCopyBackward0");
  auto z = (y * y).to(ts::Device::cpu()).sum();
  z.backward();
  REQUIRE(x.grad().defined());
  CHECK(x.grad().device() == ts::Device::cpu());
  CHECK(x.grad().to_vector() == std::vector<float>{2, 4, 6});
}

TEST_CASE("device: a small CNN trains on the device as on the CPU") {
  namespace nn = ts::nn;
  namespace F = ts::nn::functional;
  const auto build = [] {
    ts::manual_seed(3);
    return nn::Sequential{nn::Conv2d(1, 3, 3, {.padding = 1}), nn::ReLU(), nn::MaxPool2d(2, 2), nn::Flatten(),
                          nn::Linear(12, 4), nn::GELU(), nn::Dropout(0.25), nn::Linear(4, 3)};
  };
  const auto run = [&](ts::Device device) {
    auto model = build();
    model.to(device);
    ts::optim::Adam adam(model.parameters(), {.lr = 0.01});
    ts::manual_seed(5);
    const auto x = ts::randn({6, 1, 4, 4}).to(device);
    const auto y = ts::tensor({0, 1, 2, 0, 1, 2}).to(device);
    std::vector<float> losses;
    for (int step = 0; step < 3; ++step) {
      adam.zero_grad();
      auto loss = F::cross_entropy(model(x), y);
      loss.backward();
      adam.step();
      losses.push_back(loss.item());
    }
    for (const auto& p : model.parameters()) CHECK(p.device() == device);
    return std::pair{losses, model.parameters()[0].to(ts::Device::cpu()).to_vector()};
  };
  const Counts before = counts;
  const auto on_cpu = run(ts::Device::cpu());
  const auto on_device = run(kTest);
  CHECK(on_device.first == on_cpu.first);
  CHECK(on_device.second == on_cpu.second);
  CHECK(counts.convolutions > before.convolutions);
  CHECK(counts.matmuls > before.matmuls);
}

/** While alive, the test device declines fused convolutions: they are composed from im2col and matmul. */
struct ComposedConvolutions {
  ComposedConvolutions() { test_kernels.fuse_convolutions = false; }
  ~ComposedConvolutions() { test_kernels.fuse_convolutions = true; }
  ComposedConvolutions(const ComposedConvolutions&) = delete;
  ComposedConvolutions& operator=(const ComposedConvolutions&) = delete;
};

/** A convolution's value and gradients on the CPU (the fused kernel) and on the test device
 *  declining it (im2col and matmul): the same up to the order of the sums. */
template <class T, class Conv>
void check_fused_convolution(const char* name, const Conv& conv, const ts::Tensor<T>& x, const ts::Tensor<T>& w,
                             const ts::Tensor<T>& b) {
  INFO(name);
  const double tolerance = std::is_same_v<T, double> ? 1e-12 : 1e-4;  // float: sums of up to 270 products
  const auto run = [&](ts::Device d) {
    auto xd = x.to(d).detach().requires_grad_(), wd = w.to(d).detach().requires_grad_();
    auto bd = b.to(d).detach().requires_grad_();
    auto y = conv(xd, wd, bd);
    CHECK(y.is_contiguous());  // as PyTorch's, fused or composed
    (y * y.detach().cos()).sum().backward();
    return std::vector<ts::Tensor<T>>{y.to(ts::Device::cpu()), xd.grad().to(ts::Device::cpu()),
                                      wd.grad().to(ts::Device::cpu()), bd.grad().to(ts::Device::cpu())};
  };
  const Counts before = counts;
  const auto fused = run(ts::Device::cpu());
  const ComposedConvolutions composed;
  const auto on_device = run(kTest);
  CHECK(counts.convolutions == before.convolutions);
  CHECK(counts.windows > before.windows);
  for (size_t k = 0; k < fused.size(); ++k) {
    CHECK(on_device[k].sizes() == fused[k].sizes());
    CHECK(ts::allclose(on_device[k], fused[k], tolerance, tolerance));
  }
}

TEST_CASE("device: a device without fused convolutions composes them, to the CPU kernel's values") {
  namespace F = ts::nn::functional;
  ts::Generator gen(7);
  const auto r = [&](ts::Shape shape) { return ts::randn<double>(std::move(shape), gen); };
  check_fused_convolution("conv2d", [](auto x, auto w, auto b) { return F::conv2d(x, w, b, {.padding = 1}); },
                          r({3, 4, 7, 6}), r({5, 4, 3, 3}), r({5}));
  check_fused_convolution("conv2d strided, dilated, grouped", [](auto x, auto w, auto b) {
    return F::conv2d(x, w, b, {.stride = {2, 3}, .padding = {2, 1}, .dilation = {2, 1}, .groups = 2});
  }, r({2, 4, 9, 11}), r({6, 2, 3, 2}), r({6}));
  check_fused_convolution("conv1d", [](auto x, auto w, auto b) { return F::conv1d(x, w, b, {.stride = 2, .padding = 3}); },
                          r({2, 3, 10}), r({4, 3, 4}), r({4}));
  check_fused_convolution("conv3d", [](auto x, auto w, auto b) { return F::conv3d(x, w, b, {.padding = 1, .groups = 3}); },
                          r({2, 3, 4, 5, 3}), r({3, 1, 2, 3, 3}), r({3}));
  check_fused_convolution("a kernel wider than the image with padding", [](auto x, auto w, auto b) {
    return F::conv2d(x, w, b, {.stride = 2, .padding = 3});
  }, r({1, 2, 2, 3}), r({2, 2, 5, 6}), r({2}));
}

// Stride-1 convolutions with rows of 24 pixels or more run the direct kernels (Notes [Direct
// convolution], [Direct weight gradient]) at every vector width: whole and partial tiles of
// rows, out channels that fill the micro-kernel, its edge kernel, two edge kernels or neither,
// weight rows longer than one GEMM block (KC), padding 'same' with even kernels (one more after
// the image than before it), and an image's gradient padded by (k - 1) * d - p, rows and columns
// cut where that is negative.
TEMPLATE_TEST_CASE("device: the direct convolution gives the composed values at every vector width", "", float, double) {
  namespace F = ts::nn::functional;
  using T = TestType;
  namespace d = ts::detail;
  for (int level = 0; level <= static_cast<int>(d::detected_simd_level()); ++level) {
    INFO("SIMD level " << level);
    d::simd_level_cap().store(level, d::MemoryOrder::Relaxed);
    ts::Generator gen(11);
    const auto r = [&](ts::Shape shape) { return ts::randn<T>(std::move(shape), gen); };
    check_fused_convolution("3x3, padding 1", [](auto x, auto w, auto b) { return F::conv2d(x, w, b, {.padding = 1}); },
                            r({2, 5, 6, 32}), r({13, 5, 3, 3}), r({13}));
    check_fused_convolution("dilated, 20 out channels", [](auto x, auto w, auto b) {
      return F::conv2d(x, w, b, {.padding = {2, 3}, .dilation = {2, 3}});
    }, r({1, 4, 7, 28}), r({20, 4, 3, 3}), r({20}));
    check_fused_convolution("grouped, 2x3", [](auto x, auto w, auto b) {
      return F::conv2d(x, w, b, {.padding = 1, .groups = 2});
    }, r({2, 6, 5, 30}), r({8, 3, 2, 3}), r({8}));
    check_fused_convolution("16 channels in, for the image's gradient", [](auto x, auto w, auto b) {
      return F::conv2d(x, w, b, {.padding = 1});
    }, r({1, 16, 3, 32}), r({4, 16, 3, 3}), r({4}));
    check_fused_convolution("270 weights per output", [](auto x, auto w, auto b) {
      return F::conv2d(x, w, b, {.padding = 1});
    }, r({1, 30, 4, 24}), r({7, 30, 3, 3}), r({7}));
    check_fused_convolution("no padding", [](auto x, auto w, auto b) { return F::conv2d(x, w, b); },
                            r({1, 3, 6, 30}), r({5, 3, 3, 3}), r({5}));
    check_fused_convolution("padding beyond the kernel", [](auto x, auto w, auto b) {
      return F::conv2d(x, w, b, {.padding = {3, 3}});
    }, r({1, 3, 4, 26}), r({4, 3, 3, 3}), r({4}));
    check_fused_convolution("padding 'same' with even kernels: one more below and to the right", [](auto x, auto w, auto b) {
      return F::conv2d(x, w, b, {.padding = "same", .dilation = {1, 2}});
    }, r({2, 4, 7, 30}), r({6, 4, 4, 2}), r({6}));
    check_fused_convolution("conv1d", [](auto x, auto w, auto b) { return F::conv1d(x, w, b, {.padding = 2}); },
                            r({2, 3, 40}), r({4, 3, 5}), r({4}));
  }
  d::simd_level_cap().store(-1, d::MemoryOrder::Relaxed);
}

TEST_CASE("device: module.to moves parameters and buffers in place") {
  ts::manual_seed(0);
  ts::nn::Linear linear(3, 2);
  ts::nn::BatchNorm1d norm(2);
  ts::nn::Sequential model{linear, norm};
  const auto weight = linear.weight().to_vector();
  model.to(kTest);
  for (const auto& p : model.parameters()) CHECK(p.device() == kTest);
  for (const auto& [name, b] : model.named_buffers()) CHECK(b.device() == kTest);
  CHECK(linear.weight().device() == kTest);  // the layer's own handle sees the move
  CHECK(linear.weight().requires_grad());
  CHECK(linear.weight().is_leaf());
  CHECK(linear.weight().to_vector() == weight);
  model.to(ts::Device::cpu());
  CHECK(linear.weight().device() == ts::Device::cpu());
  CHECK(linear.weight().to_vector() == weight);
}

// Shape functions and selection by mask and index (ops/selection.hpp, ops/index_update.hpp)
// compose the index family's plans, so on the device they reach its kernels and match the CPU.
TEST_CASE("device: shape and selection functions give the CPU's values on the device") {
  using Op = std::function<ts::AnyTensor(ts::Device)>;
  const auto y = [](ts::Device d) { return ts::linspace(0.5, 4, 12).reshape({3, 4}).to(d); };
  const auto m = [](ts::Device d) { return (ts::remainder(ts::arange(12), 3) == 0).reshape({3, 4}).to(d); };
  const auto ix = [](ts::Device d) { return ts::tensor({{0, 2, 1, 2}, {1, 0, 0, 2}}).to(d); };
  const auto src = [](ts::Device d) { return ts::linspace(-1, 2, 8).reshape({2, 4}).to(d); };
  const std::vector<std::pair<const char*, Op>> ops = {
      {"movedim unflatten mT", [&](ts::Device d) { return ts::movedim(y(d).unflatten(1, {2, 2}), 0, 2).mT().contiguous(); }},
      {"narrow_copy diag_embed", [&](ts::Device d) { return ts::diag_embed(y(d).narrow_copy(1, 1, 2)); }},
      {"new_full", [&](ts::Device d) { return y(d).new_full({2}, 3) + y(d).new_zeros({2}); }},
      {"nonzero", [&](ts::Device d) { return ts::nonzero(m(d)) + ts::nonzero_numpy(m(d))[1].unsqueeze(1); }},
      {"masked_select masked_scatter", [&](ts::Device d) { return ts::masked_scatter(y(d), m(d), -y(d)).masked_select(m(d)); }},
      {"take take_along_dim", [&](ts::Device d) { return y(d).take(ix(d)) + ts::take_along_dim(y(d), ix(d), 0); }},
      {"repeat_interleave", [&](ts::Device d) { return y(d).repeat_interleave(ts::tensor({1, 0, 2}).to(d), 0); }},
      {"scatter_reduce sum mean", [&](ts::Device d) { return y(d).scatter_reduce(0, ix(d), src(d), "sum") + y(d).scatter_reduce(0, ix(d), src(d), "mean", false); }},
      {"scatter_reduce prod amax amin", [&](ts::Device d) { return y(d).scatter_reduce(0, ix(d), src(d), "prod") + y(d).scatter_reduce(0, ix(d), src(d), "amax", false) + y(d).scatter(0, ix(d), src(d), "multiply"); }},
      {"index_add copy fill", [&](ts::Device d) { return y(d).index_add(0, ts::tensor({2, 0}).to(d), src(d), 2) + y(d).index_copy(1, ts::tensor({3, 0}).to(d), y(d).narrow(1, 0, 2)) + y(d).index_fill(1, ts::tensor({-1}).to(d), 9); }},
  };
  for (const auto& [name, op] : ops) {
    INFO(name);
    const Counts before = counts;
    const ts::AnyTensor on_cpu = op(ts::Device::cpu());
    const ts::AnyTensor on_device = op(kTest);
    CHECK(on_device.device() == kTest);
    REQUIRE(on_device.dtype() == on_cpu.dtype());
    ts::dispatch(on_cpu.dtype(), [&]<class T>(std::type_identity<T>) {
      CHECK(ts::equal(on_device.as<T>().to(ts::Device::cpu()), on_cpu.as<T>()));
    });
    CHECK(counts.indexings + counts.copies + counts.fills > before.indexings + before.copies + before.fills);
  }
  // Index errors name the op on the device too.
  CHECK(error_of([&] { y(kTest).take(ts::tensor({12}).to(kTest)); }) ==
        "take: out of range: tried to access index 12 on a tensor of 12 elements.");
}

}  // namespace test_device
