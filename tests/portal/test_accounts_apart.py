"""A provider's account and a staff account are never the same account, and no staff page shows
a live link. The escalation a tester carried out, a staff user becoming an administrator through
an application, a sign-in link and the outbox, is tried here step by step and refused at each."""

import re
from urllib.parse import urlsplit

import pytest
from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.http import urlsafe_base64_encode

from core.models import OutboxEmail
from core.outbox import LINK_SHOWN, outbox_send
from portal.models import Application, Owner
from portal.services import owner_invite
from portal.tokens import GENERATORS, may_use_links
from shortlist.models import SharedShortlist

from .conftest import ANSWERS, link_path
from .test_apply import apply

SIGN_IN = reverse("portal:sign-in")
LINK = re.compile(r"/for-providers/(?:sign-in|invitation)/([^/\s]+)/([^/\s]+)/")


def sent_to(email):
    return [message for message in mail.outbox if message.to == [email]]


def tokens_sent():
    return [match[2] for message in mail.outbox for match in LINK.finditer(message.body)]


def staff_pages(client):
    """Every page of the admin a staff user can open about emails, the audit trail, owners and
    applications, as HTML."""
    pages = [
        reverse("admin:core_outboxemail_changelist"),
        reverse("admin:auditlog_logentry_changelist"),
        reverse("admin:portal_owner_changelist"),
        reverse("admin:portal_application_changelist"),
        reverse("admin:shortlist_sharedshortlist_changelist"),
    ]
    pages += [
        reverse("admin:core_outboxemail_change", args=[e.pk]) for e in OutboxEmail.objects.all()
    ]
    pages += [
        reverse("admin:auditlog_logentry_change", args=[e.pk]) for e in LogEntry.objects.all()
    ]
    html = ""
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html += response.content.decode()
    return html


def a_valid_link(user, kind="sign-in"):
    """A link with a correct token for `user`, made the way the site makes them (skipping the
    check that only providers get one), as an attacker who could read it would have it."""
    uid = urlsafe_base64_encode(str(user.pk).encode())
    return reverse(f"portal:{kind}-link", args=[uid, GENERATORS[kind].make_token(user)])


def test_the_staff_to_administrator_chain_is_refused_at_every_step(
    client, postcodes, staff_user, administrator
):
    officer = Client()
    officer.force_login(staff_user)

    # 1. Apply to be listed with the administrator's address: never attached to their account.
    apply(client, {**ANSWERS, "account": {"account_email": administrator.email.upper()}})
    application = Application.objects.get()
    assert application.email_in_use
    assert not Owner.objects.exists()
    told = OutboxEmail.objects.get(to=administrator.email).body
    assert "already used by another account" in told and "/sign-in/" not in told
    queue = officer.get(reverse("workbench:queue")).content.decode()
    assert "this email is already used by another account" in queue

    # 2. Ask for a sign-in link for that address: the same page, and no link is made or sent.
    mail.outbox.clear()
    response = Client().post(SIGN_IN, {"email": administrator.email})
    assert response.status_code == 200 and "Check your email" in response.content.decode()
    assert mail.outbox == [] and not OutboxEmail.objects.filter(link_kind="sign-in").exists()

    # Staff cannot make the administrator a listing's owner through the admin either.
    response = officer.post(
        reverse("admin:portal_owner_add"),
        {"user": administrator.pk, "provider": application.provider_id},
    )
    assert response.status_code == 200
    assert "This is a council staff account" in response.content.decode()
    assert not Owner.objects.exists()

    # 3 and 4. Even an Owner row for a staff account (from before this fix), asked for by anyone,
    # gives no link; a correct token for it signs nobody in.
    Owner.objects.create(user=administrator, provider=application.provider)
    Client().post(SIGN_IN, {"email": administrator.email})
    assert mail.outbox == []
    assert not may_use_links(administrator)
    link = a_valid_link(administrator)
    attacker = Client()
    assert attacker.get(link).status_code == 410
    assert attacker.post(link).status_code == 410
    assert "_auth_user_id" not in attacker.session
    with pytest.raises(ValueError, match="council staff account"):
        owner_invite(provider=application.provider, email=administrator.email, by=staff_user)

    # And staff still cannot reach the administrators' pages.
    for page in ["auth_user_changelist", "auth_group_changelist", "axes_accessattempt_changelist"]:
        assert officer.get(reverse(f"admin:{page}")).status_code == 403


