"""Sharing a shortlist as a link: the row, the read-only page with current data, expiry, revoking."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from providers.models import Check, Provider, Service
from shortlist.models import SharedShortlist
from shortlist.services import shared_shortlist_create

from ..factories import make_provider
from .conftest import INDEX, add, assert_nothing_private, html, private_pat, set_entries

SHARE = reverse("shortlist:share")
REVOKE = reverse("shortlist:revoke")


def share(client):
    """Share the client's shortlist; return the new SharedShortlist."""
    before = set(SharedShortlist.objects.values_list("pk", flat=True))
    response = client.post(SHARE)
    assert response.status_code == 302
    assert response.url == INDEX
    (shared,) = SharedShortlist.objects.exclude(pk__in=before)
    return shared


@pytest.fixture
def shared_list(client, providers):
    """Alpha then Bravo with notes, shared by `client`."""
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    client.post(INDEX, {"action": "save", f"note-{alpha.pk}": "call on Tuesday mornings"})
    return share(client)


def test_share_creates_a_row_with_an_unguessable_token(client, providers, shared_list):
    alpha, bravo, _ = providers
    assert len(shared_list.token) >= 32
    assert re.fullmatch(r"[A-Za-z0-9_-]+", shared_list.token)
    assert shared_list.entries == [
        {"id": alpha.pk, "note": "call on Tuesday mornings"},
        {"id": bravo.pk, "note": ""},
    ]
    assert shared_list.revoked_at is None
    lifetime = shared_list.expires_at - shared_list.created_at
    assert lifetime == timedelta(days=90)
    assert abs(shared_list.created_at - timezone.now()) < timedelta(minutes=1)
    assert client.session["shortlist_shared"] == [shared_list.token]


def test_tokens_are_unique(client, providers):
    add(client, providers[0].pk)
    tokens = {share(client).token for _ in range(20)}
    assert len(tokens) == 20
    assert SharedShortlist._meta.get_field("token").unique


def test_shortlist_page_shows_the_full_link_once_made(client, shared_list):
    response = client.get(INDEX)
    page = html(response)
    url = f"http://testserver/shortlist/s/{shared_list.token}/"
    assert "Your link is ready" in page
    assert f'<p class="govuk-body app-share-url" id="new-link-url">{url}</p>' in page
    # Later visits list it under the links you have shared, with a button to turn it off.
    page = html(client.get(INDEX))
    assert "Your link is ready" not in page
    assert "Links you have shared" in page
    assert url in page
    assert f'name="token" value="{shared_list.token}"' in page


def test_share_saves_notes_sent_with_the_button(client, providers):
    alpha = providers[0]
    add(client, alpha.pk)
    response = client.post(SHARE, {f"note-{alpha.pk}": "ring after 10"})
    assert response.status_code == 302
    assert SharedShortlist.objects.get().entries == [{"id": alpha.pk, "note": "ring after 10"}]
    assert client.session["shortlist"] == [{"id": alpha.pk, "note": "ring after 10"}]


def test_share_with_a_bad_note_shares_nothing(client, providers):
    alpha = providers[0]
    add(client, alpha.pk)
    response = client.post(SHARE, {f"note-{alpha.pk}": "x" * 10_000})
    assert response.status_code == 400
    assert "must be 500 characters or fewer" in html(response)
    assert not SharedShortlist.objects.exists()


def test_sharing_an_empty_shortlist_says_so(client, db):
    response = client.post(SHARE)
    assert response.status_code == 302
    page = html(client.get(INDEX))
    assert "There is nothing to share yet" in page
    assert not SharedShortlist.objects.exists()


def test_unpublished_providers_are_left_out_when_sharing(client, providers):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    Provider.objects.filter(pk=alpha.pk).update(status=Provider.Status.SUSPENDED)
    assert share(client).entries == [{"id": bravo.pk, "note": ""}]


def test_share_needs_post_and_csrf(providers):
    client = Client(enforce_csrf_checks=True)
    add(client, providers[0].pk)
    assert client.get(SHARE).status_code == 405
    assert client.post(SHARE).status_code == 403
    assert not SharedShortlist.objects.exists()


# The shared page ----------------------------------------------------------------------------


def test_shared_page_shows_the_list_read_only(client, providers, shared_list):
    alpha, bravo, charlie = providers
    other = Client()  # someone else, with no session
    response = other.get(shared_list.get_absolute_url())
    assert response.status_code == 200
    page = html(response)
    assert page.index("Alpha Care") < page.index("Bravo Home Help")
    assert "Charlie Companions" not in page
    assert "call on Tuesday mornings" in page
    assert f'href="{alpha.get_absolute_url()}"' in page
    assert 'href="tel:01632960001"' in page
    assert 'href="mailto:hello@test-helping-hands.example.org"' in page
    assert 'href="https://alpha.example"' in page
    assert "Based in Chelmsford (CM1 1)" in page
    dbs = alpha.checks.get(kind="dbs")
    assert f"DBS check: {dbs.public_summary()[1]}" in page
    # Read-only: no forms at all, and nothing to change.
    assert "<form" not in page
    assert "<textarea" not in page
    assert '<meta name="robots" content="noindex">' in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert "no-store" in response.headers["Cache-Control"]


