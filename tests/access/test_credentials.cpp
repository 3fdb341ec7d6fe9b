#include <gtest/gtest.h>

#include "access/credentials.hpp"

namespace lockerctl::access {
namespace {

std::vector<std::uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

TEST(Hotp, MatchesTheRfc4226TestVectors) {
  const auto key = bytes("12345678901234567890");
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (std::uint64_t i = 0; i < 10; ++i) EXPECT_EQ(hotp(key, i, 6), expected[i]) << "counter " << i;
}

TEST(Totp, MatchesTheRfc6238TestVectors) {
  const auto sha1 = bytes("12345678901234567890");
  const auto sha256 = bytes("12345678901234567890123456789012");
  const auto sha512 = bytes("1234567890123456789012345678901234567890123456789012345678901234");
  struct Row {
    std::uint64_t time;
    const char *s1, *s256, *s512;
  };
  const Row rows[] = {{59, "94287082", "46119246", "90693936"},
                      {1111111109, "07081804", "68084774", "25091201"},
                      {1111111111, "14050471", "67062674", "99943326"},
                      {1234567890, "89005924", "91819424", "93441116"},
                      {2000000000, "69279037", "90698825", "38618901"},
                      {20000000000ull, "65353130", "77737706", "47863826"}};
  for (const auto& r : rows) {
    EXPECT_EQ(totp(sha1, r.time, 8, HmacAlgorithm::Sha1), r.s1) << r.time;
    EXPECT_EQ(totp(sha256, r.time, 8, HmacAlgorithm::Sha256), r.s256) << r.time;
    EXPECT_EQ(totp(sha512, r.time, 8, HmacAlgorithm::Sha512), r.s512) << r.time;
  }
}

TEST(Totp, AcceptsOneStepOfClockDriftAndNoMore) {
  const auto key = bytes("12345678901234567890");
  const std::uint64_t now = 1234567890;
  EXPECT_TRUE(totp_matches(key, now, 6, totp(key, now, 6)));
  EXPECT_TRUE(totp_matches(key, now, 6, totp(key, now - 30, 6)));
  EXPECT_TRUE(totp_matches(key, now, 6, totp(key, now + 30, 6)));
  EXPECT_FALSE(totp_matches(key, now, 6, totp(key, now - 90, 6)));
  EXPECT_FALSE(totp_matches(key, now, 6, "12345"));
}

TEST(Base32, RoundTripsAndMatchesRfc4648) {
  EXPECT_EQ(base32_encode(bytes("foobar")), "MZXW6YTBOI");
  EXPECT_EQ(base32_decode("MZXW6YTBOI"), bytes("foobar"));
  EXPECT_EQ(base32_decode("mzxw6ytboi======"), bytes("foobar"));
  EXPECT_THROW(base32_decode("MZ1"), std::invalid_argument);
  const auto secret = new_totp_secret();
  EXPECT_EQ(secret.size(), 20u);
  EXPECT_EQ(base32_decode(base32_encode(secret)), secret);
}

TEST(Otpauth, UriNamesIssuerAccountSecretAndDigits) {
  EXPECT_EQ(otpauth_uri("alice b", bytes("foobar"), 6),
            "otpauth://totp/lockerctl:alice%20b?secret=MZXW6YTBOI&issuer=lockerctl&algorithm=SHA1&digits=6&period=30");
}

TEST(Passwords, AreStoredAsArgon2idAndVerified) {
  const std::string hash = hash_password("2468");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u) << hash;
  EXPECT_EQ(hash.find("2468"), std::string::npos);
  EXPECT_NE(hash_password("2468"), hash) << "salted";
  EXPECT_TRUE(verify_password("2468", hash));
  EXPECT_FALSE(verify_password("2469", hash));
  EXPECT_FALSE(verify_password("", hash));
  EXPECT_FALSE(verify_password("2468", "plain-text"));
}

TEST(Codes, AreRandomDigitsComparedWhole) {
  const std::string a = random_code(6);
  EXPECT_EQ(a.size(), 6u);
  EXPECT_EQ(a.find_first_not_of("0123456789"), std::string::npos);
  EXPECT_TRUE(codes_equal(a, a));
  EXPECT_FALSE(codes_equal(a, a.substr(0, 5)));
  EXPECT_FALSE(codes_equal("123456", "123457"));
}

}  // namespace
}  // namespace lockerctl::access
