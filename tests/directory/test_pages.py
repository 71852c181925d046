import pytest
from django.urls import reverse


@pytest.mark.parametrize("name", ["home", "about", "accessibility"])
def test_site_pages_load(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="#main-content"' in html  # skip link
    assert "Contains OS data © Crown copyright" in html
    assert "Royal Mail" in html


def test_home_has_postcode_form(client, db):
    html = client.get(reverse("home")).content.decode()
    assert f'action="{reverse("search:results")}"' in html
    assert 'name="postcode"' in html
    assert 'autocomplete="postal-code"' in html


def test_no_gov_uk_branding(client, db):
    html = client.get(reverse("home")).content.decode()
    assert "govuk-header__logotype" not in html
    assert "GOV.UK" not in html


def test_health_checks_the_database_for_real(client, db):
    assert client.get(reverse("health-live")).json() == {"status": "ok"}
    empty = client.get(reverse("health-ready"))  # migrated, but no postcodes yet
    assert empty.status_code == 503
    assert empty.json() == {"status": "unavailable", "problems": ["no postcodes loaded"]}


def test_health_ready_once_postcodes_are_loaded(client, postcodes):
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "problems": []}


def test_unknown_page_is_a_friendly_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_pages_say_exactly_what_the_council_checks_and_what_the_notices_mean(client, db, settings):
    settings.CHECK_GRACE_DAYS = 28
    home = client.get("/").content.decode()
    assert "only listed while council staff have seen proof of 4 basic checks" in home
    about = client.get("/about/").content.decode()
    assert "stays for up to 28 days with a warning" in about
    assert "taken down straight away" in about
    checks = client.get("/guidance/what-the-checks-mean/").content.decode()
    assert "When a basic check runs out" in checks
    assert "the provider has 28 days to send the council a new one" in checks
