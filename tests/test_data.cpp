// data/: the IDX reader on a slice of Fashion-MNIST (tests/data/fashion-mnist-slice), the
// DataLoader, and training on it: the loss falls, and a seed fixes every bit for any thread count.

#include <sys/resource.h>
#if __has_include(<zlib.h>)
#include <zlib.h>
#endif

#include <chrono>
#include <filesystem>
#include <fstream>

#include "golden.hpp"

namespace test_data {

using ts::Tensor;

namespace {
const std::string kSlice = std::string(TESSERA_DATA_DIR) + "/fashion-mnist-slice/";

Tensor<float> images(const std::string& file) {
  const auto raw = ts::data::read_idx(kSlice + file).as<uint8_t>();
  return ((raw.to<float>() / 255.0f - 0.2860f) / 0.3530f).flatten(1);
}
Tensor<int64_t> labels(const std::string& file) { return ts::data::read_idx(kSlice + file).as<uint8_t>().to<int64_t>(); }

/** The process's peak resident memory so far, in MiB. */
double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024;
}

std::string write_temp(const std::string& name, const std::string& bytes) {
  const auto path = (std::filesystem::temp_directory_path() / name).string();
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

/** An IDX header: type code and big-endian dims. */
std::string idx_header(unsigned char type, std::initializer_list<uint32_t> dims) {
  std::string out = {'\0', '\0', static_cast<char>(type), static_cast<char>(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((d >> shift) & 0xff);
  return out;
}

#if __has_include(<zlib.h>)  // as data/idx.hpp decides (tessera.hpp undefines its macro)
std::string le32(uint32_t v) {
  std::string out;
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
  return out;
}

/** Raw deflate output for `input` with `flush`, continuing `z`'s stream. */
std::string deflate_chunk(z_stream& z, const std::string& input, int flush) {
  std::string out, buffer(1 << 16, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(input.data()));
  z.avail_in = static_cast<uInt>(input.size());
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer.data());
    z.avail_out = static_cast<uInt>(buffer.size());
    deflate(&z, flush);
    out.append(buffer.data(), buffer.size() - z.avail_out);
  } while (z.avail_out == 0);
  return out;
}

/** A gzip file whose content is `head` followed by `zero_mib` MiB of zeros, then `tail`
 *  appended to the deflate stream as is (garbage, to show what is never inflated). The zeros
 *  are one compressed MiB repeated (a full flush makes blocks independent), so a GiB of content
 *  costs a MiB of file and no time to build. */
std::string gzip_of(const std::string& head, uint64_t zero_mib = 0, const std::string& tail = "") {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY);
  std::string deflated = deflate_chunk(z, head, Z_FULL_FLUSH);
  const std::string mib(1 << 20, '\0');
  const std::string block = deflate_chunk(z, mib, Z_FULL_FLUSH);
  uLong crc = crc32(0, reinterpret_cast<const Bytef*>(head.data()), static_cast<uInt>(head.size()));
  const uLong mib_crc = crc32(0, reinterpret_cast<const Bytef*>(mib.data()), static_cast<uInt>(mib.size()));
  for (uint64_t i = 0; i < zero_mib; ++i) {
    deflated += block;
    crc = crc32_combine(crc, mib_crc, 1 << 20);
  }
  deflated += tail.empty() ? deflate_chunk(z, "", Z_FINISH) : tail;
  deflateEnd(&z);
  const uint64_t size = head.size() + (zero_mib << 20);
  return std::string("\x1f\x8b\x08\0\0\0\0\0\0\x03", 10) + deflated + le32(static_cast<uint32_t>(crc)) +
         le32(static_cast<uint32_t>(size));
}
#endif

/** Trains an MLP for one pass over the slice and returns the per-batch losses. */
std::vector<float> train(int threads) {
  ts::set_num_threads(threads);
  ts::Generator gen(2024);
  ts::nn::Sequential model{ts::nn::Linear(784, 64, true, gen), ts::nn::ReLU(), ts::nn::Dropout(0.1, gen),
                           ts::nn::Linear(64, 10, true, gen)};
  ts::optim::Adam opt(model.parameters(), {.lr = 3e-3});
  ts::data::DataLoader loader(ts::data::TensorDataset(images("train-images-idx3-ubyte.gz"),
                                                      labels("train-labels-idx1-ubyte.gz")),
                              {.batch_size = 32, .shuffle = true}, gen);
  std::vector<float> losses;
  for (int epoch = 0; epoch < 3; ++epoch)
    for (auto [x, y] : loader) {
      auto loss = ts::nn::functional::cross_entropy(model(x), y);
      opt.zero_grad();
      loss.backward();
      opt.step();
      losses.push_back(loss.item());
    }
  return losses;
}
}  // namespace

