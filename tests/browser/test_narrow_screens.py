"""At 320 CSS pixels wide (a small phone, or 1280 px zoomed to 400%: WCAG 1.4.10 Reflow) no page
scrolls sideways: tables, diffs, long words and addresses wrap or scroll inside their own box.
Each page also passes axe at that width."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from portal.models import Owner, ProposedChange
from providers.models import CoverageDistrict, Provider
from search.models import SearchCount

from ..factories import add_check, make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WIDTH = 320
LONG_WEBSITE = "https://www.a-rather-long-website-address-for-a-care-business.example.org/about-us/"


@pytest.fixture
def narrow(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": 640})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def listing(postcodes):
    provider = make_provider(
        name="Ruth's Helping Hands and Companionship Services",
        website=LONG_WEBSITE,
        email="a.very.long.address.for.bookings@ruths-helping-hands.example.org",
    )
    add_check(provider, "terms", status="awaiting")
    for outward in ("CM2", "CM3"):
        CoverageDistrict.objects.create(provider=provider, outward=outward)
    return provider


@pytest.fixture
def proposal(listing):
    """A change waiting for the council with long old and new values, as a diff shows them."""
    return ProposedChange.objects.create(
        provider=listing,
        changes={
            "website": {"old": LONG_WEBSITE, "new": LONG_WEBSITE.replace("about-us", "who-we-are")},
            "summary": {"old": listing.summary, "new": "Help at home, shopping and company."},
            "email": {
                "old": listing.email,
                "new": "another.long.address.for.enquiries@ruths-helping-hands.example.org",
            },
            "check:insurance": {"old": "2026-01-01", "new": "2027-06-30"},
        },
        listing_version=Provider.objects.get(pk=listing.pk).version,
    )


def sign_in(page, live_server, user):
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": cookie.value,
                # A __Host- cookie must be Secure, with a path of / and no domain of its own
                # (host-only); browsers keep Secure cookies for localhost over http.
                "domain": urlsplit(live_server.url).hostname,
                "path": "/",
                "secure": settings.SESSION_COOKIE_SECURE,
            }
        ]
    )


def overflow(page):
    """How far the page is wider than the window, and the widest elements, to say why."""
    return page.evaluate(
        """() => {
          const width = document.documentElement.clientWidth;
          const wide = [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > width + 0.5)
            .filter(e => !e.closest('.app-table-scroll'))
            .slice(0, 5)
            .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.'));
          return {scrollWidth: document.documentElement.scrollWidth, wide};
        }"""
    )


def assert_fits(page, path):
    found = overflow(page)
    assert found["scrollWidth"] <= WIDTH, (path, found)
    assert axe_violations(page) == [], path


def test_public_pages_fit_a_320_pixel_screen(live_server, narrow, listing):
    paths = [
        reverse("home"),
        reverse("search:results") + "?postcode=CM1+1RW",
        listing.get_absolute_url(),
        "/cy" + listing.get_absolute_url(),
        reverse("about"),
        reverse("accessibility"),
        reverse("open-data"),
        "/cy" + reverse("open-data"),
        reverse("guidance:checks"),
        reverse("reports:report", args=[listing.slug]),
        reverse("portal:start"),
    ]
    for path in paths:
        narrow.goto(live_server.url + path)
        assert_fits(narrow, path)


def test_the_providers_own_page_with_a_change_waiting_fits(live_server, narrow, proposal):
    user = get_user_model().objects.create_user(
        username="ruth@example.org", email="ruth@example.org"
    )
    Owner.objects.create(user=user, provider=proposal.provider)
    sign_in(narrow, live_server, user)
    for path in [reverse("portal:listing"), "/cy" + reverse("portal:listing")]:
        narrow.goto(live_server.url + path)
        assert "who-we-are" in narrow.locator("#changes + p + table").inner_text()
        assert_fits(narrow, path)


def test_the_staff_figures_and_proposal_pages_fit(live_server, narrow, proposal, staff_user):
    today = timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    for week in range(12):
        for outward in ("CM1", "CM2", "TA21"):
            SearchCount.objects.create(
                outward=outward, week=monday - timedelta(weeks=week), count=week * 7 + 1
            )
    sign_in(narrow, live_server, staff_user)
    for path in [reverse("workbench:figures"), reverse("workbench:proposal", args=[proposal.pk])]:
        narrow.goto(live_server.url + path)
        assert_fits(narrow, path)
