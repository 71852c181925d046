import copy
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from places.models import Postcode
from providers.models import Check

from ..factories import add_check, make_provider

PROCESSOR = "shortlist.context_processors.shortlist"
INDEX = reverse("shortlist:index")


@pytest.fixture
def shortlist_context(settings):
    """The shortlist context processor, as the lead will add it to settings."""
    templates = copy.deepcopy(settings.TEMPLATES)
    processors = templates[0]["OPTIONS"]["context_processors"]
    if PROCESSOR not in processors:
        processors.append(PROCESSOR)
    settings.TEMPLATES = templates


@pytest.fixture
def providers(postcodes):
    """Three published providers with current basic checks, in name order."""
    made = []
    for name in ["Alpha Care", "Bravo Home Help", "Charlie Companions"]:
        made.append(make_provider(name=name, website=f"https://{name.split()[0].lower()}.example"))
    return made


def add(client, provider_id, next_url=INDEX, **extra):
    return client.post(
        reverse("shortlist:add"), {"provider": provider_id, "next": next_url, **extra}
    )


def entries(client):
    return client.session.get("shortlist", [])


def ids(client):
    return [entry["id"] for entry in entries(client)]


def set_entries(client, items):
    session = client.session
    session["shortlist"] = items
    session.save()


def html(response):
    return response.content.decode()


PRIVATE_BASE = "CM1 1RW"


def private_pat(*more_checks, **fields):
    """A listing with private values (its base postcode, staff notes on it and on its checks) and
    no check current: three verified with no date, one run out, two awaiting, one rejected; then
    `more_checks` kinds verified."""
    provider = make_provider(name="Private Pat", base_postcode=PRIVATE_BASE, checks=False, **fields)
    for kind in ["dbs", "insurance", "business_registration"]:
        add_check(provider, kind, verified_on=None, status="verified")
    add_check(provider, "safeguarding", expires_on=timezone.localdate() - timedelta(days=3))
    for kind in more_checks:
        add_check(provider, kind)
    for kind in ["terms", "support_plan"]:
        add_check(provider, kind, status="awaiting")
    add_check(provider, "policies", status="rejected")
    Check.objects.filter(provider=provider).update(staff_notes="PRIVATE-CHECK-NOTE")
    return provider


def assert_nothing_private(page):
    """Neither the base postcode (in either spelling, or its point), nor any staff note."""
    home = Postcode.objects.get(postcode=PRIVATE_BASE)
    for private in [
        PRIVATE_BASE,
        PRIVATE_BASE.replace(" ", ""),
        "PRIVATE-STAFF-NOTE",
        "PRIVATE-CHECK-NOTE",
        f"{home.latitude:.4f}",
        f"{home.longitude:.4f}",
    ]:
        assert private not in page
