"""The postcode search form and `/search/`: bad input is a 400 with a GOV.UK error summary, never 500."""

import re
from html import unescape

import pytest
from django.urls import reverse

from places.models import Location
from places.postcodes import FULL, OUTWARD, SECTOR
from search.forms import PostcodeSearchForm

ENTER = "Enter a postcode or the name of a town or village"
# The examples come from settings (SEARCH_EXAMPLE_POSTCODE and SEARCH_EXAMPLE_PLACE).
NOT_A_POSTCODE = "Enter a postcode, like CM1 1AE, or a town or village, like Chelmsford"
TOO_LONG = "Enter a postcode or a town name. That is too long to be either"
NUL_MESSAGES = {"Enter a postcode or a town name using letters only"}


def not_found(postcode):
    return (
        f"We could not find the postcode {postcode}. Check it, or enter your town or village, "
        "like Chelmsford"
    )


def no_such_place(name):
    return (
        f"We could not find a town or village called {name}. Check the spelling, or enter a "
        "postcode, like CM1 1AE"
    )


BAD_INPUT = [
    pytest.param("", {ENTER}, id="empty"),
    pytest.param("   ", {ENTER}, id="spaces"),
    pytest.param("\t \n", {ENTER}, id="whitespace"),
    pytest.param("\u00a0", {ENTER}, id="no-break-space"),
    pytest.param("CM1\x001AE", NUL_MESSAGES, id="nul-inside"),
    pytest.param("\x00", NUL_MESSAGES, id="nul-only"),
    pytest.param("x" * 10_000, {TOO_LONG}, id="10000-chars"),
    pytest.param("CM1 1AE" * 3, {NOT_A_POSTCODE}, id="21-chars"),
    pytest.param("郵便番号", {no_such_place("郵便番号")}, id="japanese"),
    pytest.param("СМ1 1АЕ", {NOT_A_POSTCODE}, id="cyrillic-look-alike"),
    pytest.param("ＣＭ１ １ＡＥ", {NOT_A_POSTCODE}, id="full-width"),
    pytest.param("🏠", {NOT_A_POSTCODE}, id="emoji"),
    pytest.param("<script>", {NOT_A_POSTCODE}, id="script-tag"),
    pytest.param("<script>alert(1)</script>", {NOT_A_POSTCODE}, id="script-element"),
    pytest.param('"><img src=x>', {NOT_A_POSTCODE}, id="attribute-break"),
    pytest.param("' OR 1=1 --", {NOT_A_POSTCODE}, id="sql-or"),
    pytest.param("'; DROP TABLE x;--", {NOT_A_POSTCODE}, id="sql-drop"),
    pytest.param("CM1' OR '1'='1", {NOT_A_POSTCODE}, id="sql-quote"),
    pytest.param("%", {NOT_A_POSTCODE}, id="like-wildcard"),
    pytest.param("12345", {NOT_A_POSTCODE}, id="zip-code"),
    pytest.param("ZZ99 9ZZ", {not_found("ZZ99 9ZZ")}, id="unknown"),
    pytest.param("zz999zz", {not_found("ZZ99 9ZZ")}, id="unknown-odd-case"),
    pytest.param("CM1 9", {not_found("CM1 9")}, id="no-sector"),
    pytest.param("CM11", {not_found("CM11")}, id="no-district"),
]


def search(client, query):
    response = client.get(reverse("search:results"), query)
    return response, response.content.decode()


def summary_errors(html):
    """The messages listed in the GOV.UK error summary, as text."""
    match = re.search(
        r'<div class="govuk-error-summary".*?<ul class="govuk-list govuk-error-summary__list">'
        r"(.*?)</ul>",
        html,
        re.S,
    )
    assert match, "no GOV.UK error summary on the page"
    return [unescape(item) for item in re.findall(r"<a href=\"#id_postcode\">(.*?)</a>", match[1])]


def assert_bad_request(response, html, messages):
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in html
    assert "There is a problem" in html
    errors = summary_errors(html)
    assert len(errors) == 1
    assert errors[0] in messages
    # Next to the field too, and the page title says there is an error.
    assert 'class="govuk-error-message"' in html
    assert "govuk-input--error" in html
    assert "<title>Error:" in html
    assert 'aria-describedby="id_postcode-hint id_postcode-error"' in html


