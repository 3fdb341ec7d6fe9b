#!/usr/bin/python3
"""Dual control in a real browser (Debian's Chromium, headless): while `lockerctl run` holds an
opening in the approval state, a viewer finds no approve button and a forged decision of theirs
is refused; the officer approves it on the Officer's desk with their password (a wrong password
first), and the lock opens. The next opening nobody approves, and a late approval for it is
refused once it has timed out. Saves desk.png.

    dual_control_browser.py URL VIEWER PASSWORD OFFICER PASSWORD

Exits 1 with a FAIL line.
"""

import re
import sys
import time

from selenium.webdriver.common.by import By

from browser import fail, log_in, open_browser, post, shows, waiting


def pending(browser, url):
    """Reloads the desk until an opening waits; returns its attempt id."""
    for _ in range(120):
        browser.get(url + "desk")
        found = re.search(r"Attempt <strong>(A[0-9TZ-]+)</strong>", browser.page_source)
        if found:
            return found.group(1)
        time.sleep(0.5)
    fail("no opening came to wait for an officer: " + browser.page_source[:400])


def main():
    url, viewer, viewer_password, officer, officer_password = sys.argv[1:6]
    browser = open_browser()
    wait = waiting(browser, 20)
    try:
        log_in(browser, url, viewer, viewer_password)
        attempt = pending(browser, url)
        if browser.find_elements(By.CSS_SELECTOR, "form[action='/desk/decide']"):
            fail("a viewer was offered the approval form")
        if "Only an operator with role officer may approve it." not in browser.page_source:
            fail("the desk does not tell a viewer who approves")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', browser.page_source).group(1)
        answer = post(browser, "/desk/decide", "csrf=%s&attempt=%s&decision=approve&password=%s" % (token, attempt, viewer_password))
        if answer["status"] != 403 or "not an officer" not in answer["text"]:
            fail("a viewer's approval was not refused: %d %s" % (answer["status"], answer["text"][:300]))
        browser.delete_all_cookies()  # the viewer's session ends here

        log_in(browser, url, officer, officer_password)
        attempt = pending(browser, url)
        browser.find_element(By.NAME, "password").send_keys("not my password")
        browser.find_element(By.CSS_SELECTOR, "button[value='approve']").click()
        if not shows(wait, "Not taken: wrong password for operator"):
            fail("a wrong password approved: " + browser.page_source[:400])
        attempt = pending(browser, url)
        browser.find_element(By.NAME, "password").send_keys(officer_password)
        browser.save_screenshot("desk.png")
        browser.find_element(By.CSS_SELECTOR, "button[value='approve']").click()
        if not shows(wait, "Approved " + attempt + "."):
            fail("the approval was not taken: " + browser.page_source[:400])

        # The next opening: nobody answers; once it has timed out, a late approval is refused.
        late = pending(browser, url)
        if late == attempt:
            fail("the approved attempt still waits")
        token = re.search(r'name="csrf" value="([0-9a-f]+)"', browser.page_source).group(1)
        for _ in range(120):
            browser.get(url + "desk")
            if "No opening is waiting for an officer." in browser.page_source:
                break
            time.sleep(0.5)
        else:
            fail("the second opening never timed out")
        answer = post(browser, "/desk/decide", "csrf=%s&attempt=%s&decision=approve&password=%s" % (token, late, officer_password))
        if answer["status"] != 403 or "is not waiting for an officer" not in answer["text"]:
            fail("a late approval was not refused: %d %s" % (answer["status"], answer["text"][:300]))
        print("ok: dual_control_browser")
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
