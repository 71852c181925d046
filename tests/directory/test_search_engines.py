"""Found: every public page has a description; pages worth finding have a canonical address and
hreflang alternates, private ones ask not to be indexed; robots.txt and the sitemap; the Welsh
404. Fast: pages are compressed and conditional requests still work."""

import gzip
import re
from html import unescape
from xml.etree import ElementTree

import pytest
from django.urls import reverse

from directory import seo
from directory.sitemaps import PAGES
from directory.views import ROBOTS_DISALLOW_PUBLIC
from portal.forms import STEPS
from shortlist.services import shared_shortlist_create

from ..factories import add_check, make_provider

SEARCH = reverse("search:results")
DESCRIPTION = re.compile(r'<meta name="description" content="([^"]*)">')
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]*)">')
ALTERNATE = re.compile(r'<link rel="alternate" hreflang="([^"]*)" href="([^"]*)">')
NOINDEX = '<meta name="robots" content="noindex">'
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture
def listing(postcodes):
    return make_provider(name="Ruth's Helping Hands")


def public_pages(listing):
    """Every public page a person can arrive at with a GET, by kind (the kind names its
    description)."""
    shared = shared_shortlist_create(entries=[{"id": listing.pk, "note": ""}])
    slug = listing.slug
    return {
        "home": reverse("home"),
        "about": reverse("about"),
        "accessibility": reverse("accessibility"),
        "guidance:index": reverse("guidance:index"),
        "guidance:right-for-me": reverse("guidance:right-for-me"),
        "guidance:right-for-me-question": reverse("guidance:right-for-me-question", args=[1]),
        "guidance:checklist": reverse("guidance:checklist"),
        "guidance:direct-payments": reverse("guidance:direct-payments"),
        "guidance:checks": reverse("guidance:checks"),
        "guidance:registration": reverse("guidance:registration"),
        "search:results": SEARCH + "?postcode=CM1+1RW",
        "providers:profile": reverse("providers:profile", args=[slug]),
        "shortlist:index": reverse("shortlist:index"),
        "shortlist:shared": shared.get_absolute_url(),
        "reports:report": reverse("reports:report", args=[slug]),
        "portal:start": reverse("portal:start"),
        "portal:apply": reverse("portal:apply", args=[next(iter(STEPS))]),
        "portal:sign-in": reverse("portal:sign-in"),
        "open-data": reverse("open-data"),
    }


def get(client, path, **headers):
    response = client.get(path, **headers)
    assert response.status_code == 200, path
    return response.content.decode()


@pytest.mark.parametrize("language", ["", "/cy"])
def test_every_public_page_has_a_description_of_its_own(client, listing, language):
    seen = {}
    for kind, path in public_pages(listing).items():
        html = get(client, language + path)
        (description,) = DESCRIPTION.findall(html)
        assert 60 <= len(description) <= 330, (kind, description)
        seen.setdefault(description, []).append(kind)
    shared = [kinds for kinds in seen.values() if len(kinds) > 1]
    # Only the five questions share their introduction's, and the forms for providers theirs.
    assert shared == [
        ["guidance:right-for-me", "guidance:right-for-me-question"],
        ["portal:apply", "portal:sign-in"],
    ]


def test_descriptions_name_the_site_the_council_and_what_the_page_shows(client, listing):
    home = DESCRIPTION.search(get(client, reverse("home")))[1]
    assert "Your council checks every listing" in home
    results = DESCRIPTION.search(get(client, SEARCH + "?postcode=cm1+1rw"))[1]
    assert results.startswith("Care and support near CM1 1RW: small local providers checked")
    about = DESCRIPTION.search(get(client, "/cy" + reverse("about")))[1]
    assert "Dod o hyd i ofal a chymorth lleol" in about and "Eich cyngor" in about


def test_a_description_is_escaped(client, postcodes):
    provider = make_provider(summary='Help "at home" <b>& more</b>.')
    html = get(client, provider.get_absolute_url())
    assert DESCRIPTION.search(html)[1].startswith(
        "Help &quot;at home&quot; &lt;b&gt;&amp; more&lt;/b&gt;."
    )


