// Evidence retention: a purge removes incident folders past evidence.retention_days, never one on
// legal hold, and the audit chain still verifies after it.

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "evidence/retention.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::evidence {
namespace {

void incident(const std::filesystem::path& dir, const std::string& id) {
  std::filesystem::create_directories(dir / id);
  std::ofstream(dir / id / "frame.jpg") << "jpeg bytes";
  std::ofstream(dir / id / "incident.txt") << "attempt: " << id << "\n";
}

TEST(Retention, APurgeRemovesOldEvidenceButNeverHeldEvidenceAndTheChainStillVerifies) {
  test::TempDir dir;
  audit::Database db(dir / "lockerctl.db");
  audit::AuditLog audit(db, audit::Key{});
  Holds holds(db);
  const auto incidents = dir / "incidents";
  std::string fresh_id = "A" + utc_now_iso8601();  // as the flow makes them: A20261207T101500Z-3
  fresh_id.erase(std::remove_if(fresh_id.begin(), fresh_id.end(), [](char c) { return c == '-' || c == ':'; }), fresh_id.end());
  fresh_id += "-3";
  incident(incidents, "A20200101T090000Z-1");  // years old
  incident(incidents, "I20200102T090000Z-2");  // years old, under investigation
  incident(incidents, fresh_id);
  audit.append({0, {}, "A20200101T090000Z-1", "owner", "deny", std::nullopt, std::nullopt, (incidents / "A20200101T090000Z-1/frame.jpg").string(), "not the owner"});
  holds.hold("I20200102T090000Z-2", "police case 2020/77", "carol");
  EXPECT_THROW(holds.hold("I20200102T090000Z-2", "again", "carol"), DataError);
  EXPECT_THROW(holds.hold("A1", " ", "carol"), DataError);

  const auto listed = list_incidents(incidents, holds);
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(listed[0].id, "A20200101T090000Z-1");  // oldest first, by the time in the id
  EXPECT_TRUE(listed[1].held);
  EXPECT_GT(listed[0].bytes, 0u);

  const Purge dry = purge(incidents, 180, holds, unix_now(), true);
  ASSERT_EQ(dry.removed.size(), 1u);
  EXPECT_TRUE(std::filesystem::exists(incidents / "A20200101T090000Z-1")) << "a dry run removes nothing";

  const Purge p = purge(incidents, 180, holds, unix_now(), false);
  audit_purge(audit, p, 180);
  ASSERT_EQ(p.removed.size(), 1u);
  EXPECT_EQ(p.removed[0].id, "A20200101T090000Z-1");
  ASSERT_EQ(p.on_hold.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(incidents / "A20200101T090000Z-1"));
  EXPECT_TRUE(std::filesystem::exists(incidents / "I20200102T090000Z-2/frame.jpg"));
  EXPECT_TRUE(std::filesystem::exists(incidents / fresh_id));
  const auto v = audit.verify();
  EXPECT_TRUE(v.ok) << v.problem;
  EXPECT_EQ(v.rows, 3);  // the denial, the purge, the hold kept: no row was removed
  const auto rows = audit.list();
  EXPECT_EQ(rows[1].decision, "purged");
  EXPECT_EQ(rows[2].detail, "past retention but on hold: I20200102T090000Z-2");

  holds.release("I20200102T090000Z-2");
  EXPECT_THROW(holds.release("I20200102T090000Z-2"), DataError);
  EXPECT_EQ(purge(incidents, 180, holds, unix_now(), false).removed.size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(incidents / "I20200102T090000Z-2"));
  EXPECT_TRUE(purge(dir / "none", 180, holds, unix_now(), false).removed.empty()) << "no incident folder yet: nothing to do";
}

}  // namespace
}  // namespace lockerctl::evidence
