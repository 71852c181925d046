import logging

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from reports.models import ProblemReport
from reports.services import RATE_LIMIT_MESSAGE

from ..factories import make_provider

VALID = {
    "topic": "out_of_date",
    "message": "They stopped doing gardening last year.",
    "name": "Pat",
    "contact": "pat@example.org",
}


def form_value(response, name):
    return response.context["form"][name].value()


# --- GET -----------------------------------------------------------------------------------


def test_form_page_shows_the_form_and_the_safeguarding_note(client, provider, report_url):
    response = client.get(report_url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Report a problem with this listing" in html
    for label in [
        "Information is out of date",
        "The provider has closed",
        "A concern about quality or safety",
        "Something else",
    ]:
        assert label in html
    assert "call 999" in html
    assert "contact Your council's adult social care team directly" in html
    assert 'data-module="govuk-character-count"' in html
    assert 'data-maxlength="2000"' in html
    assert "You can enter up to 2,000 characters" in html
    # The first radio carries the field id, so the error summary's link lands on it.
    assert 'id="id_topic" name="topic" type="radio"' in html
    # No safeguarding link unless the council sets one.
    assert "Raise a safeguarding concern with" not in html


def test_form_page_links_the_safeguarding_url_when_set(client, provider, report_url, settings):
    settings.SAFEGUARDING_URL = "https://council.example.org/safeguarding"
    settings.COUNCIL_NAME = "Chelmsford City Council"
    html = client.get(report_url).content.decode()
    assert 'href="https://council.example.org/safeguarding"' in html
    assert "contact Chelmsford City Council's adult social care team directly" in html


@pytest.mark.parametrize("status", ["draft", "pending", "suspended", "archived"])
def test_unpublished_provider_gives_404(client, postcodes, status):
    hidden = make_provider(name=f"Hidden {status}", status=status)
    assert client.get(reverse("reports:report", args=[hidden.slug])).status_code == 404
    assert client.post(reverse("reports:report", args=[hidden.slug]), VALID).status_code == 404
    assert client.get(reverse("reports:thanks", args=[hidden.slug])).status_code == 404
    assert not ProblemReport.objects.exists()


def test_unknown_slug_gives_404(client, db):
    assert client.get(reverse("reports:report", args=["no-such-provider"])).status_code == 404
    assert client.get(reverse("reports:thanks", args=["no-such-provider"])).status_code == 404


def test_other_methods_are_refused(client, report_url):
    assert client.put(report_url).status_code == 405
    assert client.delete(report_url).status_code == 405


# --- valid POST ----------------------------------------------------------------------------


def test_valid_report_is_saved_once_and_redirects_to_thanks(client, provider, report_url):
    response = client.post(report_url, VALID)
    assert response.status_code == 302
    assert response.url == reverse("reports:thanks", args=[provider.slug])
    report = ProblemReport.objects.get()
    assert report.provider == provider
    assert report.provider_name == provider.name
    assert report.topic == "out_of_date"
    assert report.message == VALID["message"]
    assert (report.name, report.contact) == ("Pat", "pat@example.org")
    assert report.urgent is False
    assert report.status == ProblemReport.Status.NEW
    assert report.staff_note == ""

    thanks = client.get(response.url)
    assert thanks.status_code == 200
    html = thanks.content.decode()
    assert "Report sent" in html
    assert "What happens next" in html
    assert 'id="safeguarding"' not in html


def test_optional_fields_may_be_left_empty(client, report_url):
    response = client.post(report_url, {"topic": "other", "message": "Hello"})
    assert response.status_code == 302
    report = ProblemReport.objects.get()
    assert (report.name, report.contact) == ("", "")


def test_safety_concern_is_urgent_and_thanks_repeats_safeguarding(client, provider, report_url):
    data = {**VALID, "topic": "safety", "message": "I saw a carer shout at my neighbour."}
    response = client.post(report_url, data, follow=True)
    report = ProblemReport.objects.get()
    assert report.urgent is True
    assert response.redirect_chain == [(reverse("reports:thanks", args=[provider.slug]), 302)]
    html = response.content.decode()
    assert 'id="safeguarding"' in html
    assert "This report is not a safeguarding referral" in html
    assert "adult social care team directly" in html
    assert "call 999" in html


def test_thanks_page_without_a_report_is_plain(client, provider):
    response = client.get(reverse("reports:thanks", args=[provider.slug]))
    assert response.status_code == 200
    assert 'id="safeguarding"' not in response.content.decode()


def test_line_breaks_count_as_one_character(client, report_url):
    # 20 lines of 99 letters and a line break: 2,000 characters as the character count shows
    # them, 2,020 as the browser sends them (CR LF).
    message = ("x" * 99 + "\r\n") * 20
    response = client.post(report_url, {"topic": "other", "message": message})
    assert response.status_code == 302
    saved = ProblemReport.objects.get().message
    assert "\r" not in saved
    assert len(saved) == 2000 - 1  # the final line break is stripped like other whitespace


def test_message_of_exactly_2000_characters_is_accepted(client, report_url):
    response = client.post(report_url, {"topic": "other", "message": "y" * 2000})
    assert response.status_code == 302
    assert len(ProblemReport.objects.get().message) == 2000


def test_report_is_saved_before_it_is_logged(client, report_url):
    seen = []

    class CountAtLogTime(logging.Handler):
        def emit(self, record):
            seen.append((record.getMessage(), ProblemReport.objects.count()))

    logger = logging.getLogger("reports.services")
    handler = CountAtLogTime()
    logger.addHandler(handler)
    try:
        client.post(report_url, {**VALID, "message": "PRIVATE-WORDS"})
    finally:
        logger.removeHandler(handler)
    assert len(seen) == 1
    text, count = seen[0]
    assert count == 1
    # The log line carries no personal data: not the message, name or contact.
    assert "PRIVATE-WORDS" not in text and "Pat" not in text and "pat@" not in text


def test_hostile_html_is_saved_as_text_and_never_rendered_as_markup(client, report_url):
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    assert (
        client.post(report_url, {**VALID, "message": hostile, "name": hostile}).status_code == 302
    )
    report = ProblemReport.objects.get()
    assert report.message == hostile
    assert report.name == hostile


def test_sql_like_text_is_saved_verbatim(client, report_url):
    sql = "'; DROP TABLE reports_problemreport; -- \" OR 1=1 --"
    assert client.post(report_url, {**VALID, "message": sql, "contact": sql}).status_code == 302
    assert client.post(report_url, {**VALID, "message": "second"}).status_code == 302
    assert ProblemReport.objects.count() == 2
    assert ProblemReport.objects.filter(message=sql, contact=sql).exists()


# --- invalid POST --------------------------------------------------------------------------

INVALID = [
    pytest.param({"message": "No topic chosen"}, "Select what the problem is", id="no-topic"),
    pytest.param({"topic": "other", "message": ""}, "Tell us what the problem is", id="no-message"),
    pytest.param(
        {"topic": "other", "message": "   \r\n  "}, "Tell us what the problem is", id="blank"
    ),
    pytest.param(
        {"topic": "urgent-please", "message": "Unknown topic"},
        "Select what the problem is from the list",
        id="unknown-topic",
    ),
    pytest.param(
        {"topic": "other", "message": "z" * 2001},
        "Your message must be 2,000 characters or fewer",
        id="2001-chars",
    ),
    pytest.param(
        {"topic": "other", "message": "long " * 2000},
        "Your message must be 2,000 characters or fewer",
        id="10000-chars",
    ),
    pytest.param(
        {"topic": "other", "message": "Hello\x00world"},
        "Your message contains a character we cannot accept",
        id="nul-in-message",
    ),
    pytest.param(
        {"topic": "other", "message": "A fine message", "name": "Pat\x00"},
        "Your name contains a character we cannot accept",
        id="nul-in-name",
    ),
    pytest.param(
        {"topic": "other", "message": "A fine message", "name": "n" * 121},
        "Your name must be 120 characters or fewer",
        id="long-name",
    ),
    pytest.param(
        {"topic": "other", "message": "A fine message", "contact": "c" * 201},
        "Your email address or phone number must be 200 characters or fewer",
        id="long-contact",
    ),
    pytest.param(
        {"message": '<script>alert("x")</script>'},
        "Select what the problem is",
        id="hostile-html",
    ),
    pytest.param(
        {"message": "'; DROP TABLE reports_problemreport; --"},
        "Select what the problem is",
        id="sql-ish",
    ),
]


@pytest.mark.parametrize("data, error", INVALID)
def test_invalid_report_is_refused_with_the_text_kept(client, report_url, data, error):
    response = client.post(report_url, data)
    assert response.status_code == 400
    assert not ProblemReport.objects.exists()
    html = response.content.decode()
    assert "There is a problem" in html
    assert "<title>Error: " in html
    if error:
        assert escape(error) in html
    # Never lose what they typed: the message comes back in the textarea, as text.
    typed = data["message"].replace("\r\n", "\n").strip()
    if typed:
        assert escape(typed.replace("\x00", "\ufffd")) in html
    assert "\x00" not in html
    assert "<script>alert" not in html
    assert form_value(response, "message") == data["message"]
    for field in ["name", "contact"]:
        if data.get(field):
            assert escape(data[field].replace("\x00", "\ufffd")) in html
    # An unknown choice is not echoed back.
    assert "urgent-please" not in html


def test_error_summary_links_to_each_field(client, report_url):
    response = client.post(report_url, {"name": "n" * 121})
    html = response.content.decode()
    assert 'href="#id_topic"' in html
    assert 'href="#id_message"' in html
    assert 'href="#id_name"' in html
    assert 'id="id_message-error"' in html


def test_chosen_topic_is_kept_after_an_error(client, report_url):
    response = client.post(report_url, {"topic": "closed", "message": ""})
    assert response.status_code == 400
    assert 'value="closed" checked' in response.content.decode()


# --- CSRF ----------------------------------------------------------------------------------


def test_csrf_is_enforced(provider, report_url):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(report_url, VALID).status_code == 403
    assert not ProblemReport.objects.exists()
    # With the token from the form, the same client gets through.
    strict.get(report_url)
    token = strict.cookies[settings.CSRF_COOKIE_NAME].value
    response = strict.post(report_url, {**VALID, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert ProblemReport.objects.count() == 1


# --- rate limit ----------------------------------------------------------------------------


def send(client, url, ip, **extra):
    return client.post(url, VALID, REMOTE_ADDR=ip, **extra)


@pytest.mark.shared_cache
def test_sixth_report_in_an_hour_is_refused(client, report_url):
    for _ in range(5):
        assert send(client, report_url, "203.0.113.5").status_code == 302
    data = {**VALID, "message": "The sixth one, kept in the form"}
    response = client.post(report_url, data, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429
    html = response.content.decode()
    assert "There is a problem" in html
    assert RATE_LIMIT_MESSAGE in html
    assert "The sixth one, kept in the form" in html
    assert "pat@example.org" in html
    assert 'value="out_of_date" checked' in html
    assert ProblemReport.objects.count() == 5
    assert not ProblemReport.objects.filter(message__startswith="The sixth").exists()


@pytest.mark.shared_cache
def test_limit_counts_reports_for_every_provider(client, postcodes):
    first = make_provider(name="First")
    second = make_provider(name="Second")
    for provider in [first, second, first, second, first]:
        assert (
            send(client, reverse("reports:report", args=[provider.slug]), "::1").status_code == 302
        )
    assert send(client, reverse("reports:report", args=[second.slug]), "::1").status_code == 429


@pytest.mark.shared_cache
def test_another_ip_is_not_limited(client, report_url):
    for _ in range(5):
        send(client, report_url, "203.0.113.5")
    assert send(client, report_url, "203.0.113.5").status_code == 429
    assert send(client, report_url, "198.51.100.9").status_code == 302
    assert ProblemReport.objects.count() == 6


@pytest.mark.shared_cache
def test_the_limit_starts_afresh_each_hour(client, report_url, monkeypatch):
    from core import ratelimit

    hour = 1_790_000_000 // 3600 * 3600
    monkeypatch.setattr(ratelimit, "clock", lambda: hour + 59 * 60)  # 59 minutes into an hour
    for _ in range(5):
        send(client, report_url, "203.0.113.5")
    assert send(client, report_url, "203.0.113.5").status_code == 429
    monkeypatch.setattr(ratelimit, "clock", lambda: hour + 3600)  # the next hour
    assert send(client, report_url, "203.0.113.5").status_code == 302


def test_x_forwarded_for_is_ignored_by_default(client, report_url):
    for number in range(5):
        send(client, report_url, "10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{number}")
    response = send(client, report_url, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert response.status_code == 429


@pytest.mark.shared_cache
def test_x_forwarded_for_is_used_when_trusted(client, report_url, settings):
    settings.TRUST_X_FORWARDED_FOR = True
    # Behind our proxy every request has the proxy's REMOTE_ADDR; the last X-Forwarded-For entry
    # is the client our proxy saw. Entries before it are the client's own claims.
    for _ in range(5):
        spoof = f"1.2.3.{_}, 198.51.100.7"
        assert send(client, report_url, "10.0.0.1", HTTP_X_FORWARDED_FOR=spoof).status_code == 302
    assert (
        send(
            client, report_url, "10.0.0.1", HTTP_X_FORWARDED_FOR="9.9.9.9, 198.51.100.7"
        ).status_code
        == 429
    )
    assert (
        send(client, report_url, "10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.8").status_code == 302
    )
    # Rubbish in the header falls back to REMOTE_ADDR rather than sharing one bucket.
    assert send(client, report_url, "10.0.0.2", HTTP_X_FORWARDED_FOR="not-an-ip").status_code == 302


def test_the_raw_ip_is_not_stored(client, report_url):
    ip = "203.0.113.77"
    send(client, report_url, ip)
    row = ProblemReport.objects.values().get()
    assert ip not in " ".join(str(value) for value in row.values())
    assert len(row["client_key"]) == 64
    int(row["client_key"], 16)  # hex
    send(client, report_url, ip)
    send(client, report_url, "203.0.113.78")
    keys = list(ProblemReport.objects.order_by("pk").values_list("client_key", flat=True))
    assert keys[0] == keys[1] != keys[2]


def test_client_key_depends_on_the_secret_key(client, report_url, settings):
    send(client, report_url, "203.0.113.77")
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    send(client, report_url, "203.0.113.77")
    first, second = ProblemReport.objects.order_by("pk").values_list("client_key", flat=True)
    assert first != second


# --- the profile snippet -------------------------------------------------------------------


def test_link_snippet_points_at_the_form(provider, rf):
    from django.template.loader import render_to_string

    html = render_to_string("reports/_link.html", {"provider": provider})
    assert "Report a problem with this listing" in html
    assert f'href="{reverse("reports:report", args=[provider.slug])}"' in html
