"""The same three answers on the provider's own page: recorded at once as their statement."""

from django.urls import reverse

from providers.models import Provider

NEW_CLIENTS = reverse("portal:new-clients")


def test_the_own_page_has_the_three_buttons(client_a, provider_a):
    html = client_a.get(reverse("portal:listing")).content.decode()
    for label in ["Taking new clients", "Waiting list", "Not taking new clients"]:
        assert f">{label}</button>" in html
    assert "Not confirmed recently" in html


def test_an_answer_is_recorded_at_once(client_a, provider_a, owner_a):
    response = client_a.post(NEW_CLIENTS, {"new_clients": "waiting_list"})
    assert response["Location"] == reverse("portal:listing") + "#new-clients"
    provider_a.refresh_from_db()
    assert (provider_a.new_clients, provider_a.new_clients_via) == ("waiting_list", "account")
    assert provider_a.status == Provider.Status.PUBLISHED  # no approval needed
    assert not provider_a.proposals.exists()


def test_a_bad_answer_is_refused_plainly(client_a, provider_a):
    for data in [{}, {"new_clients": "maybe"}, {"new_clients": "x" * 1000}]:
        response = client_a.post(NEW_CLIENTS, data)
        assert response.status_code == 400
        assert "Choose an answer" in response.content.decode()
    provider_a.refresh_from_db()
    assert provider_a.new_clients == ""


def test_only_the_signed_in_owner(client, provider_a):
    assert client.post(NEW_CLIENTS, {"new_clients": "taking"}).status_code == 302
    provider_a.refresh_from_db()
    assert provider_a.new_clients == ""
