"""Comparing the shortlist side by side: one column a provider, every check in the public words
the cards use, headers a screen reader can follow, nothing private, and the shared list too."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider, Service

from ..factories import add_check, make_provider
from .conftest import INDEX, add, assert_nothing_private, html, private_pat, set_entries

COMPARE = reverse("shortlist:compare")


class TableReader(HTMLParser):
    """The compare table as a screen reader meets it: rows of (tag, scope, text) cells. Text
    inside aria-hidden elements is left out; visually hidden text is kept."""

    def __init__(self):
        super().__init__()
        self.rows, self.caption, self.region = [], None, None
        self._in_table = self._in_caption = False
        self._cell = None
        self._hidden_depth = 0
        self._stack = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and "app-compare" in (attrs.get("class") or "").split():
            self.region = attrs
        if tag == "table" and "app-compare__table" in (attrs.get("class") or ""):
            self._in_table = True
        if not self._in_table:
            return
        if tag in ("br", "img", "input"):
            return
        self._stack.append(tag)
        if attrs.get("aria-hidden") == "true" or self._hidden_depth:
            self._hidden_depth += 1
        if tag == "caption":
            self._in_caption, self.caption = True, ""
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("th", "td"):
            self._cell = {"tag": tag, "scope": attrs.get("scope"), "text": ""}
            self.rows[-1].append(self._cell)

    def handle_endtag(self, tag):
        if not self._in_table or tag in ("br", "img", "input"):
            return
        if self._hidden_depth:
            self._hidden_depth -= 1
        if self._stack:
            self._stack.pop()
        if tag == "caption":
            self._in_caption = False
        elif tag in ("th", "td") and self._cell:
            self._cell["text"] = " ".join(self._cell["text"].split())
            self._cell = None
        elif tag == "table":
            self._in_table = False

    def handle_data(self, data):
        if self._hidden_depth:
            return
        if self._in_caption:
            self.caption += data
        elif self._cell is not None:
            self._cell["text"] += data


def read_table(response):
    reader = TableReader()
    reader.feed(html(response))
    return reader


def row(table, header):
    """The data cells' text of the row headed `header`."""
    for cells in table.rows:
        if cells and cells[0]["tag"] == "th" and cells[0]["text"] == header:
            assert cells[0]["scope"] == "row"
            return [cell["text"] for cell in cells[1:]]
    raise AssertionError(f"No row headed {header!r}: {[r[0]['text'] for r in table.rows]}")


@pytest.fixture
def compared(client, postcodes):
    """Three listings that differ in every way the page compares, shortlisted in this order."""
    today = timezone.localdate()
    registered = make_provider(
        name="Registered Care Ltd",
        legal_form=Provider.LegalForm.LIMITED_COMPANY,
        workers=4,
        registered="1-123456789",
        hourly_rate_min=18,
        hourly_rate_max=22,
        accepts_direct_payments=True,
        available_weekends=True,
        languages="English, Polish",
        website="https://registered.example",
    )
    exempt = make_provider(
        name="Sole Carer",
        is_free=False,
        hourly_rate_min=15,
        available_evenings=True,
        welsh_spoken=True,
        languages="English, Welsh",
    )
    add_check(exempt, "terms", status="awaiting")
    garden = make_provider(
        name="Green Fingers",
        services=Service.objects.filter(slug="gardening"),
        audiences=[],
        is_free=True,
        available_weekdays=False,
        phone="",
        email="",
    )
    # Its safeguarding training ran out yesterday: public in the grace period, with a warning.
    add_check(
        garden,
        "safeguarding",
        verified_on=today - timedelta(days=400),
        expires_on=today - timedelta(days=1),
    )
    for provider in (registered, exempt, garden):
        add(client, provider.pk)
    return registered, exempt, garden


def test_each_provider_is_a_column_with_headers_a_screen_reader_can_follow(client, compared):
    response = client.get(COMPARE)
    assert response.status_code == 200
    table = read_table(response)
    assert table.caption.strip() == "3 providers side by side"
    head = table.rows[0]
    assert head[0]["tag"] == "td" and head[0]["text"] == ""
    assert [(c["tag"], c["scope"], c["text"]) for c in head[1:]] == [
        ("th", "col", "Registered Care Ltd"),
        ("th", "col", "Sole Carer"),
        ("th", "col", "Green Fingers"),
    ]
    for cells in table.rows[1:]:
        assert cells[0]["tag"] == "th" and cells[0]["scope"] == "row", cells
        assert [cell["tag"] for cell in cells[1:]] == ["td"] * 3, cells
    # The table scrolls inside a region with a name, which the keyboard can reach.
    assert table.region["role"] == "region"
    assert table.region["aria-labelledby"] == "compare-caption"
    assert table.region["tabindex"] == "0"
    assert 'id="compare-caption"' in html(response)


