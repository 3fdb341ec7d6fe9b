#!/usr/bin/python3
"""Face enrollment on the console's owners page in a real browser (Debian's Chromium, headless,
through chromedriver): an admin logs in, picks the owner, chooses the photos in the file input and
sends them. The page must say how many were enrolled, name each refused photo with its reason,
and show the new template count. Saves a screenshot in the work folder.

    enroll_browser.py URL ADMIN PASSWORD OWNER PHOTO...

The photos are five of the owner, one with two faces, one without a face and a truncated file.
Prints "enrollment page checked" on success; exits 1 with a FAIL line.
"""

import sys

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from browser import fail, log_in, open_browser, waiting


def main():
    url, operator, password, owner = sys.argv[1:5]
    photos = sys.argv[5:]
    browser = open_browser()
    wait = waiting(browser, 60)  # the face models load at the first enrollment
    try:
        log_in(browser, url, operator, password)
        wait.until(lambda b: "Dashboard" in b.title)
        browser.get(url + "owners")
        form = browser.find_element(By.CSS_SELECTOR, "form.enroll")
        Select(form.find_element(By.NAME, "name")).select_by_visible_text(owner)
        form.find_element(By.NAME, "photos").send_keys("\n".join(photos))
        form.find_element(By.TAG_NAME, "button").click()
        wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "main p.ok, main p.bad"))
        notice = browser.find_element(By.CSS_SELECTOR, "main p.ok, main p.bad")
        browser.save_screenshot("enrolled.png")
        text = notice.text
        if notice.get_attribute("class") != "ok" or not text.startswith("'%s' enrolled from 5 photo(s); refused: " % owner):
            fail("the enrollment said: " + text)
        for why in ("two-faces.jpg: 2 faces", "laptop.jpg: no face found", "cut.jpg: "):
            if why not in text:
                fail("%r is not named in: %s" % (why, text))
        row = browser.find_element(By.XPATH, "//tr[td[1][text()='%s']]" % owner).text
        if "5 templates" not in row:
            fail("the owner's row says: " + row)
        print("enrollment page checked")
    finally:
        browser.quit()


if __name__ == "__main__":
    main()
