#pragma once
// TensorDataset and DataLoader: batches of (input, target) rows, shuffled from a Generator.

#include <utility>

#include "../ops/indexing.hpp"
#include "../random/distributions.hpp"

namespace tessera::data {

/** Rows of an input tensor and a target tensor with the same first dimension. */
template <class X = float, class Y = int64_t>
class TensorDataset {
 public:
  TensorDataset(Tensor<X> inputs, Tensor<Y> targets) : inputs_(std::move(inputs)), targets_(std::move(targets)) {
    TS_CHECK(inputs_.dim() > 0 && targets_.dim() > 0 && inputs_.size(0) == targets_.size(0),
             "TensorDataset: size mismatch between tensors (", tessera::detail::shape_str(inputs_.sizes()), " and ",
             tessera::detail::shape_str(targets_.sizes()), ")");
  }
  int64_t size() const { return inputs_.size(0); }
  /** The rows at `index` (an int64 tensor of row numbers). */
  std::pair<Tensor<X>, Tensor<Y>> get(const Tensor<int64_t>& index) const {
    return {inputs_.index_select(0, index), targets_.index_select(0, index)};
  }
  const Tensor<X>& inputs() const { return inputs_; }
  const Tensor<Y>& targets() const { return targets_; }

 private:
  Tensor<X> inputs_;
  Tensor<Y> targets_;
};

struct DataLoaderOptions {
  int64_t batch_size = 1;
  bool shuffle = false;
  bool drop_last = false;
};

// Note [PyTorch's loader draws]
// With an mt19937 generator a pass draws as torch.utils.data.DataLoader (num_workers=0) does in
// torch 1.13: iter() first draws a base seed (random_() on an int64: two words) from the loader's
// generator, or from the default one when none was given. Then, shuffling, RandomSampler either
// draws randperm(n) from the given generator, or, without one, draws a seed (two more words) from
// the default generator and takes randperm(n) from a fresh generator seeded with it. With a given
// generator it draws one more (unused) randperm(n) when a batch past the last full order is
// asked for: before the last partial batch, or after the last full one.
/** Iterates a dataset in batches. With shuffle, each pass (each begin()) draws a new order
 *  from the generator, so a seeded generator makes training reproducible. */
template <class Dataset>
class DataLoader {
 public:
  DataLoader(Dataset dataset, DataLoaderOptions options = {}) : DataLoader(std::move(dataset), options, default_generator()) {
    given_generator_ = false;
  }
  DataLoader(Dataset dataset, DataLoaderOptions options, Generator& gen)
      : dataset_(std::move(dataset)), options_(options), gen_(&gen) {
    TS_CHECK(options.batch_size > 0, "DataLoader: batch_size should be a positive integer value, but got batch_size=",
             options.batch_size);
  }

  /** Number of batches per pass. */
  int64_t size() const {
    const int64_t n = dataset_.size(), b = options_.batch_size;
    return options_.drop_last ? n / b : (n + b - 1) / b;
  }

  class Iterator {
   public:
    Iterator(const DataLoader* loader, Tensor<int64_t> order, int64_t batch) : loader_(loader), order_(std::move(order)), batch_(batch) {}
    auto operator*() const {
      const int64_t b = loader_->options_.batch_size, start = batch_ * b;
      const int64_t len = std::min(b, order_.numel() - start);
      return loader_->dataset_.get(order_.narrow(0, start, len));
    }
    Iterator& operator++() {
      ++batch_;
      const DataLoader& l = *loader_;
      if (l.extra_permutation_ && batch_ == l.extra_permutation_at()) randperm(order_.numel(), *l.gen_);
      return *this;
    }
    bool operator!=(const Iterator& other) const { return batch_ != other.batch_; }

   private:
    const DataLoader* loader_;
    Tensor<int64_t> order_;
    int64_t batch_;
  };
  Iterator begin() const {
    const int64_t n = dataset_.size();
    extra_permutation_ = false;
    if (gen_->algorithm() == RngAlgorithm::mt19937) {  // Note [PyTorch's loader draws]
      (void)random_int64(*gen_);  // the base seed of the workers
      if (!options_.shuffle) return Iterator(this, arange(n), 0);
      if (!given_generator_) {
        Generator sampler(static_cast<uint64_t>(random_int64(default_generator())), RngAlgorithm::mt19937);
        return Iterator(this, randperm(n, sampler), 0);
      }
      extra_permutation_ = true;
      Tensor<int64_t> order = randperm(n, *gen_);
      if (size() == 0) randperm(n, *gen_);
      return Iterator(this, order, 0);
    }
    Tensor<int64_t> order = options_.shuffle ? randperm(n, *gen_) : arange(n);
    return Iterator(this, order, 0);
  }
  Iterator end() const { return Iterator(this, {}, size()); }
  const Dataset& dataset() const { return dataset_; }

 private:
  /** torch.empty((), dtype=torch.int64).random_(generator=gen): 64 bits, the top one dropped. */
  static int64_t random_int64(Generator& gen) {
    return gen.with_mt19937([](tessera::detail::Mt19937Stream& s) { return static_cast<int64_t>(s.engine.next64() & 0x7fffffffffffffffull); });
  }
  /** The batch index whose arrival draws the extra permutation (Note [PyTorch's loader draws]). */
  int64_t extra_permutation_at() const {
    const int64_t n = dataset_.size(), b = options_.batch_size;
    return (!options_.drop_last && n % b != 0) ? size() - 1 : size();
  }

  Dataset dataset_;
  DataLoaderOptions options_;
  Generator* gen_;
  bool given_generator_ = true;
  mutable bool extra_permutation_ = false;
};

}  // namespace tessera::data