TEST_CASE("read_idx reads gzipped IDX images and labels") {
  const ts::AnyTensor x = ts::data::read_idx(kSlice + "train-images-idx3-ubyte.gz");
  CHECK(x.dtype() == ts::DType::UInt8);
  CHECK(x.sizes() == ts::Shape{512, 28, 28});
  const auto y = ts::data::read_idx(kSlice + "train-labels-idx1-ubyte.gz").as<uint8_t>();
  CHECK(y.sizes() == ts::Shape{512});
  CHECK(y.max().item() == 9);
  CHECK(ts::data::read_idx(kSlice + "t10k-images-idx3-ubyte.gz").sizes() == ts::Shape{256, 28, 28});
  // The first training label of Fashion-MNIST is 9 (ankle boot).
  CHECK(y[0].item() == 9);
  const auto dir = std::filesystem::temp_directory_path();
  std::ofstream((dir / "bad.idx").string(), std::ios::binary) << std::string("\0\0\x08\x02\0\0\0\x05", 8);
  CHECK_THROWS_WITH(ts::data::read_idx((dir / "bad.idx").string()), Catch::Contains("truncated"));
  std::ofstream((dir / "bad.gz").string(), std::ios::binary) << std::string("\x1f\x8b garbage", 10);
  CHECK_THROWS_WITH(ts::data::read_idx((dir / "bad.gz").string()), Catch::Contains("not a valid gzip"));
}

TEST_CASE("read_idx checks the declared size against the file before allocating") {
  const double rss = peak_rss_mib();
  // 64 GiB declared in a 16-byte file: refused from the file's size, nothing allocated.
  const std::string lie = idx_header(0x08, {65536, 65536, 16});
  CHECK_THROWS_WITH(ts::data::read_idx(write_temp("lie.idx", lie)),
                    Catch::Contains("is truncated: shape [65536, 65536, 16]") && Catch::Contains("the file has 0 bytes"));
  CHECK_THROWS_WITH(ts::data::detail::parse_idx(lie.data(), lie.size(), "buffer"), Catch::Contains("truncated"));
  // Bytes after the data are allowed and ignored (never read), as before.
  const std::string plain = idx_header(0x0B, {2}) + std::string("\x01\x02\x03\x04", 4);
  const auto two = ts::data::read_idx(write_temp("trailing.idx", plain + std::string(1 << 20, 'x'))).as<int16_t>();
  CHECK(two.to_vector() == std::vector<int16_t>{0x0102, 0x0304});
  // Every truncation throws.
  for (size_t cut = 0; cut < plain.size(); ++cut)
    CHECK_THROWS_AS(ts::data::detail::parse_idx(plain.data(), cut, "buffer"), ts::Error);
  CHECK(ts::data::detail::parse_idx(plain.data(), plain.size(), "buffer").sizes() == ts::Shape{2});
  CHECK(peak_rss_mib() - rss < 256);
}

