from collections import Counter

from django.core.management import call_command

from providers.models import Check, Provider


def test_load_demo_makes_varied_fictional_listings_and_is_idempotent(postcodes, today):
    call_command("load_demo", verbosity=0)
    first = Provider.objects.count()
    call_command("load_demo", verbosity=0)
    assert Provider.objects.count() == first >= 80

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


def test_load_demo_without_postcodes_says_what_to_do(db):
    from django.core.management.base import CommandError

    try:
        call_command("load_demo", verbosity=0)
    except CommandError as error:
        assert "import_postcodes" in str(error)
    else:
        raise AssertionError("load_demo should refuse to run without postcodes")


def test_demo_listings_offer_services_of_their_own_kind_only(postcodes):
    """A filter by type of help never shows a listing about something else (a day-out group
    under personal care, say)."""
    call_command("load_demo", verbosity=0)
    for provider in Provider.objects.prefetch_related("services__category"):
        kinds = {service.category.slug for service in provider.services.all()}
        assert len(kinds) == 1, (provider.name, kinds)
