"""Every page type under the production headers: the Content Security Policy blocks nothing the
site itself uses (no console report, no violation event), public and staff pages alike."""

import pytest
from django.urls import reverse

from reports.models import ProblemReport
from shortlist.services import shared_shortlist_create

from ..factories import make_provider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def site(postcodes, staff_user):
    provider = make_provider(name="Policy Care", coverage_radius_miles=10)
    shared = shared_shortlist_create(entries=[{"id": provider.pk, "note": "Call"}])
    report = ProblemReport.objects.create(
        provider=provider, topic="other", message="x", client_key="a" * 64
    )
    return provider, shared, report


def test_no_page_breaks_the_content_security_policy(live_server, page, site):
    provider, shared, report = site
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    public = [
        reverse("home"),
        reverse("search:results") + "?postcode=CM1+1AE",
        provider.get_absolute_url(),
        reverse("reports:report", args=[provider.slug]),
        reverse("shortlist:index"),
        shared.get_absolute_url(),
        reverse("guidance:index"),
        reverse("guidance:right-for-me-question", args=[1]),
        reverse("about"),
        "/no-such-page/",
    ]
    staff = [
        reverse("workbench:queue"),
        reverse("workbench:figures"),
        reverse("admin:providers_provider_changelist"),
        reverse("admin:providers_provider_change", args=[provider.pk]),
        reverse("admin:providers_provider_add"),
        reverse("admin:providers_provider_status", args=[provider.pk]),
        reverse("admin:providers_provider_import"),
        reverse("admin:reports_problemreport_change", args=[report.pk]),
    ]
    response = page.goto(live_server.url + public[0])
    headers = response.headers
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert "geolocation=(self)" in headers["permissions-policy"]
    for path in public:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__violations") == [], path
    page.goto(live_server.url + "/admin/login/?next=/staff/")
    assert page.evaluate("window.__violations") == []
    page.fill("#id_username", "officer")
    page.fill("#id_password", "officer-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/staff/")
    for path in staff:
        page.goto(live_server.url + path)
        page.wait_for_load_state("load")
        assert page.evaluate("window.__violations") == [], path
    assert [text for text in console if "Content Security Policy" in text] == []
