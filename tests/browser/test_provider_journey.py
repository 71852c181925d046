"""A care business applies from the home page, signs in with the link emailed to it (read from the
outbox), and proposes a change; an officer publishes the listing and approves the change; the
public sees the change only then. Every new page passes axe, and applying works without
JavaScript."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import OutboxEmail
from portal.models import Owner
from portal.tokens import link_url
from providers.models import Provider

from ..factories import make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EMAIL = "ruth@example.org"


class Steps:
    """Counts what each person does: a page sent or a link followed is one step."""

    def __init__(self, page, axe=True):
        self.page, self.count, self.axe = page, 0, axe

    def click(self, locator):
        self.count += 1
        locator.click()
        # axe needs JavaScript; the journey with it runs axe on these same pages.
        if self.axe:
            assert axe_violations(self.page) == [], self.page.url


def apply(page, base, axe=True):
    """The applicant's journey from the home page; returns the number of steps."""
    steps = Steps(page, axe)
    page.goto(base + reverse("home"))
    steps.click(page.get_by_role("link", name="List your care business").first)
    steps.click(page.get_by_role("button", name="Start now"))
    page.get_by_label("Business name").fill("Ruth's Helping Hands")
    page.get_by_label("What you do, in one or two sentences").fill("Cleaning and shopping.")
    page.get_by_label("Sole trader").check()
    page.get_by_label("How many people work in the business").fill("1")
    steps.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Help at home: Cleaning").check()
    page.get_by_label("Older people").check()
    steps.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Your business postcode").fill("cm1 1rw")
    page.get_by_label("Town or village").fill("Chelmsford")
    page.get_by_label("How many miles will you travel?").fill("10")
    steps.click(page.get_by_role("button", name="Continue"))
    page.locator("#id_is_free-no").check()
    page.get_by_label("Lowest hourly rate").fill("18.50")
    page.locator("#id_accepts_direct_payments").check()
    steps.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Weekdays").check()
    page.get_by_label("Languages you speak").fill("English")
    steps.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Phone number").fill("01632 960001")
    steps.click(page.get_by_role("button", name="Continue"))
    for name in ("personal_care", "alone", "arranged_directly", "their_direction"):
        page.locator(f"#id_{name}-no" if name == "personal_care" else f"#id_{name}").check()
    page.locator("#id_introduce_others-no").check()
    steps.click(page.get_by_role("button", name="Continue"))
    page.get_by_label("Your email address").fill(EMAIL)
    steps.click(page.get_by_role("button", name="Continue"))
    assert "Check your answers" in page.title()
    assert "do not need to register" in page.content()
    steps.click(page.get_by_role("button", name="Accept and send"))
    assert page.get_by_role("heading", name="Application sent").is_visible()
    return steps.count


def test_apply_sign_in_propose_and_approve(live_server, browser, postcodes, staff_user):
    base = live_server.url
    provider_context = browser.new_context()
    page = provider_context.new_page()
    applicant_steps = apply(page, base)
    listing = Provider.objects.get(name="Ruth's Helping Hands")
    assert listing.status == Provider.Status.PENDING

    # Sign in with the emailed link.
    steps = Steps(page)
    page.goto(base + reverse("portal:sign-in"))
    page.get_by_label("Email address").fill(EMAIL)
    steps.click(page.get_by_role("button", name="Email me a link"))
    assert page.get_by_role("heading", name="Check your email").is_visible()
    # As the provider's inbox has it: the outbox table never holds the link.
    body = [m for m in mail.outbox if m.to == [EMAIL] and m.subject.startswith("Sign in")][-1].body
    page.goto(re.search(r"https?://\S+", body)[0].replace("http://127.0.0.1:8000", base))
    steps.click(page.get_by_role("button", name="Continue"))
    assert page.get_by_role("heading", name="Ruth's Helping Hands").is_visible()
    assert "Waiting for the council to check it" in page.content()

    # The officer records the four checks and publishes.
    officer_context = browser.new_context()
    officer = officer_context.new_page()
    officer.goto(base + "/admin/login/?next=/admin/")
    officer.fill("#id_username", "officer")
    officer.fill("#id_password", "officer-password")
    officer.get_by_role("button", name="Log in").click()
    # Django's own admin pages are not held to axe here (see the accessibility statement);
    # the workbench's proposal page below is.
    work = Steps(officer, axe=False)
    work.click(officer.get_by_role("link", name=re.compile("Ruth's Helping Hands")))
    # The staff listing page; the four checks are recorded here on the admin's form at once.
    officer.get_by_role("link", name="Edit the listing's details (admin)").click()
    work.count += 1
    today = timezone.localdate()
    for row in range(4):
        officer.select_option(f"#id_checks-{row}-status", "verified")
        officer.fill(f"#id_checks-{row}-verified_on", today.isoformat())
        officer.fill(f"#id_checks-{row}-expires_on", (today + timedelta(days=300)).isoformat())
    officer.get_by_role("button", name="Save and continue editing").click()
    work.count += 1
    officer.get_by_role("link", name="Publish").click()
    officer.fill("#id_reason", "Application checked, four checks seen")
    officer.get_by_role("button", name="Change status").click()
    work.count += 2
    assert "is now published" in officer.locator(".messagelist").inner_text()
    print(
        f"\nApply to published: {applicant_steps} steps for the applicant (home page to "
        f"confirmation), {work.count} for the officer, and 12 check fields"
    )

    # The provider proposes a change; the public listing stays as it was.
    page.goto(base + reverse("portal:listing"))
    steps.click(page.get_by_role("link", name="Update my listing"))
    page.get_by_label("Phone").fill("01632 960999")
    steps.click(page.get_by_role("button", name="Send changes to the council"))
    assert "Changes waiting for the council" in page.content()
    assert "01632 960999" in page.locator("#changes ~ table").first.inner_text()
    public_context = browser.new_context()
    public = public_context.new_page()
    public.goto(base + listing.get_absolute_url())
    assert "01632 960999" not in public.content()

    # The officer approves it from the work queue.
    officer.goto(base + reverse("workbench:queue"))
    work.axe = True
    work.click(
        officer.get_by_role(
            "link", name=re.compile(r"Ruth's Helping Hands, .* \(ref\. \d+\): 1 change")
        )
    )
    assert "01632 960999" in officer.locator("ins").first.inner_text()
    officer.get_by_label("Approve: put these changes on the listing").check()
    work.click(officer.get_by_role("button", name="Save decision"))

    public.reload()
    assert "01632 960999" in public.content()
    assert OutboxEmail.objects.filter(to=EMAIL, subject__contains="approved").exists()
    for context in (provider_context, officer_context, public_context):
        context.close()


