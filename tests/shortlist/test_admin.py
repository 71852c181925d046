import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from shortlist.models import SharedShortlist
from shortlist.services import shared_shortlist_create

CHANGELIST = reverse("admin:shortlist_sharedshortlist_changelist")


@pytest.fixture
def admin_user_client(client, db):
    user = get_user_model().objects.create_superuser("boss", password="boss-password")
    client.force_login(user)
    return client


@pytest.fixture
def links(providers):
    entries = [{"id": p.pk, "note": "PRIVATE-FAMILY-NOTE"} for p in providers]
    return [shared_shortlist_create(entries=entries), shared_shortlist_create(entries=entries[:1])]


def test_changelist_shows_counts_and_no_notes(admin_user_client, links):
    response = admin_user_client.get(CHANGELIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert links[0].token not in page  # only a short hint of each token
    assert f"{links[0].token[:6]}…" in page
    assert "PRIVATE-FAMILY-NOTE" not in page
    assert ">3<" in page and ">1<" in page
    # Filters and an exact-token search work.
    assert admin_user_client.get(CHANGELIST, {"state": "active"}).status_code == 200
    assert admin_user_client.get(CHANGELIST, {"state": "inactive"}).status_code == 200
    found = admin_user_client.get(CHANGELIST, {"q": f"http://x/shortlist/s/{links[1].token}/"})
    assert list(found.context["cl"].result_list) == [links[1]]


def test_change_page_is_read_only_and_add_is_refused(admin_user_client, links):
    url = reverse("admin:shortlist_sharedshortlist_change", args=[links[0].pk])
    response = admin_user_client.get(url)
    assert response.status_code == 200
    assert "PRIVATE-FAMILY-NOTE" not in response.content.decode()
    add_url = reverse("admin:shortlist_sharedshortlist_add")
    assert admin_user_client.get(add_url).status_code == 403


def test_revoke_action(admin_user_client, links):
    response = admin_user_client.post(
        CHANGELIST,
        {"action": "revoke", "_selected_action": [links[0].pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Turned off 1 link" in response.content.decode()
    links[0].refresh_from_db()
    links[1].refresh_from_db()
    assert links[0].revoked_at is not None
    assert links[1].revoked_at is None
    assert list(SharedShortlist.objects.active()) == [links[1]]


def test_admin_refuses_anonymous_users(client, db):
    response = client.get(CHANGELIST)
    assert response.status_code == 302
