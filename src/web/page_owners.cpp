// Owners (what is set, never a secret) and lockers with their holders; an admin adds and changes
// them and enrolls an owner's face from photos.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

#include "core/clock.hpp"
#include "core/csv.hpp"
#include "core/errors.hpp"
#include "core/log.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

constexpr std::size_t kMaxPhotos = 40;  // photos in one enrollment

OwnersPage owners_page(access::OwnerStore& owners, access::LockerStore& lockers, access::FaceTemplates& faces) {
  OwnersPage page;
  const double now = unix_now();
  for (const auto& p : owners.list()) {
    const int enrolled = faces.count(p.name);
    const double locked = owners.locked_until(p.name);
    page.owners.push_back({p.name, p.phone, p.email, p.password_hash.empty() ? "not set" : "set", p.totp_secret.empty() ? "no" : "yes",
                           enrolled ? std::to_string(enrolled) + " templates" : "not enrolled",
                           locked > now ? utc_iso8601(static_cast<std::time_t>(locked)) : ""});
  }
  for (const auto& l : lockers.list()) {
    page.lockers.push_back({l.number, fmt::format("{}", fmt::join(l.holders, ", ")), access::describe_operation(l)});
  }
  page.max_photos = static_cast<int>(kMaxPhotos);
  page.max_mib = static_cast<int>(kMaxUpload / (1024 * 1024));
  return page;
}

/// The photos of an enrollment form: the owner's name, each photo (at most kMaxPhotos), and
/// whether there were more; false when the body did not arrive whole.
struct EnrollForm {
  std::string name;
  std::vector<EnrollPhoto> photos;
  bool too_many = false;
  bool whole = false;
};

EnrollForm read_enroll_form(const httplib::ContentReader& read) {
  EnrollForm form;
  std::string* into = nullptr;  // where the current part's bytes go; null: dropped
  form.whole = read(
      [&](const httplib::MultipartFormData& part) {
        into = nullptr;
        if (part.name == "name") {
          into = &form.name;
        } else if (part.name == "photos" && form.photos.size() < kMaxPhotos) {
          form.photos.push_back({part.filename, {}});
          into = &form.photos.back().bytes;
        } else if (part.name == "photos") {
          form.too_many = true;
        }
        return true;
      },
      [&](const char* data, std::size_t n) {
        if (into) into->append(data, n);
        return true;
      });
  // A file input left empty still sends a part, without a name or bytes.
  form.photos.erase(std::remove_if(form.photos.begin(), form.photos.end(),
                                   [](const EnrollPhoto& p) { return p.filename.empty() && p.bytes.empty(); }),
                    form.photos.end());
  return form;
}

}  // namespace

void ConsoleState::owner_routes() {
  // The page, with `message` (a success when `ok`, else a refusal).
  const auto show = [this](Response& res, const Visit& visit, const std::string& message, bool ok) {
    OwnersPage page;
    {
      std::lock_guard lock(db_mutex);
      page = owners_page(owners, lockers, faces);
    }
    page.message = message;
    page.message_ok = ok;
    page.enroll = static_cast<bool>(enroller);
    html(res, render(page, visit.page_who()));
  };
  // An admin's change: `change` runs under the database lock and returns the audit detail; a
  // DataError it throws is shown on the page with status 400.
  const auto change = [this, show](const char* path, const char* decision, std::function<std::string(const Request&)> apply) {
    post(path, Guard::Admin, [this, show, decision, apply](const Request& req, Response& res, const Visit& visit) {
      std::string detail;
      try {
        std::lock_guard lock(db_mutex);
        detail = apply(req);
      } catch (const DataError& e) {
        res.status = 400;
        return show(res, visit, e.what(), false);
      }
      record(decision, fmt::format("operator '{}': {}", visit.who->name, detail));
      redirect(res, "/owners");
    });
  };
  get("/owners", Guard::Operator, [show](const Request&, Response& res, const Visit& visit) { show(res, visit, "", false); });
  change("/owners/add", "owner added", [this](const Request& req) {
    const std::string name = req.get_param_value("name");
    owners.add(name, req.get_param_value("phone"), req.get_param_value("email"));
    return fmt::format("owner '{}'", name);
  });
  change("/owners/phone", "phone set", [this](const Request& req) {
    const std::string name = req.get_param_value("name");
    owners.set_phone(name, req.get_param_value("phone"));
    return fmt::format("owner '{}'", name);
  });
  change("/owners/clear-lockout", "lockout cleared", [this](const Request& req) {
    const std::string name = req.get_param_value("name");
    owners.get(name);
    owners.lock_out(name, 0);
    return fmt::format("owner '{}'", name);
  });
  change("/lockers/add", "locker added", [this](const Request& req) {
    const std::string number = req.get_param_value("number");
    const auto holders = split_list(req.get_param_value("holders"));
    lockers.add(number, holders);
    return fmt::format("locker {}, holders {}", number, fmt::join(holders, ", "));
  });
  change("/lockers/holders", "holders set", [this](const Request& req) {
    const std::string number = req.get_param_value("number");
    const auto holders = split_list(req.get_param_value("holders"));
    lockers.set_holders(number, holders);
    return fmt::format("locker {}, holders {}", number, fmt::join(holders, ", "));
  });
  // The owner named in the form, enrolled from its photos by `enroller`; the middleware checks
  // the session, the role and the token (in the query) before the photos are read.
  upload("/owners/enroll", Guard::Admin,
         [this, show](const Request& req, Response& res, const httplib::ContentReader& read, const Visit& visit) {
           const auto refuse = [&](int status, const std::string& why) {
             res.status = status;
             show(res, visit, why, false);
           };
           if (!req.is_multipart_form_data()) {
             drain(req, read);
             return refuse(400, "choose an owner and at least one photo");
           }
           const EnrollForm form = read_enroll_form(read);
           if (form.too_many || res.status == 413) {  // httplib answers 413 to a body longer than kMaxUpload, and drops it
             return refuse(413, fmt::format("at most {} photos and {} MiB at once", kMaxPhotos, kMaxUpload / (1024 * 1024)));
           }
           if (!form.whole || form.name.empty() || form.photos.empty()) return refuse(400, "choose an owner and at least one photo");
           if (!enroller) return refuse(503, "face enrollment is not available here: lockerctl owner enroll at the station");
           Enrolled done;
           try {
             done = enroller(form.name, form.photos);
           } catch (const DataError& e) {
             return refuse(400, e.what());
           } catch (const Error& e) {
             log::error("console: face enrollment of '{}': {}", form.name, e.what());
             return refuse(503, fmt::format("face enrollment cannot run here: {}", e.what()));
           }
           const std::string refused = done.refused.empty() ? "" : fmt::format("; refused: {}", fmt::join(done.refused, "; "));
           if (done.templates == 0) {
             return refuse(400, fmt::format("no photo of '{}' could be used, the old templates are kept{}", form.name, refused));
           }
           record(done.replaced ? "face re-enrolled" : "face enrolled",
                  fmt::format("operator '{}': owner '{}', {} templates{}, {} photo(s) refused", visit.who->name, form.name,
                              done.templates, done.replaced ? fmt::format(" replace {}", done.replaced) : "", done.refused.size()));
           show(res, visit,
                fmt::format("'{}' enrolled from {} photo(s){}{}", form.name, done.templates,
                            done.replaced ? fmt::format(", replacing {} template(s)", done.replaced) : "", refused),
                true);
         });
}

}  // namespace lockerctl::web
