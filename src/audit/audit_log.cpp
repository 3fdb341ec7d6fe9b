#include "audit/audit_log.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <fmt/format.h>

#include <fstream>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/clock.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"

namespace lockerctl::audit {
namespace {

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  time TEXT NOT NULL,
  attempt TEXT NOT NULL,
  layer TEXT NOT NULL,
  decision TEXT NOT NULL,
  score REAL,
  threshold REAL,
  image TEXT NOT NULL,
  detail TEXT NOT NULL,
  mac TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
CREATE INDEX IF NOT EXISTS audit_layer ON audit(layer, id);
CREATE INDEX IF NOT EXISTS audit_attempt ON audit(attempt, id);
CREATE INDEX IF NOT EXISTS audit_layer_decision ON audit(layer, decision, id);
CREATE TABLE IF NOT EXISTS audit_head (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  last_id INTEGER NOT NULL,
  mac TEXT NOT NULL);
)sql";

std::string hex(const std::uint8_t* bytes, std::size_t n) {
  std::string out(n * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes, n);
  out.pop_back();
  return out;
}

std::string number(const std::optional<double>& v) { return v ? fmt::format("{:.17g}", *v) : "-"; }

void init_sodium() {
  if (sodium_init() < 0) throw Error("libsodium cannot start", ExitCode::Internal);
}

}  // namespace

Key load_key(const Secret& configured, const std::filesystem::path& var_dir) {
  init_sodium();
  Key key{};
  if (!configured.empty()) {
    const auto& s = configured.reveal();
    crypto_generichash(key.data(), key.size(), reinterpret_cast<const unsigned char*>(s.data()), s.size(), nullptr, 0);
    return key;
  }
  const auto file = var_dir / "audit.key";
  std::error_code ec;
  std::filesystem::create_directories(var_dir, ec);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) {
    randombytes_buf(key.data(), key.size());
    const std::string text = hex(key.data(), key.size()) + "\n";
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) && ::fsync(fd) == 0;
    ::close(fd);
    if (!written) {
      std::filesystem::remove(file, ec);
      throw IoError(file.string() + ": cannot write the audit key (disk full?)");
    }
    return key;
  }
  std::ifstream in(file);
  std::string text;
  if (!in || !(in >> text)) throw IoError(file.string() + ": cannot read the audit key");
  std::size_t length = 0;
  if (text.size() != 64 ||
      sodium_hex2bin(key.data(), key.size(), text.data(), text.size(), nullptr, &length, nullptr) != 0 ||
      length != key.size()) {
    throw IoError(file.string() + ": not an audit key (64 hex digits expected)");
  }
  return key;
}

AuditLog::AuditLog(Database& db, const Key& key) : db_(db), key_(key) {
  init_sodium();
  db_.exec(kSchema);
}

std::string AuditLog::row_mac(const std::string& previous, const Event& e) const {
  const std::string text = fmt::format("{}\n{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", previous, e.id,
                                       e.time, e.attempt, e.layer, e.decision, number(e.score),
                                       number(e.threshold), e.image, e.detail);
  return mac(text);
}

std::string AuditLog::head_mac(std::int64_t last_id, const std::string& last_mac) const {
  return mac(fmt::format("head\x1f{}\x1f{}", last_id, last_mac));
}

