#!/usr/bin/python3
"""The operator console in a real browser: Debian's Chromium, headless, driven by Selenium through
chromedriver. Logs in (a wrong password first), watches the dashboard update live while
`lockerctl run` denies an attempt, opens the incident and its photo, verifies and exports the
audit log, changes an owner's phone, and checks that a forged POST is refused and that the
security headers arrive. Then a viewer logs in, and finds nothing to change and every change
refused. Saves screenshots in the work folder.

    console_browser.py URL ADMIN PASSWORD VIEWER PASSWORD RUN-COMMAND...

Prints "ok: console_browser" and the live-update latency on success; exits 1 with a FAIL line.
"""

import subprocess
import sys
import threading
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support.expected_conditions import staleness_of

from browser import FETCH, fail, log_in, open_browser, post, shows, waiting


def main():
    url, operator, password, viewer, viewer_password = sys.argv[1:6]
    run_command = sys.argv[6:]
    browser = open_browser()
    wait = waiting(browser, 15)
    try:
        log_in(browser, url, operator, "not the password")
        try:
            wait.until(lambda b: "Wrong name or password" in b.page_source)
        except Exception:
            fail("a wrong password was not refused: " + browser.page_source[:500])
        log_in(browser, url, operator, password)
        wait.until(lambda b: b.find_element(By.ID, "stream").text == "live")
        if "Dashboard" not in browser.title:
            fail("no dashboard after login: " + browser.title)

        # A denied attempt in `lockerctl run` shows up live: the password layer's deny rows.
        before = int(browser.find_element(By.TAG_NAME, "body").get_attribute("data-last-event") or 0)
        # The latency: from run logging the third denial (just before it writes the audit row) to
        # the row in the page.
        run = subprocess.Popen(run_command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        logged = {}
        log = []

        def read_log():
            for line in run.stderr:
                log.append(line)
                if "try 3 of 3" in line and "at" not in logged:
                    logged["at"] = time.monotonic()

        reader = threading.Thread(target=read_log)
        reader.start()
        waiting(browser, 60, 0.01).until(
            lambda b: "wrong password, try 3 of 3" in b.find_element(By.ID, "live").text)
        shown = time.monotonic()
        if run.wait(timeout=120) != 0:
            fail("run: " + "".join(log)[-2000:])
        reader.join()
        if "at" not in logged:
            fail("run did not log the third denial: " + "".join(log)[-2000:])
        latency = shown - logged["at"]
        if int(browser.find_element(By.TAG_NAME, "body").get_attribute("data-last-event")) <= before:
            fail("no new event id")
        step = browser.find_element(By.ID, "state-step").text
        if not step.startswith("A"):
            fail("the current attempt is not shown: " + step)
        browser.save_screenshot("dashboard.png")

        # The incident: why, and its photo, loaded by the browser.
        browser.get(url + "incidents")
        if "password deny: wrong password, try 3 of 3" not in browser.find_element(By.TAG_NAME, "main").text:
            fail("the incident page: " + browser.find_element(By.TAG_NAME, "main").text[:1000])
        image = browser.find_element(By.CSS_SELECTOR, "main img")
        wait.until(lambda b: b.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0", image))
        browser.save_screenshot("incident.png")

        # The audit log: the deny rows, the chain check, the CSV export.
        browser.get(url + "audit?layer=password")
        if browser.page_source.count("<td>deny</td>") != 3:
            fail("the audit page does not list the three denials")
        browser.save_screenshot("audit.png")
        browser.find_element(By.LINK_TEXT, "Verify the chain").click()
        if not shows(wait, "Intact:"):
            fail("the chain check: " + browser.find_element(By.TAG_NAME, "main").text)
        csv = browser.execute_async_script(FETCH, "/audit/export.csv?layer=password", {})
        if csv["status"] != 200 or not csv["text"].startswith("id,time,attempt,layer,decision"):
            fail("CSV export: %r" % csv)

        # A POST from the page without the CSRF token is refused; the session stays.
        forged = post(browser, "/logout", "csrf=forged")
        if forged["status"] != 403:
            fail("a forged logout got %d" % forged["status"])
        page = browser.execute_async_script(FETCH, "/", {})
        if page["status"] != 200 or "script-src 'self'" not in (page["csp"] or "") or page["frame"] != "DENY" \
                or page["referrer"] != "no-referrer" or page["cache"] != "no-store":
            fail("headers: %r" % {k: page[k] for k in ("status", "csp", "frame", "referrer", "cache")})

        # An admin changes an owner's phone on the owners page.
        browser.get(url + "owners")
        phone = browser.find_element(By.CSS_SELECTOR, "input[aria-label='phone of alice']")
        phone.clear()
        phone.send_keys("+15550009")
        phone.find_element(By.XPATH, "following-sibling::button").click()
        # The typed value is already in the page the form leaves: wait for that page to go first.
        wait.until(staleness_of(phone))
        wait.until(lambda b: b.find_element(By.CSS_SELECTOR, "input[aria-label='phone of alice']").get_attribute("value") == "+15550009")
        wait.until(lambda b: b.find_element(By.CSS_SELECTOR, "header form button")).click()

        # A viewer reads, has no button that changes anything, and each change it forges is refused.
        log_in(browser, url, viewer, viewer_password)
        wait.until(lambda b: b.find_element(By.ID, "stream").text == "live")
        token = browser.find_element(By.CSS_SELECTOR, "header input[name=csrf]").get_attribute("value")
        for page_path in ("owners", "outbox"):
            browser.get(url + page_path)
            buttons = [b.text for b in browser.find_elements(By.CSS_SELECTOR, "main button")]
            if buttons:
                fail("a viewer sees %r on /%s" % (buttons, page_path))
        for path, body in (("/owners/phone", "name=alice&phone=%2B15550666"), ("/owners/add", "name=eve&phone=%2B1"),
                           ("/lockers/add", "number=9&holders=alice"), ("/owners/clear-lockout", "name=alice"),
                           ("/outbox/retry", "id=1")):
            answer = post(browser, path, "csrf=" + token + "&" + body)
            if answer["status"] != 403:
                fail("a viewer's POST %s got %d" % (path, answer["status"]))
        browser.get(url + "owners")
        if "+15550009" not in browser.find_element(By.TAG_NAME, "main").text:
            fail("the phone changed under a viewer: " + browser.find_element(By.TAG_NAME, "main").text)
        print("live update latency (run logs the event -> row in the page): %.0f ms" % (latency * 1000))
        print("ok: console_browser")
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
