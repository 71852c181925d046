"""The context processor and the add/remove snippet the lead includes on cards and profiles."""

from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory

from shortlist.context_processors import shortlist

from .conftest import INDEX, add, html, set_entries


def request_with_session(session, path="/search/?postcode=CM1+1RW&page=2"):
    request = RequestFactory().get(path)
    request.session = session
    return request


def test_context_processor_is_lazy_and_reads_only_the_session(
    client, providers, django_assert_num_queries
):
    alpha, bravo, _ = providers
    add(client, alpha.pk)
    add(client, bravo.pk)
    session = SessionStore(session_key=client.session.session_key)
    with django_assert_num_queries(0):
        context = shortlist(request_with_session(session))
    with django_assert_num_queries(1):  # loading the session; never a provider query
        assert alpha.pk in context["shortlist_ids"]
        assert context["shortlist_ids"] == {alpha.pk, bravo.pk}
        assert context["shortlist_count"]() == 2


def test_context_processor_without_a_session(db):
    request = RequestFactory().get("/")
    context = shortlist(request)
    assert set(context["shortlist_ids"]) == set()
    assert context["shortlist_count"]() == 0


def test_context_processor_with_an_empty_or_tampered_session(client, db):
    set_entries(client, "not a list")
    session = SessionStore(session_key=client.session.session_key)
    context = shortlist(request_with_session(session))
    assert len(context["shortlist_ids"]) == 0


def render_toggle(client, provider):
    session = SessionStore(session_key=client.session.session_key)
    return render_to_string(
        "shortlist/_toggle.html",
        {"provider": provider},
        request=request_with_session(session),
    )


def test_toggle_offers_add_then_remove(client, providers, shortlist_context):
    alpha = providers[0]
    client.get(INDEX)  # start a session
    snippet = render_toggle(client, alpha)
    assert 'action="/shortlist/add/"' in snippet
    assert 'method="post"' in snippet
    assert 'name="csrfmiddlewaretoken"' in snippet
    assert f'name="provider" value="{alpha.pk}"' in snippet
    # Back to the same page, at this provider.
    assert (
        f'name="next" value="/search/?postcode=CM1+1RW&amp;page=2#provider-{alpha.pk}"' in snippet
    )
    assert (
        'Add to shortlist<span class="govuk-visually-hidden"> – Alpha Care</span></button>'
        in snippet
    )
    add(client, alpha.pk)
    snippet = render_toggle(client, alpha)
    assert 'action="/shortlist/remove/"' in snippet
    assert (
        'Remove from shortlist<span class="govuk-visually-hidden"> – Alpha Care</span></button>'
        in snippet
    )


def test_toggle_escapes_the_provider_name(client, postcodes, shortlist_context):
    from ..factories import make_provider

    provider = make_provider(name='Tom & Jerry "<b>" Care')
    client.get(INDEX)
    snippet = render_toggle(client, provider)
    assert "Tom &amp; Jerry &quot;&lt;b&gt;&quot; Care" in snippet


def test_toggle_round_trip_without_javascript(client, providers, shortlist_context):
    """Post the snippet's own form fields, as a browser without JavaScript would."""
    alpha = providers[0]
    client.get(INDEX)
    snippet = render_toggle(client, alpha)
    next_url = "/search/?postcode=CM1+1RW&page=2"
    response = client.post("/shortlist/add/", {"provider": alpha.pk, "next": next_url})
    assert response.status_code == 302
    assert response.url == next_url
    assert "Remove from shortlist" in render_toggle(client, alpha)
    assert "Add to shortlist" in snippet


def test_pages_get_the_shortlist_count(client, providers, shortlist_context):
    add(client, providers[0].pk)
    response = client.get(INDEX)
    assert response.context["shortlist_count"]() == 1
    assert providers[0].pk in response.context["shortlist_ids"]
    assert "Alpha Care" in html(response)
