// The evidence stores against local stand-ins of S3 and Google Drive that check each request as
// the real service does (tests/support/stand_ins.*).

#include <gtest/gtest.h>
#include <httplib.h>
#include <sys/stat.h>

#include <fstream>
#include <random>
#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "evidence/gdrive_store.hpp"
#include "evidence/s3_store.hpp"
#include "net/crypto.hpp"
#include "net/http.hpp"
#include "support/stand_ins.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::evidence {
namespace {

std::filesystem::path write_photo(const test::TempDir& dir, const std::string& bytes) {
  const auto file = dir / "frame.jpg";
  std::ofstream(file, std::ios::binary) << bytes;
  return file;
}

S3Options s3_options(const test::S3StandIn& s3) {
  S3Options o;
  o.endpoint = s3.base();
  o.region = test::S3StandIn::kRegion;
  o.bucket = test::S3StandIn::kBucket;
  o.prefix = "branch-7/";
  o.access_key_id = test::S3StandIn::kKeyId;
  o.secret_access_key = Secret(test::S3StandIn::kSecret);
  o.link_ttl_s = 600;
  return o;
}

TEST(S3Store, UploadsWithAValidSignatureAndLinksWithAWorkingPresignedUrl) {
  test::TempDir dir;
  test::S3StandIn s3;
  s3.start();
  const std::string bytes = std::string("\xff\xd8\xff photo bytes ", 15) + std::string(3000, 'x');
  S3Store store(s3_options(s3));
  const Stored stored = store.put(write_photo(dir, bytes), "A20261123T101500Z-1/frame.jpg", "");
  EXPECT_EQ(stored.location, "s3://evidence/branch-7/A20261123T101500Z-1/frame.jpg");
  EXPECT_EQ(stored.sha256, net::sha256_hex(bytes));
  ASSERT_EQ(s3.objects().count("branch-7/A20261123T101500Z-1/frame.jpg"), 1u);
  EXPECT_EQ(s3.objects().begin()->second, bytes);

  // The link works for anyone who has it, with no other credential.
  const std::string link = store.link(stored);
  EXPECT_NE(link.find("X-Amz-Expires=600"), std::string::npos) << link;
  const net::Response got = net::send({"GET", link, {}, {}, {}, {}, 10}, "test");
  EXPECT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.body, bytes);

  // A link whose signature was tampered with (a different object) is refused.
  std::string forged = link;
  forged.replace(forged.find("frame.jpg"), 9, "other.jpg");
  EXPECT_EQ(net::send({"GET", forged, {}, {}, {}, {}, 10}, "test").status, 403);
}

TEST(S3Store, AnExpiredLinkIsRefused) {
  test::TempDir dir;
  test::S3StandIn s3;
  s3.start();
  std::time_t now = std::time(nullptr);
  S3Options o = s3_options(s3);
  o.link_ttl_s = 60;
  S3Store store(o, [&now] { return now; });
  const Stored stored = store.put(write_photo(dir, "jpeg"), "A1/frame.jpg", "");
  now -= 120;  // a link made two minutes ago, good for one
  EXPECT_EQ(net::send({"GET", store.link(stored), {}, {}, {}, {}, 10}, "test").status, 403);
}

TEST(S3Store, AWrongSecretIsSignatureDoesNotMatchAndSlowDownAsksToWait) {
  test::TempDir dir;
  test::S3StandIn s3;
  s3.start();
  const auto photo = write_photo(dir, "jpeg");
  S3Options o = s3_options(s3);
  o.secret_access_key = Secret("not-the-secret");
  try {
    S3Store(o).put(photo, "A1/frame.jpg", "");
    FAIL() << "a wrong secret was accepted";
  } catch (const net::ServiceError& e) {
    EXPECT_NE(std::string(e.what()).find("HTTP 403 SignatureDoesNotMatch (check s3.access_key_id and s3.secret_access_key)"),
              std::string::npos) << e.what();
  }
  s3.slow_down(1);
  S3Store store(s3_options(s3));
  EXPECT_THROW(store.put(photo, "A1/frame.jpg", ""), net::ServiceError);
  EXPECT_EQ(store.put(photo, "A1/frame.jpg", "").location, "s3://evidence/branch-7/A1/frame.jpg");
}

TEST(S3Store, AnUnreachableStoreIsAServiceErrorNamingIt) {
  test::TempDir dir;
  test::S3StandIn s3;
  s3.start();
  S3Options o = s3_options(s3);
  s3.stop();
  try {
    S3Store(o).put(write_photo(dir, "jpeg"), "A1/frame.jpg", "");
    FAIL() << "no error";
  } catch (const net::ServiceError& e) {
    EXPECT_NE(std::string(e.what()).find("S3 at http://127.0.0.1:"), std::string::npos) << e.what();
  }
}