# --- The form on its own -----------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "messages"), BAD_INPUT)
def test_form_refuses_bad_input(postcodes, typed, messages):
    form = PostcodeSearchForm(data={"postcode": typed})
    assert not form.is_valid()
    assert len(form.errors["postcode"]) >= 1
    assert set(form.errors["postcode"]) <= messages | {TOO_LONG}
    assert form.errors["postcode"][0] in messages


@pytest.mark.parametrize(
    ("typed", "label", "kind"),
    [
        ("cm11ae", "CM1 1AE", FULL),
        ("  CM1    1AE ", "CM1 1AE", FULL),
        ("c.m.1-1.a.e", "CM1 1AE", FULL),
        ("cm1 1", "CM1 1", SECTOR),
        ("Cm1", "CM1", OUTWARD),
    ],
)
def test_form_accepts_odd_spacing_and_locates(postcodes, typed, label, kind):
    form = PostcodeSearchForm(data={"postcode": typed})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["postcode"] == label
    assert isinstance(form.location, Location)
    assert (form.location.label, form.location.kind) == (label, kind)


# --- The /search/ view -----------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "messages"), BAD_INPUT)
def test_bad_input_is_a_400_with_an_error_summary(client, postcodes, typed, messages):
    response, html = search(client, {"postcode": typed})
    assert_bad_request(response, html, messages)


@pytest.mark.parametrize(
    "hostile",
    ["<script>", "<script>alert(1)</script>", '"><img src=x>', "<b>CM1</b>", "' OR 1=1 --"],
)
def test_hostile_input_is_escaped_when_shown_back(client, postcodes, hostile):
    _, plain = search(client, {})
    response, html = search(client, {"postcode": hostile})
    assert response.status_code == 400
    assert hostile not in html
    assert html.count("<script") == plain.count("<script")  # none added by the input
    assert "<img" not in html
    assert "&lt;" in html or "&#x27;" in html  # shown back, escaped, in the input's value


def test_unknown_postcode_message_is_shown_escaped(client, postcodes):
    response, html = search(client, {"postcode": "zz99 9zz"})
    assert response.status_code == 400
    assert summary_errors(html) == [not_found("ZZ99 9ZZ")]


@pytest.mark.parametrize(
    "query",
    [
        "postcode=%3Cscript%3E&postcode=%27+OR+1%3D1",
        "postcode=&postcode=",
        "postcode=ZZ99+9ZZ&postcode=ZZ99+9ZZ",
        "postcode=CM1+1AE&postcode=%3Cscript%3E",  # only the last value counts
        "postcode=CM1+1AE&postcode=",
        "postcode=CM1+1AE&postcode=" + "x" * 5000,
    ],
)
def test_repeated_postcode_params(client, postcodes, query):
    response = client.get(f"{reverse('search:results')}?{query}")
    html = response.content.decode()
    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in html
    assert len(summary_errors(html)) == 1


def test_repeated_postcode_params_use_the_last_value(client, postcodes):
    response = client.get(f"{reverse('search:results')}?postcode=12345&postcode=CM1+1AE")
    assert response.status_code == 200
    assert "Care and support near CM1 1AE" in response.content.decode()


def test_other_params_without_a_postcode_ask_for_one(client, postcodes):
    response, html = search(client, {"q": "CM1 1AE"})
    assert_bad_request(response, html, {ENTER})


def test_no_query_at_all_is_the_plain_search_page(client, postcodes):
    response, html = search(client, {})
    assert response.status_code == 200
    assert "govuk-error-summary" not in html
    assert 'name="postcode"' in html


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("cm11ae", "CM1 1AE"),
        ("  cm1   1ae  ", "CM1 1AE"),
        ("CM1-1AE", "CM1 1AE"),
        ("c.m.1 1.a.e", "CM1 1AE"),
        ("cm1 1", "CM1 1"),
        ("cm1", "CM1"),
    ],
)
def test_valid_postcode_in_odd_spacing_is_found(client, postcodes, typed, label):
    response, html = search(client, {"postcode": typed})
    assert response.status_code == 200
    assert "govuk-error-summary" not in html
    assert f"Care and support near {label}" in html
