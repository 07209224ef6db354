// The device seam, proved by a device that exists only here: a backend registered as
// PrivateUse1 whose memory is host memory (poisoned when freed, counted), whose kernels are the
// CPU ones run through each plan's host kernel (counted per family), and whose host access
// counts every sync.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>
#include <string>

#include <tessera/tessera.hpp>

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
};
Counts counts;

class TestAllocator final : public ts::DeviceAllocator {
 public:
  ts::DataPtr allocate(size_t nbytes, ts::Device device) override {
    const size_t bytes = std::max<size_t>(nbytes, 1);
    auto* block = static_cast<unsigned char*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64 + 64));
    std::memcpy(block, &nbytes, sizeof nbytes);  // the header keeps the size for the deleter
    counts.live_bytes += static_cast<int64_t>(nbytes);
    ++counts.allocations;
    return {block + 64, block, &release, device};
  }
  void* host_address(const ts::DataPtr& data) override {
    ++counts.syncs;
    return data.data;
  }
  void copy_from_host(const ts::DataPtr& dst, size_t offset, const void* src, size_t nbytes) override {
    std::memcpy(static_cast<char*>(dst.data) + offset, src, nbytes);
  }
  void copy_to_host(void* dst, const ts::DataPtr& src, size_t offset, size_t nbytes) override {
    std::memcpy(dst, static_cast<const char*>(src.data) + offset, nbytes);
  }
  int device_count() override { return 1; }

 private:
  static void release(void* data, void* block) {
    size_t nbytes;
    std::memcpy(&nbytes, block, sizeof nbytes);
    std::memset(data, 0xA5, nbytes);  // poison: a kernel reading freed bytes sees garbage
    counts.live_bytes -= static_cast<int64_t>(nbytes);
    std::free(block);
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
  std::string last_op;

 private:
  template <class Plan>
  void run(const Plan& plan, int64_t& counter) {
    ++counter;
    last_op = plan.op;
    plan.run_on_host();
  }
};

TestAllocator test_allocator;
TestKernels test_kernels;
const bool registered = (ts::register_device_backend(ts::DeviceType::PrivateUse1, &test_allocator, &test_kernels), true);

template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ts::Error& e) {
    return e.what();
  }
  return "";
}

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
  CHECK_FALSE(ts::metal::is_available());
  CHECK(error_of([] { ts::zeros({2}, {.device = ts::Device::vulkan()}); }) ==
        "zeros: no vulkan backend is registered in this program, so vulkan:0 cannot be used");
  float x[2] = {1, 2};
  CHECK(error_of([&] { ts::from_blob(x, {2}, nullptr, {.device = ts::Device::metal()}); })
            .find("no metal backend is registered") != std::string::npos);
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
  CHECK(ts::equal(ts::matmul(ad.expand({2, 3, 4}), bd).to(ts::Device::cpu()), ts::matmul(a.expand({2, 3, 4}), b)));
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
  CHECK(counts.windows > before.windows);
  CHECK(counts.matmuls > before.matmuls);
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
