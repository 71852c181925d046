import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.formats import date_format

from core.models import OutboxEmail
from core.outbox import outbox_send
from core.ratelimit import rate_counts_prune
from providers.models import Provider
from providers.services import listings_apply_rules
from shortlist.services import shared_shortlists_prune
from workbench.reminders import reminders_queue

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run once a day, soon after midnight: suspends published listings that no longer meet the "
        "publishing rules (a basic check rejected, missing, or run out for longer than the grace "
        "period), recording why; queues reminder emails to providers 30 and 7 days before a "
        "check runs out and the staff digest, then sends everything waiting in the outbox; "
        "forgets old rate-limit counts; harvests neighbouring councils' feeds "
        "(harvest_neighbours). Safe to run again: a second run the same day changes and "
        "sends nothing new. Checks the CQC and Companies House registers first "
        "(sync_registers; skipped without keys). --dry-run only reports. Cron: "
        "15 0 * * * cd /srv/directory && .venv/bin/python manage.py daily"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="report on the listings, change nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        published = Provider.objects.published()
        within = published.within_rules(today)
        in_grace = within.exclude(basic_checks_current_until__gte=today).count()
        outside = published.outside_rules(today).count()
        self.stdout.write(
            f"{date_format(today, 'j F Y')}: {published.count()} published listings, "
            f"{within.count()} meeting the publishing rules ({in_grace} in their grace period), "
            f"{outside} outside them."
        )
        personal = published.filter(gives_personal_care=True)
        registered = personal.filter(registered_until__gte=today)
        exempt = personal.within_rules(today).exclude(pk__in=registered.values("pk"))
        self.stdout.write(
            f"{personal.count()} of them offer personal care: {registered.count()} registered "
            f"with the regulator, {exempt.count()} sole traders working alone under the "
            f"individual exemption, {personal.outside_rules(today).count()} neither."
        )
        try:  # the registers first, so tonight's digest and suspensions include what they said
            call_command("sync_registers", dry_run=dry_run, stdout=self.stdout)
        except Exception:  # a register's surprise must not stop the reminders and the outbox
            logger.exception("Checking the registers failed")
            self.stderr.write("Checking the registers failed; the rest of the daily run goes on.")
        if dry_run:
            return
        suspended = listings_apply_rules(today=today)
        for change in suspended:
            self.stdout.write(f"Suspended {change.provider.name}. {change.reason}")
        queued = reminders_queue(today=today)
        sent = outbox_send()
        waiting = OutboxEmail.objects.filter(sent_at__isnull=True).count()
        pruned = rate_counts_prune()
        links = shared_shortlists_prune()
        call_command("clearsessions")
        # Neighbouring councils' feeds: one that is slow or down is skipped with the reason.
        call_command("harvest_neighbours", stdout=self.stdout)
        self.stdout.write(
            f"Deleted {links} shared link{'s' * (links != 1)} gone for 30 days and expired sessions."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Suspended {len(suspended)} listing{'s' * (len(suspended) != 1)}; queued "
                f"{len(queued)} email{'s' * (len(queued) != 1)}, sent {sent}, {waiting} waiting "
                f"to be tried again; forgot {pruned} old rate-limit count{'s' * (pruned != 1)}."
            )
        )