std::string AuditLog::mac(const std::string& text) const {
  std::uint8_t out[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(out, reinterpret_cast<const unsigned char*>(text.data()), text.size(), key_.data());
  return hex(out, sizeof out);
}

std::int64_t AuditLog::append(Event e) {
  if (e.time.empty()) e.time = utc_now_iso8601();
  if (e.attempt.empty()) e.attempt = "-";
  db_.transaction([&] {
    std::string previous;
    std::int64_t last_id = 0;
    db_.query("SELECT id, mac FROM audit ORDER BY id DESC LIMIT 1", {}, [&](const Statement& s) {
      last_id = s.integer(0);
      previous = s.text(1);
    });
    e.id = last_id + 1;
    const std::string mac = row_mac(previous, e);
    db_.query("INSERT INTO audit (id, time, attempt, layer, decision, score, threshold, image, detail, mac) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
              {e.id, e.time, e.attempt, e.layer, e.decision, e.score ? Value(*e.score) : Value(nullptr),
               e.threshold ? Value(*e.threshold) : Value(nullptr), e.image, e.detail, mac});
    db_.query("INSERT INTO audit_head (one, last_id, mac) VALUES (1, ?, ?) "
              "ON CONFLICT(one) DO UPDATE SET last_id = excluded.last_id, mac = excluded.mac",
              {e.id, head_mac(e.id, mac)});
  });
  return e.id;
}

namespace {

Event read_event(const Statement& s) {
  Event e;
  e.id = s.integer(0);
  e.time = s.text(1);
  e.attempt = s.text(2);
  e.layer = s.text(3);
  e.decision = s.text(4);
  if (!s.is_null(5)) e.score = s.real(5);
  if (!s.is_null(6)) e.threshold = s.real(6);
  e.image = s.text(7);
  e.detail = s.text(8);
  return e;
}

const char* kColumns = "id, time, attempt, layer, decision, score, threshold, image, detail";

}  // namespace

VerifyResult AuditLog::verify() const {
  VerifyResult r;
  db_.snapshot([&] { r = verify_snapshot(); });  // rows and head as one moment saw them, while appends go on
  return r;
}

VerifyResult AuditLog::verify_snapshot() const {
  VerifyResult r;
  std::string previous;
  std::int64_t expected_id = 1;
  db_.query(fmt::format("SELECT {}, mac FROM audit ORDER BY id", kColumns), {}, [&](const Statement& s) {
    if (!r.ok) return;
    const Event e = read_event(s);
    ++r.rows;
    if (e.id != expected_id) {
      r.ok = false;
      r.problem = fmt::format("row {}: row {} is missing (removed)", e.id, expected_id);
      return;
    }
    const std::string mac = s.text(9);
    if (sodium_memcmp(mac.data(), row_mac(previous, e).data(), mac.size()) != 0 || mac.size() != 64) {
      r.ok = false;
      r.problem = fmt::format("row {}: hash does not match (the row was edited, or the key is wrong)", e.id);
      return;
    }
    previous = mac;
    ++expected_id;
  });
  if (!r.ok) return r;
  std::int64_t head_id = 0;
  std::string head;
  db_.query("SELECT last_id, mac FROM audit_head WHERE one = 1", {}, [&](const Statement& s) {
    head_id = s.integer(0);
    head = s.text(1);
  });
  if (r.rows == 0 && head.empty()) return r;
  if (head.empty() || head != head_mac(head_id, previous) || head_id != r.rows) {
    r.ok = false;
    r.problem = head_id > r.rows ? fmt::format("rows {} to {} are missing (cut off the end)", r.rows + 1, head_id)
                                 : std::string("the head record does not match the last row");
    return r;
  }
  r.last_hash = previous;
  return r;
}

std::string AuditLog::hash_of(std::int64_t id) const {
  std::string mac;
  db_.query("SELECT mac FROM audit WHERE id = ?", {id}, [&](const Statement& s) { mac = s.text(0); });
  return mac;
}

std::vector<Event> AuditLog::list(const std::string& since) const {
  std::vector<Event> out;
  db_.query(fmt::format("SELECT {} FROM audit WHERE time >= ? ORDER BY id", kColumns), {since},
            [&](const Statement& s) { out.push_back(read_event(s)); });
  return out;
}

namespace {

/// The WHERE clause of `f` with only the conditions it sets (so that SQLite can use the indexes),
/// and its values in order.
std::pair<std::string, std::vector<Value>> where(const Filter& f) {
  std::string sql;
  std::vector<Value> values;
  const auto add = [&](Value value, bool set, const char* condition) {
    if (!set) return;
    sql += std::string(sql.empty() ? "WHERE " : " AND ") + condition;
    values.push_back(std::move(value));
  };
  add(f.after_id, f.after_id > 0, "id > ?");
  add(f.since, !f.since.empty(), "time >= ?");
  add(f.until, !f.until.empty(), "time <= ? || '~'");  // a prefix: every time that starts with `until` is in
  add(f.layer, !f.layer.empty(), "layer = ?");
  add(f.decision, !f.decision.empty(), "decision = ?");
  add(f.attempt, !f.attempt.empty(), "attempt = ?");
  return {sql, values};
}

}  // namespace

std::vector<Event> AuditLog::find(const Filter& filter, std::int64_t limit, std::int64_t offset) const {
  std::vector<Event> out;
  auto [sql, values] = where(filter);
  values.emplace_back(limit);
  values.emplace_back(offset);
  db_.query(fmt::format("SELECT {} FROM audit {} ORDER BY id DESC LIMIT ? OFFSET ?", kColumns, sql), values,
            [&](const Statement& s) { out.push_back(read_event(s)); });
  return out;
}

std::vector<WithAttempt> AuditLog::find_with_attempts(const Filter& filter, std::int64_t limit) const {
  std::vector<WithAttempt> out;
  db_.snapshot([&] {
    std::set<std::string> attempts;
    for (auto& e : find(filter, limit)) {
      if (e.attempt != "-") attempts.insert(e.attempt);
      out.push_back({std::move(e), {}});
    }
    if (attempts.empty()) return;
    std::string marks;
    for (std::size_t i = 0; i < attempts.size(); ++i) marks += i ? ", ?" : "?";
    std::map<std::string, std::vector<Event>> by_attempt;
    db_.query(fmt::format("SELECT {} FROM audit WHERE attempt IN ({}) ORDER BY id DESC", kColumns, marks),
              std::vector<Value>(attempts.begin(), attempts.end()), [&](const Statement& s) {
                Event e = read_event(s);
                by_attempt[e.attempt].push_back(std::move(e));
              });
    for (auto& w : out) w.attempt = by_attempt[w.event.attempt];
  });
  return out;
}

std::int64_t AuditLog::count(const Filter& filter) const {
  std::int64_t n = 0;
  const auto [sql, values] = where(filter);
  db_.query("SELECT COUNT(*) FROM audit " + sql, values, [&](const Statement& s) { n = s.integer(0); });
  return n;
}

namespace {

/// " AND layer IN (?, ...)" for `layers`, its values appended to `values`; "" when empty.
std::string layer_condition(const std::vector<std::string>& layers, std::vector<Value>& values) {
  if (layers.empty()) return {};
  std::string marks;
  for (const auto& l : layers) {
    marks += marks.empty() ? "?" : ", ?";
    values.emplace_back(l);
  }
  return " AND layer IN (" + marks + ")";
}

}  // namespace

std::vector<Event> AuditLog::after(std::int64_t after_id, std::int64_t limit, const std::vector<std::string>& layers) const {
  std::vector<Event> out;
  std::vector<Value> values{after_id};
  const std::string layer_sql = layer_condition(layers, values);
  values.emplace_back(limit);
  db_.query(fmt::format("SELECT {} FROM audit WHERE id > ?{} ORDER BY id LIMIT ?", kColumns, layer_sql), values,
            [&](const Statement& s) { out.push_back(read_event(s)); });
  return out;
}

std::int64_t AuditLog::previous(std::int64_t before_id, const std::vector<std::string>& layers) const {
  std::vector<Value> values{before_id};
  const std::string layer_sql = layer_condition(layers, values);
  std::int64_t id = 0;
  db_.query("SELECT COALESCE(MAX(id), 0) FROM audit WHERE id < ?" + layer_sql, values,
            [&](const Statement& s) { id = s.integer(0); });
  return id;
}

std::string to_csv(const std::vector<Event>& events) {
  const auto field = csv_field;
  const auto num = [](const std::optional<double>& v) { return v ? fmt::format("{:.4f}", *v) : std::string(); };
  std::ostringstream out;
  out << "id,time,attempt,layer,decision,score,threshold,image,detail\n";
  for (const auto& e : events) {
    out << e.id << ',' << field(e.time) << ',' << field(e.attempt) << ',' << field(e.layer) << ','
        << field(e.decision) << ',' << num(e.score) << ',' << num(e.threshold) << ',' << field(e.image) << ','
        << field(e.detail) << '\n';
  }
  return out.str();
}

std::string to_json(const std::vector<Event>& events) {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& e : events) {
    nlohmann::json j{{"id", e.id},         {"time", e.time},   {"attempt", e.attempt}, {"layer", e.layer},
                     {"decision", e.decision}, {"image", e.image}, {"detail", e.detail}};
    j["score"] = e.score ? nlohmann::json(*e.score) : nlohmann::json(nullptr);
    j["threshold"] = e.threshold ? nlohmann::json(*e.threshold) : nlohmann::json(nullptr);
    rows.push_back(std::move(j));
  }
  return rows.dump(2) + "\n";
}

}  // namespace lockerctl::audit
