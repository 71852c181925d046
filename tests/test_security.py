"""Production headers and cookies, sign-in lockout, and the housekeeping of the daily run."""

from datetime import timedelta
from io import StringIO

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import ProblemReport
from shortlist.models import SharedShortlist
from shortlist.services import shared_shortlist_create

LOGIN = reverse("admin:login")


def test_the_home_page_headers(client, db):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    for directive in ["default-src 'self'", "script-src 'self'", "style-src 'self'",
                      "object-src 'none'", "frame-ancestors 'none'", "report-uri /csp-report/"]:  # fmt: skip
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "geolocation=(self)" in response["Permissions-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert len(response["X-Request-ID"]) == 32


def test_cookies_are_secure_host_only_and_hidden_from_scripts(client, db):
    assert settings.SESSION_COOKIE_NAME == "__Host-sessionid"
    assert settings.CSRF_COOKIE_NAME == "__Host-csrftoken"
    client.get(reverse("admin:login"))
    cookie = client.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["secure"] and cookie["httponly"] and cookie["path"] == "/"
    assert not cookie["domain"]


def test_https_and_hsts_are_on_by_default_in_production():
    assert settings.SECURE_HSTS_SECONDS >= 31536000
    assert settings.SECURE_HSTS_INCLUDE_SUBDOMAINS and not settings.DEBUG


def test_csp_reports_are_taken_and_size_limited(client, db):
    url = reverse("csp-report")
    body = '{"csp-report": {"blocked-uri": "inline", "document-uri": "https://x/search/?postcode=CM1"}}'
    assert client.post(url, body, content_type="application/csp-report").status_code == 204
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(url, "x" * 10000, content_type="application/json").status_code == 413
    # A form or multipart post is not a report (its body is read as a form first).
    assert client.post(url, {"a": "b"}).status_code == 400
    assert (
        client.post(url, "a=b", content_type="application/x-www-form-urlencoded").status_code == 400
    )


def test_five_wrong_passwords_lock_the_account_and_the_client(db, staff_user):
    client = Client()
    for _ in range(5):
        response = client.post(LOGIN, {"username": "officer", "password": "wrong"})
    assert response.status_code in (403, 429)
    assert "Too many attempts to sign in" in response.content.decode()
    # The right password does not get in while locked...
    response = client.post(LOGIN, {"username": "officer", "password": "officer-password"})
    assert "Too many attempts" in response.content.decode()
    # ...and nor does another account from the same client.
    response = client.post(LOGIN, {"username": "someone-else", "password": "x"})
    assert "Too many attempts" in response.content.decode()
    # Another client can still sign in to another account.
    other = Client(REMOTE_ADDR="198.51.100.20")
    assert other.post(LOGIN, {"username": "nobody", "password": "x"}).status_code == 200


def test_staff_cannot_delete_reports_and_close_them_with_a_reason(staff_client, provider):
    report = ProblemReport.objects.create(
        provider=provider, topic="safety", message="Worried", client_key="a" * 64
    )
    delete = reverse("admin:reports_problemreport_delete", args=[report.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    change = reverse("admin:reports_problemreport_change", args=[report.pk])
    response = staff_client.post(change, {"status": "closed", "staff_note": ""})
    assert response.status_code == 200
    assert "Say why you are closing this report" in response.content.decode()
    response = staff_client.post(change, {"status": "closed", "staff_note": "Spoke to them."})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "closed"
    assert ProblemReport.objects.filter(pk=report.pk).exists()


def test_the_daily_run_clears_old_sessions_and_long_gone_links(client, provider):
    session = client.session
    session["x"] = 1
    session.save()
    Session.objects.filter(pk=session.session_key).update(
        expire_date=timezone.now() - timedelta(days=1)
    )
    old = shared_shortlist_create(entries=[{"id": provider.pk, "note": ""}])
    SharedShortlist.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(days=40))
    recent = shared_shortlist_create(entries=[{"id": provider.pk, "note": ""}])
    SharedShortlist.objects.filter(pk=recent.pk).update(
        expires_at=timezone.now() - timedelta(days=3)
    )
    out = StringIO()
    call_command("daily", stdout=out)
    assert "Deleted 1 shared link" in out.getvalue()
    assert list(SharedShortlist.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not Session.objects.filter(pk=session.session_key).exists()


def test_browsing_makes_no_session_until_a_visitor_keeps_something(client, provider):
    for path in ["/", "/search/?postcode=CM1+1AE", provider.get_absolute_url(), "/guidance/"]:
        client.get(path)
    assert not Session.objects.exists()
    client.get(reverse("admin:login"))  # for the CSRF cookie, as a browser would have
    client.post(reverse("shortlist:add"), {"provider": provider.pk, "next": "/"})
    assert Session.objects.count() == 1


def test_a_bad_host_is_a_quiet_warning(client, db, caplog):
    response = client.get("/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    records = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert records and all(r.levelname == "WARNING" and not r.exc_info for r in records)