struct Drive {
  test::TempDir dir;
  test::DriveStandIn drive;
  std::filesystem::path key_file = dir / "sa.json";
  Drive() {
    drive.start();
    std::ofstream(key_file) << drive.key_file_json();
    std::filesystem::permissions(key_file, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  }
  DriveOptions options() const {
    DriveOptions o;
    o.account = read_service_account(key_file);
    o.folder_id = test::DriveStandIn::kFolder;
    o.api_base = drive.base();
    return o;
  }
};

TEST(DriveStore, UploadsIntoTheFolderAndSharesWithTheOwnerOnly) {
  Drive d;
  DriveStore store(d.options());
  const std::string bytes(5000, '\x7f');
  const Stored stored = store.put(write_photo(d.dir, bytes), "A7/frame.jpg", "alice@example.com");
  EXPECT_EQ(stored.location, "gdrive:file-1");
  EXPECT_EQ(stored.sha256, net::sha256_hex(bytes));
  const auto files = d.drive.files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files.at("file-1").bytes, bytes);
  EXPECT_EQ(files.at("file-1").name, "A7_frame.jpg");
  EXPECT_EQ(files.at("file-1").readers, std::vector<std::string>{"alice@example.com"});
  EXPECT_EQ(store.link(stored), "https://drive.google.com/file/d/file-1/view");
  // The token is kept for the next upload.
  store.put(write_photo(d.dir, bytes), "A8/frame.jpg", "alice@example.com");
  EXPECT_EQ(d.drive.tokens_issued(), 1);
}

TEST(DriveStore, AFileOverFiveMegabytesGoesUpInChunksAndALostReplyIsResumedFromWhatDriveHas) {
  Drive d;
  DriveOptions o = d.options();
  o.chunk_bytes = 1 << 20;
  DriveStore store(o);
  std::string bytes(6 * 1000 * 1000 + 7, '\0');
  std::mt19937 random(5);
  for (char& c : bytes) c = static_cast<char>(random());
  const auto clip = d.dir / "clip.mp4";
  std::ofstream(clip, std::ios::binary) << bytes;
  d.drive.lose_reply_to_chunk(1);  // the first chunk arrives, its answer does not
  const Stored stored = store.put(clip, "I1/clip.mp4", "alice@example.com");
  EXPECT_EQ(stored.sha256, net::sha256_hex(bytes));
  const auto files = d.drive.files();
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files.begin()->second.bytes, bytes) << "every byte, once, in order";
  EXPECT_EQ(files.begin()->second.name, "I1_clip.mp4");
  EXPECT_EQ(files.begin()->second.readers, std::vector<std::string>{"alice@example.com"});
  const std::vector<std::string> expected = {"chunk 0-1048575", "query", "chunk 1048576-2097151", "chunk 2097152-3145727",
                                             "chunk 3145728-4194303", "chunk 4194304-5242879", "chunk 5242880-6000006"};
  EXPECT_EQ(d.drive.session_requests(), expected);
}

TEST(DriveStore, ALostReplyToTheLastChunkIsAnsweredByTheFinishedFile) {
  Drive d;
  DriveOptions o = d.options();
  o.chunk_bytes = 4 << 20;
  const std::string bytes(5 * 1000 * 1000 + 1, 'c');
  const auto clip = d.dir / "clip.mp4";
  std::ofstream(clip, std::ios::binary) << bytes;
  d.drive.lose_reply_to_chunk(2);
  const Stored stored = DriveStore(o).put(clip, "I2/clip.mp4", "alice@example.com");
  EXPECT_EQ(d.drive.session_requests(), (std::vector<std::string>{"chunk 0-4194303", "chunk 4194304-5000000", "query"}));
  ASSERT_EQ(d.drive.files().size(), 1u) << "one file, not a second upload";
  EXPECT_EQ(stored.location, "gdrive:" + d.drive.files().begin()->first);
  EXPECT_EQ(d.drive.files().begin()->second.bytes, bytes);
}

