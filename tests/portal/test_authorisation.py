"""Who can reach what, over every providers' page and the officer's review of their changes:
anonymous, provider A, provider B, council staff and an administrator. Provider A can never read
or change provider B's listing, proposals, figures or account, by any URL or form field."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import ProposedChange, ProviderFigures

from .conftest import owner_of

PEOPLE = ["anonymous", "provider_a", "provider_b", "staff", "administrator"]
SIGN_IN = reverse("portal:sign-in")


@pytest.fixture
def world(provider_a, provider_b, owner_a, owner_b, staff_user, administrator):
    proposal_b = ProposedChange.objects.create(
        provider=provider_b,
        proposed_by=owner_b,
        changes={"phone": {"old": provider_b.phone, "new": "01632 960777"}},
        listing_version=provider_b.version,  # checks added since: the review warns of it
    )
    ProviderFigures.objects.create(provider=provider_b, people_supported=7, hours_a_week=33)
    clients = {"anonymous": Client()}
    for name, user in [
        ("provider_a", owner_a),
        ("provider_b", owner_b),
        ("staff", staff_user),
        ("administrator", administrator),
    ]:
        clients[name] = Client()
        clients[name].force_login(user)
    return {"clients": clients, "a": provider_a, "b": provider_b, "proposal_b": proposal_b}


def _expires():
    return f"{timezone.localdate() + timedelta(days=300):%d %m %Y}"


# (action, method, url, data, {person: expected status})
OWN = {"anonymous": 302, "provider_a": 200, "provider_b": 200, "staff": 403, "administrator": 403}
OWN_POST = {
    "anonymous": 302,
    "provider_a": 302,
    "provider_b": 302,
    "staff": 403,
    "administrator": 403,
}
STAFF_ONLY = {
    "anonymous": 302,
    "provider_a": 302,
    "provider_b": 302,
    "staff": 200,
    "administrator": 200,
}
ANYONE = dict.fromkeys(PEOPLE, 200)


def actions(world):
    review = reverse("workbench:proposal", args=[world["proposal_b"].pk])
    return [  # the review first: provider B's "withdraw" below removes B's change
        ("review B's change", "get", review, None, STAFF_ONLY),
        ("start", "get", reverse("portal:start"), None, ANYONE),
        ("apply", "get", reverse("portal:apply", args=["business"]), None, ANYONE),
        ("sign in", "get", SIGN_IN, None, ANYONE),
        ("own listing", "get", reverse("portal:listing"), None, OWN),
        ("update form", "get", reverse("portal:update"), None, OWN),
        ("withdraw", "post", reverse("portal:withdraw"), {}, OWN_POST),
        (
            "figures",
            "post",
            reverse("portal:figures"),
            {"people_supported": "1", "hours_a_week": "2", "provider": world["b"].pk},
            OWN_POST,
        ),
        (
            "renewal",
            "post",
            reverse("portal:renewal"),
            {"kind": "dbs", "expires_on": _expires(), "provider": world["b"].pk},
            OWN_POST,
        ),
    ]


def test_the_matrix(world):
    cells = 0
    for name, method, url, data, expected in actions(world):
        for person in PEOPLE:
            client = world["clients"][person]
            response = getattr(client, method)(url, data) if data is not None else client.get(url)
            assert response.status_code == expected[person], (name, person, response.status_code)
            if expected[person] == 302 and person == "anonymous" and url.startswith("/for-"):
                assert response["Location"] == SIGN_IN
            cells += 1
    assert cells == 45


def test_each_provider_sees_only_their_own(world):
    for person, mine, theirs in [
        ("provider_a", "Alpha Care", "Bravo Help"),
        ("provider_b", "Bravo Help", "Alpha Care"),
    ]:
        client = world["clients"][person]
        for url in (reverse("portal:listing"), reverse("portal:update")):
            html = client.get(url).content.decode()
            assert mine in html and theirs not in html
    # B's waiting change and figures are not on A's page.
    html = world["clients"]["provider_a"].get(reverse("portal:listing")).content.decode()
    assert "01632 960777" not in html
    assert 'value="33"' not in html


def test_form_fields_naming_another_listing_are_ignored(world):
    a, b = world["a"], world["b"]
    client = world["clients"]["provider_a"]
    client.post(
        reverse("portal:figures"),
        {"people_supported": "4", "hours_a_week": "9", "provider": b.pk, "provider_id": b.pk},
    )
    assert ProviderFigures.objects.get(provider=b).hours_a_week == 33  # untouched
    assert ProviderFigures.objects.get(provider=a).hours_a_week == 9
    client.post(reverse("portal:withdraw"), {"provider": b.pk, "proposal": world["proposal_b"].pk})
    assert ProposedChange.objects.filter(pk=world["proposal_b"].pk).exists()


def test_only_staff_decide(world):
    review = reverse("workbench:proposal", args=[world["proposal_b"].pk])
    for person in ("anonymous", "provider_a", "provider_b"):
        world["clients"][person].post(review, {"decision": "approve"})
    proposal = ProposedChange.objects.get(pk=world["proposal_b"].pk)
    assert proposal.status == ProposedChange.Status.PENDING
    response = world["clients"]["staff"].post(review, {"decision": "approve"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposedChange.Status.APPROVED
    world["b"].refresh_from_db()
    assert world["b"].phone == "01632 960777"


def test_a_staff_member_who_also_owns_a_listing_sees_only_theirs(world, staff_user, postcodes):
    from ..factories import make_provider

    own = make_provider(name="Officer's Own Care")
    owner = owner_of(own, "officer-owner@example.org")
    client = Client()
    client.force_login(owner)
    html = client.get(reverse("portal:listing")).content.decode()
    assert "Officer&#x27;s Own Care" in html
    assert "Alpha Care" not in html and "Bravo Help" not in html
