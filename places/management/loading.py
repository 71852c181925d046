from django.core.management.base import BaseCommand
from django.utils.text import capfirst


class LoadCommand(BaseCommand):
    """A command that loads one table from an optional SOURCE, replacing what is there.

    Not blocked by the search example check: loading the data is how that check gets fixed.
    `--if-empty` (used by make setup) leaves a table that has rows alone.
    """

    requires_system_checks = []
    loads = ""  # what the table holds, for messages: "postcodes"
    source_help = ""

    def add_arguments(self, parser):
        parser.add_argument("source", nargs="?", help=self.source_help)
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help=f"do nothing when {self.loads} are already loaded (used by make setup)",
        )

    def skipped(self, model, if_empty):
        """True, having said so, when `--if-empty` was given and the table has rows."""
        if if_empty and model.objects.exists():
            self.stdout.write(f"{capfirst(self.loads)} are already loaded; skipping the import.")
            return True
        return False
