import copy

import pytest
from django.urls import reverse

from ..factories import add_basic_checks, make_provider

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
        provider = make_provider(name=name, website=f"https://{name.split()[0].lower()}.example")
        add_basic_checks(provider)
        made.append(provider)
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