def test_applying_works_without_javascript(live_server, page_without_js, postcodes):
    steps = apply(page_without_js, live_server.url, axe=False)
    assert steps == 11
    assert Provider.objects.filter(name="Ruth's Helping Hands", status="pending").exists()


def test_a_mistake_is_shown_and_fixed(live_server, page, postcodes):
    page.goto(live_server.url + reverse("portal:apply", args=["where"]))
    page.get_by_label("Your business postcode").fill("ZZ99 9ZZ")
    page.get_by_role("button", name="Continue").click()
    assert "We could not find ZZ99 9ZZ" in page.locator(".govuk-error-summary").inner_text()
    assert axe_violations(page) == []


def _signed_in_owner(page, base):
    """A published listing and its owner, signed in through a one-time link in the browser."""
    provider = make_provider(name="Alpha Care")
    owner = get_user_model().objects.create_user(username="alpha@example.org", email=EMAIL)
    Owner.objects.create(user=owner, provider=provider)
    page.goto(base + urlsplit(link_url(owner, "sign-in")).path)
    page.get_by_role("button", name="Continue").click()
    return provider


def test_every_provider_page_passes_axe(live_server, page, postcodes):
    base = live_server.url
    page.goto(base + reverse("portal:sign-in"))
    assert axe_violations(page) == []
    page.goto(base + reverse("portal:sign-in-link", args=["bad", "token"]))
    assert "This link has expired or been used" in page.content()
    assert axe_violations(page) == []
    _signed_in_owner(page, base)
    for name in ("portal:listing", "portal:update"):
        page.goto(base + reverse(name))
        assert axe_violations(page) == [], name
    # Each form's mistakes page too.
    page.goto(base + reverse("portal:listing"))
    page.get_by_label("New expiry date").fill("1 1 2001")
    page.get_by_role("button", name="Send the new date").click()
    assert "must be in the future" in page.locator(".govuk-error-summary").inner_text()
    assert axe_violations(page) == []
    page.goto(base + reverse("portal:update"))
    page.get_by_label("Phone").fill("<script>" * 40)
    page.get_by_role("button", name="Send changes to the council").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert axe_violations(page) == []


def test_the_listing_page_works_without_javascript(live_server, page_without_js, postcodes):
    page = page_without_js
    provider = _signed_in_owner(page, live_server.url)
    next_year = timezone.localdate() + timedelta(days=365)
    page.get_by_label("Tell us a check was renewed").select_option("dbs")
    page.get_by_label("New expiry date").fill(next_year.strftime("%d %m %Y"))
    page.get_by_role("button", name="Send the new date").click()
    assert "Changes waiting for the council" in page.content()
    page.get_by_label("People you support").fill("6")
    page.get_by_label("Hours a week").fill("30")
    page.get_by_role("button", name="Save figures").click()
    assert Provider.objects.get(pk=provider.pk).figures.people_supported == 6
    page.get_by_role("button", name="Withdraw these changes").click()
    assert not provider.proposals.filter(status="pending").exists()
    dbs = provider.checks.get(kind="dbs")
    assert dbs.expires_on != next_year  # saying it was renewed never verifies it
