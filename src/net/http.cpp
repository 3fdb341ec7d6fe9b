#include "net/http.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace lockerctl::net {
namespace {

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct Easy {
  CURL* handle = curl_easy_init();
  curl_slist* headers = nullptr;
  ~Easy() {
    curl_slist_free_all(headers);
    curl_easy_cleanup(handle);
  }
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* out) {
  std::string line(data, size * n);
  const auto colon = line.find(':');
  auto* fields = static_cast<Fields*>(out);
  if (line.rfind("HTTP/", 0) == 0) fields->clear();  // a new response (after 100 Continue or a redirect)
  if (colon != std::string::npos) {
    std::string name = line.substr(0, colon);
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    std::string value = line.substr(colon + 1);
    const auto first = value.find_first_not_of(" \t");
    const auto last = value.find_last_not_of(" \t\r\n");
    value = first == std::string::npos ? std::string() : value.substr(first, last - first + 1);
    fields->emplace_back(std::move(name), std::move(value));
  }
  return size * n;
}

struct Upload {
  const std::string* data;
  std::size_t at = 0;
};

std::size_t on_read(char* buffer, std::size_t size, std::size_t n, void* in) {
  auto* u = static_cast<Upload*>(in);
  const std::size_t count = std::min(size * n, u->data->size() - u->at);
  std::copy_n(u->data->data() + u->at, count, buffer);
  u->at += count;
  return count;
}

}  // namespace

std::string Response::header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return v;
  }
  return {};
}

Response send(const Request& r, const std::string& service) {
  global_init();
  Easy easy;
  if (!easy.handle) throw ServiceError(service + ": libcurl could not start a request");
  Response response;
  CURL* h = easy.handle;
  curl_easy_setopt(h, CURLOPT_URL, r.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(r.timeout_s * 1000));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min(r.timeout_s, 10.0) * 1000));
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method.c_str());
  if (r.method == "HEAD") curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (!r.body.empty() || r.method == "POST" || r.method == "PUT" || r.method == "PATCH") {
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.data());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
  }
  if (!r.username.empty()) {
    curl_easy_setopt(h, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(h, CURLOPT_USERNAME, r.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, r.password.c_str());
  }
  // No "Expect: 100-continue" round trip: servers answer the whole request at once.
  easy.headers = curl_slist_append(easy.headers, "Expect:");
  for (const auto& [name, value] : r.headers) {
    easy.headers = curl_slist_append(easy.headers, (name + ": " + value).c_str());
  }
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, easy.headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    const Url u = parse_url(r.url);
    throw ServiceError(fmt::format("{} at {}://{}: {}", service, u.scheme, u.authority, curl_easy_strerror(rc)));
  }
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

double retry_after(const Response& response) {
  const std::string value = response.header("retry-after");
  if (value.empty() || !std::all_of(value.begin(), value.end(), [](unsigned char c) { return std::isdigit(c); })) return 0;
  return std::strtod(value.c_str(), nullptr);
}

std::string url_encode(std::string_view text, bool keep_slash) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string form_encode(const Fields& fields) {
  std::string out;
  for (const auto& [name, value] : fields) {
    if (!out.empty()) out += '&';
    out += url_encode(name) + '=' + url_encode(value);
  }
  return out;
}

Url parse_url(const std::string& url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos || scheme_end == 0) throw std::invalid_argument("'" + url + "' is not an absolute URL");
  Url u;
  u.scheme = url.substr(0, scheme_end);
  const auto host_start = scheme_end + 3;
  const auto path_start = url.find_first_of("/?", host_start);
  u.authority = url.substr(host_start, path_start == std::string::npos ? std::string::npos : path_start - host_start);
  if (u.authority.empty()) throw std::invalid_argument("'" + url + "' has no host");
  if (path_start != std::string::npos) {
    const auto q = url.find('?', path_start);
    u.path = url.substr(path_start, q == std::string::npos ? std::string::npos : q - path_start);
    if (q != std::string::npos) u.query = url.substr(q + 1);
  }
  if (u.path.empty()) u.path = "/";
  return u;
}

void send_mail(const MailMessage& m) {
  global_init();
  Easy easy;
  if (!easy.handle) throw ServiceError("mail server: libcurl could not start a request");
  CURL* h = easy.handle;
  curl_easy_setopt(h, CURLOPT_URL, m.smtp_url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(m.timeout_s * 1000));
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  if (m.require_tls) curl_easy_setopt(h, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
  if (!m.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, m.ca_file.c_str());
  if (!m.username.empty()) {
    curl_easy_setopt(h, CURLOPT_USERNAME, m.username.c_str());
    curl_easy_setopt(h, CURLOPT_PASSWORD, m.password.c_str());
  }
  const std::string from = "<" + m.from + ">";
  curl_easy_setopt(h, CURLOPT_MAIL_FROM, from.c_str());
  easy.headers = curl_slist_append(easy.headers, ("<" + m.to + ">").c_str());
  curl_easy_setopt(h, CURLOPT_MAIL_RCPT, easy.headers);
  Upload upload{&m.data};
  curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
  curl_easy_setopt(h, CURLOPT_READDATA, &upload);
  curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
  char error[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(h);
  if (rc != CURLE_OK) {
    const Url u = parse_url(m.smtp_url);
    throw ServiceError(fmt::format("mail server {}: {}", u.authority, error[0] ? error : curl_easy_strerror(rc)));
  }
}

}  // namespace lockerctl::net
