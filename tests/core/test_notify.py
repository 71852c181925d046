"""GOV.UK Notify through the outbox: the real notifications-python-client talks to a local HTTP
server that answers as Notify's API documents. What Notify received is checked (template,
address, personalisation, a signed token); a refusal or no answer leaves the message in the
outbox to try again; without keys nothing goes to Notify."""

import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta

import jwt
import pytest
from django.conf import settings as django_settings
from werkzeug import Response

from core.notify import uk_mobile_number
from core.outbox import outbox_queue, outbox_send

from ..notify import (
    API_KEY,
    EMAIL_TEMPLATE,
    SECRET,
    SERVICE_ID,
    TEXT_TEMPLATE,
    council_uses_notify,
    created,
)

BODY = "Dear Alpha,\n\nYour link: https://care.example/for-providers/new-clients/SECRET-TOKEN/\n"

pytestmark = pytest.mark.django_db


@pytest.fixture
def notify(httpserver, settings):
    """The site set up for a council's Notify account, pointed at the local server."""
    settings.NOTIFY_TIMEOUT = 5
    return council_uses_notify(settings, httpserver)


def refused(status, error, message):
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


def queued_email(key="notify-test"):
    return outbox_queue(key=key, to="alpha@example.org", subject="Your links", body=BODY)


def signed_by_our_key(request):
    """The request's Authorization header is a JWT signed with the key's secret, issued by the
    service: what Notify checks."""
    scheme, token = request.headers["Authorization"].split(" ", 1)
    assert scheme == "Bearer"
    claims = jwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["iss"] == SERVICE_ID
    assert abs(claims["iat"] - time.time()) < 60
    return True


def test_an_email_goes_through_the_councils_template(notify):
    notify.expect_oneshot_request("/v2/notifications/email", method="POST").respond_with_json(
        created(notify, "email", subject="Your links", body=BODY, from_email="care@council.test"),
        status=201,
    )
    email = queued_email()
    assert outbox_send() == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 1 and email.last_error == ""

    [(request, _response)] = notify.log
    assert request.path == "/v2/notifications/email"
    assert json.loads(request.get_data()) == {
        "email_address": "alpha@example.org",
        "template_id": EMAIL_TEMPLATE,
        "personalisation": {"subject": "Your links", "body": BODY},
    }
    assert request.headers["Content-Type"] == "application/json"
    assert signed_by_our_key(request)
    assert outbox_send() == 0  # sent once, never again


@pytest.mark.parametrize(
    ("status", "answer"),
    [
        (500, refused(500, "Exception", "Internal server error")),
        (503, "<html>Service unavailable</html>"),
        (429, refused(429, "RateLimitError", "Exceeded rate limit for key type LIVE")),
        (400, refused(400, "BadRequestError", "Can't send to this recipient using a team key")),
        (403, refused(403, "AuthError", "Invalid token: API key not found")),
    ],
)
def test_a_refusal_leaves_the_email_in_the_outbox_to_try_again(notify, caplog, status, answer):
    handler = notify.expect_oneshot_request("/v2/notifications/email", method="POST")
    if isinstance(answer, dict):
        handler.respond_with_json(answer, status=status)
    else:
        handler.respond_with_data(answer, status=status, content_type="text/html")
    email = queued_email()
    with caplog.at_level(logging.DEBUG):
        assert outbox_send() == 0
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1
    assert email.next_attempt_at > email.created_at
    assert f"GOV.UK Notify answered {status}" in email.last_error
    if isinstance(answer, dict):
        assert answer["errors"][0]["message"] in email.last_error
    # Nothing we sent is kept with the error or logged: not the body, its link, nor the address.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Could not send email" in logged
    for secret in ("SECRET-TOKEN", "Dear Alpha", "alpha@example.org", SECRET):
        assert secret not in email.last_error and secret not in logged

    # Later, Notify is back: the same email goes, once.
    notify.expect_oneshot_request("/v2/notifications/email", method="POST").respond_with_json(
        created(notify, "email", subject="Your links", body=BODY, from_email="care@council.test"),
        status=201,
    )
    assert outbox_send(now=email.next_attempt_at + timedelta(seconds=1)) == 1
    email.refresh_from_db()
    assert email.sent_at is not None and email.attempts == 2
    assert len(notify.log) == 2


def test_no_answer_in_time_leaves_the_email_to_try_again(notify, settings):
    settings.NOTIFY_TIMEOUT = 0.2

    answered = threading.Event()

    def slow(request):
        time.sleep(0.6)
        answered.set()
        return Response("{}", status=201, content_type="application/json")

    notify.expect_oneshot_request("/v2/notifications/email", method="POST").respond_with_handler(
        slow
    )
    email = queued_email()
    assert outbox_send() == 0
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1
    assert "GOV.UK Notify answered 503" in email.last_error  # the client's word for no answer
    # The late answer still reaches the server's log; wait for it, so the next test starts clean.
    assert answered.wait(5)
    for _ in range(100):
        if notify.log:
            break
        time.sleep(0.01)


