"""The public site in Welsh: the language link keeps you on the same page with the same search,
every Welsh page passes axe (lang attributes included) and has no English left except listing
text the provider wrote in English, which is marked lang="en" for screen readers. Prints the
pages checked."""

import re

import pytest
from django.urls import reverse

from ..factories import add_basic_checks, make_provider
from .conftest import axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Common English words that are not also Welsh words: any of them outside lang="en" text means
# an untranslated message.
ENGLISH = {
    "the", "and", "your", "you", "with", "this", "that", "what", "when", "where", "which",
    "from", "have", "will", "not", "are", "for", "providers", "provider", "search", "shortlist",
    "results", "about", "find", "near", "more", "share", "report", "problem", "checked",
    "council", "people", "who", "how", "need", "they", "their", "there", "only", "any", "each",
    "filter", "filters", "show", "hide", "back", "next", "contact", "free",
    "hour", "checks", "insurance", "training", "registered", "available", "weekdays", "weekends",
    "evenings", "miles", "within", "care", "support", "page", "list", "remove", "add", "enter",
}  # fmt: skip

LEFTOVERS = """() => {
  const texts = [document.title];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const english = el => (el.closest('[lang]')?.getAttribute('lang') || '').toLowerCase().startsWith('en');
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!el || el.closest('script, style, noscript') || english(el)) continue;
    texts.push(walker.currentNode.textContent);
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    if (english(el)) continue;
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (el.getAttribute(name)) texts.push(el.getAttribute(name));
    }
  }
  return texts;
}"""


def english_left(page):
    found = set()
    for text in page.evaluate(LEFTOVERS):
        words = set(re.findall(r"[a-z]+", text.lower()))
        if words & ENGLISH:
            found.add(" ".join(text.split())[:80])
    return sorted(found)


@pytest.fixture
def listing(postcodes):
    provider = make_provider(
        name="Ruth's Helping Hands",
        summary="Help at home and company in Chelmsford.",
        coverage_radius_miles=10,
    )
    add_basic_checks(provider)
    return provider


def to_welsh(page):
    page.get_by_role("link", name=re.compile("Cymraeg")).click()
    assert page.locator("html").get_attribute("lang") == "cy"


def check_welsh_page(page):
    assert axe_violations(page) == [], page.url
    left = english_left(page)
    assert left == [], (page.url, left)


def test_each_page_switches_to_welsh_and_back(live_server, page, listing):
    base = live_server.url
    search = reverse("search:results") + "?postcode=CM1+1RW&sort=name"
    paths = [
        reverse("home"),
        search,
        listing.get_absolute_url(),
        reverse("guidance:index"),
        reverse("guidance:direct-payments"),
        reverse("guidance:checks"),
        reverse("guidance:registration"),
        reverse("guidance:right-for-me"),
        reverse("guidance:checklist"),
        reverse("portal:start"),
        reverse("portal:apply", args=["business"]),
        reverse("portal:sign-in"),
        reverse("reports:report", args=[listing.slug]),
        reverse("about"),
        reverse("accessibility"),
        reverse("open-data"),
    ]
    for path in paths:
        page.goto(base + path)
        assert page.locator("html").get_attribute("lang") == "en-GB"
        to_welsh(page)
        assert page.url == base + "/cy" + path  # the same page, the same search
        check_welsh_page(page)
        page.get_by_role("link", name=re.compile("English")).click()
        assert page.url == base + path
    print(f"\nWelsh pages checked in the browser: {len(paths)} + shortlist")


def test_the_shortlist_in_welsh(live_server, page, listing):
    page.goto(live_server.url + "/cy" + reverse("search:results") + "?postcode=CM1+1RW")
    page.get_by_role("button", name=re.compile("Ychwanegu at y rhestr fer")).first.click()
    page.get_by_role("button", name=re.compile("Tynnu o’r rhestr fer")).first.wait_for()
    page.goto(live_server.url + "/cy" + reverse("shortlist:index"))
    assert "Ruth's Helping Hands" in page.content()
    check_welsh_page(page)


def test_the_same_search_in_welsh_gives_the_same_results(live_server, page, listing, postcodes):
    make_provider(name="Bravo Help", base_postcode="CM2 8QB", coverage_radius_miles=10)
    names = {}
    for prefix in ("", "/cy"):
        page.goto(f"{live_server.url}{prefix}{reverse('search:results')}?postcode=CM1+1RW")
        names[prefix] = page.locator("h3 a").all_inner_texts()
    assert names[""] == names["/cy"]
    assert "Ruth's Helping Hands" in names["/cy"]


def test_english_listing_text_is_marked_on_welsh_pages(live_server, page, listing):
    page.goto(live_server.url + "/cy" + listing.get_absolute_url())
    heading = page.get_by_role("heading", level=1)
    assert heading.inner_text() == "Ruth's Helping Hands"
    assert heading.evaluate("el => el.closest('[lang]').getAttribute('lang')") == "en"
