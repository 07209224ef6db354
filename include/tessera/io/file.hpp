#pragma once
// Whole-file and incremental reads for the loaders, buffered binary writes for the savers, on C stdio.

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "../core/error.hpp"

namespace tessera::detail {

// <fstream> and <sstream> would do the same, but every program that includes tessera would
// parse them; the loaders need no more than this.

// Note [Loader budgets]
// A loader spends time and memory in proportion to the file, and never more than its header
// declares: it learns the file's size first, reads the header, checks that the file can hold
// the data the header announces, and only then allocates the tensor and reads into it. Bytes
// beyond what the header declares are never read. FileReader knows the size before the first
// read: from fstat for a regular file; anything else (a pipe, a character device) is read
// whole into memory when opened, which is still linear in what the file holds.

/** A file open for reading, whose size is known before anything is read; or bytes already in
 *  memory, read the same way (the fuzzers and tests parse buffers through it). */
class FileReader {
 public:
  /** Opens `path`; `op` names the caller in every error. */
  FileReader(const std::string& path, const char* op) : path_(path), op_(op), f_(std::fopen(path.c_str(), "rb")) {
    if (!f_) throw_error(op, ": cannot open '", path, "'");
    struct stat st {};
    if (::fstat(::fileno(f_), &st) == 0 && S_ISREG(st.st_mode)) {
      size_ = static_cast<uint64_t>(st.st_size);
      return;
    }
    char chunk[1 << 16];
    for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, f_)) > 0;) buffer_.append(chunk, n);
    if (std::ferror(f_)) {
      std::fclose(f_);
      throw_error(op, ": reading '", path, "' failed");
    }
    size_ = buffer_.size();
    view_ = buffer_;
    buffered_ = true;
  }
  /** Reads `bytes`, which must outlive the reader; `name` stands for the path in errors. */
  FileReader(std::string_view bytes, const std::string& name, const char* op)
      : path_(name), op_(op), f_(nullptr), size_(bytes.size()), view_(bytes), buffered_(true) {}
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;
  ~FileReader() {
    if (f_) std::fclose(f_);
  }

  /** The file's size in bytes, known before the first read. */
  uint64_t size() const { return size_; }
  /** Bytes read so far. */
  uint64_t position() const { return position_; }
  const std::string& path() const { return path_; }

  /** Reads up to `n` bytes into `out`; fewer only at the end of the file. Throws on a read error. */
  size_t read(void* out, size_t n) {
    size_t got = 0;
    if (buffered_) {
      got = n < size_ - position_ ? n : static_cast<size_t>(size_ - position_);
      if (got) std::memcpy(out, view_.data() + position_, got);
    } else {
      got = std::fread(out, 1, n, f_);
      if (got < n && std::ferror(f_)) throw_error(op_, ": reading '", path_, "' failed");
    }
    position_ += got;
    return got;
  }

 private:
  std::string path_;
  const char* op_;
  std::FILE* f_;
  uint64_t size_ = 0, position_ = 0;
  std::string buffer_;     // the whole content, for files that are not regular
  std::string_view view_;  // what a buffered reader reads: buffer_ or the caller's bytes
  bool buffered_ = false;
};

/** The bytes of the file at `path`; `op` names the caller in the error. The string is sized
 *  once from the file's size, so the peak memory is the file and nothing more. */
inline std::string read_file(const std::string& path, const char* op) {
  FileReader f(path, op);
  std::string bytes(static_cast<size_t>(f.size()), '\0');
  bytes.resize(f.read(bytes.data(), bytes.size()));
  // A file that grew since it was opened: take the rest too, as a plain read would.
  char chunk[1 << 16];
  for (size_t n; (n = f.read(chunk, sizeof chunk)) > 0;) bytes.append(chunk, n);
  return bytes;
}

/** A file created (or truncated) for writing; `close` reports any failed write. */
class FileWriter {
 public:
  FileWriter(const std::string& path, const char* op) : path_(path), op_(op), f_(std::fopen(path.c_str(), "wb")) {
    if (!f_) throw_error(op, ": cannot create '", path, "'");
  }
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;
  ~FileWriter() {
    if (f_) std::fclose(f_);
  }

  void write(const void* data, size_t n) { ok_ = ok_ && std::fwrite(data, 1, n, f_) == n; }
  void put(char c) { write(&c, 1); }
  /** Flushes and closes the file; throws when some write did not reach it. */
  void close() {
    const bool closed = std::fclose(f_) == 0;
    f_ = nullptr;
    if (!ok_ || !closed) throw_error(op_, ": writing '", path_, "' failed");
  }

 private:
  std::string path_;
  const char* op_;
  std::FILE* f_;
  bool ok_ = true;
};

}  // namespace tessera::detail