TEST(DriveStore, AnUploadThatTakesNothingGivesUpWithOneLine) {
  Drive d;
  DriveOptions o = d.options();
  o.chunk_bytes = 1 << 20;
  const auto clip = d.dir / "clip.mp4";
  std::ofstream(clip, std::ios::binary) << std::string(6 * 1000 * 1000, 'd');
  d.drive.refuse_chunks();
  try {
    DriveStore(o).put(clip, "I3/clip.mp4", "alice@example.com");
    FAIL() << "an upload that Drive never took was taken as stored";
  } catch (const net::ServiceError& e) {
    EXPECT_EQ(std::string(e.what()), "Google Drive at " + d.drive.base() +
                                         ": the upload of I3_clip.mp4 made no progress at byte 0 of 6000000: HTTP 503 Service Unavailable");
  }
  EXPECT_EQ(d.drive.session_requests().size(), 5u) << "chunk, query, chunk, query, chunk: two failures in a row that moved nothing";
  EXPECT_TRUE(d.drive.files().empty());
}

TEST(DriveStore, ARevokedTokenIsRenewedOnceOn401) {
  Drive d;
  DriveStore store(d.options());
  store.put(write_photo(d.dir, "a"), "A1/frame.jpg", "alice@example.com");
  d.drive.revoke_tokens();
  store.put(write_photo(d.dir, "b"), "A2/frame.jpg", "alice@example.com");
  EXPECT_EQ(d.drive.tokens_issued(), 2);
  EXPECT_EQ(d.drive.files().size(), 2u);
}

TEST(DriveStore, A401AfterTheRenewalIsAnErrorNamingDrive) {
  Drive d;
  DriveStore store(d.options());
  d.drive.refuse_tokens();
  try {
    store.put(write_photo(d.dir, "a"), "A1/frame.jpg", "alice@example.com");
    FAIL() << "an upload refused with 401 was taken as stored";
  } catch (const net::ServiceError& e) {
    EXPECT_NE(std::string(e.what()).find("Google Drive at " + d.drive.base() + " refused the upload of A1_frame.jpg: HTTP 401"),
              std::string::npos) << e.what();
  }
  EXPECT_EQ(d.drive.tokens_issued(), 2) << "one token, then one renewal, then the error";
  EXPECT_TRUE(d.drive.files().empty());
}

TEST(DriveStore, AFileThatCannotBeSharedIsRemovedSoThatTheRetryLeavesOneCopy) {
  Drive d;
  DriveStore store(d.options());
  const auto photo = write_photo(d.dir, "a");
  try {
    store.put(photo, "A1/frame.jpg", "not-an-address");
    FAIL() << "a refused share was taken as stored";
  } catch (const net::ServiceError& e) {
    EXPECT_NE(std::string(e.what()).find("refused to share A1_frame.jpg with not-an-address: HTTP 400"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(d.drive.files().empty()) << "the unshared upload was left behind";
  store.put(photo, "A1/frame.jpg", "alice@example.com");
  ASSERT_EQ(d.drive.files().size(), 1u);
  EXPECT_EQ(d.drive.files().begin()->second.readers, std::vector<std::string>{"alice@example.com"});
}

TEST(DriveStore, AnyoneWithTheLinkOnlyWhenAsked) {
  Drive d;
  DriveOptions o = d.options();
  o.share_with_anyone = true;
  DriveStore(o).put(write_photo(d.dir, "a"), "A1/frame.jpg", "alice@example.com");
  EXPECT_EQ(d.drive.files().at("file-1").readers, std::vector<std::string>{"anyone"});
}

TEST(DriveStore, AForeignKeyIsRefusedByTheTokenEndpoint) {
  Drive d;
  test::DriveStandIn other;  // another key pair, same client e-mail
  other.start();
  const std::string foreign = other.key_file_json();
  DriveOptions o = d.options();
  o.account.private_key = nlohmann::json::parse(foreign)["private_key"];
  try {
    DriveStore(o).put(write_photo(d.dir, "a"), "A1/frame.jpg", "alice@example.com");
    FAIL() << "a JWT signed with another key was accepted";
  } catch (const net::ServiceError& e) {
    EXPECT_NE(std::string(e.what()).find("Invalid JWT Signature"), std::string::npos) << e.what();
  }
}

TEST(DriveStore, AKeyFileOthersCanReadIsRefused) {
  Drive d;
  std::filesystem::permissions(d.key_file, std::filesystem::perms::group_read, std::filesystem::perm_options::add);
  try {
    read_service_account(d.key_file);
    FAIL() << "a group-readable key file was read";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
  }
  std::ofstream(d.dir / "not-a-key.json") << "{\"type\": \"authorized_user\"}";
  std::filesystem::permissions(d.dir / "not-a-key.json", std::filesystem::perms::owner_read);
  EXPECT_THROW(read_service_account(d.dir / "not-a-key.json"), DataError);
}

}  // namespace
}  // namespace lockerctl::evidence
