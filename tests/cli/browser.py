"""What the browser tests share: Debian's Chromium, headless, driven by Selenium through Debian's
chromedriver, and a fetch() run inside the page (status, text and the security headers)."""

import sys

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

FETCH = """const done = arguments[arguments.length - 1];
           fetch(arguments[0], arguments[1]).then(r => r.text().then(t => done({
             status: r.status, text: t, csp: r.headers.get('Content-Security-Policy'),
             frame: r.headers.get('X-Frame-Options'), referrer: r.headers.get('Referrer-Policy'),
             cache: r.headers.get('Cache-Control')})));"""


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def open_browser():
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(arg)
    options.accept_insecure_certs = True  # the self-signed certificate of `lockerctl web cert`
    return webdriver.Chrome(options=options, service=Service(executable_path="/usr/bin/chromedriver"))


class _Waiting(WebDriverWait):
    def until(self, method, message=""):
        def look(b):
            try:
                return method(b)
            except WebDriverException as e:
                # Chromium's word for a stale element while the page it was found in is being left
                # (after a click that sends a form): look again in the next page.
                if "does not belong to the document" in (e.msg or ""):
                    return False
                raise
        return super().until(look, message)


def waiting(browser, seconds, poll=0.5):
    """A WebDriverWait that looks again when an element it found was replaced in the meantime: pages
    that reload themselves or update live replace their elements, and a slow machine sees it."""
    return _Waiting(browser, seconds, poll_frequency=poll, ignored_exceptions=(StaleElementReferenceException,))


def shows(wait, text):
    """Whether the page comes to hold `text` within the wait's time: on a loaded machine a click that
    sends a form or follows a link returns before the next page is there."""
    try:
        wait.until(lambda b: text in b.page_source)
        return True
    except TimeoutException:
        return False


def post(browser, path, body):
    """A form POST from the page, as a forged request would come: the response as FETCH gives it."""
    return browser.execute_async_script(FETCH, path, {"method": "POST", "body": body,
                                                      "headers": {"Content-Type": "application/x-www-form-urlencoded"}})


def log_in(browser, url, name, password):
    """Fills in and sends the console's login form."""
    browser.get(url + "login")
    browser.find_element(By.NAME, "name").send_keys(name)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form.login button").click()
