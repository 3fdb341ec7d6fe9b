// AWS Signature V4 against the worked examples AWS publishes for S3: "Signature Calculations for
// the Authorization Header" (GET Object with a Range, PUT Object, GET Bucket with a query) and
// "Authenticating Requests: Using Query Parameters" (a pre-signed GET), all with AWS's example
// credentials at 2013-05-24T00:00:00Z.

#include <gtest/gtest.h>

#include "evidence/sigv4.hpp"
#include "net/crypto.hpp"

namespace lockerctl::evidence {
namespace {

const sigv4::Credentials kAws{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1", "s3"};
const std::string kDate = "20130524T000000Z";
const std::string kHost = "examplebucket.s3.amazonaws.com";
const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

std::string signature_of(const std::string& authorization) { return authorization.substr(authorization.rfind('=') + 1); }

TEST(SigV4, GetObjectWithRangeMatchesAwsExample) {
  const sigv4::Request r{"GET", "/test.txt", {},
                         {{"host", kHost}, {"range", "bytes=0-9"}, {"x-amz-content-sha256", kEmptyHash}, {"x-amz-date", kDate}},
                         kEmptyHash};
  const std::string auth = sigv4::authorization(kAws, kDate, r);
  EXPECT_EQ(auth, "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
                  "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
                  "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, PutObjectMatchesAwsExample) {
  const std::string body = "Welcome to Amazon S3.";
  const std::string hash = net::sha256_hex(body);
  ASSERT_EQ(hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  // Header order must not matter: they are sorted by name.
  const sigv4::Request r{"PUT", "/test%24file.text", {},
                         {{"x-amz-storage-class", "REDUCED_REDUNDANCY"}, {"date", "Fri, 24 May 2013 00:00:00 GMT"},
                          {"host", kHost}, {"x-amz-date", kDate}, {"x-amz-content-sha256", hash}},
                         hash};
  const std::string canonical = sigv4::canonical_request(r);
  EXPECT_EQ(canonical,
            "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\nhost:examplebucket.s3.amazonaws.com\n"
            "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
            "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
            "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  EXPECT_EQ(sigv4::string_to_sign(kAws, kDate, canonical),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(signature_of(sigv4::authorization(kAws, kDate, r)), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4, ListObjectsWithQueryMatchesAwsExample) {
  const sigv4::Request r{"GET", "/", {{"prefix", "J"}, {"max-keys", "2"}},
                         {{"host", kHost}, {"x-amz-content-sha256", kEmptyHash}, {"x-amz-date", kDate}}, kEmptyHash};
  EXPECT_EQ(sigv4::canonical_query(r.query), "max-keys=2&prefix=J");
  EXPECT_EQ(signature_of(sigv4::authorization(kAws, kDate, r)), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4, PresignedGetMatchesAwsExample) {
  EXPECT_EQ(sigv4::amz_date(1369353600), kDate);
  EXPECT_EQ(sigv4::presigned_query(kAws, kDate, kHost, "/test.txt", 86400),
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4, QueryValuesAreEncodedTheAwsWay) {
  EXPECT_EQ(sigv4::canonical_query({{"b", "x y"}, {"a", "1/2+3"}, {"c", "~-._"}}), "a=1%2F2%2B3&b=x%20y&c=~-._");
}

}  // namespace
}  // namespace lockerctl::evidence
