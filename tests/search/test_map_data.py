"""The map's data says each listing's checks in the cards' own terms: every check's state (current,
running out, run out) and date, worked out by the one rule the cards and the profile use
(`providers.rules.check_state`), with distance, cost and Direct Payments as the card words them,
and nothing more precise than the postcode sector."""

import json
import re
from datetime import date, timedelta
from html import unescape

import numpy as np
import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from places.models import Postcode
from providers.models import Check, Provider, Service
from providers.rules import RUNNING_OUT_DAYS, check_state

from ..factories import add_basic_checks, add_check, make_provider

URL = reverse("search:results")


def day(value):
    return date_format(value, "j F Y")


def map_json(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    url = unescape(re.search(r'data-map-url="([^"]+)"', response.content.decode())[1])
    data = client.get(url).json()
    return response, data


def by_name(data):
    """{provider name: its popup's facts in words}, read from the compact rows as the map does."""
    read = {}
    for row in data["providers"]:
        area, name, slug, state, cost, payments, checks, taken_down, new_clients, said = row
        read[name] = {
            "area": data["areas"][area],
            "slug": slug,
            "state": state,
            "cost": data["costs"][cost],
            "payments": data["words"]["payments"][payments],
            "checks": [
                (data["checks"][kind], data["words"]["states"][state], data["dates"][at])
                if at >= 0
                else (data["checks"][kind], data["words"]["states"][state], None)
                for kind, state, at in checks
            ],
            "taken_down": data["dates"][taken_down] if taken_down >= 0 else None,
            "new_clients": data["words"]["newClients"][new_clients],
            "new_clients_said": data["dates"][said] if said >= 0 else None,
        }
    return read


def test_check_state_answers_alike_for_a_day_and_a_column(today):
    days = [today + timedelta(days=n) for n in (-40, -1, 0, RUNNING_OUT_DAYS - 1, RUNNING_OUT_DAYS)]
    days.append(date.max)
    one_by_one = [check_state(d.toordinal(), today) for d in days]
    assert one_by_one == [0, 0, 1, 1, 2, 2]
    column = np.array([d.toordinal() for d in days])
    assert check_state(column, today).tolist() == one_by_one


@pytest.fixture
def three(postcodes, today):
    """Three listings in CM1 1: every check current, one running out, one in its grace period."""
    home = Service.objects.filter(category__slug="help-at-home")[:2]
    current = make_provider(
        name="All Current",
        services=home,
        coverage_radius_miles=10,
        hourly_rate_min=15,
        hourly_rate_max=18,
    )
    soon = make_provider(
        name="Running Out",
        services=home,
        coverage_radius_miles=10,
        is_free=True,
        accepts_direct_payments=True,
    )
    add_check(soon, "insurance", expires_on=today + timedelta(days=10))
    grace = make_provider(name="In Grace", services=home, coverage_radius_miles=10)
    add_check(
        grace,
        "business_registration",
        verified_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=3),
    )
    return [Provider.objects.get(pk=p.pk) for p in (current, soon, grace)]


def test_each_check_has_its_state_and_date(client, three, today):
    current, soon, grace = three
    _, data = map_json(client, postcode="CM1 6GB")
    read = by_name(data)
    assert [read[name]["state"] for name in ["All Current", "Running Out", "In Grace"]] == [2, 1, 0]
    valid = day(today + timedelta(days=300))
    assert read["All Current"]["checks"] == [
        ("DBS check", "Current", valid),
        ("Public liability insurance", "Current", valid),
        ("Safeguarding training", "Current", valid),
        ("Business registration", "Current", valid),
    ]
    assert read["Running Out"]["checks"][1] == (
        "Public liability insurance",
        "Runs out soon",
        day(today + timedelta(days=10)),
    )
    assert read["In Grace"]["checks"][3] == (
        "Business registration",
        "Expired",
        day(today - timedelta(days=3)),
    )
    assert read["All Current"]["taken_down"] is None
    # The day after the grace period, as the card's warning says.
    assert read["In Grace"]["taken_down"] == day(grace.grace_notice(today)["takedown_on"])
    assert read["In Grace"]["taken_down"] in grace.grace_notice(today)["sentence"]


def test_the_map_and_the_card_read_the_same_rule(client, three, today):
    """Every state on the map is the card's own for that check, by `Provider.check_states`."""
    response, data = map_json(client, postcode="CM1 6GB")
    html = response.content.decode()
    read = by_name(data)
    for provider in Provider.public_objects.prefetch_related("checks"):
        mark, states = provider.check_states(today)
        assert read[provider.name]["state"] == mark
        words = data["words"]["states"]
        assert [(name, state) for name, state, _ in read[provider.name]["checks"]] == [
            (data["checks"][data["checks"].index(str(kind.label))], words[state])
            for kind, state, _ in states
        ]
        # The card says the same of each basic check, in the same words.
        card = html[html.index(f'id="provider-{provider.pk}"') :]
        card = card[: card.index("</li>\n</ol>") if "</li>\n</ol>" in card else None]
        for name, state, _ in read[provider.name]["checks"][:4]:
            assert re.search(rf"{re.escape(name)}: <strong[^>]*>{re.escape(state)}</strong>", card)