def test_staff_cannot_read_a_providers_link_anywhere(client, owner_a, staff_user, committed):
    """5. The outbox, the audit trail and the admin hold no live sign-in or invitation link,
    before or after sending, so staff cannot sign in as a provider."""
    client.post(SIGN_IN, {"email": owner_a.email})
    with committed():
        owner_invite(
            provider=owner_a.listing_owner.provider, email="new@example.org", by=staff_user
        )
    tokens = tokens_sent()
    assert len(tokens) == 2  # what the mail server got: the providers' own inboxes
    stored = list(OutboxEmail.objects.filter(link_kind__in=["sign-in", "invitation", "invite"]))
    assert len(stored) == 2 and all(e.sent_at for e in stored)
    for email in stored:
        assert not LINK.search(email.body)
    officer = Client()
    officer.force_login(staff_user)
    html = staff_pages(officer)
    assert LINK_SHOWN in html
    for token in tokens:
        assert token not in html
    assert not any(LINK.search(str(entry.changes)) for entry in LogEntry.objects.all())


def test_a_retried_email_gets_a_fresh_link_and_keeps_none(client, owner_a, settings):
    settings.EMAIL_BACKEND = "tests.workbench.failing_backend.FailingBackend"
    client.post(SIGN_IN, {"email": owner_a.email})
    waiting = OutboxEmail.objects.get(link_kind="sign-in")
    assert waiting.sent_at is None and waiting.attempts == 1
    assert not LINK.search(waiting.body + waiting.last_error)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_send(now=waiting.next_attempt_at) == 1
    path = LINK.search(sent_to(owner_a.email)[-1].body)[0]
    assert client.post(path)["Location"] == reverse("portal:listing")


def test_an_account_made_staff_later_loses_its_links(client, owner_a):
    path = link_path(owner_a)
    owner_a.is_staff = True
    owner_a.save()
    assert client.post(path).status_code == 410
    assert "_auth_user_id" not in client.session
    # And a queued email for it is never sent.
    owner_a.is_staff = False
    owner_a.save()
    mail.outbox.clear()
    client.post(SIGN_IN, {"email": owner_a.email})  # queued and sent at once...
    assert len(mail.outbox) == 1


def test_a_queued_link_for_an_account_that_became_staff_is_not_sent(owner_a, settings):
    settings.EMAIL_BACKEND = "tests.workbench.failing_backend.FailingBackend"
    Client().post(SIGN_IN, {"email": owner_a.email})
    owner_a.is_staff = True
    owner_a.save()
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    waiting = OutboxEmail.objects.get(link_kind="sign-in")
    assert outbox_send(now=waiting.next_attempt_at) == 0
    waiting.refresh_from_db()
    assert waiting.sent_at is None and "Not sent" in waiting.last_error
    assert mail.outbox == []


def test_a_provider_signed_in_by_link_gets_nothing_of_the_staff_side(client, owner_a):
    client.post(link_path(owner_a))
    assert client.get(reverse("admin:index")).status_code == 302  # to the staff sign-in
    assert client.get(reverse("workbench:queue")).status_code in (302, 403)


def test_a_share_links_token_is_not_in_the_audit_trail(client, provider, staff_user):
    client.post(reverse("shortlist:add"), {"provider": provider.pk, "next": "/"})
    response = client.post(reverse("shortlist:share"), {})
    assert response.status_code in (200, 302)
    shared = SharedShortlist.objects.get()
    assert LogEntry.objects.filter(object_pk=str(shared.pk)).exists()
    for entry in LogEntry.objects.all():
        assert shared.token not in str(entry.changes) + entry.object_repr + str(entry.changes_text)
    officer = Client()
    officer.force_login(staff_user)
    assert shared.token not in staff_pages(officer)


