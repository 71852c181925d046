"""The officer's workbench in a real browser: the daily journey counted (handle a report, renew an
expiring check, approve a provider's change, export, figures), renewing a check from the queue,
axe on every staff page at 320 and 1280 px, no Content-Security-Policy violation and no language
link on any of them, nothing wider than the screen, and the admin's CSV export page's "Select all" working under the CSP."""

from datetime import timedelta

import pytest
from django.urls import reverse

from portal.models import Application, ProposedChange
from providers.models import Check, Provider
from reports.models import ProblemReport

from ..factories import add_check, make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


class Counted:
    """Counts the officer's actions: each click, each field filled, each box ticked."""

    def __init__(self, page):
        self.page, self.actions = page, 0

    def click(self, locator):
        self.actions += 1
        locator.click()

    def fill(self, locator, value):
        self.actions += 1
        locator.fill(value)

    def check(self, locator):
        self.actions += 1
        locator.check()


@pytest.fixture
def work(postcodes, today):
    club = make_provider(name="Flint Friendship Club", town="Flint", reviewed_on=today)
    make_provider(
        name="Flint Friendship Club",
        town="Holywell",
        base_postcode="CM2 8QB",
        email="other@example.org",
        phone="01632 960999",
        reviewed_on=today,
    )
    add_check(club, "insurance", expires_on=today + timedelta(days=10), reference="OLD-1")
    report = ProblemReport.objects.create(
        provider=club, topic="out_of_date", message="The phone number is wrong", client_key="a" * 64
    )
    changed = make_provider(name="Bravo Help", base_postcode="CM2 8QB", reviewed_on=today)
    proposal = ProposedChange.objects.create(
        provider=changed,
        changes={"summary": {"old": changed.summary, "new": "Cleaning and shopping."}},
        listing_version=Provider.objects.get(pk=changed.pk).version,
    )
    applicant = make_provider(name="New Applicant", status="pending", email="club@example.org")
    Application.objects.create(provider=applicant, email="club@example.org")
    return {"club": club, "report": report, "proposal": proposal, "applicant": applicant}


def sign_in(page, live_server, next_="/staff/"):
    page.goto(f"{live_server.url}/admin/login/?next={next_}")
    page.fill("#id_username", "officer")
    page.fill("#id_password", "officer-password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"**{next_}")


def banner(page):
    return page.locator(".govuk-notification-banner").inner_text()


def test_the_officers_day_in_twelve_actions(live_server, page, work, staff_user, today):
    sign_in(page, live_server)
    officer = Counted(page)
    queue = page.locator("main")
    # Look-alike listings are told apart by town and reference.
    assert f"Flint Friendship Club, Flint (ref. {work['club'].pk})" in queue.inner_text()

    # Handle a report: open it from the queue, say what was done, close it.
    officer.click(page.get_by_role("link", name="Information is out of date: Flint Friendship"))
    officer.fill(page.get_by_label("What you did"), "Rang them; the new number is on the listing")
    officer.click(page.get_by_role("button", name="Close the report"))
    page.wait_for_url("**/staff/")
    assert "closed" in banner(page)
    after_report = officer.actions

    # Renew an expiring check from the queue: its entry says which check and when.
    entry = page.get_by_role("link", name="Public liability insurance").filter(
        has_text=f"ref. {work['club'].pk}"
    )
    assert "runs out on" in page.locator("li", has=entry).inner_text()
    officer.click(entry)
    officer.fill(page.get_by_label("New expiry date"), f"{today + timedelta(days=365):%d/%m/%Y}")
    officer.fill(page.get_by_label("Reference"), "POL-2027")
    officer.click(page.get_by_role("button", name="Record the renewal"))
    page.wait_for_url("**/staff/")
    assert "renewed" in banner(page)
    renewal = officer.actions - after_report
    check = Check.objects.get(provider=work["club"], kind="insurance")
    assert check.reference == "POL-2027" and check.verified_by == staff_user

    # Approve a provider's change.
    officer.click(page.get_by_role("link", name="Bravo Help"))
    officer.check(page.get_by_label("Approve: put these changes on the listing"))
    officer.click(page.get_by_role("button", name="Save decision"))
    page.wait_for_url("**/staff/")
    assert "Approved" in banner(page)

    # Export the listings.
    with page.expect_download() as download:
        officer.click(page.get_by_role("link", name="Download all listings (CSV)"))
    assert download.value.suggested_filename.startswith("listings-")

    # The programme's figures.
    officer.click(page.get_by_role("link", name="Programme figures"))
    assert page.get_by_role("heading", level=1).inner_text() == "Programme figures"

    print(
        f"\nOfficer's journey: {officer.actions} actions; renewing a check from the queue: {renewal}"
    )
    assert renewal <= 4
    assert officer.actions <= 12


def staff_pages(work):
    club, report, proposal = work["club"], work["report"], work["proposal"]
    return [
        reverse("workbench:queue"),
        reverse("workbench:listings"),
        reverse("workbench:listings") + "?status=nonsense",  # the error state
        reverse("workbench:listing", args=[club.pk]),
        reverse("workbench:listing", args=[work["applicant"].pk]),
        reverse("workbench:listing-suspend", args=[club.pk]),
        reverse("workbench:listing-review", args=[club.pk]),
        reverse("workbench:check-renew", args=[club.pk, "insurance"]),
        reverse("workbench:reports"),
        reverse("workbench:report", args=[report.pk]),
        reverse("workbench:proposals"),
        reverse("workbench:proposal", args=[proposal.pk]),
        reverse("workbench:pipeline"),
        reverse("workbench:figures"),
    ]


def test_every_staff_page_passes_axe_with_no_csp_violation(live_server, page, work, staff_user):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(LISTEN)
    sign_in(page, live_server)
    problems = {}
    for width in (320, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        for path in staff_pages(work):
            page.goto(live_server.url + path)
            page.wait_for_load_state("load")
            assert page.evaluate("window.__violations") == [], path
            assert page.locator("[hreflang=cy], a[lang=cy]").count() == 0, path
            assert "Cymraeg" not in page.content(), path
            # No sideways scrolling: a check's dates are on its card, not far right in a table.
            assert page.evaluate("document.documentElement.scrollWidth") <= width, (path, width)
            if found := axe_violations(page):
                problems[f"{path} at {width}px"] = found
    # A form sent back with errors, too.
    page.goto(live_server.url + staff_pages(work)[7])
    page.get_by_role("button", name="Record the renewal").click()
    page.locator(".govuk-error-summary").wait_for()
    if found := axe_violations(page):
        problems["renewal with errors"] = found
    assert problems == {}
    assert [text for text in console if "Content Security Policy" in text] == []


def test_the_admin_export_pages_select_all_works_under_the_csp(live_server, page, work, staff_user):
    page.add_init_script(LISTEN)
    sign_in(page, live_server, next_=reverse("admin:providers_provider_export"))
    boxes = page.locator('.selectable-field-export-row input[type="checkbox"]')
    assert boxes.count() > 5
    page.get_by_label("Select all").uncheck()
    assert all(not box.is_checked() for box in boxes.all())
    page.get_by_label("Select all").check()
    assert all(box.is_checked() for box in boxes.all())
    assert page.evaluate("window.__violations") == []
