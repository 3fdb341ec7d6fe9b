#!/usr/bin/python3
"""The console's Branches page in a real browser (Debian's Chromium, headless, through Selenium).
A viewer sees north/7 with its forced door, starts nothing, and watches south/12's smoke alarm
appear while the page stays open (it reloads itself); the viewer's forged acknowledgement is
refused. An admin then acknowledges the forced door with its button. Saves branches.png.

    branches_browser.py URL ADMIN PASSWORD VIEWER PASSWORD RUN-COMMAND...

RUN-COMMAND is the second station's run, started while the viewer watches. Prints
"ok: branches_browser" on success; exits 1 with a FAIL line.
"""

import re
import subprocess
import sys

from selenium.webdriver.common.by import By

from browser import fail, log_in, open_browser, post, waiting


def main_text(browser):
    return browser.find_element(By.TAG_NAME, "main").text


def open_alarms(browser):
    found = re.search(r"(\d+) open alarm\(s\)", main_text(browser))
    return int(found.group(1)) if found else -1


def main():
    url, operator, password, viewer, viewer_password = sys.argv[1:6]
    run_command = sys.argv[6:]
    browser = open_browser()
    wait = waiting(browser, 30)
    try:
        log_in(browser, url, viewer, viewer_password)
        wait.until(lambda b: "Dashboard" in b.title)
        browser.get(url + "branches")
        # North's run has ended (offline); the monitor may still be storing its last events.
        try:
            wait.until(lambda b: "north 7 NO closed locked" in main_text(b) and "door forced" in main_text(b))
        except Exception:
            fail("north/7 and its forced door are not shown: " + main_text(browser)[:1500])
        if browser.find_elements(By.CSS_SELECTOR, "main button"):
            fail("a viewer has buttons on /branches")

        # South's smoke alarm arrives while the page is open: no click, the page reloads itself.
        run = subprocess.run(run_command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, timeout=120)
        if run.returncode != 0:
            fail("south's run: " + run.stderr[-2000:])
        try:
            wait.until(lambda b: "south 12" in main_text(b) and "sensor alarm" in main_text(b))
        except Exception:
            fail("south's smoke alarm did not appear: " + main_text(browser)[:1500])
        token = browser.find_element(By.CSS_SELECTOR, "header input[name=csrf]").get_attribute("value")
        forged = post(browser, "/branches/ack", "csrf=" + token + "&id=1")
        if forged["status"] != 403:
            fail("a viewer's acknowledgement got %d" % forged["status"])
        browser.find_element(By.CSS_SELECTOR, "header form button").click()

        log_in(browser, url, operator, password)
        wait.until(lambda b: "Dashboard" in b.title)
        browser.get(url + "branches")
        before = open_alarms(browser)
        rows = [r for r in browser.find_elements(By.CSS_SELECTOR, "main table:last-of-type tbody tr") if "door forced" in r.text]
        if len(rows) != 1:
            fail("expected one open forced-door alarm: " + main_text(browser)[:1500])
        rows[0].find_element(By.TAG_NAME, "button").click()
        wait.until(lambda b: open_alarms(b) == before - 1)
        alarms = browser.find_element(By.CSS_SELECTOR, "main table:last-of-type").text
        if "door forced" in alarms or "sensor alarm" not in alarms:
            fail("after the acknowledgement: " + alarms)
        browser.save_screenshot("branches.png")
        print("ok: branches_browser")
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