def test_shared_page_shows_current_names_and_checks(client, providers, shared_list, today):
    alpha = providers[0]
    Provider.objects.filter(pk=alpha.pk).update(name="Alpha Care and Support")
    Check.objects.filter(provider=alpha, kind="insurance").update(
        verified_on=today - timedelta(days=400), expires_on=today - timedelta(days=1)
    )
    page = html(Client().get(shared_list.get_absolute_url()))
    assert "Alpha Care and Support" in page
    insurance = alpha.checks.get(kind="insurance")
    state, words = insurance.public_summary()
    assert state == "expired"
    assert f"Public liability insurance: {words}" in page
    assert "govuk-tag--red" in page


def test_unpublished_provider_shows_as_no_longer_listed(client, providers, shared_list):
    alpha, bravo, _ = providers
    Provider.objects.filter(pk=alpha.pk).update(status=Provider.Status.SUSPENDED)
    page = html(Client().get(shared_list.get_absolute_url()))
    assert "No longer listed" in page
    for detail in [
        "Alpha Care",
        alpha.get_absolute_url(),
        "alpha.example",
        "call on Tuesday mornings",  # nothing about them, not even the note
    ]:
        assert detail not in page
    assert "Bravo Home Help" in page


def test_deleted_provider_shows_as_no_longer_listed(client, providers, shared_list):
    providers[0].delete()
    response = Client().get(shared_list.get_absolute_url())
    assert response.status_code == 200
    assert "No longer listed" in html(response)


def test_shared_page_never_shows_private_data(client, postcodes):
    provider = private_pat(services=Service.objects.filter(slug="gardening"))
    add(client, provider.pk)
    shared = share(client)
    page = html(Client().get(shared.get_absolute_url()))
    assert "Private Pat" in page
    assert_nothing_private(page)
    # Checks not verified, or run out, are never worded as checked.
    for kind in ["Terms of service", "Support plan", "Complaints and safeguarding policy"]:
        assert f"{kind}: checked by the council" not in page
    assert "Safeguarding training: expired on" in page


def test_html_in_notes_is_escaped_on_the_shared_page(client, providers):
    alpha = providers[0]
    add(client, alpha.pk)
    client.post(INDEX, {"action": "save", f"note-{alpha.pk}": "<img src=x onerror=alert(1)>"})
    page = html(Client().get(share(client).get_absolute_url()))
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page


@pytest.mark.parametrize("count", [1, 15])
def test_shared_page_queries_do_not_grow(client, providers, count, django_assert_max_num_queries):
    made = list(providers)
    for n in range(count - len(made)):
        made.append(make_provider(name=f"More Help {n}"))
    set_entries(client, [{"id": p.pk, "note": f"note {p.pk}"} for p in made[:count]])
    shared = share(client)
    reader = Client()
    # The link, its providers, and their checks, audiences and services: 5 for 1 or 15.
    with django_assert_max_num_queries(5):
        response = reader.get(shared.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["rows"]) == count


# Expired, revoked and unknown links ---------------------------------------------------------


def gone_page_has_no_data(response):
    page = html(response)
    for detail in ["Alpha Care", "Bravo Home Help", "call on Tuesday mornings", "tel:"]:
        assert detail not in page
    assert '<meta name="robots" content="noindex">' in page
    assert response.headers["Referrer-Policy"] == "no-referrer"
    return page


def test_expired_link_is_gone(client, shared_list):
    SharedShortlist.objects.filter(pk=shared_list.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = Client().get(shared_list.get_absolute_url())
    assert response.status_code == 410
    assert "This shortlist link has expired" in gone_page_has_no_data(response)


def test_link_expires_after_90_days(client, providers):
    made = timezone.now() - timedelta(days=90, minutes=1)
    shared = shared_shortlist_create(entries=[{"id": providers[0].pk, "note": ""}], now=made)
    assert Client().get(shared.get_absolute_url()).status_code == 410
    fresh = shared_shortlist_create(
        entries=[{"id": providers[0].pk, "note": ""}],
        now=timezone.now() - timedelta(days=89, hours=23),
    )
    assert Client().get(fresh.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,
        "short",
        "x" * 65,
        "x" * 10_000,
        "%00" * 40,
        "<script>alert(1)<",
        "a%20" * 20,
    ],
)
def test_unknown_or_malformed_token_is_404(client, shared_list, token):
    response = Client().get(f"/shortlist/s/{token}/")
    assert response.status_code == 404
    page = gone_page_has_no_data(response)
    assert "We could not find this shortlist" in page
    assert "<script>alert(1)<" not in page


