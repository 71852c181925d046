"""The guidance pages in Chromium: axe on every page, the questions by keyboard and without JS."""

import pytest
from django.urls import reverse

from directory.guidance import QUESTIONS

from .conftest import axe_violations, tab_to

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

GUIDES = [
    "guidance:index",
    "guidance:right-for-me",
    "guidance:checklist",
    "guidance:direct-payments",
    "guidance:checks",
]
POSITIVE = "A micro-enterprise could be a good choice for you"
NEGATIVE = "A micro-enterprise may not be right for you on your own"


def question_url(number):
    return reverse("guidance:right-for-me-question", args=[number])


def h1(page):
    return " ".join(page.get_by_role("heading", level=1).inner_text().split())


def answer_with_mouse(page, value):
    page.get_by_label(value, exact=True).check()
    page.get_by_role("button", name="Continue").click()


@pytest.mark.parametrize("name", GUIDES)
def test_guide_pages_have_no_wcag_violations(live_server, page, name):
    page.goto(live_server.url + reverse(name))
    assert page.get_by_role("heading", level=1).count() == 1
    assert axe_violations(page) == []


def test_every_question_its_error_and_both_results_have_no_wcag_violations(live_server, page):
    for number in range(1, 6):
        page.goto(live_server.url + question_url(number))
        assert h1(page) == QUESTIONS[number - 1].text
        assert axe_violations(page) == [], f"question {number}"
        # The same question with its error summary and inline error.
        page.get_by_role("button", name="Continue").click()
        page.locator(".govuk-error-summary").wait_for()
        assert axe_violations(page) == [], f"question {number} with an error"
        answer_with_mouse(page, "Yes")
    page.wait_for_url("**" + reverse("guidance:right-for-me-result"))
    assert h1(page) == POSITIVE
    assert axe_violations(page) == []

    page.goto(live_server.url + question_url(4))
    answer_with_mouse(page, "No")
    page.wait_for_url("**" + reverse("guidance:right-for-me-result"))
    assert h1(page) == NEGATIVE
    assert axe_violations(page) == []


def test_five_questions_by_keyboard_with_javascript(live_server, page):
    page.goto(live_server.url + reverse("guidance:right-for-me"))
    tab_to(page, "el.textContent.trim() === 'Start now'", limit=30)
    page.keyboard.press("Enter")
    for number in range(1, 6):
        page.wait_for_url("**" + question_url(number))
        assert h1(page) == QUESTIONS[number - 1].text
        # The first stop in the group is the first radio, "Yes"; Space picks it.
        tab_to(page, "el.name === 'answer'", limit=30)
        assert page.evaluate("document.activeElement.value") == "yes"
        page.keyboard.press("Space")
        assert page.locator("#answer").is_checked()
        tab_to(page, "el.textContent.trim() === 'Continue'", limit=3)
        page.keyboard.press("Enter")
    page.wait_for_url("**" + reverse("guidance:right-for-me-result"))
    assert h1(page) == POSITIVE


def test_error_summary_takes_focus_and_links_to_the_radios(live_server, page):
    page.goto(live_server.url + question_url(1))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_function("document.activeElement.classList.contains('govuk-error-summary')")
    page.get_by_role("link", name="Select yes if you know what support or care you want").click()
    page.wait_for_function("document.activeElement.id === 'answer'")


def test_whole_journey_without_javascript(live_server, page_without_js):
    page = page_without_js
    page.goto(live_server.url + reverse("guidance:index"))
    page.get_by_role("link", name="Is a micro-enterprise right for me?").click()
    page.get_by_role("button", name="Start now").click()

    # A missing answer: the error shows, and earlier answers are kept.
    answer_with_mouse(page, "Yes")
    page.get_by_role("button", name="Continue").click()
    assert "There is a problem" in page.locator(".govuk-error-summary").inner_text()
    assert h1(page) == QUESTIONS[1].text
    answer_with_mouse(page, "No")

    # The Back link returns to the last question with its answer still ticked.
    page.get_by_role("link", name="Back", exact=True).click()
    assert h1(page) == QUESTIONS[1].text
    assert page.get_by_label("No", exact=True).is_checked()
    page.get_by_role("button", name="Continue").click()

    for _ in range(3):
        answer_with_mouse(page, "Yes")
    assert h1(page) == NEGATIVE
    assert QUESTIONS[1].said_no in page.locator("#answers-no").inner_text()

    # Change the "no" from the result page, straight back to the result.
    page.get_by_role("link", name=f"Change your answer to question 2: {QUESTIONS[1].text}").click()
    answer_with_mouse(page, "Yes")
    assert h1(page) == POSITIVE
    page.get_by_role("link", name="Your checklist").first.click()
    assert h1(page) == "Your checklist"
    page.go_back()

    page.get_by_role("button", name="Start again").click()
    assert h1(page) == QUESTIONS[0].text
    assert not page.get_by_label("Yes", exact=True).is_checked()
    page.goto(live_server.url + reverse("guidance:right-for-me-result"))
    assert h1(page) == QUESTIONS[0].text  # nothing answered: sent to the first question
