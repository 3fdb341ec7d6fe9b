#pragma once

// HTTP(S) and SMTP requests through libcurl, for the services alerts and evidence go to (Twilio,
// S3, Google Drive, webhooks, mail servers). Every service's base URL is configurable, so tests
// and private deployments point them at their own servers.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/errors.hpp"

namespace lockerctl::net {

using Fields = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "GET";
  std::string url;
  Fields headers;        ///< sent as given ("Name", "value")
  std::string body;
  std::string username;  ///< HTTP basic auth when not empty
  std::string password;
  double timeout_s = 20;
};

struct Response {
  long status = 0;
  Fields headers;  ///< names in lower case
  std::string body;
  /// The value of header `name` (lower case), or "".
  std::string header(std::string_view name) const;
};

/// A service did not take a request: it refused it (status >= 400) or could not be reached.
/// The outbox keeps the job and tries again; `retry_after_s` > 0 is how long the service asked
/// it to wait (HTTP 429/503 Retry-After).
class ServiceError : public Error {
 public:
  explicit ServiceError(const std::string& message, double retry_after_s = 0)
      : Error(message, ExitCode::Io), retry_after_s_(retry_after_s) {}
  double retry_after_s() const noexcept { return retry_after_s_; }

 private:
  double retry_after_s_;
};

/// Sends `request`. Any HTTP status comes back as a Response; throws ServiceError naming
/// `service` when the server cannot be reached or does not answer in time.
Response send(const Request& request, const std::string& service);

/// The Retry-After of a response in seconds (delta-seconds form), or 0.
double retry_after(const Response& response);

/// RFC 3986 percent-encoding: unreserved characters stay, everything else becomes %XX (upper
/// case); '/' stays when `keep_slash`.
std::string url_encode(std::string_view text, bool keep_slash = false);

/// application/x-www-form-urlencoded: "a=1&b=x%20y", in the order given.
std::string form_encode(const Fields& fields);

/// The parts of an absolute URL: "https://host:port/p/a?q" -> {"https", "host:port", "/p/a", "q"}.
struct Url {
  std::string scheme, authority, path, query;
};
/// Throws std::invalid_argument for a URL without scheme or host.
Url parse_url(const std::string& url);

struct MailMessage {
  std::string smtp_url;  ///< smtp://host:587 (STARTTLS required) or smtps://host:465
  std::string username, password;
  std::string from, to;
  std::string data;      ///< the whole RFC 5322 message, CRLF line ends
  bool require_tls = true;
  std::string ca_file;  ///< PEM CA certificates to verify the server with; "": the system's
  double timeout_s = 30;
};

/// Sends one message over SMTP. Throws ServiceError naming the mail server and its answer.
void send_mail(const MailMessage& message);

}  // namespace lockerctl::net
