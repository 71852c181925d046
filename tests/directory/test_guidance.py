"""The guidance pages and the five questions, through the Django test client (real sessions)."""

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse

from directory.guidance import QUESTIONS, SESSION_KEY

pytestmark = pytest.mark.django_db

GUIDE_PAGES = {
    "guidance:index": "Help to choose care",
    "guidance:right-for-me": "Is a micro-enterprise right for me?",
    "guidance:checklist": "Your checklist",
    "guidance:direct-payments": "Paying with a Direct Payment",
    "guidance:checks": "What the checks mean",
}
RESULT = reverse("guidance:right-for-me-result")
START_AGAIN = reverse("guidance:right-for-me-start-again")


def question_url(number):
    return reverse("guidance:right-for-me-question", args=[number])


class Outline(HTMLParser):
    """Collects the title, the headings in order and the links of a page."""

    def __init__(self):
        super().__init__()
        self.headings, self.links, self.title = [], [], ""
        self._heading = None
        self._in_title = False

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [int(tag[1]), ""]
        elif tag == "title":
            self._in_title = True
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag):
        if self._heading and tag == f"h{self._heading[0]}":
            self.headings.append((self._heading[0], " ".join(self._heading[1].split())))
            self._heading = None
        elif tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._heading:
            self._heading[1] += data
        if self._in_title:
            self.title += data


def outline(response):
    parser = Outline()
    parser.feed(response.content.decode())
    return parser


def answer(client, number, value):
    return client.post(question_url(number), {"answer": value})


def answer_all(client, values):
    response = None
    for number, value in enumerate(values, start=1):
        response = answer(client, number, value)
    return response


def stored(client):
    return client.session.get(SESSION_KEY, {})


# The guides -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "heading"), GUIDE_PAGES.items())
def test_guide_pages_load_with_one_h1_headings_in_order_and_a_title(client, name, heading):
    response = client.get(reverse(name))
    assert response.status_code == 200
    page = outline(response)
    assert [text for level, text in page.headings if level == 1] == [heading]
    levels = [level for level, _ in page.headings]
    assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), page.headings
    assert page.title.startswith(heading)
    assert "govuk-grid-column-two-thirds" in response.content.decode()


@pytest.mark.parametrize("name", [name for name in GUIDE_PAGES if name != "guidance:index"])
def test_each_guide_links_to_the_other_guides(client, name):
    page = outline(client.get(reverse(name)))
    assert (2, "Related guides") in page.headings
    others = [reverse(other) for other in GUIDE_PAGES if other not in (name, "guidance:index")]
    for href in others:
        assert href in page.links


def test_index_lists_every_guide(client):
    page = outline(client.get(reverse("guidance:index")))
    for name in GUIDE_PAGES:
        if name != "guidance:index":
            assert reverse(name) in page.links


def test_guides_say_what_the_seeds_say(client):
    checklist = client.get(reverse("guidance:checklist")).content.decode()
    for words in [
        "what support you need",
        "how you want it",
        "when you want it",
        "A DBS check",
        "Insurance",
        "Safeguarding training",
        "Business registration",
        "Policies and procedures",
        "Risk assessments",
        "Terms and conditions",
        "Invoicing information",
    ]:
        assert words in checklist
    payments = client.get(reverse("guidance:direct-payments")).content.decode()
    assert "personal budget" in payments
    assert "Accepts Direct Payments" in payments  # the name of the search filter
    assert "social worker" in payments
    checks = client.get(reverse("guidance:checks")).content.decode()
    for words in [
        "never keep a copy of the DBS certificate",
        "Do they need to be registered?",
        "checked by the council on",
    ]:
        assert words in checks
    registration = client.get(reverse("guidance:registration")).content.decode()
    for words in [
        "Care Quality Commission (CQC)",
        "Care Inspectorate Wales (CIW)",
        "individual exemption",
        "A partnership, a company, a community interest company or a charity that gives personal "
        "care must always be registered",
        "does not arrange, direct or watch over the care",
    ]:
        assert words in registration
    for tag in ["Current", "Expired", "Not checked yet", "Not provided"]:
        assert f">{tag}</strong>" in checks


# The five questions ---------------------------------------------------------------------------


def test_intro_starts_at_question_one(client):
    response = client.get(reverse("guidance:right-for-me"))
    assert f'href="{question_url(1)}"' in response.content.decode()
    assert "Start now" in response.content.decode()