@pytest.mark.parametrize(
    ("kind", "canonical"),
    [
        ("home", "/"),
        ("about", "/about/"),
        ("guidance:checks", "/guidance/what-the-checks-mean/"),
        ("open-data", "/open-data/"),
        ("portal:start", "/for-providers/"),
    ],
)
def test_pages_worth_finding_have_a_canonical_address_in_each_language(
    client, listing, kind, canonical
):
    path = public_pages(listing)[kind]
    html = get(client, path + "?utm_source=newsletter")
    assert CANONICAL.findall(html) == ["http://testserver" + canonical]
    cy = "http://testserver/cy" + canonical
    assert ALTERNATE.findall(html) == [
        ("en-GB", "http://testserver" + canonical),
        ("cy", cy),
        ("x-default", "http://testserver" + canonical),
    ]
    welsh = get(client, "/cy" + path)
    assert CANONICAL.findall(welsh) == [cy]
    assert NOINDEX not in html and NOINDEX not in welsh


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("postcode=cm1-1rw&utm_source=x&fbclid=y", "postcode=CM1+1RW"),
        ("postcode=CM1+1RW&page=1&sort=distance", "postcode=CM1+1RW"),
        ("postcode=CM1+1RW&page=2&sort=name", "postcode=CM1+1RW&sort=name&page=2"),
        (
            "audience=older-people&postcode=cm1&category=personal-care&category=cleaning&x=1",
            "postcode=CM1&category=cleaning&category=personal-care&audience=older-people",
        ),
        ("postcode=CM1+1RW&feature=&sort=nonsense&page=abc", "postcode=CM1+1RW"),
    ],
)
def test_a_results_page_is_canonical_without_junk_and_keeps_its_page(
    client, listing, query, canonical
):
    html = unescape(client.get(f"{SEARCH}?{query}").content.decode())
    assert CANONICAL.findall(html) == [f"http://testserver{SEARCH}?{canonical}"]
    assert ("cy", f"http://testserver/cy{SEARCH}?{canonical}") in ALTERNATE.findall(html)


def test_a_town_keeps_its_name_in_the_canonical_address(client, listing, places):
    html = unescape(
        client.get(SEARCH, {"postcode": "  chelmsford ", "utm_medium": "x"}).content.decode()
    )
    assert CANONICAL.findall(html) == [f"http://testserver{SEARCH}?postcode=chelmsford"]


def test_a_search_to_try_again_is_not_indexed(client, listing):
    response = client.get(SEARCH, {"postcode": "12345"})
    assert response.status_code == 400
    html = response.content.decode()
    assert NOINDEX in html and not CANONICAL.findall(html) and not ALTERNATE.findall(html)
    assert DESCRIPTION.search(html)  # still described, as the home page


@pytest.mark.parametrize(
    "kind", ["reports:report", "portal:apply", "portal:sign-in", "guidance:right-for-me-question"]
)
def test_pages_for_one_person_ask_not_to_be_indexed(client, listing, kind):
    html = get(client, public_pages(listing)[kind])
    assert html.count(NOINDEX) == 1
    assert not CANONICAL.findall(html) and not ALTERNATE.findall(html)


@pytest.mark.parametrize("kind", ["shortlist:index", "shortlist:shared"])
def test_pages_that_already_said_noindex_say_it_once(client, listing, kind):
    html = get(client, public_pages(listing)[kind])
    assert html.count(NOINDEX) == 1 and not CANONICAL.findall(html)


def test_without_welsh_there_are_no_alternates_but_still_a_canonical(client, listing, settings):
    settings.WELSH = False
    html = get(client, reverse("about"))
    assert CANONICAL.findall(html) == ["http://testserver/about/"]
    assert not ALTERNATE.findall(html)


def test_robots_txt_keeps_out_private_pages_and_names_the_sitemap(client, db):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert lines[0] == "User-agent: *"
    for path in ["/admin/", "/staff/"]:
        assert f"Disallow: {path}" in lines
    for path in ["/for-providers/sign-in/", "/shortlist/s/", "/search/map/"]:
        assert f"Disallow: {path}" in lines and f"Disallow: /cy{path}" in lines
    assert "Disallow: /" not in lines and "Allow: /" in lines
    assert lines[-1] == "Sitemap: http://testserver/sitemap.xml"
    assert "Disallow: /cy/" not in lines  # the Welsh site is open, as the English


def test_every_path_robots_txt_keeps_out_is_a_real_address(db):
    """Each is the start of a page's address (a renamed URL would leave a path that keeps nothing
    out), and each page meant to be kept out is under one."""
    kept_out = [
        reverse("search:map"),
        reverse("search:locate"),
        reverse("shortlist:shared", args=["token"]),
        reverse("shortlist:add"),
        reverse("shortlist:remove"),
        reverse("shortlist:share"),
        reverse("shortlist:revoke"),
        reverse("reports:report", args=["slug"]),
        reverse("reports:thanks", args=["slug"]),
        reverse("portal:apply", args=[next(iter(STEPS))]),
        reverse("portal:sign-in"),
        reverse("portal:sign-in-link", args=["uid", "token"]),
        reverse("portal:invite-link", args=["uid", "token"]),
        reverse("portal:sign-out"),
        reverse("portal:listing"),
        reverse("portal:update"),
    ]
    for prefix in ROBOTS_DISALLOW_PUBLIC:
        assert any(path.startswith(prefix) for path in kept_out), prefix
    for path in kept_out:
        assert any(path.startswith(prefix) for prefix in ROBOTS_DISALLOW_PUBLIC), path


