#pragma once

// Where incident photos and clips go (evidence.store): the local incident folder, an S3-compatible bucket
// or Google Drive. The outbox uploads a photo as a job of its own and sends the alert with the
// store's link only after the upload has finished, so the link the owner gets always works.

#include <filesystem>
#include <memory>
#include <string>

namespace lockerctl::evidence {

/// A stored photo: which store holds it, where (its own address: a path, s3://bucket/key, a Drive
/// file id), and the SHA-256 of the bytes that were stored.
struct Stored {
  std::string store;
  std::string location;
  std::string sha256;
};

class Store {
 public:
  virtual ~Store() = default;
  /// "local", "s3" or "gdrive".
  virtual std::string name() const = 0;
  /// Stores `file` as `object` (a relative name such as "A20261123T101500Z-1/frame.jpg"), so
  /// that `reader` (the owner's e-mail address, may be empty) can open it. Storing the same object
  /// again replaces it. Throws net::ServiceError when the service refuses or cannot be reached,
  /// IoError when `file` cannot be read.
  virtual Stored put(const std::filesystem::path& file, const std::string& object, const std::string& reader) = 0;
  /// A link to `stored` that works from now on (for s3: a pre-signed GET that expires after
  /// s3.link_ttl_s). Throws net::ServiceError.
  virtual std::string link(const Stored& stored) = 0;
};

/// The media type stored with `file`, by its extension: image/jpeg, image/png, video/mp4, else
/// application/octet-stream.
std::string media_type(const std::filesystem::path& file);

/// evidence.store: local. The photo stays where the flow wrote it; the link is a file:// URL.
class LocalStore final : public Store {
 public:
  std::string name() const override { return "local"; }
  Stored put(const std::filesystem::path& file, const std::string& object, const std::string& reader) override;
  std::string link(const Stored& stored) override { return "file://" + stored.location; }
};

}  // namespace lockerctl::evidence