def test_revoke_by_the_creator(client, shared_list):
    response = client.post(REVOKE, {"token": shared_list.token})
    assert response.status_code == 302
    assert response.url == INDEX
    shared_list.refresh_from_db()
    assert shared_list.revoked_at is not None
    page = html(client.get(INDEX))
    assert "Link turned off" in page
    assert shared_list.token not in page  # no longer listed under links you have shared
    response = Client().get(shared_list.get_absolute_url())
    assert response.status_code == 410
    assert "This shortlist link has been turned off" in gone_page_has_no_data(response)
    # Revoking again is harmless and keeps the first time.
    first = shared_list.revoked_at
    assert client.post(REVOKE, {"token": shared_list.token}).status_code == 302
    shared_list.refresh_from_db()
    assert shared_list.revoked_at == first


def test_revoke_by_anyone_else_is_refused(client, shared_list):
    stranger = Client()
    add(stranger, shared_list.entries[0]["id"])
    response = stranger.post(REVOKE, {"token": shared_list.token})
    assert response.status_code == 404
    shared_list.refresh_from_db()
    assert shared_list.revoked_at is None
    assert Client().get(shared_list.get_absolute_url()).status_code == 200


@pytest.mark.parametrize(
    "token", ["", "A" * 43, "x" * 10_000, "\x00", "<b>", f"{'a' * 43}\x00", None]
)
def test_revoke_with_bad_tokens_is_404(client, shared_list, token):
    data = {} if token is None else {"token": token}
    response = client.post(REVOKE, data)
    assert response.status_code == 404
    assert "We could not find that link" in html(response)
    shared_list.refresh_from_db()
    assert shared_list.revoked_at is None


def test_revoke_needs_post_and_csrf(shared_list):
    assert Client().get(REVOKE).status_code == 405
    assert Client(enforce_csrf_checks=True).post(REVOKE, {"token": "x"}).status_code == 403


def test_shared_page_only_answers_get_and_head(client, shared_list):
    assert Client().head(shared_list.get_absolute_url()).status_code == 200
    assert Client().post(shared_list.get_absolute_url()).status_code == 405


@pytest.mark.shared_cache
def test_share_links_are_rate_limited_per_client(client, providers):
    from shortlist.services import SHARE_LINKS

    LINKS_PER_WINDOW = SHARE_LINKS.limit  # noqa: N806

    add(client, providers[0].pk)
    for _ in range(LINKS_PER_WINDOW):
        assert client.post(SHARE).status_code == 302
    response = client.post(SHARE)
    assert response.status_code == 429
    assert "You have shared a lot of links" in response.content.decode()
    assert SharedShortlist.objects.count() == LINKS_PER_WINDOW
    # Another address is not held back by the first one's links.
    assert client.post(SHARE, REMOTE_ADDR="192.0.2.7").status_code == 302
    assert len(set(SharedShortlist.objects.values_list("client_key", flat=True))) == 2


# What the shared page shows --------------------------------------------------------------------


def test_shared_page_shows_services_audiences_checks_and_dates(client, providers, today):
    alpha = providers[0]
    add(client, alpha.pk)
    shared = share(client)
    page = html(Client().get(shared.get_absolute_url()))
    for category, services in alpha.services_by_category():
        assert category.name in page
        for service in services:
            assert str(service).lower() in page
    for audience in alpha.audiences.all():
        assert str(audience) in page
    dbs = alpha.checks.get(kind="dbs")
    assert f"{dbs.verified_on:%-d %B %Y}" in page  # the date the council saw it
    assert f"on {shared.created_at:%-d %B %Y}" in page
    assert f"Printed on {today:%-d %B %Y}" in page
    assert "Someone made this list" in page  # nobody typed a name


def test_made_by_is_shown_when_the_maker_types_it(client, providers):
    add(client, providers[0].pk)
    response = client.post(
        reverse("shortlist:share"), {"made_by": "  Chelmsford adult\nsocial care  "}
    )
    assert response.status_code == 302
    shared = SharedShortlist.objects.get()
    assert shared.made_by == "Chelmsford adult social care"
    page = html(Client().get(shared.get_absolute_url()))
    assert "Made by Chelmsford adult social care on" in page
    assert "Someone made this list" not in page


@pytest.mark.parametrize(
    ("made_by", "message"),
    [
        ("x" * 101, "Made by must be 100 characters or fewer"),
        ("Team\x00", "Made by contains a character we cannot save"),
    ],
)
def test_a_bad_made_by_shares_nothing_and_keeps_the_text(client, providers, made_by, message):
    add(client, providers[0].pk)
    response = client.post(reverse("shortlist:share"), {"made_by": made_by, "note-1": "kept"})
    assert response.status_code == 400
    assert message in html(response)
    assert not SharedShortlist.objects.exists()


def test_made_by_is_escaped(client, providers):
    add(client, providers[0].pk)
    client.post(reverse("shortlist:share"), {"made_by": "<script>alert(1)</script>"})
    page = html(Client().get(SharedShortlist.objects.get().get_absolute_url()))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_new_link_has_a_copy_button_for_scripts_to_show(client, providers):
    add(client, providers[0].pk)
    share(client)
    page = html(client.get(INDEX))
    assert 'data-copy-link="new-link-url" hidden>Copy link</button>' in page
    assert 'class="govuk-body app-share-url" id="new-link-url"' in page