@pytest.mark.parametrize("number", range(1, 6))
def test_each_question_is_a_radios_fieldset_whose_legend_is_the_h1(client, number):
    answer_all(client, ["yes"] * (number - 1))
    response = client.get(question_url(number))
    assert response.status_code == 200
    html = response.content.decode()
    question = QUESTIONS[number - 1]
    assert re.search(
        r'<legend class="govuk-fieldset__legend[^"]*">\s*<span class="govuk-caption-l">'
        rf"Question {number} of 5</span>\s*<h1 class=\"govuk-fieldset__heading\">"
        rf"{re.escape(question.text)}</h1>",
        html,
    )
    assert 'type="radio" value="yes"' in html and 'type="radio" value="no"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'method="post"' in html
    assert f'action="{question_url(number)}"' in html
    back = question_url(number - 1) if number > 1 else reverse("guidance:right-for-me")
    assert f'<a href="{back}" class="govuk-back-link">Back</a>' in html
    assert outline(response).title.startswith(question.text)


def test_all_yes_gives_the_positive_result(client):
    responses = [answer(client, n, "yes") for n in range(1, 6)]
    assert [r.url for r in responses] == [question_url(n) for n in range(2, 6)] + [RESULT]
    response = client.get(RESULT)
    assert response.status_code == 200
    html = response.content.decode()
    page = outline(response)
    assert page.headings[0] == (1, "A micro-enterprise could be a good choice for you")
    assert reverse("home") in page.links
    assert reverse("guidance:checklist") in page.links
    assert "Your checklist" in html
    assert "may not be right" not in html
    assert stored(client) == {str(n): "yes" for n in range(1, 6)}


def test_one_no_gives_the_other_result_naming_that_answer(client):
    response = answer_all(client, ["yes", "yes", "no", "yes", "yes"])
    assert response.url == RESULT
    response = client.get(RESULT)
    html = response.content.decode()
    page = outline(response)
    assert page.headings[0] == (1, "A micro-enterprise may not be right for you on your own")
    said_no = re.search(r'<ul [^>]*id="answers-no">(.*?)</ul>', html, re.S).group(1)
    assert QUESTIONS[2].said_no in said_no
    assert said_no.count("<li>") == 1
    for words in ["someone you trust", "adult social care team", "Care Quality Commission (CQC)"]:
        assert words in html
    assert "could be a good choice" not in html


def test_result_names_every_no(client):
    answer_all(client, ["no", "yes", "yes", "no", "no"])
    html = client.get(RESULT).content.decode()
    said_no = re.search(r'<ul [^>]*id="answers-no">(.*?)</ul>', html, re.S).group(1)
    assert said_no.count("<li>") == 3
    for number in (1, 4, 5):
        assert QUESTIONS[number - 1].said_no in said_no


def test_answers_are_remembered_and_shown_when_going_back(client):
    answer_all(client, ["yes", "no"])
    html = client.get(question_url(2)).content.decode()
    assert re.search(r'value="no" checked', html)
    assert not re.search(r'value="yes" checked', html)


def test_changing_an_answer_from_the_result_goes_back_to_the_result(client):
    answer_all(client, ["yes"] * 5)
    result = client.get(RESULT).content.decode()
    assert f'href="{question_url(2)}"' in result  # a Change link
    response = answer(client, 2, "no")
    assert response.status_code == 302 and response.url == RESULT
    assert QUESTIONS[1].said_no in client.get(RESULT).content.decode()


def test_start_again_clears_the_answers(client):
    answer_all(client, ["yes"] * 5)
    assert 'action="' + START_AGAIN + '"' in client.get(RESULT).content.decode()
    response = client.post(START_AGAIN)
    assert response.status_code == 302 and response.url == question_url(1)
    assert SESSION_KEY not in client.session
    assert client.get(RESULT).url == question_url(1)
    assert client.get(question_url(3)).url == question_url(1)


def test_start_again_needs_a_post(client):
    answer_all(client, ["yes"] * 2)
    assert client.get(START_AGAIN).status_code == 405
    assert stored(client) == {"1": "yes", "2": "yes"}


# Missing and bad answers ----------------------------------------------------------------------


def test_missing_answer_shows_the_error_summary_and_keeps_earlier_answers(client):
    answer_all(client, ["yes", "no"])
    response = client.post(question_url(3), {})
    assert response.status_code == 400
    html = response.content.decode()
    message = "Select yes if you know how to check if a provider is right for you"
    assert 'class="govuk-error-summary"' in html
    assert f'<li><a href="#answer">{message}</a></li>' in html
    assert re.search(r'id="answer" name="answer" type="radio" value="yes"', html)
    assert "govuk-form-group--error" in html
    assert (
        f'<p id="answer-error" class="govuk-error-message"><span class="govuk-visually-hidden">Error:</span> {message}</p>'
        in html
    )
    assert 'aria-describedby="answer-hint answer-error"' in html
    assert outline(response).title.startswith("Error: ")
    assert stored(client) == {"1": "yes", "2": "no"}
    # Answering now carries on from where the person was.
    assert answer(client, 3, "yes").url == question_url(4)
    assert stored(client) == {"1": "yes", "2": "no", "3": "yes"}


