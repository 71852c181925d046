"""The list of changes providers sent, waiting for an officer, each with town and reference."""

from django.urls import reverse

from portal.models import ProposedChange

from .conftest import refused

LIST = reverse("workbench:proposals")


def test_pending_changes_are_listed(staff_client, provider):
    proposal = ProposedChange.objects.create(
        provider=provider,
        changes={"summary": {"old": "a", "new": "b"}},
        listing_version=provider.version,
    )
    html = staff_client.get(LIST).content.decode()
    assert reverse("workbench:proposal", args=[proposal.pk]) in html
    assert f"{provider.name}, {provider.town} (ref. {provider.pk}): 1 change" in html


def test_who_may_see_them(people):
    for name in ["anonymous", "provider"]:
        assert refused(people[name].get(LIST))
    assert people["officer"].get(LIST).status_code == 200
