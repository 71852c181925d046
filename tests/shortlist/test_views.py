"""The session shortlist with the test client and no JavaScript: add, remove, reorder, notes."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse

from providers.models import Provider
from shortlist.session import MAX_NOTE_LENGTH, MAX_PROVIDERS

from ..factories import add_check, make_provider
from .conftest import INDEX, add, entries, html, ids, set_entries

ADD = reverse("shortlist:add")
REMOVE = reverse("shortlist:remove")


def last_message(response):
    """The message this request added (earlier ones wait until a page shows them)."""
    return [str(message) for message in get_messages(response.wsgi_request)][-1]


# Adding and removing --------------------------------------------------------------------------


def test_empty_shortlist_links_to_search(client, db):
    response = client.get(INDEX)
    assert response.status_code == 200
    page = html(response)
    assert "Your shortlist is empty" in page
    assert f'href="{reverse("home")}"' in page
    assert '<meta name="robots" content="noindex">' in page
    assert 'href="/static/css/print.css" media="print"' in page


def test_add_redirects_back_with_a_banner(client, providers):
    alpha = providers[0]
    response = add(client, alpha.pk, next_url=alpha.get_absolute_url())
    assert response.status_code == 302
    assert response.url == alpha.get_absolute_url()
    assert ids(client) == [alpha.pk]
    assert last_message(response) == "Added Alpha Care to your shortlist"


def test_banner_shows_on_the_shortlist_page(client, providers):
    response = add(client, providers[0].pk)
    page = html(client.get(response.url))
    assert "govuk-notification-banner--success" in page
    assert "Added Alpha Care to your shortlist" in page


def test_adding_keeps_order_and_twice_is_harmless(client, providers):
    alpha, bravo, charlie = providers
    for provider in [charlie, alpha, bravo, alpha]:
        response = add(client, provider.pk)
        assert response.status_code == 302
    assert ids(client) == [charlie.pk, alpha.pk, bravo.pk]
    assert last_message(response) == "Alpha Care is already on your shortlist"


def test_remove(client, providers):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    response = client.post(REMOVE, {"provider": alpha.pk, "next": "/search/?postcode=CM1+1RW"})
    assert response.status_code == 302
    assert response.url == "/search/?postcode=CM1+1RW"
    assert ids(client) == [bravo.pk]
    assert last_message(response) == "Removed Alpha Care from your shortlist"
    # Removing again is harmless.
    response = client.post(REMOVE, {"provider": alpha.pk})
    assert response.status_code == 302
    assert response.url == INDEX
    assert ids(client) == [bravo.pk]


def test_add_and_remove_need_post(client, providers):
    assert client.get(ADD, {"provider": providers[0].pk}).status_code == 405
    assert client.get(REMOVE, {"provider": providers[0].pk}).status_code == 405
    assert ids(client) == []


def test_add_and_remove_need_the_csrf_token(providers):
    client = Client(enforce_csrf_checks=True)
    assert add(client, providers[0].pk).status_code == 403
    assert ids(client) == []


@pytest.mark.parametrize("status", ["draft", "pending", "suspended", "archived"])
def test_cannot_add_an_unpublished_provider(client, postcodes, status):
    hidden = make_provider(name="Hidden Helpers", status=status)
    response = add(client, hidden.pk)
    assert response.status_code == 400
    assert "We could not find that provider" in html(response)
    assert "Hidden Helpers" not in html(response)
    assert ids(client) == []


def test_unpublished_provider_can_still_be_removed(client, providers):
    alpha = providers[0]
    add(client, alpha.pk)
    Provider.objects.filter(pk=alpha.pk).update(status=Provider.Status.SUSPENDED)
    response = client.post(REMOVE, {"provider": alpha.pk})
    assert response.status_code == 302
    assert ids(client) == []
    assert (
        last_message(response) == "Removed a provider that is no longer listed from your shortlist"
    )


# Bad input: never a 500 ----------------------------------------------------------------------

BAD_PROVIDER_VALUES = [
    "",
    "abc",
    "-1",
    "0",
    "1.5",
    "1e5",
    "0x10",
    str(2**63),
    "9" * 30,
    "9" * 10_000,
    "1\x00",
    "\x00",
    "<script>alert(1)</script>",
    "1; DROP TABLE providers_provider",
    " ",
]


@pytest.mark.parametrize("url", [ADD, REMOVE])
@pytest.mark.parametrize("value", BAD_PROVIDER_VALUES)
def test_bad_provider_values_are_a_plain_400(client, providers, url, value):
    add(client, providers[0].pk)
    response = client.post(url, {"provider": value, "next": INDEX})
    assert response.status_code == 400
    page = html(response)
    assert "There is a problem" in page
    assert "Nothing on your shortlist has changed" in page
    assert "<script>alert(1)</script>" not in page
    assert ids(client) == [providers[0].pk]


@pytest.mark.parametrize("url", [ADD, REMOVE])
def test_missing_provider_is_a_plain_400(client, db, url):
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Choose a provider" in html(response)


def test_unknown_but_valid_ids_are_a_plain_400(client, providers):
    for value in [str(2**63 - 1), "123456789", "١"]:  # the last is an Arabic-Indic digit one
        response = add(client, value)
        assert response.status_code in (302, 400), value
        if response.status_code == 400:
            assert "We could not find that provider" in html(response)
    assert set(ids(client)) <= {p.pk for p in providers}


@pytest.mark.parametrize(
    "next_url",
    [
        "https://evil.example/",
        "http://evil.example/shortlist/",
        "//evil.example/",
        "///evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "https:/evil.example",
        "javascript:alert(1)",
        "data:text/html,hi",
        "shortlist/",
        "/shortlist/\x00",
        "/shortlist/\r\nSet-Cookie: a=b",
        "/" + "a" * 10_000,
        " ",
        "",
    ],
)
def test_next_must_be_a_same_site_relative_path(client, providers, next_url):
    response = add(client, providers[0].pk, next_url=next_url)
    assert response.status_code == 302
    assert response.url == INDEX


def test_next_may_be_a_path_with_a_query(client, providers):
    next_url = "/search/?postcode=CM1+1RW&category=personal-care&page=2"
    assert add(client, providers[0].pk, next_url=next_url).url == next_url


def test_next_with_a_host_of_its_own_is_refused_even_if_relative_looking(client, providers):
    response = add(client, providers[0].pk, next_url="/\t/evil.example/")
    assert response.status_code == 302
    assert response.url == INDEX


# The cap ------------------------------------------------------------------------------------


def test_shortlist_holds_at_most_50(client, providers):
    alpha, bravo, _ = providers
    # 49 entries (ids of providers that do not exist any more count too), then two real ones.
    set_entries(client, [{"id": 10_000 + n, "note": ""} for n in range(MAX_PROVIDERS - 1)])
    assert add(client, alpha.pk).status_code == 302
    assert len(ids(client)) == MAX_PROVIDERS
    response = add(client, bravo.pk)
    assert response.status_code == 302
    assert (
        last_message(response)
        == "Your shortlist is full. It can hold 50 providers: remove one before you add Bravo Home Help"
    )
    assert len(ids(client)) == MAX_PROVIDERS
    assert bravo.pk not in ids(client)
    # Adding one already there is still fine when full.
    assert last_message(add(client, alpha.pk)) == "Alpha Care is already on your shortlist"


def test_a_tampered_or_oversized_session_value_is_cleaned(client, providers):
    alpha = providers[0]
    set_entries(
        client,
        [{"id": alpha.pk, "note": "x" * 5000}, {"id": "2"}, {"id": True}, "junk", {"id": alpha.pk}]
        + [{"id": 10_000 + n} for n in range(200)],
    )
    response = client.get(INDEX)
    assert response.status_code == 200
    rows = response.context["rows"]
    assert len(rows) == MAX_PROVIDERS
    assert rows[0]["provider"] == alpha
    assert len(rows[0]["note"]) == MAX_NOTE_LENGTH


# The shortlist page -------------------------------------------------------------------------


def test_shortlist_page_shows_current_details(client, providers, today):
    alpha, bravo, _ = providers
    cqc = add_check(alpha, "terms", status="awaiting")
    add(client, bravo.pk)
    add(client, alpha.pk)
    page = html(client.get(INDEX))
    assert page.index("Bravo Home Help") < page.index("Alpha Care")
    assert f'href="{alpha.get_absolute_url()}"' in page
    assert "Based in Chelmsford (CM1 1)" in page
    assert 'href="tel:01632960001"' in page
    assert 'href="mailto:hello@test-helping-hands.example.org"' in page
    assert 'href="https://alpha.example"' in page
    dbs = alpha.checks.get(kind="dbs")
    assert dbs.public_summary()[0] == "current"
    assert f"DBS check: {dbs.public_summary()[1]}" in page
    assert f"Terms of service: {cqc.public_summary()[1]}" in page
    assert "2 providers, in the order you chose" in page
    for private in ["CM1 1RW", "PRIVATE-STAFF-NOTE"]:
        assert private not in page


def test_unpublished_provider_shows_as_no_longer_listed(client, providers):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    client.get(INDEX)  # shows the "Added" banners
    Provider.objects.filter(pk=alpha.pk).update(status=Provider.Status.ARCHIVED)
    page = html(client.get(INDEX))
    assert "No longer listed" in page
    assert "Alpha Care" not in page
    assert "alpha.example" not in page
    assert f'value="remove:{alpha.pk}"' in page
    assert "Bravo Home Help" in page


def post_index(client, action=None, **notes):
    data = {f"note-{pk}": text for pk, text in notes.items()}
    if action is not None:
        data["action"] = action
    return client.post(INDEX, data)


def test_move_up_and_down(client, providers):
    alpha, bravo, charlie = providers
    for provider in providers:
        add(client, provider.pk)
    response = client.post(INDEX, {"action": f"up:{charlie.pk}"})
    assert response.status_code == 302
    assert response.url == f"{INDEX}#provider-{charlie.pk}"
    assert ids(client) == [alpha.pk, charlie.pk, bravo.pk]
    assert last_message(response) == "Moved Charlie Companions up"
    client.post(INDEX, {"action": f"down:{alpha.pk}"})
    assert ids(client) == [charlie.pk, alpha.pk, bravo.pk]
    response = client.post(INDEX, {"action": f"up:{charlie.pk}"})
    assert ids(client) == [charlie.pk, alpha.pk, bravo.pk]
    assert last_message(response) == "Charlie Companions is already at the top of your shortlist"
    response = client.post(INDEX, {"action": f"down:{bravo.pk}"})
    assert last_message(response) == "Bravo Home Help is already at the bottom of your shortlist"


def test_first_has_no_move_up_and_last_no_move_down(client, providers):
    alpha, bravo, charlie = providers
    for provider in providers:
        add(client, provider.pk)
    page = html(client.get(INDEX))
    assert f'value="up:{alpha.pk}"' not in page
    assert f'value="down:{alpha.pk}"' in page
    assert f'value="up:{charlie.pk}"' in page
    assert f'value="down:{charlie.pk}"' not in page
    assert 'Move up<span class="govuk-visually-hidden"> Bravo Home Help</span>' in page


def test_remove_from_the_shortlist_page(client, providers):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    response = client.post(INDEX, {"action": f"remove:{alpha.pk}"})
    assert response.status_code == 302
    assert ids(client) == [bravo.pk]
    # An old copy of the page pressing it again is harmless.
    response = client.post(INDEX, {"action": f"remove:{alpha.pk}"})
    assert response.status_code == 302
    assert last_message(response) == "That provider is not on your shortlist any more"


def test_save_notes(client, providers):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    response = post_index(client, "save", **{str(alpha.pk): "  call on Tuesday mornings  "})
    assert response.status_code == 302
    assert last_message(response) == "Your notes are saved"
    assert entries(client) == [
        {"id": alpha.pk, "note": "call on Tuesday mornings"},
        {"id": bravo.pk, "note": ""},
    ]
    page = html(client.get(INDEX))
    assert ">\ncall on Tuesday mornings</textarea>" in page  # the first newline is not content
    assert "Your note: call on Tuesday mornings" in page  # the print-only copy


def test_notes_are_kept_when_moving_or_removing(client, providers):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    post_index(client, f"down:{alpha.pk}", **{str(alpha.pk): "first", str(bravo.pk): "second"})
    assert entries(client) == [
        {"id": bravo.pk, "note": "second"},
        {"id": alpha.pk, "note": "first"},
    ]
    # A button sent without the note fields (an old page, or another form) never wipes notes.
    client.post(INDEX, {"action": f"up:{alpha.pk}"})
    assert entries(client) == [
        {"id": alpha.pk, "note": "first"},
        {"id": bravo.pk, "note": "second"},
    ]


def test_no_action_means_save(client, providers):
    add(client, providers[0].pk)
    response = post_index(client, **{str(providers[0].pk): "hello"})
    assert response.status_code == 302
    assert entries(client)[0]["note"] == "hello"


def test_notes_for_providers_not_on_the_list_are_ignored(client, providers):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    response = post_index(client, "save", **{str(bravo.pk): "not mine", "abc": "x", "-1": "y"})
    assert response.status_code == 302
    assert entries(client) == [{"id": alpha.pk, "note": ""}]


def test_note_of_exactly_500_characters_with_new_lines(client, providers):
    alpha = providers[0]
    add(client, alpha.pk)
    note = ("a" * 99 + "\r\n") * 5  # 500 characters as the browser counts them
    response = post_index(client, "save", **{str(alpha.pk): note})
    assert response.status_code == 302
    assert entries(client)[0]["note"] == ("a" * 99 + "\n") * 4 + "a" * 99


@pytest.mark.parametrize(
    ("note", "error"),
    [
        ("x" * (MAX_NOTE_LENGTH + 1), "Your note about Alpha Care must be 500 characters or fewer"),
        ("x" * 10_000, "Your note about Alpha Care must be 500 characters or fewer"),
        ("call\x00me", "Your note about Alpha Care contains a character we cannot save"),
    ],
)
def test_bad_notes_get_an_error_and_change_nothing(client, providers, note, error):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    post_index(client, "save", **{str(alpha.pk): "kept"})
    response = post_index(client, f"down:{alpha.pk}", **{str(alpha.pk): note})
    assert response.status_code == 400
    page = html(response)
    assert "<title>Error: Your shortlist" in page
    assert "govuk-error-summary" in page
    assert f'href="#note-{alpha.pk}"' in page
    assert error in page
    assert f'id="note-{alpha.pk}-error"' in page
    assert entries(client) == [{"id": alpha.pk, "note": "kept"}, {"id": bravo.pk, "note": ""}]


def test_html_in_a_note_is_shown_as_text(client, providers):
    alpha = providers[0]
    add(client, alpha.pk)
    post_index(client, "save", **{str(alpha.pk): '<script>alert("x")</script><b>bold</b>'})
    page = html(client.get(INDEX))
    assert "<script>alert" not in page
    assert "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in page


@pytest.mark.parametrize(
    "action",
    [
        "explode",
        "share",
        "up",
        "up:",
        "up:abc",
        "up:-1",
        "up:0",
        "up:1.5",
        "UP:1",
        "up:1;remove:2",
        "up: 1",
        f"up:{2**63}",
        "up:" + "9" * 30,
        "remove:1\x00",
        "\x00",
        "x" * 10_000,
        "<script>alert(1)</script>",
    ],
)
def test_unknown_actions_are_a_plain_400(client, providers, action):
    alpha = providers[0]
    add(client, alpha.pk)
    response = post_index(client, action, **{str(alpha.pk): "not saved"})
    assert response.status_code == 400
    page = html(response)
    assert "We did not recognise that button" in page
    assert "<script>alert(1)</script>" not in page
    assert entries(client) == [{"id": alpha.pk, "note": ""}]


def test_actions_on_ids_not_on_the_list(client, providers):
    add(client, providers[0].pk)
    for action in [f"up:{2**63 - 1}", "down:424242", "remove:5"]:
        response = client.post(INDEX, {"action": action})
        assert response.status_code == 302
        assert last_message(response) == "That provider is not on your shortlist any more"
    assert ids(client) == [providers[0].pk]


def test_too_many_fields_is_a_400_not_a_500(client, providers):
    add(client, providers[0].pk)
    data = {f"note-{n}": "x" for n in range(1200)}
    assert client.post(INDEX, data).status_code == 400


def test_shortlist_page_needs_the_csrf_token(providers):
    client = Client(enforce_csrf_checks=True)
    assert client.post(INDEX, {"action": "save"}).status_code == 403


def test_other_methods_are_refused(client, db):
    assert client.put(INDEX).status_code == 405
    assert client.delete(INDEX).status_code == 405


# Queries ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 12])
def test_shortlist_page_queries_do_not_grow(
    client, providers, count, django_assert_max_num_queries
):
    made = list(providers)
    for n in range(count - len(made)):
        made.append(make_provider(name=f"Extra Provider {n}"))
    for provider in made[:count]:
        add(client, provider.pk)
    client.post(reverse("shortlist:share"))  # so the page also lists a shared link
    client.get(INDEX)  # shows the new link once, and the banners
    # Session, providers, their checks, audiences and services, shared links: the same for 1 or
    # 12 providers.
    with django_assert_max_num_queries(6):
        response = client.get(INDEX)
    assert response.status_code == 200
    assert len(response.context["rows"]) == count


# The in-page button script asks for JSON --------------------------------------------------------

JSON = {"HTTP_ACCEPT": "application/json"}


def test_add_and_remove_answer_json_for_the_button_script(client, providers):
    alpha = providers[0]
    response = client.post(reverse("shortlist:add"), {"provider": alpha.pk}, **JSON)
    assert response.status_code == 200
    assert response.json() == {
        "listed": True,
        "count": 1,
        "action": reverse("shortlist:remove"),
        "message": "Added Alpha Care to your shortlist",
    }
    assert ids(client) == [alpha.pk]
    response = client.post(reverse("shortlist:remove"), {"provider": alpha.pk}, **JSON)
    assert response.json()["listed"] is False
    assert response.json()["action"] == reverse("shortlist:add")
    assert ids(client) == []
    # No banner left waiting for the next page: the script announced it.
    assert "Alpha Care" not in html(client.get(INDEX))


def test_json_add_still_refuses_bad_providers(client, providers):
    response = client.post(reverse("shortlist:add"), {"provider": "nope"}, **JSON)
    assert response.status_code == 400


def test_without_scripts_the_page_comes_back_at_the_provider(client, providers):
    alpha = providers[0]
    next_url = f"/search/?postcode=CM1+1RW#provider-{alpha.pk}"
    response = add(client, alpha.pk, next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == next_url
