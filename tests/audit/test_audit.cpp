#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "audit/audit_log.hpp"
#include "core/errors.hpp"
#include "support/temp_dir.hpp"

namespace lockerctl::audit {
namespace {

Key test_key() {
  Key k{};
  k.fill(7);
  return k;
}

void fill(AuditLog& log, int n) {
  for (int i = 0; i < n; ++i) {
    log.append({0, {}, "A1", "human", i % 2 ? "pass" : "deny", 0.25 * i, 0.5, "", fmt::format("row {}", i)});
  }
}

void raw(const std::filesystem::path& file, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(file.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

TEST(AuditLog, AnIntactChainVerifies) {
  test::TempDir dir;
  Database db(dir / "a.db");
  AuditLog log(db, test_key());
  EXPECT_TRUE(log.verify().ok) << "an empty log is intact";
  fill(log, 5);
  const auto r = log.verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_EQ(r.rows, 5);
  const auto rows = log.list();
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[3].decision, "pass");
  ASSERT_TRUE(rows[3].score);
  EXPECT_DOUBLE_EQ(*rows[3].score, 0.75);
  EXPECT_EQ(log.list("9999").size(), 0u);
}

TEST(AuditLog, FindsByFilterNewestFirstInPagesAndCounts) {
  test::TempDir dir;
  Database db(dir / "a.db");
  AuditLog log(db, test_key());
  fill(log, 10);  // rows 0..9, pass on odd rows
  log.append({0, "2020-01-02T03:04:05Z", "A2", "door", "open", std::nullopt, std::nullopt, "", "old"});
  EXPECT_EQ(log.count({}), 11);
  Filter pass;
  pass.decision = "pass";
  EXPECT_EQ(log.count(pass), 5);
  const auto page1 = log.find(pass, 2);
  ASSERT_EQ(page1.size(), 2u);
  EXPECT_EQ(page1[0].detail, "row 9");
  EXPECT_EQ(page1[1].detail, "row 7");
  const auto page3 = log.find(pass, 2, 4);
  ASSERT_EQ(page3.size(), 1u);
  EXPECT_EQ(page3[0].detail, "row 1");
  Filter old;
  old.until = "2020-01-02";
  ASSERT_EQ(log.find(old, -1).size(), 1u) << "until is a prefix, its day included";
  old.until = "2020-01-01";
  EXPECT_EQ(log.count(old), 0);
  Filter since;
  since.since = "2021";
  since.layer = "human";
  EXPECT_EQ(log.count(since), 10);
  Filter after;
  after.after_id = 9;
  const auto later = log.find(after, -1);
  ASSERT_EQ(later.size(), 2u);
  EXPECT_EQ(later[1].id, 10);
  Filter attempt;
  attempt.attempt = "A2";
  EXPECT_EQ(log.find(attempt, -1).at(0).detail, "old");
}

/// A log of five rows in `file`, closed, so that raw SQL can tamper with it.
void make_log(const std::filesystem::path& file) {
  Database db(file);
  AuditLog log(db, test_key());
  fill(log, 5);
}

/// What verify says of `file` after `sql` ran on it behind the log's back.
std::string problem_after(const std::filesystem::path& file, const std::string& sql) {
  raw(file, sql);
  Database db(file);
  const auto r = AuditLog(db, test_key()).verify();
  EXPECT_FALSE(r.ok) << sql;
  return r.problem;
}

TEST(AuditLog, DetectsAnEditedRow) {
  test::TempDir dir;
  make_log(dir / "a.db");
  EXPECT_EQ(problem_after(dir / "a.db", "UPDATE audit SET decision = 'pass' WHERE id = 3"),
            "row 3: hash does not match (the row was edited, or the key is wrong)");
}

TEST(AuditLog, DetectsARemovedRowAndACutOffEnd) {
  test::TempDir dir;
  make_log(dir / "a.db");
  EXPECT_EQ(problem_after(dir / "a.db", "DELETE FROM audit WHERE id = 5"), "rows 5 to 5 are missing (cut off the end)");
  EXPECT_EQ(problem_after(dir / "a.db", "DELETE FROM audit WHERE id = 2"), "row 3: row 2 is missing (removed)");
}

TEST(AuditLog, AnotherKeyDoesNotVerify) {
  test::TempDir dir;
  Database db(dir / "a.db");
  fill(*std::make_unique<AuditLog>(db, test_key()), 2);
  Key other = test_key();
  other[0] = 8;
  EXPECT_FALSE(AuditLog(db, other).verify().ok);
}

TEST(AuditLog, KeyFileIsMadeOnceWithMode0600AndReused) {
  test::TempDir dir;
  const Key a = load_key(Secret(), dir.path());
  const Key b = load_key(Secret(), dir.path());
  EXPECT_EQ(a, b);
  EXPECT_EQ(std::filesystem::status(dir / "audit.key").permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_NE(load_key(Secret("configured"), dir.path()), a);
  dir.write("bad/audit.key", "xyz\n");
  EXPECT_THROW(load_key(Secret(), dir / "bad"), IoError);
}

// A writer killed with SIGKILL in the middle of appending loses nothing that was committed and
// leaves a database that opens and verifies.
TEST(AuditLog, SurvivesKillNineWhileWriting) {
  test::TempDir dir;
  const auto file = dir / "a.db";
  { Database db(file); AuditLog log(db, test_key()); }
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    Database db(file);
    AuditLog log(db, test_key());
    for (int i = 0;; ++i) log.append({0, {}, "K", "system", "tick", std::nullopt, std::nullopt, "", std::to_string(i)});
  }
  usleep(300 * 1000);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  Database db(file);
  AuditLog log(db, test_key());
  const auto r = log.verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_GT(r.rows, 0);
  const auto rows = log.list();
  for (std::size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].detail, std::to_string(i));
}

TEST(Database, ATransactionInsideAnotherUndoesOnlyItsOwnWorkAndCommitsWithTheOuter) {
  test::TempDir dir;
  Database db(dir / "t.db");
  db.exec("CREATE TABLE t (v INTEGER)");
  const auto values = [&] {
    std::vector<std::int64_t> v;
    db.query("SELECT v FROM t ORDER BY v", {}, [&](const Statement& s) { v.push_back(s.integer(0)); });
    return v;
  };
  db.transaction([&] {
    db.query("INSERT INTO t VALUES (1)", {});
    EXPECT_THROW(db.transaction([&] {
      db.query("INSERT INTO t VALUES (2)", {});
      throw DataError("inner");
    }), DataError);
    db.transaction([&] { db.query("INSERT INTO t VALUES (3)", {}); });
  });
  EXPECT_EQ(values(), (std::vector<std::int64_t>{1, 3}));
  EXPECT_THROW(db.transaction([&] {
    db.query("INSERT INTO t VALUES (4)", {});
    db.transaction([&] { db.query("INSERT INTO t VALUES (5)", {}); });
    throw DataError("outer");
  }), DataError);
  EXPECT_EQ(values(), (std::vector<std::int64_t>{1, 3})) << "the outer rollback takes the inner work with it";
  db.transaction([&] { db.query("INSERT INTO t VALUES (6)", {}); });
  EXPECT_EQ(values(), (std::vector<std::int64_t>{1, 3, 6})) << "and the connection is usable afterwards";
}

TEST(Database, NamesTheFileItCannotOpen) {
  try {
    Database db("/proc/no/such/dir/x.db");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/no/such/dir/x.db: cannot open the database"), std::string::npos) << e.what();
  }
}

TEST(Database, AFullDiskIsAnIoErrorAndCommittedRowsStay) {
  // SQLite's page limit stands in for a full disk: the insert that needs one more page fails.
  test::TempDir dir;
  Database db(dir / "a.db");
  AuditLog log(db, test_key());
  fill(log, 3);
  db.exec("PRAGMA max_page_count = 1");  // below what the file already has: no page can be added
  std::string message;
  try {
    for (int i = 0; i < 1000; ++i) {
      log.append({0, {}, "F", "system", "tick", std::nullopt, std::nullopt, "", std::string(500, 'x')});
    }
  } catch (const IoError& e) {
    message = e.what();
  }
  EXPECT_NE(message.find("disk full"), std::string::npos) << message;
  const auto r = log.verify();
  EXPECT_TRUE(r.ok) << r.problem;
  EXPECT_GE(r.rows, 3);
}

/// SQLite's plan for `sql` (the detail column of EXPLAIN QUERY PLAN, rows joined).
std::string plan(Database& db, const std::string& sql, const std::vector<Value>& params) {
  std::string out;
  db.query("EXPLAIN QUERY PLAN " + sql, params, [&](const Statement& s) { out += s.text(3) + "; "; });
  return out;
}

TEST(AuditLog, AnAttemptIsFoundByItsIndexAlsoInALogMadeBeforeTheIndex) {
  test::TempDir dir;
  {
    // The schema of earlier versions: no index on attempt.
    Database old(dir / "old.db");
    old.exec("CREATE TABLE audit (id INTEGER PRIMARY KEY, time TEXT NOT NULL, attempt TEXT NOT NULL, layer TEXT NOT NULL, "
             "decision TEXT NOT NULL, score REAL, threshold REAL, image TEXT NOT NULL, detail TEXT NOT NULL, mac TEXT NOT NULL)");
    EXPECT_NE(plan(old, "SELECT * FROM audit WHERE attempt = ?", {std::string("A1")}).find("SCAN"), std::string::npos);
  }
  Database db(dir / "old.db");
  AuditLog log(db, test_key());  // opening it adds the index
  const auto p = plan(db, "SELECT * FROM audit WHERE attempt = ?", {std::string("A1")});
  EXPECT_NE(p.find("USING INDEX audit_attempt"), std::string::npos) << p;
  EXPECT_EQ(p.find("SCAN"), std::string::npos) << p;
}

TEST(AuditLog, EventsWithTheirAttemptsInTwoQueries) {
  test::TempDir dir;
  Database db(dir / "a.db");
  AuditLog log(db, test_key());
  for (int i = 0; i < 5; ++i) {
    const std::string a = "A" + std::to_string(i);
    log.append({0, {}, a, "trigger", "start", std::nullopt, std::nullopt, "", ""});
    log.append({0, {}, a, "owner", i % 2 ? "deny" : "pass", 0.2, 0.5, "", ""});
    if (i % 2) log.append({0, {}, a, "alert", "queued", std::nullopt, std::nullopt, "", "sms"});
  }
  log.append({0, {}, "-", "alert", "queued", std::nullopt, std::nullopt, "", "outside an attempt"});
  Filter alerts;
  alerts.layer = "alert";
  alerts.decision = "queued";
  const auto found = log.find_with_attempts(alerts, 2);
  ASSERT_EQ(found.size(), 2u);
  EXPECT_EQ(found[0].event.attempt, "-");
  EXPECT_TRUE(found[0].attempt.empty()) << "an event outside an attempt brings no others";
  EXPECT_EQ(found[1].event.attempt, "A3");
  ASSERT_EQ(found[1].attempt.size(), 3u);
  EXPECT_EQ(found[1].attempt[0].layer, "alert") << "newest first";
  EXPECT_EQ(found[1].attempt[1].decision, "deny");
  EXPECT_EQ(found[1].attempt[2].layer, "trigger");
}

TEST(AuditLog, VerifiesWhileAnotherConnectionAppends) {
  test::TempDir dir;
  Database db(dir / "a.db");
  AuditLog log(db, test_key());
  for (int i = 0; i < 200; ++i) log.append({0, {}, "-", "door", "opened", std::nullopt, std::nullopt, "", ""});
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    Database other(dir / "a.db", Database::Check::Skip);
    AuditLog appender(other, test_key());
    while (!stop) appender.append({0, {}, "-", "door", "closed", std::nullopt, std::nullopt, "", ""});
  });
  for (int i = 0; i < 20; ++i) {
    const auto r = log.verify();
    EXPECT_TRUE(r.ok) << r.problem;
  }
  stop = true;
  writer.join();
}

}  // namespace
}  // namespace lockerctl::audit