def test_distance_cost_and_direct_payments_as_the_card_words_them(client, three):
    response, data = map_json(client, postcode="CM1 6GB")
    read = by_name(data)
    cards = {card.name: card for card in response.context["page"].object_list}
    assert read["All Current"]["cost"] == "£15.00 to £18.00 an hour"
    assert read["Running Out"]["cost"] == "Free"
    assert read["All Current"]["payments"] == "Does not accept Direct Payments"
    assert read["Running Out"]["payments"] == "Accepts Direct Payments"
    for name, facts in read.items():
        distance = facts["area"]["distance"]
        assert distance.startswith("about ") or distance == "less than a mile"
        assert f"{distance} away" in cards[name].html
        assert f"{facts['cost']}" in cards[name].html.replace("\n", "")
    assert len(data["costs"]) == 3  # each cost once


def test_personal_care_shows_the_registration_or_the_exemption(client, postcodes, today):
    personal = Service.objects.filter(category__slug="personal-care")[:1]
    make_provider(
        name="Registered Team",
        legal_form="cic",
        workers=3,
        services=personal,
        coverage_radius_miles=10,
        registered="1-234",
    )
    exempt = make_provider(name="Works Alone", services=personal, coverage_radius_miles=10)
    add_check(exempt, "exemption", expires_on=today + timedelta(days=5))
    _, data = map_json(client, postcode="CM1 6GB")
    read = by_name(data)
    assert read["Registered Team"]["checks"][4] == (
        "Registration with the care regulator",
        "Current",
        None,  # no expiry: nothing to say but that it is current
    )
    assert read["Works Alone"]["checks"][4] == (
        "Individual exemption confirmed",
        "Runs out soon",
        day(today + timedelta(days=5)),
    )
    assert read["Works Alone"]["state"] == 1


def test_the_map_data_holds_nothing_private(client, three):
    current = three[0]
    response, data = map_json(client, postcode="CM1 6GB")
    text = json.dumps(data)
    home = Postcode.objects.get(postcode=current.base_postcode)
    for digits in (4, 5, 6):
        assert f"{home.latitude:.{digits}f}" not in text
        assert f"{home.longitude:.{digits}f}" not in text
    for private in [current.base_postcode, "PRIVATE-STAFF-NOTE", current.phone, current.email]:
        assert private not in text
    # Areas are sector centres, named by sector only.
    assert {area["label"] for area in data["areas"]} == {"Chelmsford (CM1 1)"}


def test_the_map_speaks_the_pages_language(client, three, today):
    response = client.get("/cy" + URL, {"postcode": "CM1 6GB"})
    url = unescape(re.search(r'data-map-url="([^"]+)"', response.content.decode())[1])
    assert url.startswith("/cy/")
    data = client.get(url).json()
    with translation.override("cy"):
        assert data["words"]["states"][2] == gettext("Current") != "Current"
        assert data["checks"][0] == str(Check.Kind.DBS.label)
        assert day(today + timedelta(days=300)) in data["dates"]


# Ranking ----------------------------------------------------------------------------------------


def test_a_listing_in_its_grace_period_never_outranks_one_fully_checked_in_its_band(
    client, postcodes, today
):
    # From CM1 6GB: CM1 1's centre is 1.5 miles away, CM2 0's 2.0: both "about 2 miles".
    lapsed = make_provider(
        name="Nearer In Grace", base_postcode="CM1 1RW", coverage_radius_miles=10
    )
    add_check(lapsed, "dbs", verified_on=today - timedelta(400), expires_on=today - timedelta(1))
    make_provider(name="Farther Checked", base_postcode="CM2 0RJ", coverage_radius_miles=10)
    make_provider(name="Far Away", base_postcode="CM1 4GJ", coverage_radius_miles=10)
    cards = client.get(URL, {"postcode": "CM1 6GB"}).context["page"].object_list
    words = [re.search(r"Based in [^,]+, ([^<]+) away", card.html)[1] for card in cards]
    assert [card.name for card in cards] == ["Farther Checked", "Nearer In Grace", "Far Away"]
    # The same band first; a nearer band still comes first, warning and all.
    assert words == ["about 2 miles", "about 2 miles", "about 5 miles"]
    assert "Their DBS check ran out" in cards[1].html  # it keeps its warning
    # By name, the order is the name's.
    cards = client.get(URL, {"postcode": "CM1 6GB", "sort": "name"}).context["page"].object_list
    assert [card.name for card in cards] == ["Far Away", "Farther Checked", "Nearer In Grace"]


def test_renewing_the_check_restores_its_place(client, committed, postcodes, today):
    with committed():
        lapsed = make_provider(name="Aaa Lapsed", coverage_radius_miles=10)
        add_check(
            lapsed, "dbs", verified_on=today - timedelta(400), expires_on=today - timedelta(1)
        )
        make_provider(name="Bbb Checked", coverage_radius_miles=10)
    names = [c.name for c in client.get(URL, {"postcode": "CM1 1RW"}).context["page"].object_list]
    assert names == ["Bbb Checked", "Aaa Lapsed"]  # the same place: the name would put it first
    with committed():
        add_basic_checks(lapsed)
    names = [c.name for c in client.get(URL, {"postcode": "CM1 1RW"}).context["page"].object_list]
    assert names == ["Aaa Lapsed", "Bbb Checked"]
