"""Email that is never lost and never sent twice: written to the outbox table first, sent after.

`outbox_queue` records an email under a key that says what it is for; queuing the same key again
does nothing. `outbox_send` sends what is due through Django's email backend and marks each sent
only when the backend accepted it; a failure is recorded and tried again later, with a growing
wait, up to `MAX_ATTEMPTS`. Call `outbox_send` from the daily command, and after a commit that
queued something urgent.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import OutboxEmail

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10


def outbox_queue(*, key, to, subject, body):
    """Queue an email once per `key`; returns it, or None if that key was queued before."""
    if not to:
        return None
    try:
        with transaction.atomic():
            return OutboxEmail.objects.create(key=key, to=to, subject=subject[:200], body=body)
    except IntegrityError:
        return None


def outbox_send(*, keys=None, now=None, limit=500):
    """Send the queued emails that are due (or only those with `keys`); returns how many sent."""
    now = now or timezone.now()
    due = OutboxEmail.objects.filter(sent_at__isnull=True, attempts__lt=MAX_ATTEMPTS).exclude(
        next_attempt_at__gt=now
    )
    if keys is not None:
        due = due.filter(key__in=keys)
    sent = 0
    for pk in list(due.order_by("created_at").values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            # Lock the row: two senders running at once cannot both send it.
            email = OutboxEmail.objects.select_for_update().filter(pk=pk, sent_at=None).first()
            if email is None:
                continue
            try:
                EmailMessage(
                    email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to]
                ).send()
            except Exception as error:  # noqa: BLE001 - any failure of the backend: try later
                email.attempts += 1
                email.last_error = f"{type(error).__name__}: {error}"[:2000]
                email.next_attempt_at = now + timedelta(minutes=15 * 2**email.attempts)
                email.save(update_fields=["attempts", "last_error", "next_attempt_at"])
                logger.warning("Could not send email %s (%s): %s", email.pk, email.key, error)
                continue
            email.attempts += 1
            email.sent_at = timezone.now()
            email.save(update_fields=["attempts", "sent_at"])
            sent += 1
    return sent


def outbox_send_on_commit(keys):
    """Send these as soon as the transaction that queued them commits (an urgent report)."""
    transaction.on_commit(lambda: outbox_send(keys=keys), robust=True)
