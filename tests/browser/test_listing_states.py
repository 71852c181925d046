"""What the public sees of a listing in its grace period, and of one taken down."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from providers.services import listings_apply_rules

from ..factories import add_check, make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def in_grace(postcodes):
    provider = make_provider(name="Grace Period Care", coverage_radius_miles=10)
    add_check(provider, "insurance", expires_on=timezone.localdate() - timedelta(days=5))
    return provider


def test_grace_notice_on_the_card_and_profile_passes_axe(live_server, page, in_grace):
    page.goto(live_server.url + reverse("search:results") + "?postcode=CM1+1AE")
    notice = page.locator(".app-result .app-grace-notice")
    assert "Their public liability insurance ran out on" in notice.inner_text()
    assert "this listing will be taken down on" in notice.inner_text()
    assert axe_violations(page) == []
    page.goto(live_server.url + in_grace.get_absolute_url())
    assert page.locator(".app-grace-notice").is_visible()
    assert axe_violations(page) == []


def test_a_suspended_listing_is_no_longer_listed_in_a_fresh_browser(live_server, page, in_grace):
    add_check(in_grace, "dbs", status="rejected")
    listings_apply_rules(providers=[in_grace])
    response = page.goto(live_server.url + in_grace.get_absolute_url())
    assert response.status == 410
    assert page.get_by_role("heading", level=1).inner_text() == "This provider is no longer listed"
    assert "Grace Period Care" not in page.content()
    assert axe_violations(page) == []
    page.goto(live_server.url + reverse("search:results") + "?postcode=CM1+1AE")
    assert "Grace Period Care" not in page.content()