def _locations(xml):
    tree = ElementTree.fromstring(xml)  # noqa: S314 - our own sitemap
    return [element.text for element in tree.iter(f"{SITEMAP}loc")]


def test_the_sitemap_lists_the_public_pages_and_published_profiles_in_both_languages(
    client, postcodes, today
):
    from datetime import timedelta

    published = make_provider(name="Published Care")
    draft = make_provider(name="Draft Care", status="draft")
    suspended = make_provider(name="Suspended Care", status="suspended")
    outside = make_provider(name="Outside Care")
    add_check(outside, "dbs", status="rejected")
    in_grace = make_provider(name="Grace Care")
    add_check(in_grace, "insurance", expires_on=today - timedelta(days=2))

    index = client.get("/sitemap.xml")
    assert index.status_code == 200 and index["Content-Type"] == "application/xml"
    sections = _locations(index.content)
    assert sections == [
        "http://testserver/sitemap-pages.xml",
        "http://testserver/sitemap-providers.xml",
    ]
    pages = client.get("/sitemap-pages.xml")
    found = _locations(pages.content)
    for name in PAGES:
        path = reverse(name)
        assert "http://testserver" + path in found and "http://testserver/cy" + path in found
    assert len(found) == 2 * len(PAGES)
    assert b'hreflang="cy" href="http://testserver/cy/about/"' in pages.content

    profiles = _locations(client.get("/sitemap-providers.xml").content)
    for provider in (published, in_grace):
        path = provider.get_absolute_url()
        assert {"http://testserver" + path, "http://testserver/cy" + path} <= set(profiles)
    assert len(profiles) == 4
    for hidden in (draft, suspended, outside):
        assert not [url for url in profiles if hidden.slug in url]


def test_the_sitemap_pages_are_the_pages_worth_finding(db):
    assert set(PAGES) <= seo.INDEXABLE
    assert seo.INDEXABLE - set(PAGES) == {"search:results", "providers:profile"}


@pytest.mark.parametrize("path", ["/cy/no-such-page/", "/cy/providers/no-such-provider/"])
def test_the_welsh_404_page_is_in_welsh(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert '<html lang="cy"' in html
    assert "<title>Ni ellir dod o hyd i" in html and "Page not found" not in html
    # Its language link leads to the same address in English, not back to itself.
    english = path.removeprefix("/cy")
    assert f'href="{english}" hreflang="en-GB" lang="en-GB">English' in html
    assert html.count(NOINDEX) == 1 and not CANONICAL.findall(html)
    assert not ALTERNATE.findall(html)


def test_the_english_404_links_to_the_welsh_address(client, db):
    html = client.get("/no-such-page/").content.decode()
    assert '<html lang="en-GB"' in html and "Page not found" in html
    assert 'href="/cy/no-such-page/" hreflang="cy" lang="cy">Cymraeg' in html


def test_pages_are_compressed_for_browsers_that_accept_it(client, listing):
    path = SEARCH + "?postcode=CM1+1RW"
    plain = client.get(path)
    assert "Content-Encoding" not in plain
    response = client.get(path, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    body = gzip.decompress(response.content)
    assert b"Ruth&#x27;s Helping Hands" in body
    assert len(response.content) < len(plain.content) / 3
    # Each compressed response differs a little (random padding against BREACH); the page does not.
    again = client.get(path, HTTP_ACCEPT_ENCODING="gzip")
    assert gzip.decompress(again.content).count(b"Ruth&#x27;s") == body.count(b"Ruth&#x27;s")


def test_a_compressed_answer_still_gets_304_when_nothing_changed(client, postcodes, committed):
    """GZipMiddleware makes a strong ETag weak (W/"..."); If-None-Match compares weakly, so a
    program that sends it back still hears "not modified"."""
    with committed():  # the directory's version moves when a change commits
        make_provider(name="Ruth's Helping Hands")
    api = reverse("oruk:services")
    first = client.get(api, HTTP_ACCEPT_ENCODING="gzip")
    assert first["Content-Encoding"] == "gzip"
    assert first["ETag"].startswith('W/"')
    again = client.get(api, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    csv = reverse("open-data-csv")
    first = client.get(csv, HTTP_ACCEPT_ENCODING="gzip")
    again = client.get(csv, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