def test_the_details_side_by_side(client, compared):
    registered, exempt, garden = compared
    table = read_table(client.get(COMPARE))
    assert row(table, "Area") == ["Based in Chelmsford (CM1 1)"] * 3
    assert row(table, "Cost") == ["£18.00 to £22.00 an hour", "£15.00 an hour", "Free"]
    assert row(table, "Direct Payments") == [
        "Accepts Direct Payments",
        "Does not accept Direct Payments",
        "Does not accept Direct Payments",
    ]
    assert row(table, "When they work") == [
        "Weekdays, weekends",
        "Weekdays, evenings",
        "Ask the provider",
    ]
    assert row(table, "Languages") == ["English, Polish", "English, Welsh Welsh spoken", "English"]
    services = row(table, "Services")
    assert services[0].startswith("Personal care: ")
    assert services[2] == "Help at home: gardening"
    audience = str(registered.audiences.get())
    assert row(table, "Who it is for") == [audience, audience, "Anyone"]
    contact = row(table, "Contact")
    assert "Phone: 01632 960001" in contact[0] and "https://registered.example" in contact[0]
    assert contact[2] == "No contact details listed. See their full listing for Green Fingers."


def test_checks_come_from_the_same_rules_as_the_cards(client, compared, today):
    registered, exempt, garden = compared
    table = read_table(client.get(COMPARE))
    dbs = registered.checks.get(kind="dbs")
    dates = f"{dbs.verified_on:%-d %B %Y}. Valid until {dbs.expires_on:%-d %B %Y}."
    assert row(table, "DBS check") == [f"Current Checked by the council on {dates}"] * 3
    ran_out = today - timedelta(days=1)
    assert row(table, "Safeguarding training")[2] == (
        f"Expired Expired on {ran_out:%-d %B %Y}. Ask the provider for a current certificate."
    )
    # A check only one provider has given is shown for all: "not provided" for the others.
    assert row(table, "Terms of service") == [
        "Not provided Not provided.",
        "Not checked yet Sent to the council but not checked yet.",
        "Not provided Not provided.",
    ]
    assert [cells[0]["text"] for cells in table.rows[1:]].index("DBS check") < [
        cells[0]["text"] for cells in table.rows[1:]
    ].index("Terms of service")
    # The grace period's warning, worded as on the card.
    garden.refresh_from_db()
    warnings = row(table, "Checks running out")
    assert warnings[:2] == ["None", "None"]
    assert warnings[2] == "Warning: " + garden.grace_notice()["sentence"]
    # Registration: with its ID and the day the council checked it, an exemption, or not needed.
    regulation = row(table, "Registration with the care regulator")
    registration = registered.checks.get(kind="registration")
    assert regulation[0] == (
        "Registered Registered with the Care Quality Commission (CQC), location ID 1-123456789. "
        f"The council checked this on {registration.verified_on:%-d %B %Y}. "
        "See their registration on the CQC website for Registered Care Ltd"
    )
    assert regulation[1].startswith("Exemption Not registered with the Care Quality Commission")
    assert regulation[1].endswith("Do they need to be registered?")
    assert (
        regulation[2] == "Not needed Not needed for the services they list: none is personal care."
    )
    assert 'href="https://www.cqc.org.uk/location/1-123456789"' in html(client.get(COMPARE))


def test_nothing_unverified_is_worded_as_checked_and_nothing_private_shows(client, postcodes):
    provider = private_pat("exemption")
    add(client, provider.pk)
    page = html(client.get(COMPARE))
    assert "Private Pat" in page
    assert_nothing_private(page)
    table = read_table(client.get(COMPARE))
    assert row(table, "Support plan") == [
        "Not checked yet Sent to the council but not checked yet."
    ]
    assert row(table, "Complaints and safeguarding policy") == [
        "Not provided Not accepted by the council."
    ]
    assert row(table, "Safeguarding training")[0].startswith("Expired Expired on")


