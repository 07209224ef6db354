#pragma once
// Whole-file reads and buffered binary writes for the loaders and savers, on C stdio.

#include <cstdio>
#include <string>

#include "../core/error.hpp"

namespace tessera::detail {

// <fstream> and <sstream> would do the same, but every program that includes tessera would
// parse them; the loaders need no more than this.

/** The bytes of the file at `path`; `op` names the caller in the error. */
inline std::string read_file(const std::string& path, const char* op) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw_error(op, ": cannot open '", path, "'");
  std::string bytes;
  char chunk[1 << 16];
  for (size_t n; (n = std::fread(chunk, 1, sizeof chunk, f)) > 0;) bytes.append(chunk, n);
  const bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) throw_error(op, ": reading '", path, "' failed");
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
