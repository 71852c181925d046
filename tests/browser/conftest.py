"""Playwright driving Debian's Chromium (never a downloaded browser) against live_server.

The live server reads what a test commits, so these tests run in real transactions; each one
starts from the data the migrations seeded (the taxonomy, the roles), restored by
serialized_rollback after the previous test's flush."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make to set up
# data are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Chromium's new headless mode keeps the address bar's WebUI popups (chrome://omnibox-popup)
    # in a renderer of their own, which took a sixth of Chromium's CPU over the browser tests.
    # Only the last --disable-features counts, so it repeats the features Playwright 1.65
    # disables (its chromiumSwitches) before adding the two popups.
    "--disable-features="
    + ",".join(
        [
            "AvoidUnnecessaryBeforeUnloadCheckSync",
            "DestroyProfileOnBrowserClose",
            "HttpsUpgrades",
            "HttpsFirstBalancedModeAutoEnable",
            "LensOverlay",
            "MediaRouter",
            "PaintHolding",
            "ThirdPartyStoragePartitioning",
            "AvoidCorsURLLoaderRestartOnRedirect",
            "TcpPortRandomizationWin",
            "OptimizationHints",
            "NetworkTimeServiceQuerying",
            "AimEnabled",
            "PreconnectToSearch",
            "WebUIOmniboxPopup",
            "WebUIOmniboxAimPopup",
        ]
    ),
]


def chromium_path():
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if not Path(path).exists():
        message = f"Debian's chromium is not installed at {path} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django keeps a connection per thread, but per asyncio context once an event loop runs in the
    # thread, and Playwright's sync API runs its loop in this one: every test after the browser
    # started would get new connection objects. Those lack the test database's serialized
    # contents (an attribute of the connection that created the database), so serialized_rollback
    # silently did nothing, while a flush after a test that did restore them had left the tables
    # empty (content types too) and Django's content-type cache pointing at the old ids: the next
    # write to the audit log failed its foreign key on PostgreSQL. Keep this thread's connections.
    ours = {alias: connections[alias] for alias in connections}
    with sync_playwright() as playwright:
        for alias, connection in ours.items():
            connections[alias] = connection
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_FLAGS
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def tabs(browser):
    """One browser context a session for the tests' pages, one with JavaScript and one without:
    making a context costs Chromium a third of a second of CPU, and a hundred tests take a page."""
    contexts = {js: browser.new_context(java_script_enabled=js) for js in (True, False)}
    for context in contexts.values():
        context.set_default_timeout(10_000)
    yield contexts
    for context in contexts.values():
        context.close()


def fresh_page(context):
    """A new tab, with nothing left by the tests before: their cookies (a sign-in, a shortlist),
    permissions, tabs, and the HTTP cache (the map data's address carries the directory's
    version, which starts again after each test's flush)."""
    for tab in context.pages:
        tab.close()
    context.clear_cookies()
    context.clear_permissions()
    page = context.new_page()
    session = context.new_cdp_session(page)
    session.send("Network.clearBrowserCache")
    session.detach()
    return page


@pytest.fixture
def page(tabs):
    yield fresh_page(tabs[True])


@pytest.fixture
def page_without_js(tabs):
    yield fresh_page(tabs[False])


def axe_violations(page):
    """Run axe-core's WCAG 2.2 A/AA rules on the current page; return the violations.

    Only violations are gathered (axe lists every passing element too unless told not to, which
    took a third of its time here), and axe's 650 KB are sent once a document."""
    if page.evaluate("typeof axe === 'undefined'"):
        page.evaluate(AXE)  # evaluate, not a script tag, so a strict CSP would not block it
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_TAGS,
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in result["violations"]
    ]


def tab_to(page, predicate_js, limit=80):
    """Press Tab until `predicate_js` (about `el`, the focused element) holds."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {predicate_js})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached an element where {predicate_js}")