def test_no_longer_listed_providers_are_left_out_and_counted(client, compared):
    registered, exempt, garden = compared
    Provider.objects.filter(pk=exempt.pk).update(status=Provider.Status.SUSPENDED)
    client.get(INDEX)  # shows the "Added ..." banners, which name the providers
    response = client.get(COMPARE)
    table = read_table(response)
    assert [c["text"] for c in table.rows[0][1:]] == ["Registered Care Ltd", "Green Fingers"]
    assert "1 provider on the shortlist is not in the directory at the moment" in html(response)
    assert "Sole Carer" not in html(response)


def test_notes_show_in_their_own_row_only_when_there_are_some(client, compared):
    registered, exempt, garden = compared
    assert "Your note" not in [cells[0]["text"] for cells in read_table(client.get(COMPARE)).rows]
    client.post(INDEX, {"action": "save", f"note-{exempt.pk}": "<b>Ring</b> after 10"})
    table = read_table(client.get(COMPARE))
    assert row(table, "Your note") == ["No note", "<b>Ring</b> after 10", "No note"]


def test_an_empty_shortlist_says_so_and_links_to_search(client, db):
    response = client.get(COMPARE)
    assert response.status_code == 200
    page = html(response)
    assert "Your shortlist is empty" in page
    assert "app-compare__table" not in page
    assert f'href="{reverse("home")}"' in page


def test_the_page_is_private_printable_and_styled_apart(client, compared):
    response = client.get(COMPARE)
    page = html(response)
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in page
    assert 'href="/static/css/shortlist.css"' in page
    assert 'href="/static/css/print.css" media="print"' in page
    assert "data-print-button=" in page
    assert client.post(COMPARE).status_code == 405


def test_the_shortlist_page_links_to_compare_and_email(client, compared):
    page = html(client.get(INDEX))
    assert f'href="{COMPARE}"' in page
    assert 'href="#email-heading"' in page
    assert 'id="email-heading"' in page


def test_compare_is_not_offered_for_one_provider(client, providers):
    add(client, providers[0].pk)
    assert f'href="{COMPARE}"' not in html(client.get(INDEX))
    assert client.get(COMPARE).status_code == 200  # but works if asked for


@pytest.mark.parametrize("count", [1, 15])
def test_queries_do_not_grow(client, providers, count, django_assert_max_num_queries):
    made = list(providers)
    for n in range(count - len(made)):
        made.append(make_provider(name=f"More Help {n}"))
    set_entries(client, [{"id": p.pk, "note": ""} for p in made[:count]])
    # The session, the providers, and their checks, audiences and services.
    with django_assert_max_num_queries(5):
        response = client.get(COMPARE)
    assert len(read_table(response).rows[0]) == count + 1


def test_welsh_page_compares_in_welsh(client, compared):
    response = client.get("/cy" + COMPARE)
    assert response.status_code == 200
    page = html(response)
    assert 'lang="cy"' in page
    assert "Accepts Direct Payments" not in page  # the Welsh words are used instead
    assert 'href="/cy/providers/' in page


# The shared shortlist side by side ---------------------------------------------------------------


def shared_link(client):
    client.post(reverse("shortlist:share"))
    return client.session["shortlist_shared"][-1]


def test_a_shared_shortlist_can_be_compared_by_whoever_has_the_link(client, compared):
    registered, exempt, garden = compared
    client.post(INDEX, {"action": "save", f"note-{exempt.pk}": "Knows my mum"})
    token = shared_link(client)
    shared_page = html(Client().get(reverse("shortlist:shared", args=[token])))
    url = reverse("shortlist:shared-compare", args=[token])
    assert f'href="{url}"' in shared_page
    response = Client().get(url)
    assert response.status_code == 200
    assert response["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response["X-Robots-Tag"]
    assert "no-store" in response["Cache-Control"]
    table = read_table(response)
    assert [c["text"] for c in table.rows[0][1:]] == [
        "Registered Care Ltd",
        "Sole Carer",
        "Green Fingers",
    ]
    assert row(table, "Note") == ["No note", "Knows my mum", "No note"]


@pytest.mark.parametrize("state", ["revoked", "expired", "unknown"])
def test_a_gone_shared_link_cannot_be_compared(client, compared, state):
    from shortlist.models import SharedShortlist

    token = shared_link(client)
    if state == "revoked":
        SharedShortlist.objects.filter(token=token).update(revoked_at=timezone.now())
    elif state == "expired":
        SharedShortlist.objects.filter(token=token).update(expires_at=timezone.now())
    else:
        token = "x" * 43
    response = Client().get(reverse("shortlist:shared-compare", args=[token]))
    assert response.status_code == (404 if state == "unknown" else 410)
    assert "Sole Carer" not in html(response)
    assert response["Referrer-Policy"] == "no-referrer"
