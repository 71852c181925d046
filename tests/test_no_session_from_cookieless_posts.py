"""A POST from a client with no cookies at all (a script, a bot, a browser that blocks cookies)
must not make a session row unless the visitor keeps something in it. Every address in the
project is tried, with sample arguments and answers to every form, with the CSRF check on (as in
production, where such a POST is refused) and off (as for an exempt view)."""

import re

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import LocalePrefixPattern, RegexPattern
from django.utils.regex_helper import normalize

CONVERTER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")

# Where a visitor keeps something, and so a session starts: a provider on their shortlist, an
# answer to a guidance question, an answer on the way to applying to be listed.
KEEPS = {"shortlist:add", "guidance:right-for-me-question", "portal:apply"}

# One answer for every form's fields at once: each view reads the ones it knows.
ANSWERS = {
    "next": "/",
    "topic": "other",
    "message": "Their phone number has changed.",
    "answer": "yes",
    "email": "someone@example.org",
    "action": "save",
    "latitude": "51.73",
    "longitude": "0.47",
    "postcode": "CM1 1AE",
    "username": "nobody",
    "password": "not-the-password",
    "name": "Bravo Home Help",
    "summary": "Help at home.",
    "legal_form": "sole_trader",
    "workers": "1",
}


def _sample(name, converter, provider):
    if converter == "uuid":
        return "00000000-0000-0000-0000-000000000000"
    samples = {
        "number": "1",
        "step": "business",
        "slug": provider.slug,
        "app_label": "providers",
    }
    if name in samples:
        return samples[name]
    if converter == "int" or name in ("pk", "object_id", "id"):
        return str(provider.pk)
    return f"sample-{name}"


def _route(pattern, provider):
    if isinstance(pattern, LocalePrefixPattern):
        return pattern.language_prefix
    if isinstance(pattern, RegexPattern):
        text, names = normalize(pattern._regex)[0]
        return text % {name: _sample(name, None, provider) for name in names}
    return CONVERTER.sub(
        lambda match: _sample(match["name"], match["converter"], provider), str(pattern)
    )


def every_path(provider, patterns=None, prefix="/"):
    """One address for each URL pattern in directory.urls, with sample arguments."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        here = prefix + _route(pattern.pattern, provider)
        if isinstance(pattern, URLResolver):
            yield from every_path(provider, pattern.url_patterns, here)
        elif isinstance(pattern, URLPattern):
            yield here


def _sessions_made(provider, enforce_csrf_checks):
    made = set()
    paths = sorted(set(every_path(provider)))
    assert len(paths) > 100  # the admin's too
    for path in paths:
        client = Client(enforce_csrf_checks=enforce_csrf_checks, raise_request_exception=False)
        before = Session.objects.count()
        client.post(path, {**ANSWERS, "provider": provider.pk})
        if Session.objects.count() != before:
            made.add(resolve(path).view_name)
    return made


def test_a_cookieless_post_makes_no_session_anywhere(provider):
    assert _sessions_made(provider, enforce_csrf_checks=True) == set()


def test_without_the_csrf_check_only_keeping_something_makes_a_session(provider):
    # A problem report is not kept in the session: its thanks page used to be.
    assert _sessions_made(provider, enforce_csrf_checks=False) == KEEPS


@pytest.mark.parametrize("enforce_csrf_checks", [True, False])
def test_a_sent_report_makes_no_session(provider, enforce_csrf_checks):
    client = Client(enforce_csrf_checks=enforce_csrf_checks)
    url = f"/report/{provider.slug}/"
    if enforce_csrf_checks:  # as a browser: the form's page first, for the CSRF cookie
        client.get(url)
        token = client.cookies[next(c for c in client.cookies if c.endswith("csrftoken"))].value
    else:
        token = ""
    response = client.post(url, {**ANSWERS, "topic": "safety", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert not Session.objects.exists()
