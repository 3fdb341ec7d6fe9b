#!/usr/bin/python3
"""Layer 3 at the kiosk in a real browser (Debian's Chromium, headless): pairs the device with the
code of `lockerctl web pair-kiosk`, touches Start, types the password on the on-screen keypad,
then the code that arrived on the simulated phone, and waits for the lock to open. Checks that
the page shows only dots and forgets an entry once it is sent, and saves kiosk.png.

    kiosk_browser.py URL PAIRING-CODE PHONE-INBOX

Exits 1 with a FAIL line.
"""

import re
import sys
import time

from selenium.webdriver.common.by import By

from browser import fail, open_browser, post, shows, waiting


def main():
    url, code, inbox = sys.argv[1:4]
    browser = open_browser()
    wait = waiting(browser, 20, 0.05)
    try:
        def step(*texts):
            """Waits until the kiosk shows one of `texts` (a later one: a step seen only briefly may pass
            between two polls on a loaded machine); returns it."""
            try:
                return wait.until(lambda b: b.find_element(By.ID, "step").text in texts and b.find_element(By.ID, "step").text)
            except Exception:
                fail("the kiosk never showed %r; it shows %r" % (texts[0], browser.find_element(By.ID, "step").text))

        def keypad(digits):
            for d in digits:
                browser.find_element(By.CSS_SELECTOR, "#keypad button[data-key='%s']" % d).click()

        browser.get(url + "kiosk")
        if "Pair this kiosk" not in browser.page_source:
            fail("an unpaired device got past the pairing form")
        browser.find_element(By.NAME, "code").send_keys("1234567890")
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        if not shows(wait, "Wrong, spent or expired code"):
            fail("a wrong pairing code was not refused")
        browser.find_element(By.NAME, "code").send_keys(code)
        browser.find_element(By.CSS_SELECTOR, "form.login button").click()
        step("Touch Start, then look at the camera.")

        # A forged entry (no CSRF token) is refused; with the page's token, an entry that is not
        # digits is malformed, and a well-formed one is refused while no entry is asked for.
        if post(browser, "/kiosk/start", "csrf=forged")["status"] != 403:
            fail("a forged Start was not refused")
        token = browser.find_element(By.ID, "kiosk").get_attribute("data-csrf")
        for entry, status in (("12ab", 400), ("1" * 33, 400), ("2468", 409)):
            answer = post(browser, "/kiosk/enter", "csrf=" + token + "&entry=" + entry)["status"]
            if answer != status:
                fail("entry %r at the Start step got %d, not %d" % (entry, answer, status))

        browser.find_element(By.ID, "start").click()
        step("Enter your password.")
        keypad("2468")
        if browser.find_element(By.ID, "shown").text != "\u2022" * 4:
            fail("the entry shows as %r, not four dots" % browser.find_element(By.ID, "shown").text)
        browser.save_screenshot("kiosk.png")
        keypad(["ok"])
        if browser.find_element(By.ID, "shown").text != "":
            fail("the entry stayed on the page after it was sent")
        step("Enter the code sent to your phone.")

        sent = None
        for _ in range(300):  # the courier delivers within a second, or longer on a loaded machine
            with open(inbox) as f:
                codes = re.findall(r"code is (\d+)", f.read())
            if codes:
                sent = codes[-1]
                break
            time.sleep(0.1)
        if not sent:
            fail("no code arrived on the simulated phone")
        keypad(sent)
        browser.find_element(By.TAG_NAME, "body").send_keys("\n")  # Enter on a keyboard works as OK
        # The lock opens for 3 s, then the kiosk thanks for 5 s.
        step("Open the door now.", "Thank you. The locker is locked again.")
        print("ok: kiosk page")
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
