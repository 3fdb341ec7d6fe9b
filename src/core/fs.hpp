#pragma once

#include <filesystem>
#include <string>

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

/// Checks, by actually creating and removing a file, whether `dir` can be written. Never throws.
FolderCheck check_folder_writable(const std::filesystem::path& dir);

}  // namespace lockerctl
