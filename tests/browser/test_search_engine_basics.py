"""What Lighthouse's SEO audits look at, checked fast in the browser on the home, results and
profile pages in both languages (`make lighthouse` runs Lighthouse itself): a 200, a title, a
meta description, the page's language, a canonical address, hreflang alternates that answer,
nothing asking not to be indexed, links a crawler can follow with words that say where they go,
and text big enough to read on a phone. On a profile, its JSON-LD parses and breaks no Content
Security Policy."""

import json

import pytest
from django.urls import reverse

from ..factories import add_check, make_provider

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# Lighthouse's list of link texts that say nothing (its English ones: it has none for Welsh).
VAGUE = {
    "click here", "click this", "go", "here", "information", "learn more", "more", "more info",
    "more information", "right here", "read more", "see more", "start", "this",
}  # fmt: skip
HREFLANG = {"en-GB", "cy", "x-default"}

FACTS = """() => {
  const attr = (selector, name) => [...document.querySelectorAll(selector)].map(e => e.getAttribute(name));
  const links = [...document.querySelectorAll('a')].map(a => ({
    href: a.getAttribute('href'),
    text: (a.innerText || a.getAttribute('aria-label') || '').trim().toLowerCase(),
    visible: !!(a.offsetWidth || a.offsetHeight || a.getClientRects().length),
  }));
  // Lighthouse's font-size audit: the share of visible text at 12 px or more.
  let small = 0, all = 0;
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement, length = node.textContent.trim().length;
    if (!length || !parent || !parent.getClientRects().length) continue;
    all += length;
    if (parseFloat(getComputedStyle(parent).fontSize) < 12) small += length;
  }
  return {
    title: document.title,
    lang: document.documentElement.lang,
    descriptions: attr('meta[name="description"]', 'content'),
    robots: attr('meta[name="robots"]', 'content'),
    canonicals: attr('link[rel="canonical"]', 'href'),
    alternates: [...document.querySelectorAll('link[rel="alternate"][hreflang]')].map(
      l => [l.getAttribute('hreflang'), l.href]),
    viewport: attr('meta[name="viewport"]', 'content'),
    links,
    legible: all ? (all - small) / all : 1,
    jsonLd: [...document.querySelectorAll('script[type="application/ld+json"]')].map(s => s.textContent),
  };
}"""

LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
"""


@pytest.fixture
def listing(postcodes):
    provider = make_provider(name="Ruth's Helping Hands", coverage_radius_miles=10)
    add_check(provider, "terms", status="awaiting")
    return provider


@pytest.mark.parametrize("language", ["", "/cy"])
def test_home_results_and_profile_pass_the_seo_basics(live_server, page, listing, language):
    page.add_init_script(LISTEN)
    paths = {
        "home": reverse("home"),
        "results": reverse("search:results") + "?postcode=CM1+1RW&utm_source=newsletter",
        "profile": listing.get_absolute_url(),
    }
    for kind, path in paths.items():
        response = page.goto(live_server.url + language + path)
        assert response.status == 200, path
        facts = page.evaluate(FACTS)
        assert facts["title"].strip() and facts["title"].endswith(
            "Dod o hyd i ofal a chymorth lleol" if language else "Find local care and support"
        )
        assert facts["lang"] == ("cy" if language else "en-GB")
        (description,) = facts["descriptions"]
        assert len(description) >= 50, (kind, description)
        assert not [content for content in facts["robots"] if "noindex" in content]
        (canonical,) = facts["canonicals"]
        expected = live_server.url + language + path.replace("&utm_source=newsletter", "")
        assert canonical == expected, kind
        assert {code for code, _ in facts["alternates"]} == HREFLANG
        assert dict(facts["alternates"])["cy" if language else "en-GB"] == canonical
        assert facts["viewport"] and "width=device-width" in facts["viewport"][0]
        for link in facts["links"]:
            href = link["href"]
            assert href and not href.lower().startswith("javascript:"), (kind, link)
            if link["visible"]:
                assert link["text"] and link["text"] not in VAGUE, (kind, link)
        assert facts["legible"] >= 0.6, kind
        if kind == "profile":
            (data,) = facts["jsonLd"]
            assert json.loads(data)["name"] == "Ruth's Helping Hands"
        else:
            assert facts["jsonLd"] == []
        assert page.evaluate("window.__violations") == [], kind
    # Each alternate answers: the Welsh and English pages exist.
    for _code, url in facts["alternates"]:
        assert page.goto(url).status == 200, url
