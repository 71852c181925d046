"""/embed/: the search box and nearest results for other sites' iframes. Only the origins in
EMBED_ALLOWED_ORIGINS may frame it; every other page still refuses every frame."""

import pytest

from ..factories import make_provider

pytestmark = pytest.mark.django_db
COUNCIL = "https://www.example-council.gov.uk"


def test_the_widget_searches_and_links_to_the_full_site_in_a_new_tab(client, postcodes):
    alpha = make_provider(name="Alpha Care")
    make_provider(name="Hidden Draft", status="draft")
    response = client.get("/embed/", {"postcode": "CM1 1AE"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 provider covers CM1 1AE" in html
    assert f'href="{alpha.get_absolute_url()}" target="_blank" rel="noopener"' in html
    assert "Hidden Draft" not in html and alpha.base_postcode not in html
    assert 'href="/search/?postcode=CM1+1AE" target="_blank"' in html
    assert '<meta name="robots" content="noindex">' in html
    assert "<script" not in html and "govuk-header" not in html
    assert "Set-Cookie" not in response.headers and not response.cookies


def test_a_bad_search_says_so_plainly(client, postcodes):
    response = client.get("/embed/", {"postcode": "not a place at all"})
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()
    assert client.get("/embed/").status_code == 200
    assert client.post("/embed/").status_code == 405


def test_welsh(client, postcodes):
    response = client.get("/cy/embed/")
    assert response.status_code == 200 and '<html lang="cy"' in response.content.decode()


def test_nobody_may_frame_it_by_default(client, db, settings):
    settings.EMBED_ALLOWED_ORIGINS = []
    response = client.get("/embed/")
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_only_the_allowed_origins_may_frame_it(client, db, settings):
    settings.EMBED_ALLOWED_ORIGINS = [COUNCIL, "https://library.example.org"]
    response = client.get("/embed/")
    assert (
        f"frame-ancestors {COUNCIL} https://library.example.org"
        in response["Content-Security-Policy"]
    )
    assert "X-Frame-Options" not in response
    for other in ("/", "/search/?postcode=CM1+1AE", "/guidance/", "/open-data/"):
        response = client.get(other)
        assert "frame-ancestors 'none'" in response["Content-Security-Policy"], other
        assert response["X-Frame-Options"] == "DENY", other
