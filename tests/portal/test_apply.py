"""Applying to be listed: one question a page, answers kept between pages, check your answers,
a pending listing and an account, and an email saying what happens next."""

import pytest
from django.urls import reverse

from core.models import OutboxEmail
from portal.forms import STEPS
from portal.models import Application, Owner
from providers.models import Provider

from .conftest import ANSWERS


def apply(client, answers=ANSWERS):
    for step in STEPS:
        response = client.post(reverse("portal:apply", args=[step]), answers[step])
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    return client.post(reverse("portal:check-answers"))


def test_start_page_and_first_question(client, postcodes):
    html = client.get(reverse("portal:start")).content.decode()
    assert "List your care business" in html
    assert reverse("portal:apply", args=["business"]) in html
    page = client.get(reverse("portal:apply", args=["business"]))
    assert page.status_code == 200
    assert "Question 1 of 8" in page.content.decode()


def test_a_whole_application_makes_a_pending_listing_and_an_account(client, postcodes):
    response = apply(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:applied")
    provider = Provider.objects.get(name="Ruth's Helping Hands")
    assert provider.status == Provider.Status.PENDING
    assert provider.hourly_rate_min == provider.hourly_rate_min.__class__("18.50")
    assert provider.available_evenings and not provider.available_weekends
    assert [s.slug for s in provider.services.all()] == ["cleaning"]
    assert Owner.objects.get(provider=provider).user.email == "ruth@example.org"
    application = Application.objects.get(provider=provider)
    assert "do not need to register" in application.regulation_advice
    email = OutboxEmail.objects.get(to="ruth@example.org")
    assert "What happens next" in email.body
    done = client.get(reverse("portal:applied")).content.decode()
    assert f"A{provider.pk:06d}" in done
    assert "usually within 10 working days" in done
    assert not Provider.public_objects.filter(pk=provider.pk).exists()


def test_answers_survive_going_back(client, postcodes):
    client.post(reverse("portal:apply", args=["business"]), ANSWERS["business"])
    html = client.get(reverse("portal:apply", args=["business"])).content.decode()
    assert 'value="Ruth&#x27;s Helping Hands"' in html


def test_answers_are_kept_for_two_weeks_and_a_lost_session_is_explained(client, postcodes):
    client.post(reverse("portal:apply", args=["business"]), ANSWERS["business"])
    assert client.session.get_expiry_age() == 14 * 24 * 3600
    client.session.flush()
    client.cookies.clear()
    for response in (
        client.get(reverse("portal:check-answers")),
        client.post(reverse("portal:check-answers")),
    ):
        html = response.content.decode()
        assert "We no longer have your answers" in html
        assert "Nothing has been sent to the council" in html
    assert response.status_code == 400
    assert not Provider.objects.exists()


def test_check_answers_needs_every_page(client, postcodes):
    client.post(reverse("portal:apply", args=["business"]), ANSWERS["business"])
    response = client.get(reverse("portal:check-answers"))
    assert response["Location"] == reverse("portal:apply", args=["offer"])


def test_check_answers_shows_each_answer_with_a_change_link(client, postcodes):
    for step in STEPS:
        client.post(reverse("portal:apply", args=[step]), ANSWERS[step])
    html = client.get(reverse("portal:check-answers")).content.decode()
    assert "Ruth&#x27;s Helping Hands" in html
    assert "£18.50" in html
    assert "Help at home: Cleaning" in html
    assert f"{reverse('portal:apply', args=['cost'])}?change=1" in html
    changed = client.post(
        reverse("portal:apply", args=["cost"]) + "?change=1",
        {**ANSWERS["cost"], "hourly_rate_min": "19"},
    )
    assert changed["Location"] == reverse("portal:check-answers")


@pytest.mark.parametrize(
    ("answers", "advice"),
    [
        ({"personal_care": "yes"}, "may not need to register with the Care Quality Commission"),
        ({"personal_care": "yes", "alone": "no"}, "You need to register with the Care Quality"),
        ({"personal_care": "yes", "introduce_others": "yes"}, "You need to register"),
    ],
)
def test_registration_advice(client, postcodes, answers, advice):
    data = {**ANSWERS, "registration": {**ANSWERS["registration"], **answers}}
    for step in STEPS:
        client.post(reverse("portal:apply", args=[step]), data[step])
    assert advice in client.get(reverse("portal:check-answers")).content.decode()


def test_personal_care_in_wales_needs_ciw(client, postcodes):
    data = {
        **ANSWERS,
        "where": {"base_postcode": "CH7 1DA", "town": "Mold", "coverage_radius_miles": "5"},
        "registration": {**ANSWERS["registration"], "personal_care": "yes"},
    }
    for step in STEPS:
        assert client.post(reverse("portal:apply", args=[step]), data[step]).status_code == 302
    assert (
        "Care Inspectorate Wales (CIW)"
        in client.get(reverse("portal:check-answers")).content.decode()
    )


BAD = [
    ("business", {"name": ""}, "Enter business name"),
    ("business", {"name": "x" * 121}, "Business name must be 120 characters or fewer"),
    ("business", {"name": "Ruth\x00"}, "contains a character we cannot save"),
    ("business", {"workers": "9"}, "8 people or fewer"),
    ("business", {"workers": "two"}, "as a number"),
    ("business", {"legal_form": "empire"}, "Select a valid choice"),
    ("offer", {"services": ["not-a-service"]}, "Select the help you give from the list"),
    ("offer", {"services": []}, "Select at least one kind of help"),
    ("where", {"base_postcode": "ZZ99 9ZZ"}, "We could not find ZZ99 9ZZ"),
    ("where", {"base_postcode": "<script>"}, "Enter a full postcode"),
    ("where", {"coverage_radius_miles": "-1"}, "Enter 0 or more miles"),
    ("where", {"coverage_radius_miles": "1" * 400}, "Enter 50 miles or fewer"),
    ("cost", {"hourly_rate_min": "abc"}, "must be an amount in pounds"),
    ("cost", {"hourly_rate_min": "30", "hourly_rate_max": "20"}, "The highest rate must be"),
    ("cost", {"is_free": "yes"}, "Leave the rates empty if your help is free"),
    ("cost", {"hourly_rate_min": "1e309"}, "must be"),
    ("when", {"availability": ["sometimes"]}, "Select when you can help from the list"),
    ("contact", {"phone": "call me", "email": "", "website": ""}, "Enter a phone number"),
    ("contact", {"phone": "", "email": "", "website": ""}, "Give at least one way to contact you"),
    ("contact", {"website": "javascript:alert(1)"}, "Enter a website address"),
    ("registration", {"personal_care": "maybe"}, "Select yes or no"),
    ("account", {"account_email": "not-an-email"}, "Enter an email address in the right format"),
    ("account", {"account_email": "a@" + "b" * 300 + ".org"}, "Enter an email address"),
]


@pytest.mark.parametrize(("step", "change", "message"), BAD)
def test_bad_answers_get_a_plain_message_and_keep_the_text(
    client, postcodes, step, change, message
):
    response = client.post(reverse("portal:apply", args=[step]), {**ANSWERS[step], **change})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.replace("&#x27;", "'")
    assert 'class="govuk-error-summary"' in html
    assert "<script>" not in html.split("<main")[1]


def test_unknown_step_is_a_404(client, db):
    assert client.get(reverse("portal:apply", args=["nope"])).status_code == 404


@pytest.mark.shared_cache
def test_applications_are_rate_limited(client, postcodes):
    for step in STEPS:
        client.post(reverse("portal:apply", args=[step]), ANSWERS[step])
    statuses = []
    for _ in range(7):
        for step in STEPS:
            client.post(reverse("portal:apply", args=[step]), ANSWERS[step])
        statuses.append(client.post(reverse("portal:check-answers")).status_code)
    assert statuses.count(302) == 5
    assert statuses[-1] == 429
