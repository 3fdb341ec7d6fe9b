#include "notify/channels.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>

#include "core/clock.hpp"
#include "core/errors.hpp"
#include "core/fs.hpp"
#include "net/crypto.hpp"
#include "net/http.hpp"

namespace lockerctl::notify {

std::string sms_body(const Message& m) { return m.link.empty() ? m.text : m.text + " Photo: " + m.link; }

std::filesystem::path SimulatedPhone::inbox(const std::string& phone) const {
  std::string name;
  for (char c : phone) name += std::isalnum(static_cast<unsigned char>(c)) || c == '+' ? c : '_';
  return dir_ / (name.empty() ? "unknown" : name + ".txt");
}

std::string SimulatedPhone::send(const Message& m) {
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  const auto file = inbox(m.address);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0) throw IoError(fmt::format("{}: {}", file.string(), std::strerror(errno)));
  const std::string line = fmt::format("{}\t{}\t{}\n", utc_now_iso8601(), m.text, m.link);
  const bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()) && ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  if (!ok) throw IoError(fmt::format("{}: {}", file.string(), std::strerror(saved)));
  return {};
}

std::string SimulatedPhone::last_code(const std::string& phone) const {
  // Alerts carry digits too (times, incident folders): only a message that says "code is" has one.
  std::ifstream in(inbox(phone));
  std::string line, code;
  while (std::getline(in, line)) {
    const auto at = line.find("code is ");
    if (at == std::string::npos) continue;
    std::string digits;
    for (auto c = line.begin() + static_cast<std::ptrdiff_t>(at + 8); c != line.end() && std::isdigit(static_cast<unsigned char>(*c)); ++c) {
      digits += *c;
    }
    if (digits.size() >= 6) code = digits;
  }
  return code;
}

std::map<std::string, std::string> SimulatedPhone::last_codes() const {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".txt") continue;
    const std::string phone = entry.path().stem().string();
    if (auto code = last_code(phone); !code.empty()) out[phone] = std::move(code);
  }
  return out;
}

std::string TwilioSms::send(const Message& m) {
  net::Fields form = {{"To", m.address}, {"From", o_.from}, {"Body", sms_body(m)}};
  if (o_.mms && (m.link.rfind("https://", 0) == 0 || m.link.rfind("http://", 0) == 0)) form.emplace_back("MediaUrl", m.link);
  net::Request r;
  r.method = "POST";
  r.url = fmt::format("{}/2010-04-01/Accounts/{}/Messages.json", o_.api_base, net::url_encode(o_.account_sid));
  r.username = o_.account_sid;
  r.password = o_.auth_token.reveal();
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
  r.body = net::form_encode(form);
  const net::Response response = net::send(r, "Twilio");
  const auto j = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status / 100 == 2 && j.is_object()) return j.value("sid", "");
  std::string why = fmt::format("HTTP {}", response.status);
  if (j.is_object() && j.contains("message")) why += fmt::format(" (code {}: {})", j.value("code", 0), j.value("message", ""));
  if (response.status == 401) why += "; check sms.account_sid and sms.auth_token";
  throw net::ServiceError(fmt::format("Twilio at {} did not take the SMS to {}: {}", o_.api_base, m.address, why),
                          net::retry_after(response));
}

std::string webhook_body(const Message& m, long long timestamp) {
  return nlohmann::json{{"id", m.key},       {"timestamp", timestamp}, {"event", m.kind},
                        {"created", m.created}, {"owner", m.owner},     {"attempt", m.attempt},
                        {"text", m.text},     {"photo_url", m.link}}
      .dump();
}

std::string webhook_signature(const std::string& secret, const std::string& body) {
  return "sha256=" + net::hex(net::hmac_sha256(secret, body));
}

std::string Webhook::send(const Message& m) {
  if (m.kind == "otp") throw Error("webhook: one-time codes never go by webhook", ExitCode::Internal);
  const long long now = static_cast<long long>(std::time(nullptr));
  net::Request r;
  r.method = "POST";
  r.url = url_;
  r.body = webhook_body(m, now);
  r.headers = {{"Content-Type", "application/json"},
               {"X-Lockerctl-Delivery", m.key},
               {"X-Lockerctl-Timestamp", std::to_string(now)},
               {"X-Lockerctl-Signature", webhook_signature(secret_.reveal(), r.body)}};
  const net::Response response = net::send(r, "webhook");
  if (response.status / 100 != 2) {
    throw net::ServiceError(fmt::format("webhook {} answered HTTP {}", url_, response.status), net::retry_after(response));
  }
  return {};
}

std::string email_data(const EmailOptions& o, const Message& m) {
  char date[64];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  const std::string subject = m.kind == "otp" ? "lockerctl: your one-time code" : "lockerctl: alert about your locker";
  const std::string boundary = "lockerctl-" + net::random_hex(12);
  std::string text = m.text + "\r\n";
  if (!m.link.empty()) text += "\r\nPhoto: " + m.link + "\r\n";
  std::string out = fmt::format(
      "From: <{}>\r\nTo: <{}>\r\nSubject: {}\r\nDate: {}\r\nMessage-ID: <{}@lockerctl>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/mixed; boundary=\"{}\"\r\n\r\n--{}\r\nContent-Type: text/plain; charset=UTF-8\r\n"
      "Content-Transfer-Encoding: 8bit\r\n\r\n{}",
      o.from, m.address, subject, date, m.key, boundary, boundary, text);
  if (!m.photo.empty() && m.kind != "otp") {
    const std::string encoded = net::base64(read_file(m.photo));
    out += fmt::format("\r\n--{}\r\nContent-Type: image/jpeg; name=\"{}\"\r\nContent-Transfer-Encoding: base64\r\n"
                       "Content-Disposition: attachment; filename=\"{}\"\r\n\r\n",
                       boundary, m.photo.filename().string(), m.photo.filename().string());
    for (std::size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  }
  out += "\r\n--" + boundary + "--\r\n";
  return out;
}

std::string Email::send(const Message& m) {
  net::send_mail({o_.smtp_url, o_.username, o_.password.reveal(), o_.from, m.address, email_data(o_, m), o_.require_tls, o_.ca_file});
  return {};
}

}  // namespace lockerctl::notify
