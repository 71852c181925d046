"""Time a CSV import of listings, as staff run it from the providers admin: the preview (a dry run
that writes nothing) and then the confirmed import, on a throwaway database beside DATABASE_URL.

    SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/scratch \
        python scripts/time_csv_import.py                 # the resource's import_data, 1,000 rows
    python scripts/time_csv_import.py --rows 5000 --admin  # the admin's two requests, pages and all
    python scripts/time_csv_import.py --profile confirm --sort tottime --query-kinds

Builds realistic rows from the demo postcodes (tests/fixtures/codepoint_demo.csv): one to three
services, who it is for, districts and the four basic checks, with a registration for personal
care. Prints the rows and, for each step, its seconds, the CPU seconds this process spent in them
(the rest is mostly waiting for the database) and its database queries; --profile prints the
functions that took longest (cProfile) and --query-kinds the commonest statements.
"""

import argparse
import cProfile
import csv
import io
import os
import pstats
import random
import re
import sys
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HEADER = [
    "name", "summary", "legal_form", "workers", "base_postcode", "town", "coverage_radius_miles",
    "services", "who it is for", "districts", "dbs_verified_on", "dbs_expires_on",
    "insurance_verified_on", "insurance_expires_on", "safeguarding_verified_on",
    "safeguarding_expires_on", "business_registration_verified_on",
    "business_registration_expires_on", "registration_verified_on", "registration_expires_on",
    "registration_reference",
]  # fmt: skip


def listings_csv(rows, rng):
    """`rows` new listings, each unique by name and postcode, as CSV text."""
    from django.utils import timezone

    from places.models import Postcode
    from providers.models import Audience, Service

    postcodes = list(Postcode.objects.order_by("postcode").values_list("postcode", "outward"))
    services = list(Service.objects.values_list("slug", "category__regulated"))
    audiences = list(Audience.objects.values_list("slug", flat=True))
    outwards = sorted({outward for _, outward in postcodes})
    today = timezone.localdate()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    for number in range(rows):
        postcode, _ = rng.choice(postcodes)
        offered = rng.sample(services, rng.randint(1, 3))
        verified = today - timedelta(days=rng.randint(1, 300))
        expires = verified + timedelta(days=365)
        checks = [verified.isoformat(), expires.isoformat()] * 4
        registered = any(regulated for _, regulated in offered)
        checks += [verified.isoformat(), "", "1-10000" + str(number)] if registered else [""] * 3
        writer.writerow(
            [
                f"Helping Hands {number}",
                "Help at home: shopping, cleaning and company.",
                rng.choice(["sole_trader", "partnership", "limited_company", "cic"]),
                rng.randint(1, 8),
                postcode,
                "Chelmsford",
                rng.choice([0, 5, 10]),
                ";".join(slug for slug, _ in offered),
                ";".join(rng.sample(audiences, rng.randint(0, 2))),
                ";".join(rng.sample(outwards, rng.randint(0, 2))),
                *checks,
            ]
        )
    return out.getvalue()


def timed(step, args, work):
    """Run `work`, counting its queries, its seconds and the process's CPU seconds in them (the
    difference is mostly time spent waiting for the database)."""
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if args.profile == step else None
    with connection.execute_wrapper(count):
        began, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        result = work()
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    if profiler:
        pstats.Stats(profiler, stream=sys.stderr).sort_stats(args.sort).print_stats(40)
    if args.query_kinds:
        kinds = Counter(" ".join(sql.split()[:3])[:80] for sql in queries)
        print(step, kinds.most_common(8), file=sys.stderr)
    return result, {
        f"{step}_seconds": round(seconds, 2),
        f"{step}_cpu_seconds": round(cpu, 2),
        f"{step}_queries": len(queries),
    }


def through_resource(text, user, args):
    """The resource's import_data, called as the admin calls it for the preview and the import."""
    import tablib

    from workbench.resources import ProviderResource

    dataset = tablib.Dataset().load(text, format="csv")
    preview, preview_figures = timed(
        "preview",
        args,
        lambda: ProviderResource().import_data(
            dataset, dry_run=True, raise_errors=False, file_name="listings.csv", user=user
        ),
    )
    refused = [(row.number, row.error.message_dict) for row in preview.invalid_rows[:3]]
    errors = [(row.number, repr(row.errors[0].error)) for row in preview.error_rows[:3]]
    if errors or refused:
        raise SystemExit(f"The preview refused rows: {errors or refused}")
    _, confirm_figures = timed(
        "confirm",
        args,
        lambda: ProviderResource().import_data(
            dataset, dry_run=False, file_name="listings.csv", user=user, **CONFIRM
        ),
    )
    return preview_figures | confirm_figures


CONFIRM = {"retain_instance_in_row_result": True}


def through_admin(text, user, args):
    """The two requests staff make: upload the file and see the preview page, then confirm."""
    from django.conf import settings
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    upload = SimpleUploadedFile("listings.csv", text.encode(), content_type="text/csv")
    preview, preview_figures = timed(
        "preview",
        args,
        lambda: client.post(
            reverse("admin:providers_provider_import"), {"format": "0", "import_file": upload}
        ),
    )
    page = preview.content.decode()
    confirm = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    if preview.status_code != 200 or "import_file_name" not in confirm:
        raise SystemExit(f"The preview page refused the file ({preview.status_code})")
    confirm.pop("csrfmiddlewaretoken", None)
    response, confirm_figures = timed(
        "confirm",
        args,
        lambda: client.post(reverse("admin:providers_provider_process_import"), confirm),
    )
    if response.status_code != 302:
        raise SystemExit(f"The import was refused ({response.status_code})")
    return preview_figures | {"preview_page_bytes": len(preview.content)} | confirm_figures


def measure(args):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from places.importers import import_postcodes, open_source
    from providers.models import Provider

    import_postcodes(open_source(ROOT / "tests" / "fixtures" / "codepoint_demo.csv"))
    user = get_user_model().objects.create_superuser("importer", "importer@example.org")
    user.user_permissions.set(Permission.objects.all())
    text = listings_csv(args.rows, random.Random(args.seed))  # noqa: S311 - test data
    figures = (through_admin if args.admin else through_resource)(text, user, args)
    return {"rows": args.rows, **figures, "listings_written": Provider.objects.count()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--admin", action="store_true", help="time the admin's two requests, pages and all"
    )
    parser.add_argument("--profile", choices=["preview", "confirm"], help="profile this step")
    parser.add_argument("--sort", default="cumulative", help="the profile's order (tottime...)")
    parser.add_argument(
        "--query-kinds", action="store_true", help="the commonest statements of each step"
    )
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")
    import django

    django.setup()
    from bench.scratch import throwaway_database

    with throwaway_database(lambda text: print(text, file=sys.stderr)):
        report = measure(args)
    for key, value in report.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