@pytest.mark.parametrize(
    "value",
    [
        "maybe",
        "",
        " ",
        "\x00",
        "yes\x00",
        "YES",
        " yes",
        "y" * 10_000,
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "'; DROP TABLE django_session; --",
        "\u202eon",
    ],
)
def test_bad_answers_get_a_clear_error_never_a_500(client, value):
    answer(client, 1, "yes")
    response = client.post(question_url(2), {"answer": value})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Select yes if you are happy to contact a provider" in html
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "y" * 100 not in html
    assert stored(client) == {"1": "yes"}


def test_extra_fields_are_ignored(client):
    response = client.post(
        question_url(1), {"answer": "yes", "number": "5", SESSION_KEY: "x", "is_staff": "1"}
    )
    assert response.status_code == 302 and response.url == question_url(2)
    assert stored(client) == {"1": "yes"}


def test_extra_fields_without_an_answer_still_ask_for_one(client):
    response = client.post(question_url(1), {"yes": "yes", "answer[]": "yes"})
    assert response.status_code == 400
    assert "Select yes if you know what support or care you want" in response.content.decode()


def test_a_repeated_answer_field_does_not_break_the_form(client):
    response = client.post(question_url(1), {"answer": ["yes", "no"]})
    assert response.status_code == 302
    assert stored(client)["1"] in ("yes", "no")


def test_odd_session_data_is_ignored(client):
    session = client.session
    session[SESSION_KEY] = {"1": "yes", "2": "<b>", "3": 7, "9": "yes"}
    session.save()
    assert client.get(question_url(3)).url == question_url(2)
    session = client.session
    session[SESSION_KEY] = ["not", "a", "dict"]
    session.save()
    assert client.get(RESULT).url == question_url(1)


def test_undecodable_and_oversized_bodies_are_a_400(client):
    raw = client.post(
        question_url(1), "answer=%ff%fe", content_type="application/x-www-form-urlencoded"
    )
    assert raw.status_code == 400
    many = client.post(question_url(1), {f"field{n}": "x" for n in range(2000)} | {"answer": "yes"})
    assert many.status_code == 400  # Django refuses more than DATA_UPLOAD_MAX_NUMBER_FIELDS
    assert stored(client) == {}


# Order and addresses --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "post"])
def test_skipping_ahead_goes_to_the_first_unanswered_question(client, method):
    response = getattr(client, method)(question_url(4), {"answer": "yes"})
    assert response.status_code == 302 and response.url == question_url(1)
    assert stored(client) == {}
    answer_all(client, ["yes", "no"])
    response = getattr(client, method)(question_url(5), {"answer": "yes"})
    assert response.url == question_url(3)
    assert stored(client) == {"1": "yes", "2": "no"}


def test_result_before_every_answer_goes_to_the_first_unanswered_question(client):
    assert client.get(RESULT).url == question_url(1)
    answer_all(client, ["yes"] * 4)
    assert client.get(RESULT).url == question_url(5)


@pytest.mark.parametrize(
    "path",
    [
        "/guidance/is-it-right-for-me/0/",
        "/guidance/is-it-right-for-me/6/",
        "/guidance/is-it-right-for-me/99999999999999999999/",
        "/guidance/is-it-right-for-me/-1/",
        "/guidance/is-it-right-for-me/abc/",
        "/guidance/is-it-right-for-me/1.5/",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_unknown_question_is_a_404(client, path, method):
    answer_all(client, ["yes"] * 5)
    response = getattr(client, method)(path, {"answer": "yes"})
    assert response.status_code == 404


def test_other_methods_are_refused(client):
    assert client.put(question_url(1), "answer=yes").status_code == 405
    assert client.delete(question_url(1)).status_code == 405


def test_question_pages_are_not_cached(client):
    response = client.get(question_url(1))
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


# CSRF -----------------------------------------------------------------------------------------


def test_csrf_is_enforced_on_answers_and_start_again(db):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(question_url(1), {"answer": "yes"}).status_code == 403
    assert strict.post(START_AGAIN).status_code == 403
    assert SESSION_KEY not in strict.session


def test_csrf_token_from_the_page_is_accepted(db):
    strict = Client(enforce_csrf_checks=True)
    html = strict.get(question_url(1)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = strict.post(question_url(1), {"answer": "yes", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response.url == question_url(2)
