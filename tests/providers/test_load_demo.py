"""`load_demo`: varied fictional listings, safe to run again, demo logins only with DEBUG on, and
the derived checks column in step after the commit. Loading takes a while, so the module loads
the demo once, twice over as `make run` does on each start, and its tests read what it left."""

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, override_settings

from places.importers import import_postcodes, open_source
from places.models import Postcode
from providers.models import Check, Provider

from .test_changes import checks_current

pytestmark = pytest.mark.django_db  # each test in a savepoint of the module's transaction

CODEPOINT = Path(__file__).parents[1] / "fixtures" / "codepoint_demo.csv"
DEMO_LOGINS = ["staff", "admin"]


@dataclass
class Demo:
    listings_first: int  # after the first load
    logins_first: int  # demo logins after the first load, with DEBUG off


def load_demo_committed():
    """As `manage.py load_demo` on a real database: its commit hooks run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        call_command("load_demo", verbosity=0)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo loaded once with DEBUG off (as the tests run), then again with it on, inside a
    transaction the module's tests share (each in a savepoint of its own) and rolled back after
    the last; what the first load left is kept for the tests to compare with."""
    outer = transaction.atomic()
    with django_db_blocker.unblock():
        outer.__enter__()
    try:
        with django_db_blocker.unblock():
            import_postcodes(open_source(CODEPOINT))
            load_demo_committed()
            users = get_user_model().objects.filter(username__in=DEMO_LOGINS)
            first = Demo(listings_first=Provider.objects.count(), logins_first=users.count())
            with override_settings(DEBUG=True):
                load_demo_committed()
        yield first
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def test_load_demo_without_postcodes_says_what_to_do():
    from django.core.management.base import CommandError

    Postcode.objects.all().delete()  # whatever the module's demo loaded; rolled back after
    try:
        call_command("load_demo", verbosity=0)
    except CommandError as error:
        assert "import_postcodes" in str(error)
    else:
        raise AssertionError("load_demo should refuse to run without postcodes")


def test_load_demo_makes_varied_fictional_listings_and_is_idempotent(demo, today):
    assert Provider.objects.count() == demo.listings_first >= 80

    statuses = Counter(Provider.objects.values_list("status", flat=True))
    assert {"published", "draft", "suspended"} <= set(statuses)
    assert len(set(Provider.objects.values_list("legal_form", flat=True))) == 5
    assert Provider.objects.filter(is_free=True).exists()
    assert Provider.objects.filter(hourly_rate_min__isnull=False).exists()
    assert Provider.objects.filter(districts__isnull=False).exists()
    assert Provider.objects.with_basic_checks_current(today).exists()
    assert Provider.objects.with_expired_checks(today).exists()
    assert Check.objects.filter(status=Check.Status.AWAITING).exists()
    towns = set(Provider.objects.values_list("town", flat=True))
    assert {"Chelmsford", "Taunton", "Mold", "Holywell"} <= towns
    # Clearly fictional contact details.
    assert all(e.endswith(".example.org") for e in Provider.objects.values_list("email", flat=True))
    assert all(
        p.startswith(("01632 960", "07700 900"))
        for p in Provider.objects.values_list("phone", flat=True)
    )


def test_demo_listings_offer_services_of_their_own_kind_only(demo):
    """A filter by type of help never shows a listing about something else (a day-out group
    under personal care, say)."""
    for provider in Provider.objects.prefetch_related("services__category"):
        kinds = {service.category.slug for service in provider.services.all()}
        assert len(kinds) == 1, (provider.name, kinds)


def test_demo_logins_exist_only_in_development(demo):
    assert demo.logins_first == 0
    assert get_user_model().objects.filter(username__in=DEMO_LOGINS).count() == 2


def test_load_demo_keeps_the_derived_checks_column_in_step(demo, today):
    """Each listing's derived column, after the load's commit, agrees with its Check rows."""
    for provider in Provider.objects.all():
        derived = provider.basic_checks_current_until
        assert (derived is not None and derived >= today) == checks_current(provider, today)
