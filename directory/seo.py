"""What search engines are told about each public page: a description, whether to index it, its
canonical address and its address in the other language.

Pages are known by their URL name, so a page that another app draws still gets its description
here without its template knowing about it.
"""

from contextlib import suppress
from urllib.parse import urlencode

from django.conf import settings
from django.urls import translate_url
from django.utils.translation import gettext_lazy as _

from core.names import site_names
from places.postcodes import InvalidPostcode, PostcodeValue
from search.vocabulary import FILTERS, SORT_CHOICES

WELSH_PREFIX = "/cy/"

# One sentence or two a page type, in the words a search result would show under the title.
# %(site)s and %(council)s are the service's and the council's names in the page's language.
DESCRIPTIONS = {
    "home": _(
        "Search by postcode or town for small local care and support providers. %(council)s "
        "checks every listing: DBS check, insurance, safeguarding training and business "
        "registration."
    ),
    "about": _(
        "How %(site)s works: who can be listed, the checks %(council)s makes, where the data "
        "comes from and figures about the directory."
    ),
    "accessibility": _(
        "How accessible %(site)s is, what does not work as well as it should yet, and how to "
        "report a problem or ask for information in another format."
    ),
    "guidance:index": _(
        "Help to choose care and support at home: whether a small local provider is right for "
        "you, questions to ask, Direct Payments and what the council's checks mean."
    ),
    "guidance:right-for-me": _(
        "Five questions to help you decide whether a small local provider who works directly "
        "for you could be right for you."
    ),
    "guidance:checklist": _(
        "Questions to ask a care and support provider before you choose them: training, "
        "policies, risk assessments, their terms and how you pay."
    ),
    "guidance:direct-payments": _(
        "How to pay a small local care and support provider with a Direct Payment from the "
        "council, and what to check first."
    ),
    "guidance:checks": _(
        "What %(council)s checks before a provider is listed: DBS check, public liability "
        "insurance, safeguarding training and business registration, and what the checks do "
        "not tell you."
    ),
    "guidance:registration": _(
        "When a care provider must be registered with the Care Quality Commission or Care "
        "Inspectorate Wales, and the exemption for people who work on their own."
    ),
    "search:results": _(
        "%(title)s: small local providers checked by %(council)s. Compare what they do, what "
        "they cost and their checks, and shortlist the ones to contact."
    ),
    "shortlist:index": _(
        "The providers you have shortlisted in %(site)s, with your notes: print the list or "
        "share it with someone."
    ),
    "shortlist:shared": _(
        "A shortlist of local care and support providers that someone has shared with you."
    ),
    "reports:report": _(
        "Tell %(council)s about a problem with a listing in %(site)s: wrong details, a business "
        "that has closed, or a worry about someone's safety."
    ),
    "open-data": _(
        "The listings in %(site)s as open data under the Open Government Licence: an Open "
        "Referral UK API and a spreadsheet of every published listing."
    ),
    "portal:start": _(
        "List your small care and support business in %(site)s: who can apply, the checks "
        "%(council)s makes and how long it takes."
    ),
}
PORTAL_DESCRIPTION = _(
    "For care and support businesses: apply to be listed in %(site)s, and keep your listing up "
    "to date."
)
GUIDANCE_QUESTIONS = "guidance:right-for-me"
DEFAULT_DESCRIPTION = _(
    "%(site)s: search for small local care and support providers checked by %(council)s."
)

# Pages worth finding in a search engine, each with a canonical address. Everything else (forms,
# sign-in, someone's own shortlist or listing, staff pages) gets no canonical link, and the
# private ones below ask not to be indexed.
INDEXABLE = {
    "home",
    "about",
    "accessibility",
    "open-data",
    "search:results",
    "providers:profile",
    "portal:start",
    "guidance:index",
    "guidance:right-for-me",
    "guidance:checklist",
    "guidance:direct-payments",
    "guidance:checks",
    "guidance:registration",
}
# Pages that answer one person (an application, a sign-in, a report sent) and are no use to anyone
# arriving from a search engine. Pages that already say noindex themselves are not repeated here.
NOINDEX = {
    "guidance:right-for-me-question",
    "guidance:right-for-me-result",
    "reports:report",
    "reports:thanks",
    "portal:apply",
    "portal:check-answers",
    "portal:applied",
    "portal:sign-in",
    "portal:listing",
    "portal:update",
    "portal:renewal",
    "portal:withdraw",
    "portal:figures",
}

# The query a results page is about; anything else (tracking tags, typos) is left out of its
# canonical address. The page number stays: each page lists different providers.
SEARCH_FILTERS = [declared.name for declared in FILTERS]
SEARCH_SORTS = {value for value, _label in SORT_CHOICES} - {"distance"}
MAX_VALUES = 20
MAX_VALUE_LENGTH = 60


def view_name(request):
    match = getattr(request, "resolver_match", None)
    return match.view_name if match else None


def page_description(name, context):
    """The description for a page of this URL name; `context` is the template's, for the results
    page, whose description names the place searched (its title)."""
    names = site_names()
    title = context.get("title", "")
    if name == "search:results" and not title:
        name = "home"  # a search to try again: the home page's form
    elif name and name.startswith(GUIDANCE_QUESTIONS):
        name = GUIDANCE_QUESTIONS
    elif name and name.startswith("portal:") and name not in DESCRIPTIONS:
        return PORTAL_DESCRIPTION % {"site": names["SITE_NAME"]}
    words = {"site": names["SITE_NAME"], "council": names["COUNCIL_NAME"], "title": title}
    return DESCRIPTIONS.get(name, DEFAULT_DESCRIPTION) % words


def canonical_path(request, name):
    """The page's own address, without anything in the query string that does not change what
    it shows. None for pages that should not be indexed."""
    if name not in INDEXABLE:
        return None
    if name != "search:results":
        return request.path
    query = search_query(request.GET)
    return f"{request.path}?{urlencode(query, doseq=True)}" if query else request.path


def search_query(data):
    """[(name, value), ...] of a results page's query that decides what it shows, tidied: the
    postcode in its usual form, filter values sorted, the default sort and page 1 left out."""
    query = []
    place = " ".join(data.get("postcode", "").split())[:MAX_VALUE_LENGTH]
    if place:
        with suppress(InvalidPostcode):  # a town or village stays as typed
            place = str(PostcodeValue.parse(place))
        query.append(("postcode", place))
    for name in SEARCH_FILTERS:
        values = sorted(
            {value for value in data.getlist(name) if value and len(value) <= MAX_VALUE_LENGTH}
        )
        query.extend((name, value) for value in values[:MAX_VALUES])
    if data.get("sort") in SEARCH_SORTS:
        query.append(("sort", data["sort"]))
    page = data.get("page", "")
    if page.isascii() and page.isdigit() and int(page) > 1:
        query.append(("page", str(int(page))))
    return query


def in_language(path, code):
    """`path` (with its query) in the language `code`: translate_url when the address resolves,
    otherwise (a page not found) by swapping the /cy/ prefix, so the language link of a 404
    leads to the same address in the other language rather than back to itself."""
    translated = translate_url(path, code)
    if translated != path or not settings.WELSH:
        return translated
    welsh = path.startswith(WELSH_PREFIX)
    if code == "cy" and not welsh:
        return "/cy" + path
    if code != "cy" and welsh:
        return path[len("/cy") :]
    return path


def alternates(path):
    """[(hreflang, path), ...] for every language, English first, then x-default (English)."""
    found = [
        ("cy" if code == "cy" else "en-GB", in_language(path, code))
        for code, _name in settings.LANGUAGES
    ]
    return found + [("x-default", found[0][1])]
