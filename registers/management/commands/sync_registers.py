from django.core.management.base import BaseCommand

from registers.sync import registers_sync


class Command(BaseCommand):
    help = (
        "Check listings against the public registers: the CQC (CQC_API_KEY) for listings with a "
        "CQC location ID, and Companies House (COMPANIES_HOUSE_API_KEY) for limited companies and "
        "CICs. Records what each says; a deregistered or unknown CQC location marks the "
        "registration check run out (the publishing rules take the listing down); anything "
        "else that differs goes to the work queue. A register without a key is skipped and "
        "nothing is called. --dry-run asks the registers and prints what would change, writing "
        "nothing. Run every night by `manage.py daily`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="print what would change, write nothing"
        )

    def handle(self, *args, dry_run=False, **options):
        counts = registers_sync(dry_run=dry_run, say=self.stdout.write)
        if counts:
            summary = ", ".join(
                f"{what.replace('_', ' ')}: {n}" for what, n in sorted(counts.items())
            )
            prefix = "Dry run, nothing written. " if dry_run else ""
            self.stdout.write(self.style.SUCCESS(f"{prefix}Registers checked. {summary}."))
