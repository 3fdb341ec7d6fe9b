#pragma once
// What each console page shows, as plain data, and the step that fills its template
// (src/web/templates/PAGE.mustache, inside layout.mustache). Templates escape every {{value}}, so
// nothing gathered here can become markup; the render step only copies fields into the template.
// The console gathers these from the audit, access, notify and branch stores (console.cpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lockerctl::access {
struct Register;
}

namespace lockerctl::web {

/// The template or static file at `path` under src/web (e.g. "static/console.css"), compiled into
/// the binary. Throws Error when there is none.
std::string_view asset(std::string_view path);

/// The operator a page is shown to.
struct Who {
  std::string name;
  std::string role;  ///< "admin", "officer" or "viewer"
  std::string csrf;  ///< the session's token, for the forms on the page
  bool admin = false;
};

struct EventRow {
  std::int64_t id = 0;
  std::string time, attempt, layer, decision, score, detail, image;
};

struct DashboardPage {
  struct State {
    std::string layer, text;
  };
  struct Locker {
    std::string number, holders;
  };
  std::vector<State> states;  ///< lock, door, board, camera: the last event of each
  std::string step;           ///< the attempt under way, or "none"
  std::vector<Locker> lockers;
  std::vector<EventRow> events;  ///< the newest first; the live table
};

struct AuditPage {
  struct Filter {
    std::string name, value, hint;
  };
  std::vector<Filter> filters;
  long page = 1, pages = 1;
  std::int64_t total = 0;
  std::string newer, older;  ///< query strings of the neighbouring pages; empty: none
  std::string query;         ///< the filters' query string, for the exports
  std::vector<EventRow> events;
};

struct VerifyPage {
  bool intact = false;
  std::int64_t rows = 0;
  std::string problem;
};

struct IncidentsPage {
  struct Incident {
    std::string time, attempt, why;
    std::string photo;                ///< the attempt as a query value; empty: no photo
    std::vector<std::string> alerts;  ///< where each alert of the attempt went
  };
  std::vector<Incident> incidents;
};

struct OutboxPage {
  struct Job {
    std::int64_t id = 0;
    std::string created, owner, kind, channel, state, error;
    int tries = 0;
  };
  std::vector<Job> jobs;
};

struct BranchesPage {
  struct Cell {
    std::string text;
    bool bad = false;  ///< shown in red
  };
  struct Station {
    std::string site, locker;
    Cell online, door, lock, board, camera;
    std::string step, last_event, last_time;
    Cell open_alarms;
    std::string seen;
  };
  struct Alarm {
    std::int64_t id = 0;
    std::string site, locker, time, what, detail;
  };
  std::string message;  ///< why the last action failed
  std::vector<Station> stations;
  std::vector<Alarm> alarms;
};

struct OwnersPage {
  struct Owner {
    std::string name, phone, email, password, authenticator, face;
    std::string locked_until;  ///< empty: not locked out
  };
  struct Locker {
    std::string number, holders;
    std::string operation;  ///< access::describe_operation
  };
  std::string message;
  bool message_ok = false;  ///< the message reports a success (else a refusal)
  std::vector<Owner> owners;
  std::vector<Locker> lockers;
  bool enroll = false;  ///< faces may be enrolled from this page
  int max_photos = 0, max_mib = 0;
};

/// A form shown before any session: the operator login, or a kiosk's pairing.
struct FrontForm {
  enum class Kind { Login, Pair } kind = Kind::Login;
  std::string message;  ///< why the last try failed
  std::string token;    ///< the form's token (also set as a cookie)
};

struct KioskPage {
  std::string csrf;
};

/// The register of locker operations, with the filters it was read with.
struct RegisterPage {
  struct Row {
    std::string locker, by, officer, in, out, duration, attempt, evidence;
  };
  std::string locker, holder, since, until;
  std::string csv_link;  ///< the same filters, as CSV
  std::vector<Row> rows;
  std::string footer;    ///< the chain check and its last hash
  bool intact = true;
};

/// The officer's desk: the opening waiting for approval, open windows, evidence on hold.
struct DeskPage {
  struct Pending {
    std::string attempt, locker, opening, seconds_left;
  };
  struct Window {
    std::string locker, officer, reason, until;
  };
  struct HoldRow {
    std::string incident, reason, by, since;
  };
  std::string message;
  bool message_ok = false;
  bool station = false;  ///< the console runs inside lockerctl run: there is a flow to approve for
  bool officer = false;  ///< the operator may approve
  bool may_hold = false;  ///< officers and admins put evidence on hold
  std::optional<Pending> pending;
  std::vector<Window> windows;
  std::vector<HoldRow> holds;
};

struct AboutPage {
  struct Model {
    std::string role, path;
    std::string sha256;  ///< empty: the file is missing
    std::string size;
  };
  std::string version;
  std::vector<Model> models;
};

struct ErrorPage {
  int status = 500;
  std::string title;
};

std::string render(const DashboardPage& page, const Who& who);
std::string render(const RegisterPage& page, const Who& who);
/// The register as a page to print: no console header, no filters form.
std::string render_printout(const RegisterPage& page);
/// The page of the register `r` (page_register.cpp).
RegisterPage register_page(const access::Register& r);
std::string render(const DeskPage& page, const Who& who);
std::string render(const AuditPage& page, const Who& who);
std::string render(const VerifyPage& page, const Who& who);
std::string render(const IncidentsPage& page, const Who& who);
std::string render(const OutboxPage& page, const Who& who);
std::string render(const BranchesPage& page, const Who& who);
std::string render(const OwnersPage& page, const Who& who);
std::string render(const AboutPage& page, const Who& who);
std::string render(const FrontForm& page);
std::string render(const KioskPage& page);
/// The kiosk when no locker runs in this process.
std::string render_kiosk_off();
std::string render(const ErrorPage& page);

}  // namespace lockerctl::web
