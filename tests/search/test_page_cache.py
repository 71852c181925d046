"""The results page is built once per search, directory version and day, then reused: each visitor
still gets their own shortlist buttons and form token, and no change is ever shown late.

Pages are only kept for committed data, so these tests run the commit hooks of their changes
(`django_capture_on_commit_callbacks`), as a real commit would.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from ..factories import add_basic_checks, make_provider

pytestmark = pytest.mark.shared_cache

URL = reverse("search:results")
SEARCH = {"postcode": "CM1 1RW"}


def html(response):
    assert response.status_code == 200
    return response.content.decode()


def buttons(page):
    return re.findall(r"(Add to|Remove from) shortlist<span", page)


def csrf_tokens(page):
    return set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page))


def test_a_repeat_search_reuses_the_page(client, listed, django_assert_max_num_queries):
    first = html(client.get(URL, SEARCH))
    # The directory version, the session and the week's search count for the district.
    with django_assert_max_num_queries(3):
        again = html(client.get(URL, SEARCH))
    assert again == first.replace(csrf_tokens(first).pop(), csrf_tokens(again).pop())


def test_each_visitor_gets_their_own_buttons(client, listed):
    other = Client()
    html(client.get(URL, SEARCH))  # cached now
    client.post(reverse("shortlist:add"), {"provider": listed.pk, "next": URL})
    mine, theirs = html(client.get(URL, SEARCH)), html(other.get(URL, SEARCH))
    assert buttons(mine) == ["Remove from", "Add to"]
    assert buttons(theirs) == ["Add to", "Add to"]
    assert csrf_tokens(mine) and csrf_tokens(theirs)
    assert csrf_tokens(mine) != csrf_tokens(theirs)
    assert f'name="next" value="{URL}?postcode=CM1+1RW#provider-{listed.pk}"' in mine


def test_a_change_is_never_shown_late(client, listed, committed):
    assert "Alpha Care" in html(client.get(URL, SEARCH))
    with committed():
        listed.name = "Alpha Home Care"
        listed.save()
    page = html(client.get(URL, SEARCH))
    assert "Alpha Home Care" in page
    assert buttons(page) == ["Add to", "Add to"]


def test_checks_run_out_at_midnight_even_on_a_cached_page(
    client, listed, today, monkeypatch, committed
):
    with committed():
        add_basic_checks(listed, expires_on=today)
    assert "Expired" not in html(client.get(URL, SEARCH))
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args: today + timedelta(1))
    assert "Expired" in html(client.get(URL, SEARCH))


def test_a_name_cannot_forge_a_button(client, postcodes, committed):
    with committed():
        make_provider(name="Sneaky <!--shortlist-toggle:1-->", coverage_radius_miles=10)
    page = html(client.get(URL, SEARCH))
    assert len(buttons(page)) == 1
    assert "&lt;!--shortlist-toggle:1--&gt;" in page
