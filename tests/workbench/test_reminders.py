"""Email that is never lost and never sent twice: the outbox, provider reminders, the staff
digest and an urgent report, with a backend that fails and then recovers."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from core.models import OutboxEmail
from core.outbox import outbox_queue, outbox_send
from providers.services import provider_new_clients_set

from ..factories import add_check, make_provider

FAILING = "tests.workbench.failing_backend.FailingBackend"
CHECKS = "runs out on"  # in a reminder's subject (not the monthly question about new clients)


@pytest.fixture(autouse=True)
def emails(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STAFF_DIGEST_EMAIL = "team@council.example.org"
    settings.SAFEGUARDING_EMAIL = "safeguarding@council.example.org"


def daily():
    out = StringIO()
    call_command("daily", stdout=out)
    return out.getvalue()


def test_providers_hear_30_and_7_days_before_a_check_runs_out(postcodes, today, monkeypatch):
    provider = make_provider(name="Reminded", email="ruth@example.org")
    add_check(provider, "insurance", expires_on=today + timedelta(days=30))
    make_provider(name="No email", email="")  # nothing to send to: nothing queued
    daily()
    daily()  # the same day again: nothing new
    to_provider = [m for m in mail.outbox if m.to == ["ruth@example.org"] and CHECKS in m.subject]
    assert len(to_provider) == 1
    assert "public liability insurance runs out on" in to_provider[0].subject
    assert "will be taken down on" in to_provider[0].body
    later = today + timedelta(days=23)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: later)
    daily()
    daily()
    to_provider = [m for m in mail.outbox if m.to == ["ruth@example.org"] and CHECKS in m.subject]
    assert len(to_provider) == 2  # the 7-day reminder, once


def test_providers_in_wales_hear_in_welsh_then_english(postcodes, today):
    provider = make_provider(name="Gofal Mold", base_postcode="CH7 1DA", email="mair@example.org")
    add_check(provider, "dbs", expires_on=today + timedelta(days=7))
    daily()
    (email,) = [m for m in mail.outbox if m.to == ["mair@example.org"] and CHECKS in m.subject]
    welsh, english = email.body.split("----------")
    assert "Annwyl" in welsh and "Dear" in english
    assert email.subject.index("yn dod i ben") < email.subject.index("runs out on")
    months = ["Ionawr", "Chwefror", "Mawrth", "Ebrill", "Mai", "Mehefin", "Gorffennaf", "Awst",
              "Medi", "Hydref", "Tachwedd", "Rhagfyr"]  # fmt: skip
    assert any(month in welsh for month in months)
    assert "/cy/" not in english


def test_staff_get_one_digest_a_day(postcodes, today):
    make_provider(name="Waiting", status="pending")
    daily()
    daily()
    digests = [m for m in mail.outbox if m.to == ["team@council.example.org"]]
    assert len(digests) == 1
    assert "Waiting for review: 1" in digests[0].body
    assert "/staff/" in digests[0].body


def test_an_urgent_report_emails_safeguarding_at_once(
    client, postcodes, provider, django_capture_on_commit_callbacks
):
    data = {"topic": "safety", "message": "The carer shouted at my mother."}
    with django_capture_on_commit_callbacks(execute=True):  # as the request's commit would
        response = client.post(reverse("reports:report", args=[provider.slug]), data)
    assert response.status_code == 302
    urgent = [m for m in mail.outbox if m.to == ["safeguarding@council.example.org"]]
    assert len(urgent) == 1
    assert "shouted at my mother" in urgent[0].body
    assert "/admin/reports/problemreport/" in urgent[0].body


def test_a_failing_backend_loses_nothing_and_sends_nothing_twice(db, settings, monkeypatch):
    from django.utils import timezone

    settings.EMAIL_BACKEND = FAILING
    for number in range(3):
        outbox_queue(key=f"test:{number}", to="a@example.org", subject=f"S{number}", body="b")
    assert outbox_queue(key="test:0", to="a@example.org", subject="again", body="b") is None
    assert outbox_send() == 0
    assert OutboxEmail.objects.filter(sent_at__isnull=True, attempts=1).count() == 3
    assert "SMTPServerDisconnected" in OutboxEmail.objects.first().last_error
    # Straight after, nothing is due: it waits before trying again.
    assert outbox_send() == 0
    assert OutboxEmail.objects.filter(attempts=1).count() == 3
    # The server comes back; an hour later everything goes, once.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + timedelta(hours=1)
    assert outbox_send(now=later) == 3
    assert outbox_send(now=later) == 0
    assert sorted(m.subject for m in mail.outbox) == ["S0", "S1", "S2"]
    assert not OutboxEmail.objects.filter(sent_at__isnull=True).exists()


def test_the_daily_command_says_what_it_sent_and_what_waits(postcodes, settings, today):
    settings.EMAIL_BACKEND = FAILING
    provider = make_provider(name="Reminded", email="ruth@example.org")
    add_check(provider, "dbs", expires_on=today + timedelta(days=5))
    # Confirmed just now, so not asked about new clients this month.
    provider_new_clients_set(provider=provider, new_clients="taking", via="account")
    out = daily()
    assert "queued 2 emails, sent 0, 2 waiting to be tried again" in out
