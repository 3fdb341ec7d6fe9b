#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace lockerctl {

/// What a folder that lockerctl wants to write into looks like right now.
struct FolderCheck {
  enum class State {
    Writable,       ///< exists, and a file was created and removed inside it
    Creatable,      ///< does not exist yet; its nearest existing parent is writable
    NotWritable,    ///< exists (or its parent does) but the system refused a write
    NotAFolder,     ///< the path exists and is not a directory
  };
  State state = State::NotWritable;
  std::string reason;  ///< why it is not usable (the OS message), empty when usable

  bool usable() const { return state == State::Writable || state == State::Creatable; }
};

/// Writes a file so that a crash or kill -9 at any moment leaves either the previous file or the
/// complete new one at `target`, never a torn one. Write to `temp()`, then call `commit()`; a
/// write that is not committed is removed on destruction, and the temp files of earlier writers
/// of the same target that were killed first are removed when the next one starts.
class AtomicFile {
 public:
  /// With `keep_extension`, the temp name ends with the target's extension (for writers such as
  /// FFmpeg that pick the format by it).
  explicit AtomicFile(std::filesystem::path target, bool keep_extension = false);
  ~AtomicFile();
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  /// Where to write: a unique name beside the target, so the final rename stays on one file system.
  const std::filesystem::path& temp() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }

  /// Syncs the temp file to disk, renames it over the target and syncs the folder.
  /// Throws IoError (naming the target; "disk full" for ENOSPC).
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

/// Writes `bytes` to `path` through an AtomicFile, with `perms` set before the first byte (for a
/// key: owner_read | owner_write). Throws IoError naming `path`.
void write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                           std::optional<std::filesystem::perms> perms = std::nullopt);

/// The whole content of `path`. Throws IoError naming it and the reason.
std::string read_file(const std::filesystem::path& path);

/// As read_file, for a file that holds a credential (an API token, a private key): refuses, with
/// IoError, a file that its group or others may read or write ("chmod 600 FILE").
std::string read_private_file(const std::filesystem::path& path);

/// Checks, by actually creating and removing a file, whether `dir` can be written. Never throws.
FolderCheck check_folder_writable(const std::filesystem::path& dir);

}  // namespace lockerctl
