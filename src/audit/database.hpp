#pragma once

// A small RAII wrapper over SQLite for lockerctl's one database file (<var_dir>/lockerctl.db):
// audit log, owners, lockouts and the alert outbox. Write-ahead log with synchronous commits, so
// a committed row survives a kill -9 or a power cut and the file is never left corrupt.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace lockerctl::audit {

/// A bound parameter or a column value.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string>;

/// A prepared statement while Database::query runs it (the database keeps and resets it).
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const Value& value);  ///< 1-based
  /// Steps once: true while a row is available.
  bool step();
  std::int64_t integer(int column) const;
  double real(int column) const;
  std::string text(int column) const;
  bool is_null(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  /// Whether opening checks the file's structure (PRAGMA quick_check, which reads all of it).
  enum class Check { Full, Skip };
  /// Opens (creating when missing) the file, in WAL mode with synchronous commits. Throws
  /// IoError naming the file and SQLite's reason. Check::Skip is for a further connection to a
  /// file another one has checked (a reader beside the writer).
  explicit Database(const std::filesystem::path& file, Check check = Check::Full);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  /// Runs one or more statements without results.
  void exec(const std::string& sql);
  /// Adds `column` (its SQL declaration `declaration`, with a default) to `table` when a database
  /// from before it lacks it.
  void add_column(const std::string& table, const std::string& column, const std::string& declaration);
  /// Runs `sql` with `params`, calling `row` for each result row. The statement stays prepared
  /// for the next call with the same text (parsing costs more than running a small query).
  void query(const std::string& sql, const std::vector<Value>& params,
             const std::function<void(const Statement&)>& row = {});
  /// Runs `work` inside BEGIN IMMEDIATE ... COMMIT; rolls back when it throws. Inside another
  /// transaction it is a savepoint: it rolls back only its own work, and commits with the outer one.
  void transaction(const std::function<void()>& work);
  /// Runs `work`'s reads on one snapshot of the file (a deferred transaction: writers elsewhere
  /// go on meanwhile); inside a transaction, in that one.
  void snapshot(const std::function<void()>& work);
  std::int64_t last_insert_id() const;
  const std::filesystem::path& file() const { return file_; }

 private:
  /// Runs `work` between `begin` and `end` at one more level of depth; on an exception, `undo`.
  void enclose(const std::string& begin, const std::string& end, const std::string& undo, const std::function<void()>& work);
  /// A prepared statement of `sql` that no other call is running, or nullptr.
  sqlite3_stmt* checkout(const std::string& sql);
  /// Resets `stmt` and keeps it for the next call of `sql` (a few dozen texts at most).
  void checkin(const std::string& sql, sqlite3_stmt* stmt, bool from_cache);

  std::filesystem::path file_;
  sqlite3* db_ = nullptr;
  int depth_ = 0;  ///< transactions open on this connection
  struct Prepared {
    sqlite3_stmt* stmt = nullptr;
    bool busy = false;  ///< a call is running it (a nested query, or another thread)
  };
  std::mutex prepared_mutex_;
  std::unordered_map<std::string, Prepared> prepared_;
};

/// The database file under a var folder.
std::filesystem::path database_file(const std::filesystem::path& var_dir);

}  // namespace lockerctl::audit
