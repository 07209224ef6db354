// nn/containers.hpp and the traversal of nn/module.hpp: ModuleList, ModuleDict and ParameterList
// under PyTorch's names, typed access, named_modules, apply, requires_grad_.

#include <catch2/catch.hpp>
#include <tessera/tessera.hpp>

#include "error_of.hpp"

namespace test_nn_containers {

namespace nn = ts::nn;

namespace {

// The module of PyTorch's
//   class Net(nn.Module):
//     def __init__(s):
//       s.blocks = nn.ModuleList([nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2)])
//       s.heads = nn.ModuleDict({'a': nn.Linear(2, 2), 'b': nn.Linear(2, 1)})
//       s.extra = nn.ParameterList([nn.Parameter(torch.zeros(3)), nn.Parameter(torch.ones(2))])
struct Net : nn::Module {
  nn::ModuleList blocks{nn::Linear(3, 4), nn::ReLU(), nn::Linear(4, 2)};
  nn::ModuleDict heads;
  nn::ParameterList extra{{ts::zeros<float>({3}), ts::ones<float>({2})}};
  Net() {
    register_module("blocks", blocks);
    heads.insert("a", nn::Linear(2, 2)).insert("b", nn::Linear(2, 1));
    register_module("heads", heads);
    register_module("extra", extra);
  }
  ts::Tensor<float> forward(const ts::Tensor<float>& x) const {
    ts::Tensor<float> h = blocks.at<nn::Linear>(0)(x);
    h = blocks.at<nn::ReLU>(1)(h);
    h = blocks.at<nn::Linear>(2)(h);
    return heads.at<nn::Linear>("a")(h).sum() + heads.at<nn::Linear>("b")(h).sum() + extra[0].sum() + extra[-1].sum();
  }
};

std::vector<std::string> names_of(const std::vector<std::pair<std::string, nn::Module>>& entries) {
  std::vector<std::string> out;
  for (const auto& entry : entries) out.push_back(entry.first);
  return out;
}

}  // namespace

TEST_CASE("containers register their modules and parameters under PyTorch's names", "[nn][containers]") {
  Net net;
  // torch 1.13: list(Net().state_dict().keys()) and [k for k, _ in Net().named_modules()]
  std::vector<std::string> params;
  for (const auto& [name, p] : net.named_parameters()) params.push_back(name);
  CHECK(params == std::vector<std::string>{"blocks.0.weight", "blocks.0.bias", "blocks.2.weight", "blocks.2.bias",
                                           "heads.a.weight", "heads.a.bias", "heads.b.weight", "heads.b.bias",
                                           "extra.0", "extra.1"});
  CHECK(names_of(net.named_modules()) == std::vector<std::string>{"", "blocks", "blocks.0", "blocks.1", "blocks.2",
                                                                  "heads", "heads.a", "heads.b", "extra"});
  CHECK(names_of(net.named_children()) == std::vector<std::string>{"blocks", "heads", "extra"});
  CHECK(net.children().size() == 3);
  CHECK(net.modules().size() == 9);
  CHECK(net.blocks.size() == 3);
  CHECK(net.heads.keys() == std::vector<std::string>{"a", "b"});
  CHECK(net.heads.contains("b"));
  CHECK(!net.heads.contains("c"));
  CHECK(net.extra.size() == 2);
  CHECK(net.extra[1].requires_grad());

  // The held modules are the registered ones: training the net moves the layers in the lists.
  const ts::Tensor<float> out = net.forward(ts::ones<float>({5, 3}));
  out.backward();
  CHECK(net.blocks.at<nn::Linear>(0).weight().grad().defined());
  CHECK(net.extra[0].grad().to_vector() == std::vector<float>{1, 1, 1});
  CHECK(net.blocks[2].parameters().size() == 2);
  CHECK(net.heads["b"].parameters().at(0).sizes() == ts::Shape{1, 2});

  // A module reached twice is listed once, as PyTorch's named_modules.
  nn::Linear shared(2, 2);
  nn::ModuleList twice(shared, shared);
  CHECK(names_of(twice.named_modules()) == std::vector<std::string>{"", "0"});

  // Replacing a key keeps its place.
  net.heads.insert("a", nn::Linear(2, 3));
  CHECK(net.heads.keys() == std::vector<std::string>{"a", "b"});
  CHECK(net.heads.at<nn::Linear>("a").weight().sizes() == ts::Shape{3, 2});
  CHECK(net.heads["a"].parameters().at(0).sizes() == ts::Shape{3, 2});
}

TEST_CASE("apply, requires_grad_ and train reach every module", "[nn][containers]") {
  Net net;
  int visited = 0;
  net.apply([&](const nn::Module&) { ++visited; });
  CHECK(visited == 9);  // every module, each once; children before their parent
  net.requires_grad_(false);
  for (const ts::Tensor<float>& p : net.parameters()) CHECK(!p.requires_grad());
  net.blocks.requires_grad_(true);
  CHECK(net.blocks.at<nn::Linear>(2).weight().requires_grad());
  CHECK(!net.heads.at<nn::Linear>("b").weight().requires_grad());
  net.eval();
  for (const nn::Module& m : net.modules()) CHECK(!m.is_training());
}

TEST_CASE("containers refuse a wrong type, index or key", "[nn][containers]") {
  Net net;
  CHECK(error_of([&] { net.blocks.at<nn::ReLU>(0); }) == "ModuleList: the module at index 0 is not of the type asked for");
  CHECK(error_of([&] { net.blocks.at<nn::Linear>(3); }) == "ModuleList: index 3 is out of range (3 modules)");
  CHECK(error_of([&] { (void)net.blocks[-4]; }) == "ModuleList: index -4 is out of range (3 modules)");
  CHECK(error_of([&] { net.heads.at<nn::Linear>("c"); }) == "ModuleDict: no module named \"c\"");
  CHECK(error_of([&] { net.heads.insert("x.y", nn::ReLU()); }) ==
        "ModuleDict: module name can't contain \".\" or be empty, got \"x.y\"");
  CHECK(error_of([&] { (void)net.extra[2]; }) == "ParameterList: index 2 is out of range (2 parameters)");
}

TEST_CASE("a module stays float32: to(Float32) keeps it, another dtype throws", "[nn][containers]") {
  // Note [Modules are float32]; to<double>() and half() fail to compile (tests/compile_errors).
  Net net;
  const float* w = net.blocks.at<nn::Linear>(0).weight().data_ptr();
  CHECK(net.to(ts::DType::Float32).is_same(net));
  CHECK(net.to<float>().is_same(net));
  CHECK(net.blocks.at<nn::Linear>(0).weight().data_ptr() == w);
  CHECK(net.blocks.at<nn::Linear>(0).weight().dtype() == ts::DType::Float32);
  CHECK(error_of([&] { net.to(ts::DType::Float64); }) ==
        "Module.to: ts::nn modules are float32 models (their parameters are Tensor<float>), so they cannot be "
        "converted to torch.float64");
}

}  // namespace test_nn_containers
