#include "audit/database.hpp"

#include <sqlite3.h>

#include <fmt/format.h>

#include "core/errors.hpp"

namespace lockerctl::audit {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  const int code = sqlite3_extended_errcode(db);
  const std::string reason = sqlite3_errmsg(db);
  const std::string file = sqlite3_db_filename(db, "main") ? sqlite3_db_filename(db, "main") : "database";
  if (code == SQLITE_FULL) throw IoError(fmt::format("{}: disk full while {}", file, what));
  throw IoError(fmt::format("{}: {} failed: {}", file, what, reason));
}

}  // namespace

Statement& Statement::bind(int index, const Value& value) {
  int rc = SQLITE_OK;
  if (std::holds_alternative<std::nullptr_t>(value)) {
    rc = sqlite3_bind_null(stmt_, index);
  } else if (const auto* i = std::get_if<std::int64_t>(&value)) {
    rc = sqlite3_bind_int64(stmt_, index, *i);
  } else if (const auto* d = std::get_if<double>(&value)) {
    rc = sqlite3_bind_double(stmt_, index, *d);
  } else {
    const auto& s = std::get<std::string>(value);
    rc = sqlite3_bind_text(stmt_, index, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
  }
  if (rc != SQLITE_OK) fail(db_, "binding a value");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "writing or reading");
}

std::int64_t Statement::integer(int c) const { return sqlite3_column_int64(stmt_, c); }
double Statement::real(int c) const { return sqlite3_column_double(stmt_, c); }
bool Statement::is_null(int c) const { return sqlite3_column_type(stmt_, c) == SQLITE_NULL; }
std::string Statement::text(int c) const {
  const auto* t = sqlite3_column_text(stmt_, c);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, c)))
           : std::string();
}

Database::Database(const std::filesystem::path& file, Check check) : file_(file) {
  std::error_code ec;
  if (file.has_parent_path()) std::filesystem::create_directories(file.parent_path(), ec);
  if (sqlite3_open_v2(file.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK) {
    const std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw IoError(fmt::format("{}: cannot open the database: {}", file.string(), reason));
  }
  sqlite3_busy_timeout(db_, 5000);
  try {
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
    if (check == Check::Full) {
      query("PRAGMA quick_check", {}, [&](const Statement& s) {
        if (s.text(0) != "ok") throw IoError(fmt::format("{}: the database is damaged: {}", file.string(), s.text(0)));
      });
    }
  } catch (...) {
    sqlite3_close(db_);
    throw;
  }
}

Database::~Database() {
  for (auto& [sql, p] : prepared_) sqlite3_finalize(p.stmt);
  sqlite3_close(db_);
}

void Database::add_column(const std::string& table, const std::string& column, const std::string& declaration) {
  bool has = false;
  query("SELECT 1 FROM pragma_table_info(?) WHERE name = ?", {table, column}, [&](const Statement&) { has = true; });
  if (!has) exec(fmt::format("ALTER TABLE {} ADD COLUMN {} {}", table, column, declaration));
}

void Database::exec(const std::string& sql) {
  char* message = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    const std::string reason = message ? message : "unknown error";
    sqlite3_free(message);
    if (sqlite3_extended_errcode(db_) == SQLITE_FULL) throw IoError(file_.string() + ": disk full");
    throw IoError(fmt::format("{}: {}", file_.string(), reason));
  }
}

void Database::query(const std::string& sql, const std::vector<Value>& params,
                     const std::function<void(const Statement&)>& row) {
  sqlite3_stmt* stmt = checkout(sql);
  const bool from_cache = stmt != nullptr;
  if (!stmt && sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) fail(db_, "preparing a query");
  struct Return {
    Database& db;
    const std::string& sql;
    sqlite3_stmt* stmt;
    bool from_cache;
    ~Return() { db.checkin(sql, stmt, from_cache); }
  } give_back{*this, sql, stmt, from_cache};
  Statement s(db_, stmt);
  for (std::size_t i = 0; i < params.size(); ++i) s.bind(static_cast<int>(i + 1), params[i]);
  while (s.step()) {
    if (row) row(s);
  }
}

sqlite3_stmt* Database::checkout(const std::string& sql) {
  std::lock_guard lock(prepared_mutex_);
  const auto found = prepared_.find(sql);
  if (found == prepared_.end() || found->second.busy) return nullptr;
  found->second.busy = true;
  return found->second.stmt;
}

void Database::checkin(const std::string& sql, sqlite3_stmt* stmt, bool from_cache) {
  sqlite3_reset(stmt);  // ends its read, whatever the last step said
  sqlite3_clear_bindings(stmt);
  std::lock_guard lock(prepared_mutex_);
  if (from_cache) {
    prepared_[sql].busy = false;
  } else if (prepared_.size() < 64 && prepared_.count(sql) == 0) {
    prepared_[sql] = {stmt, false};
  } else {
    sqlite3_finalize(stmt);
  }
}

void Database::transaction(const std::function<void()>& work) {
  if (depth_ == 0) return enclose("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK", work);
  const std::string savepoint = "nested" + std::to_string(depth_);
  enclose("SAVEPOINT " + savepoint, "RELEASE " + savepoint, "ROLLBACK TO " + savepoint + "; RELEASE " + savepoint, work);
}

void Database::snapshot(const std::function<void()>& work) {
  if (depth_ > 0) return work();
  enclose("BEGIN DEFERRED", "COMMIT", "ROLLBACK", work);
}

void Database::enclose(const std::string& begin, const std::string& end, const std::string& undo,
                       const std::function<void()>& work) {
  exec(begin);
  ++depth_;
  try {
    work();
  } catch (...) {
    --depth_;
    sqlite3_exec(db_, undo.c_str(), nullptr, nullptr, nullptr);
    throw;
  }
  --depth_;
  exec(end);
}

std::int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

std::filesystem::path database_file(const std::filesystem::path& var_dir) { return var_dir / "lockerctl.db"; }

}  // namespace lockerctl::audit