def test_a_link_respects_the_lockout(client, owner_a):
    path = link_path(owner_a)
    for _ in range(5):  # five wrong passwords from this client, on the staff sign-in
        client.post(reverse("admin:login"), {"username": "someone", "password": "wrong"})
    response = client.post(path)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # From another client the same link still works: the account itself was not locked.
    assert Client(REMOTE_ADDR="198.51.100.9").post(path)["Location"] == reverse("portal:listing")


def test_bad_links_count_towards_the_clients_lockout_not_the_providers(client, owner_a):
    uid = link_path(owner_a).split("/")[3]
    statuses = [
        client.post(f"/for-providers/sign-in/{uid}/1-{n}abc/").status_code for n in range(6)
    ]
    assert statuses[0] == 410 and statuses[-1] == 429
    assert client.post(link_path(owner_a)).status_code == 429
    other = Client(REMOTE_ADDR="198.51.100.9")
    assert other.post(link_path(owner_a))["Location"] == reverse("portal:listing")


def statements_before_the_response(client, email):
    """The SQL a sign-in request runs before its response is sent, numbers and strings blanked.
    Our receiver is put just before the one that runs the after-response work."""
    from django.core.signals import request_finished
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core import after_response

    seen = []

    def before_tasks(**kwargs):
        seen.append([re.sub(r"'[^']*'|\d+", "?", q["sql"]) for q in capture.captured_queries])

    uid = "core.after_response.run"
    request_finished.disconnect(after_response.run_tasks, dispatch_uid=uid)
    request_finished.connect(before_tasks, weak=False)
    request_finished.connect(after_response.run_tasks, dispatch_uid=uid)
    try:
        with CaptureQueriesContext(connection) as capture:
            assert client.post(SIGN_IN, {"email": email}).status_code == 200
    finally:
        request_finished.disconnect(before_tasks)
    return seen[0]


def test_known_and_unknown_addresses_do_the_same_work_before_the_response(owner_a):
    """What runs before the response is identical, query for query; the lookup and the email
    come after it (core.after_response), so the two take the same time."""
    known = statements_before_the_response(Client(REMOTE_ADDR="198.51.100.30"), owner_a.email)
    assert len(mail.outbox) == 1
    unknown = statements_before_the_response(Client(REMOTE_ADDR="198.51.100.31"), "no@example.org")
    assert len(mail.outbox) == 1
    assert known == unknown
    assert not any("auth_user" in sql for sql in known)


@pytest.mark.parametrize("username_is_the_address", [True, False])
def test_an_address_a_staff_user_has_as_their_user_name_is_in_use(
    client, postcodes, username_is_the_address
):
    get_user_model().objects.create_user(
        "ruth@example.org" if username_is_the_address else "ruth",
        email="" if username_is_the_address else "ruth@example.org",
        is_staff=True,
    )
    response = apply(client)
    assert response.status_code == 302  # the applicant sees the same; the officer sees the flag
    assert Application.objects.get().email_in_use
    assert not Owner.objects.exists()


def test_the_link_never_leaves_a_token_in_our_logs_or_gunicorns(caplog):
    import logging

    from core.logging import RedactTokensFilter, redact

    path = "/for-providers/sign-in/MQ/ab1-0123456789abcdef0123/"
    assert redact(f"Gone: {path}") == "Gone: /for-providers/sign-in/…/…/"
    assert redact("/cy/shortlist/s/" + "A" * 43 + "/") == "/cy/shortlist/s/…/"
    record = logging.LogRecord("django.request", logging.WARNING, "", 0, "Gone: %s", (path,), None)
    RedactTokensFilter().filter(record)
    assert "ab1-0123" not in record.getMessage()
    assert urlsplit(path).path not in record.getMessage()
