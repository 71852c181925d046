import pytest
from django.urls import reverse

from reports.models import ProblemReport

from ..factories import make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    # serialized_rollback, as in the other browser modules: the flush after a live-server test
    # would otherwise leave the migration-seeded data missing for the tests that run after it.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def listing(postcodes):
    return make_provider(name="Ruth's Helping Hands")


@pytest.fixture
def form_url(live_server, listing):
    return live_server.url + reverse("reports:report", args=[listing.slug])


def test_form_page_has_no_wcag_violations(page, form_url, settings):
    settings.SAFEGUARDING_URL = "https://council.example.org/safeguarding"
    page.goto(form_url)
    assert page.get_by_role("heading", level=1).inner_text() == "Report a problem with this listing"
    # GOV.UK Frontend's character count has started.
    page.locator(".govuk-character-count__status").wait_for()
    assert axe_violations(page) == []


def test_error_state_has_no_wcag_violations_and_keeps_the_text(page, form_url):
    page.goto(form_url)
    page.get_by_label("Tell us about the problem").fill("The phone number is wrong")
    page.get_by_role("button", name="Send report").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "Select what the problem is" in summary.inner_text()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    assert page.get_by_label("Tell us about the problem").input_value() == (
        "The phone number is wrong"
    )
    assert page.title().startswith("Error: ")
    assert axe_violations(page) == []
    # The summary's link takes them to the first radio.
    summary.get_by_role("link", name="Select what the problem is").click()
    assert page.evaluate("document.activeElement.id") == "id_topic"
    assert not ProblemReport.objects.exists()


def test_over_long_message_error_has_no_wcag_violations(page, form_url):
    page.goto(form_url)
    page.get_by_label("Information is out of date").check()
    page.get_by_label("Tell us about the problem").fill("x" * 2001)
    assert (
        "You have 1 character too many"
        in page.locator(".govuk-character-count__status").inner_text()
    )
    page.get_by_role("button", name="Send report").click()
    page.locator(".govuk-error-summary").wait_for()
    assert len(page.get_by_label("Tell us about the problem").input_value()) == 2001
    assert axe_violations(page) == []


def test_keyboard_only_report_and_thanks_page(page, form_url, listing):
    page.goto(form_url)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "topic":
            break
    assert page.evaluate("document.activeElement.name") == "topic"
    # Arrow keys move through a radio group and choose as they go.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "safety"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.name") == "message"
    page.keyboard.type("A carer left my neighbour alone all day.")
    page.keyboard.press("Tab")
    page.keyboard.type("Jo")
    page.keyboard.press("Tab")
    page.keyboard.type("jo@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Send report"
    page.keyboard.press("Enter")
    page.wait_for_url("**/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Report sent"
    assert "This report is not a safeguarding referral" in page.content()
    report = ProblemReport.objects.get()
    assert (report.topic, report.urgent, report.name) == ("safety", True, "Jo")
    assert axe_violations(page) == []


def test_report_without_javascript(page_without_js, form_url, listing):
    page = page_without_js
    page.goto(form_url)
    # Without JavaScript the character count is a plain hint.
    assert "You can enter up to 2,000 characters" in page.content()
    page.get_by_label("The provider has closed").check()
    page.get_by_label("Tell us about the problem").fill("They retired in March.")
    page.get_by_role("button", name="Send report").click()
    page.wait_for_url("**/thanks/")
    assert page.get_by_role("heading", level=1).inner_text() == "Report sent"
    # (No axe here: axe.run waits on timers, which never fire with JavaScript off.)
    report = ProblemReport.objects.get()
    assert (report.topic, report.urgent, report.message) == (
        "closed",
        False,
        "They retired in March.",
    )


def test_error_without_javascript_keeps_the_text(page_without_js, form_url):
    page = page_without_js
    page.goto(form_url)
    page.get_by_label("Tell us about the problem").fill("Kept without JavaScript")
    page.get_by_label("Your name (optional)").fill("Jo")
    page.get_by_role("button", name="Send report").click()
    assert "Select what the problem is" in page.locator(".govuk-error-summary").inner_text()
    assert page.get_by_label("Tell us about the problem").input_value() == "Kept without JavaScript"
    assert page.get_by_label("Your name (optional)").input_value() == "Jo"
    assert not ProblemReport.objects.exists()
