// Every console page rendered from its template with a hostile value in every field: each value
// comes out escaped, as text, never as markup or as an attribute's end.
#include <gtest/gtest.h>

#include <string>

#include "core/errors.hpp"
#include "web/pages.hpp"

namespace lockerctl::web {
namespace {

const std::string kHostile = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>&amp;";
const std::string kEscaped = "&quot;&#39;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;";

// The page shows the hostile value only escaped, at least `times` times, and nowhere raw.
void expect_escaped(const std::string& html, int times, const std::string& page) {
  SCOPED_TRACE(page);
  EXPECT_EQ(html.find("<script>alert"), std::string::npos) << html;
  EXPECT_EQ(html.find("<img src=x"), std::string::npos) << html;
  EXPECT_EQ(html.find("\"'>"), std::string::npos) << "an attribute ended by a value: " << html;
  int found = 0;
  for (auto at = html.find(kEscaped); at != std::string::npos; at = html.find(kEscaped, at + 1)) ++found;
  EXPECT_GE(found, times) << html;
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u) << "the layout wraps the page";
}

const Who kAdmin{kHostile, kHostile, kHostile, true};
const Who kViewer{kHostile, kHostile, kHostile, false};
const EventRow kEvent{7, kHostile, kHostile, kHostile, kHostile, kHostile, kHostile, kHostile};

TEST(Pages, EveryFieldOfEveryPageIsEscaped) {
  // The header alone shows the operator's name, role and token.
  expect_escaped(render(DashboardPage{{{kHostile, kHostile}}, kHostile, {{kHostile, kHostile}}, {kEvent}}, kViewer), 3 + 2 + 1 + 2 + 7,
                 "dashboard");
  expect_escaped(render(AuditPage{{{kHostile, kHostile, kHostile}}, 2, 3, 99, kHostile, kHostile, kHostile, {kEvent}}, kViewer),
                 3 + 3 + 4 + 7, "audit");
  expect_escaped(render(VerifyPage{false, 0, kHostile}, kViewer), 3 + 1, "verify");
  expect_escaped(render(IncidentsPage{{{kHostile, kHostile, kHostile, kHostile, {kHostile, kHostile}}}}, kViewer), 3 + 3 + 2 + 2,
                 "incidents");
  expect_escaped(render(OutboxPage{{{1, kHostile, kHostile, kHostile, kHostile, kHostile, kHostile, 2}}}, kAdmin), 3 + 6 + 1, "outbox");
  const BranchesPage::Cell cell{kHostile, true};
  expect_escaped(render(BranchesPage{kHostile,
                                     {{kHostile, kHostile, cell, cell, cell, cell, cell, kHostile, kHostile, kHostile, cell, kHostile}},
                                     {{3, kHostile, kHostile, kHostile, kHostile, kHostile}}},
                        kAdmin),
                 3 + 1 + 12 + 5 + 1, "branches");
  const OwnersPage owners{kHostile, false, {{kHostile, kHostile, kHostile, kHostile, kHostile, kHostile, kHostile}},
                          {{kHostile, kHostile, kHostile}}, true, 40, 32};
  expect_escaped(render(owners, kAdmin), 3 + 1 + 7 + 3, "owners, admin (the forms)");
  expect_escaped(render(owners, kViewer), 3 + 1 + 7 + 3, "owners, viewer");
  const RegisterPage reg{kHostile, kHostile, kHostile, kHostile, kHostile,
                         {{kHostile, kHostile, kHostile, kHostile, kHostile, kHostile, kHostile, kHostile}}, kHostile, false};
  expect_escaped(render(reg, kViewer), 3 + 4 + 1 + 9 + 1, "register");
  expect_escaped(render_printout(reg), 4 + 9 + 1, "register, printed");
  DeskPage desk{kHostile, false, true, true, true, DeskPage::Pending{kHostile, kHostile, kHostile, kHostile},
                {{kHostile, kHostile, kHostile, kHostile}}, {{kHostile, kHostile, kHostile, kHostile}}};
  expect_escaped(render(desk, kViewer), 3 + 1 + 5 + 4 + 4, "desk");
  expect_escaped(render(FrontForm{FrontForm::Kind::Login, kHostile, kHostile}), 2, "login");
  expect_escaped(render(FrontForm{FrontForm::Kind::Pair, kHostile, kHostile}), 2, "pairing");
  expect_escaped(render(KioskPage{kHostile}), 1, "kiosk");
  expect_escaped(render(AboutPage{kHostile, {{kHostile, kHostile, kHostile, kHostile}, {kHostile, kHostile, "", ""}}}, kViewer),
                 3 + 1 + 4 + 2, "about");
  expect_escaped(render(ErrorPage{404, kHostile}), 2, "error");
}

TEST(Pages, AViewerGetsNoFormThatChangesAnything) {
  const OwnersPage owners{"", false, {{"alice", "+1555", "", "set", "no", "not enrolled", "2026-12-01T00:00:00Z"}}, {{"14", "alice"}}, true,
                          40, 32};
  const std::string viewer = render(owners, kViewer);
  for (const char* action : {"/owners/phone", "/owners/clear-lockout", "/lockers/holders", "/owners/add", "/owners/enroll", "/lockers/add"}) {
    EXPECT_EQ(viewer.find(action), std::string::npos) << action;
    EXPECT_NE(render(owners, kAdmin).find(action), std::string::npos) << action;
  }
  EXPECT_EQ(render(OutboxPage{{{1, "t", "alice", "alert", "sms", "dead", "", 3}}}, kViewer).find("/outbox/retry"), std::string::npos);
  // The desk: the approval form only for an officer, the hold form only for officers and admins.
  DeskPage desk{"", false, true, false, false, DeskPage::Pending{"A1", "15", "alice", "20"}, {}, {}};
  const std::string viewer_desk = render(desk, kViewer);
  EXPECT_EQ(viewer_desk.find("/desk/decide"), std::string::npos);
  EXPECT_EQ(viewer_desk.find("/desk/hold"), std::string::npos);
  EXPECT_NE(viewer_desk.find("Only an operator with role officer may approve it."), std::string::npos);
  desk.officer = desk.may_hold = true;
  EXPECT_NE(render(desk, kViewer).find("/desk/decide"), std::string::npos);
  EXPECT_NE(render(desk, kViewer).find("/desk/hold"), std::string::npos);
}

TEST(Pages, StaticFilesAndTemplatesAreCompiledIn) {
  EXPECT_NE(asset("static/console.css").find("body {"), std::string::npos);
  EXPECT_NE(asset("static/kiosk.js").find("'use strict'"), std::string::npos);
  EXPECT_THROW(asset("static/nothing.js"), Error);
}

}  // namespace
}  // namespace lockerctl::web