#if __has_include(<zlib.h>)
TEST_CASE("read_idx inflates a .gz file only as far as its header declares") {
  // A 1 MiB file that inflates to 1 GiB past a one-element header: the whole stream used to be
  // inflated first (2 GiB took 75 s and 4 GB). Now one element is inflated, plus one byte to
  // see that more follows.
  const double rss = peak_rss_mib();
  const auto start = std::chrono::steady_clock::now();
  const std::string bomb = gzip_of(idx_header(0x08, {1}) + "\x2a", 1024);
  CHECK(bomb.size() < (2 << 20));
  const auto one = ts::data::read_idx(write_temp("bomb.idx.gz", bomb)).as<uint8_t>();
  CHECK(one.to_vector() == std::vector<uint8_t>{42});
  CHECK(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < 5);
  // Corrupt deflate data after the first MiB past the data: never reached, so never noticed.
  const std::string garbage(16, '\xff');
  CHECK(ts::data::read_idx(write_temp("tail.idx.gz", gzip_of(idx_header(0x08, {1}) + "\x2a", 1, garbage)))
            .sizes() == ts::Shape{1});
  CHECK_THROWS_WITH(ts::data::read_idx(write_temp("bad_tail.idx.gz", gzip_of(idx_header(0x08, {1}) + "\x2a", 0, garbage))),
                    Catch::Contains("not a valid gzip file"));
  // More than deflate can hold (1032 bytes per byte) is refused before allocating.
  const std::string lie = gzip_of(idx_header(0x08, {1024, 1024, 1024}));
  CHECK_THROWS_WITH(ts::data::read_idx(write_temp("lie.idx.gz", lie)),
                    Catch::Contains("more than a gzip file of its size can inflate to"));
  // Less than declared, within that bound: the tensor is allocated, then found short.
  CHECK_THROWS_WITH(ts::data::read_idx(write_temp("short.idx.gz", gzip_of(idx_header(0x08, {1000}) + "abc"))),
                    Catch::Contains("is truncated: shape [1000] needs 1000 bytes of data, the file has 3"));
  // When the stream ends right after the data, its CRC is checked.
  const std::string exact = gzip_of(idx_header(0x0C, {2, 1}) + std::string("\0\0\0\x05\xff\xff\xff\xfe", 8));
  CHECK(ts::data::detail::parse_idx(exact.data(), exact.size(), "buffer").as<int32_t>().to_vector() ==
        std::vector<int32_t>{5, -2});
  std::string bad_crc = exact;
  bad_crc[bad_crc.size() - 8] ^= 1;
  CHECK_THROWS_WITH(ts::data::detail::parse_idx(bad_crc.data(), bad_crc.size(), "buffer"),
                    Catch::Contains("not a valid gzip file (incorrect data check)"));
  for (size_t cut = 0; cut < exact.size(); ++cut)
    CHECK_THROWS_AS(ts::data::detail::parse_idx(exact.data(), cut, "buffer"), ts::Error);
  // Trailing content in the stream is ignored, as in a plain file.
  const std::string longer = gzip_of(idx_header(0x08, {2}) + "ab" + std::string(100000, 'c'));
  CHECK(ts::data::detail::parse_idx(longer.data(), longer.size(), "buffer").as<uint8_t>().to_vector() ==
        std::vector<uint8_t>{'a', 'b'});
  CHECK(peak_rss_mib() - rss < 256);
}
#endif

TEST_CASE("DataLoader batches, shuffles from its generator and drops the last batch on request") {
  auto x = ts::arange(10.0f).unsqueeze(1);
  auto y = ts::arange(10);
  ts::Generator gen(5);
  ts::data::DataLoader loader(ts::data::TensorDataset(x, y), {.batch_size = 4, .shuffle = true}, gen);
  CHECK(loader.size() == 3);
  std::vector<int64_t> seen;
  std::vector<int64_t> sizes;
  for (auto [bx, by] : loader) {
    sizes.push_back(by.numel());
    for (auto v : by.to_vector()) seen.push_back(v);
    CHECK(ts::equal(bx.squeeze(1).to<int64_t>(), by));
  }
  CHECK(sizes == std::vector<int64_t>{4, 4, 2});
  std::vector<int64_t> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  CHECK(sorted == ts::arange(10).to_vector());
  CHECK(seen != sorted);  // shuffled
  ts::data::DataLoader fixed(ts::data::TensorDataset(x, y), {.batch_size = 4, .drop_last = true});
  CHECK(fixed.size() == 2);
  CHECK((*fixed.begin()).second.to_vector() == std::vector<int64_t>{0, 1, 2, 3});
  CHECK_THROWS_WITH(ts::data::TensorDataset(x, ts::arange(3)), Catch::Contains("size mismatch"));
}

TEST_CASE("training on the slice lowers the loss, bit for bit the same for any thread count") {
  const auto one = train(1);
  const auto two = train(2);
  const auto three = train(3);
  ts::set_num_threads(2);
  REQUIRE(one.size() == 48);
  CHECK(one == two);
  CHECK(one == three);
  const float first = (one[0] + one[1] + one[2]) / 3, last = (one[45] + one[46] + one[47]) / 3;
  INFO("first batches " << first << ", last batches " << last);
  CHECK(last < 0.6f * first);
}

}  // namespace test_data