def test_notify_out_of_reach_leaves_the_email_to_try_again(notify, settings):
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.NOTIFY_BASE_URL = f"http://127.0.0.1:{port}"
    email = queued_email()
    assert outbox_send() == 0
    email.refresh_from_db()
    assert email.sent_at is None and email.attempts == 1 and "answered 503" in email.last_error


def test_a_text_message_goes_through_the_councils_text_template(notify):
    notify.expect_oneshot_request("/v2/notifications/sms", method="POST").respond_with_json(
        created(notify, "sms", body=BODY, from_number="COUNCIL"), status=201
    )
    text = outbox_queue(
        key="text-test", channel="text", to="07700900123", subject="Text", body=BODY
    )
    assert outbox_send() == 1
    text.refresh_from_db()
    assert text.sent_at is not None
    [(request, _response)] = notify.log
    assert json.loads(request.get_data()) == {
        "phone_number": "07700900123",
        "template_id": TEXT_TEMPLATE,
        "personalisation": {"body": BODY},
    }
    assert signed_by_our_key(request)


def test_a_text_waits_while_there_is_no_text_template(notify, settings):
    settings.NOTIFY_SMS_TEMPLATE_ID = ""
    text = outbox_queue(
        key="text-test", channel="text", to="07700900123", subject="Text", body=BODY
    )
    assert outbox_send() == 0
    text.refresh_from_db()
    assert text.sent_at is None and "NOTIFY_SMS_TEMPLATE_ID is not set" in text.last_error
    assert notify.log == []


def test_without_keys_the_console_prints_it_and_notify_hears_nothing(httpserver, settings, capsys):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.NOTIFY_BASE_URL = httpserver.url_for("/").rstrip("/")
    email = queued_email()
    assert outbox_send() == 1
    email.refresh_from_db()
    assert email.sent_at is not None
    assert "Subject: Your links" in capsys.readouterr().out
    assert httpserver.log == []


def backend_for(**env):
    """EMAIL_BACKEND as settings.py chooses it in a fresh process with this environment."""
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("NOTIFY_", "EMAIL_")) and key != "DJANGO_SETTINGS_MODULE"
    }
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings
        [sys.executable, "-c", code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "directory.settings", **env},
        cwd=django_settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_notify_is_chosen_only_with_its_key_and_email_template():
    assert backend_for() == "django.core.mail.backends.console.EmailBackend"
    assert backend_for(EMAIL_HOST="smtp.council.test") == (
        "django.core.mail.backends.smtp.EmailBackend"
    )
    both = {"NOTIFY_API_KEY": API_KEY, "NOTIFY_EMAIL_TEMPLATE_ID": EMAIL_TEMPLATE}
    assert backend_for(**both) == "core.notify.NotifyEmailBackend"
    assert backend_for(**both, EMAIL_HOST="smtp.council.test") == "core.notify.NotifyEmailBackend"
    # A key with only a text template: texts through Notify, email as before.
    assert backend_for(NOTIFY_API_KEY=API_KEY, NOTIFY_SMS_TEMPLATE_ID=TEXT_TEMPLATE) == (
        "django.core.mail.backends.console.EmailBackend"
    )


@pytest.mark.parametrize(
    ("phone", "mobile"),
    [
        ("07700 900123", "07700900123"),
        ("+44 7700 900123", "07700900123"),
        ("+44 (0)7700 900123", "07700900123"),
        ("0044 7700-900-123", "07700900123"),
        ("(07700) 900.123", "07700900123"),
        ("01245 123456", ""),  # a landline
        ("0800 123 4567", ""),
        ("0770090012", ""),  # a digit short
        ("+33 6 12 34 56 78", ""),
        ("", ""),
        ("ring after 6", ""),
    ],
)
def test_only_uk_mobile_numbers_get_texts(phone, mobile):
    assert uk_mobile_number(phone) == mobile


def test_manage_py_check_names_a_set_up_that_would_send_nothing(settings):
    from core.notify import notify_settings_check

    assert notify_settings_check(None) == []  # no Notify at all: nothing to say
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE
    settings.EMAIL_BACKEND = "core.notify.NotifyEmailBackend"
    assert notify_settings_check(None) == []
    settings.NOTIFY_API_KEY = SECRET  # half a key
    assert [problem.id for problem in notify_settings_check(None)] == ["core.E001"]
    settings.NOTIFY_API_KEY = ""
    assert [problem.id for problem in notify_settings_check(None)] == ["core.E002", "core.W001"]
