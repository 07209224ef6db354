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

/** Iterates a dataset in batches. With shuffle, each pass (each begin()) draws a new order
 *  from the generator, so a seeded generator makes training reproducible. */
template <class Dataset>
class DataLoader {
 public:
  DataLoader(Dataset dataset, DataLoaderOptions options = {}) : DataLoader(std::move(dataset), options, default_generator()) {}
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
    Tensor<int64_t> order = options_.shuffle ? randperm(n, *gen_) : arange(n);
    return Iterator(this, order, 0);
  }
  Iterator end() const { return Iterator(this, {}, size()); }
  const Dataset& dataset() const { return dataset_; }

 private:
  Dataset dataset_;
  DataLoaderOptions options_;
  Generator* gen_;
};

}  // namespace tessera::data
