// About this station: the lockerctl version and each model file it runs, with its SHA-256 as the
// file is now, so that an operator can tell which models are in service.
#include <fmt/format.h>

#include "core/fs.hpp"
#include "core/version.hpp"
#include "net/crypto.hpp"
#include "web/console_state.hpp"

namespace lockerctl::web {
namespace {

AboutPage about_page(const std::vector<std::pair<std::string, std::filesystem::path>>& models) {
  AboutPage page{kVersion, {}};
  for (const auto& [role, path] : models) {
    AboutPage::Model m{role, path.string(), {}, {}};
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) {
      const std::string bytes = read_file(path);
      m.sha256 = net::sha256_hex(bytes);
      m.size = fmt::format("{:.1f} MB", static_cast<double>(bytes.size()) / 1e6);
    }
    page.models.push_back(std::move(m));
  }
  return page;
}

}  // namespace

void ConsoleState::about_routes() {
  get("/about", Guard::Operator, [this](const Request&, Response& res, const Visit& visit) {
    html(res, render(about_page(o.models), visit.page_who()));
  });
}

}  // namespace lockerctl::web
