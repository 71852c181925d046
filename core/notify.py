"""GOV.UK Notify, for councils that use it: email and text messages through the council's account.

The outbox (`core.outbox`) stays the record of what was sent: a message is written there first,
and only a send that Notify accepted (201) marks it sent. An error from Notify (4xx, 5xx) or no
answer within NOTIFY_TIMEOUT seconds raises NotifyError, which the outbox records and tries again
later, as it does when an SMTP server is down.

Email: `NotifyEmailBackend` is Django's EMAIL_BACKEND when NOTIFY_API_KEY and
NOTIFY_EMAIL_TEMPLATE_ID are set. Every email goes through the one template the council makes in
Notify, whose subject is "((subject))" and whose message is "((body))".

Text messages: `notify_text_send`, with NOTIFY_SMS_TEMPLATE_ID (a text template whose message is
"((body))"), to UK mobile numbers only (`uk_mobile_number`).

A message's body may carry a link that works without a password, so neither this module nor the
errors it raises ever hold a body, a subject or an address: only Notify's status and error codes.
"""

import re

from django.conf import settings
from django.core.checks import Error, Warning, register
from django.core.mail.backends.base import BaseEmailBackend

from .logging import redact


class NotifyError(Exception):
    """Notify did not take the message; the outbox tries again later."""

    @classmethod
    def from_api(cls, error):
        """What Notify said, without anything we sent: its status and its own error names and
        messages (which name a field, never echo its value), token-scrubbed all the same."""
        errors = error.message if isinstance(error.message, list) else [error.message]
        said = "; ".join(
            f"{item.get('error', '')}: {item.get('message', '')}"
            if isinstance(item, dict)
            else str(item)
            for item in errors
        )
        return cls(redact(f"GOV.UK Notify answered {error.status_code}: {said}"[:500]))


def notify_client():
    """The client, imported only when something is sent (it brings requests and PyJWT, a quarter
    of a second of every process's start otherwise)."""
    from notifications_python_client.notifications import NotificationsAPIClient

    if not settings.NOTIFY_API_KEY:
        raise NotifyError("NOTIFY_API_KEY is not set")
    return NotificationsAPIClient(
        settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT
    )


class NotifyEmailBackend(BaseEmailBackend):
    """Django's email through GOV.UK Notify, one template for every email: its subject
    "((subject))", its message "((body))". The plain text body is sent; Notify adds its own
    formatting and turns addresses into links. Notify chooses the sender (the service's own
    reply-to address), so DEFAULT_FROM_EMAIL is not used."""

    def send_messages(self, email_messages):
        if not email_messages:
            return 0
        if not settings.NOTIFY_EMAIL_TEMPLATE_ID:
            if self.fail_silently:
                return 0
            raise NotifyError("NOTIFY_EMAIL_TEMPLATE_ID is not set")
        from notifications_python_client.errors import APIError

        client = notify_client()
        sent = 0
        for message in email_messages:
            try:
                if message.attachments:
                    raise NotifyError("GOV.UK Notify's email template takes no attachments")
                for address in message.recipients():
                    client.send_email_notification(
                        email_address=address,
                        template_id=settings.NOTIFY_EMAIL_TEMPLATE_ID,
                        personalisation={"subject": message.subject, "body": message.body},
                    )
            except (APIError, NotifyError) as error:
                if self.fail_silently:
                    continue
                if isinstance(error, NotifyError):
                    raise
                raise NotifyError.from_api(error) from None
            sent += 1
        return sent


def notify_text_send(*, to, body):
    """Send one text message through the council's text template ("((body))")."""
    if not settings.NOTIFY_SMS_TEMPLATE_ID:
        raise NotifyError("NOTIFY_SMS_TEMPLATE_ID is not set")
    from notifications_python_client.errors import APIError

    client = notify_client()
    try:
        client.send_sms_notification(
            phone_number=to,
            template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
            personalisation={"body": body},
        )
    except APIError as error:
        raise NotifyError.from_api(error) from None


def notify_texts_on():
    """Whether texts can be sent at all: a key and a text template."""
    return bool(settings.NOTIFY_API_KEY and settings.NOTIFY_SMS_TEMPLATE_ID)


_UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_API_KEY = re.compile(rf".+-{_UUID}-{_UUID}")


@register("core")
def notify_settings_check(app_configs, **kwargs):
    """`manage.py check`: a Notify set-up that would leave every message waiting in the outbox."""
    problems = []
    key = settings.NOTIFY_API_KEY
    if key and not _API_KEY.fullmatch(key):
        problems.append(
            Error(
                "NOTIFY_API_KEY is not a GOV.UK Notify API key.",
                hint="Copy the whole key from Notify's API integration page: its name, then two "
                "IDs, joined by hyphens.",
                id="core.E001",
            )
        )
    if settings.EMAIL_BACKEND == "core.notify.NotifyEmailBackend" and not (
        key and settings.NOTIFY_EMAIL_TEMPLATE_ID
    ):
        problems.append(
            Error(
                "Email goes through GOV.UK Notify but NOTIFY_API_KEY or NOTIFY_EMAIL_TEMPLATE_ID "
                "is empty: no email would be sent.",
                id="core.E002",
            )
        )
    if not key and (settings.NOTIFY_EMAIL_TEMPLATE_ID or settings.NOTIFY_SMS_TEMPLATE_ID):
        problems.append(
            Warning(
                "A GOV.UK Notify template is set without NOTIFY_API_KEY: nothing goes through "
                "Notify, and no text messages are sent.",
                id="core.W001",
            )
        )
    return problems


_SEPARATORS = re.compile(r"[\s().-]")
_UK_MOBILE = re.compile(r"(?:\+44|0044|0)(7\d{9})")


def uk_mobile_number(phone):
    """The number as 07xxxxxxxxx if it is a UK mobile (07..., +447..., 00447...; spaces, dots,
    dashes and brackets allowed, and "+44 (0)7..."), else "". Notify texts only these."""
    digits = _SEPARATORS.sub("", phone or "").replace("+440", "+44")
    match = _UK_MOBILE.fullmatch(digits)
    return f"0{match[1]}" if match else ""
