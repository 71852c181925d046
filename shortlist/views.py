"""The shortlist: plain POST forms that work without JavaScript, kept in the session until shared.

Every bad request gets a short GOV.UK page with a 4xx status or a redirect with a message,
never a server error.
"""

import unicodedata

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.clients import request_client_key
from core.ratelimit import rate_limit_hit
from providers.models import Provider

from .compare import check_rows, provider_columns
from .forms import EmailShortlistForm, NotesForm, ProviderForm, parse_action, valid_token
from .models import SharedShortlist, entry_rows
from .services import (
    EMAILS_PER_ADDRESS,
    EMAILS_PER_CLIENT,
    SHARE_LINKS,
    NothingToShare,
    email_address_key,
    shared_shortlist_create,
    shared_shortlist_revoke,
    shortlist_email_queue,
)
from .session import MAX_NOTE_LENGTH, MAX_PROVIDERS, SessionShortlist, ShortlistFull, clean_entries

MAX_NEXT_LENGTH = 2000
NOTHING_TO_SHARE = gettext_lazy("There is nothing to share yet. Add a provider to your shortlist")
EMAILED_KEY = "shortlist_emailed"


@require_http_methods(["GET", "HEAD", "POST"])
def index(request):
    shortlist = SessionShortlist(request.session)
    rows = entry_rows(shortlist.entries)
    if request.method != "POST":
        return _render_index(request, shortlist, rows)

    action = parse_action(request.POST.get("action"))
    if action is None:
        return _problem(
            request,
            400,
            _("We did not recognise that button"),
            [_("Nothing on your shortlist has changed. Go back to your shortlist and try again.")],
        )
    form = NotesForm(request.POST, rows)
    if not form.is_valid():
        return _render_index(request, shortlist, rows, form=form, status=400)
    notes_changed = shortlist.set_notes(form.notes())

    verb, pk = action
    names = {row["id"]: row["provider"].name for row in rows if row["provider"]}
    name = names.get(pk, _("a provider that is no longer listed"))
    target = reverse("shortlist:index")
    if verb == "save":
        messages.success(
            request, _("Your notes are saved") if notes_changed else _("No notes changed")
        )
    elif pk not in shortlist:
        messages.error(request, _("That provider is not on your shortlist any more"))
    elif verb == "remove":
        shortlist.remove(pk)
        messages.success(request, _("Removed %(name)s from your shortlist") % {"name": name})
    else:
        moved = shortlist.move(pk, -1 if verb == "up" else 1)
        if moved:
            message = _("Moved %(name)s up") if verb == "up" else _("Moved %(name)s down")
            messages.success(request, message % {"name": name})
        else:
            message = (
                _("%(name)s is already at the top of your shortlist")
                if verb == "up"
                else _("%(name)s is already at the bottom of your shortlist")
            )
            messages.info(request, message % {"name": capfirst(name)})
        target += f"#provider-{pk}"
    return redirect(target)


@require_POST
def add(request):
    form = ProviderForm(request.POST)
    if not form.is_valid():
        return _bad_provider(request, form)
    pk = form.cleaned_data["provider"]
    name = Provider.public_objects.filter(pk=pk).values_list("name", flat=True).first()
    if name is None:
        return _problem(
            request,
            400,
            _("We could not find that provider"),
            [_("They may no longer be listed. Nothing on your shortlist has changed.")],
        )
    shortlist = SessionShortlist(request.session)
    try:
        added = shortlist.add(pk)
    except ShortlistFull:
        level, message = (
            messages.ERROR,
            _(
                "Your shortlist is full. It can hold %(limit)s providers: remove one "
                "before you add %(name)s"
            )
            % {"limit": MAX_PROVIDERS, "name": name},
        )
    else:
        level, message = (
            (messages.SUCCESS, _("Added %(name)s to your shortlist") % {"name": name})
            if added
            else (messages.INFO, _("%(name)s is already on your shortlist") % {"name": name})
        )
    return _toggled(request, shortlist, pk, level, message)


@require_POST
def remove(request):
    form = ProviderForm(request.POST)
    if not form.is_valid():
        return _bad_provider(request, form)
    pk = form.cleaned_data["provider"]
    name = Provider.public_objects.filter(pk=pk).values_list("name", flat=True).first()
    shortlist = SessionShortlist(request.session)
    if shortlist.remove(pk):
        level = messages.SUCCESS
        message = _("Removed %(name)s from your shortlist") % {
            "name": name or _("a provider that is no longer listed")
        }
    else:
        level, message = messages.INFO, _("That provider was not on your shortlist")
    return _toggled(request, shortlist, pk, level, message)


def _toggled(request, shortlist, pk, level, message):
    """After add or remove: JSON for the in-page button script (it asks with Accept), else back
    to the page the button was on, at that provider, with the message at the top."""
    if "application/json" in request.headers.get("Accept", ""):
        listed = pk in shortlist
        return JsonResponse(
            {
                "listed": listed,
                "count": len(shortlist),
                "action": reverse("shortlist:remove" if listed else "shortlist:add"),
                "message": message,
            }
        )
    messages.add_message(request, level, message, extra_tags="shortlist-link")
    return redirect(_next_url(request))


@require_POST
def share(request):
    """Save any notes sent with the button, then make a link to the shortlist as it is now."""
    shortlist = SessionShortlist(request.session)
    rows = entry_rows(shortlist.entries)
    form = NotesForm(request.POST, rows)
    if not form.is_valid():
        return _render_index(request, shortlist, rows, form=form, status=400)
    shortlist.set_notes(form.notes())
    client_key = request_client_key(request)
    if not shortlist.entries:
        messages.error(request, str(NOTHING_TO_SHARE))
        return redirect("shortlist:index")
    if not rate_limit_hit(rule=SHARE_LINKS, client_key=client_key):
        return _problem(
            request,
            429,
            _("You have shared a lot of links"),
            [_("Try again in an hour. Your shortlist and notes are saved.")],
        )
    try:
        shared = shared_shortlist_create(
            entries=shortlist.entries,
            made_by=form.cleaned_data["made_by"],
            client_key=client_key,
        )
    except NothingToShare:
        messages.error(request, str(NOTHING_TO_SHARE))
    else:
        shortlist.remember_shared(shared.token)
    return redirect("shortlist:index")


@require_POST
def revoke(request):
    """Turn off a shared link. Only the session that made it may, so anyone else gets a 404."""
    token = request.POST.get("token")
    shortlist = SessionShortlist(request.session)
    shared = None
    if valid_token(token) and shortlist.created(token):
        shared = SharedShortlist.objects.filter(token=token).first()
    if shared is None:
        return _problem(
            request,
            404,
            _("We could not find that link"),
            [_("You can only turn off links you made on this device.")],
        )
    shared_shortlist_revoke(shared=shared)
    messages.success(request, _("Link turned off. Anyone who opens it now is told it has stopped"))
    return redirect("shortlist:index")


@require_safe
def shared(request, token):
    """The read-only shared page: the providers' current public details, in order, with notes."""
    found, response = _find_shared(request, token)
    if found is not None:
        rows = entry_rows(clean_entries(found.entries))
        response = render(request, "shortlist/shared.html", {"shared": found, "rows": rows})
    return _keep_private(response)


@require_safe
def shared_compare(request, token):
    """A shared shortlist side by side, for the person it was sent to."""
    found, response = _find_shared(request, token)
    if found is not None:
        response = _render_compare(request, entry_rows(clean_entries(found.entries)), found)
    return _keep_private(response)


@require_safe
def compare(request):
    """The shortlist side by side: one column a provider, one row for each thing to compare."""
    rows = entry_rows(SessionShortlist(request.session).entries)
    response = _render_compare(request, rows)
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_POST
def email(request):
    """Email the shortlist's public details to an address; no account, two rate limits."""
    shortlist = SessionShortlist(request.session)
    rows = entry_rows(shortlist.entries)
    if not any(row["provider"] for row in rows):
        return _problem(
            request,
            400,
            _("There is nothing to email yet"),
            [_("Add a provider to your shortlist, then you can email it.")],
        )
    form = EmailShortlistForm(request.POST)
    if not form.is_valid():
        return _render_index(request, shortlist, rows, email_form=form, status=400)
    address = form.cleaned_data["email"]
    if not rate_limit_hit(rule=EMAILS_PER_CLIENT, client_key=request_client_key(request)):
        return _problem(
            request,
            429,
            _("You have emailed a lot of shortlists"),
            [_("Try again in an hour. Your shortlist and notes are saved.")],
        )
    if not rate_limit_hit(rule=EMAILS_PER_ADDRESS, client_key=email_address_key(address)):
        return _problem(
            request,
            429,
            _("That address has been sent a lot of shortlists today"),
            [_("Try again tomorrow. Your shortlist and notes are saved.")],
        )
    shortlist_email_queue(rows=rows, to=address, sender=form.cleaned_data["name"])
    request.session[EMAILED_KEY] = {
        "to": address,
        "count": sum(1 for row in rows if row["provider"]),
    }
    return redirect("shortlist:emailed")


@require_safe
def emailed(request):
    """Says where the shortlist is going, once; after that, back to the shortlist."""
    sent = request.session.pop(EMAILED_KEY, None)
    if not isinstance(sent, dict) or not isinstance(sent.get("to"), str):
        return redirect("shortlist:index")
    count = sent.get("count") if type(sent.get("count")) is int else 0
    response = render(request, "shortlist/emailed.html", {"to": sent["to"], "count": count})
    patch_cache_control(response, private=True, no_store=True)
    return response


# Helpers ---------------------------------------------------------------------------------------


def _find_shared(request, token):
    """(the shared shortlist, None) while its link works, else (None, a 404 or 410 page)."""
    found = SharedShortlist.objects.filter(token=token).first() if valid_token(token) else None
    if found is None:
        return None, _problem(
            request,
            404,
            _("We could not find this shortlist"),
            [_("Check the link is complete. If it was sent to you, ask for a new one.")],
            noindex=True,
        )
    if not found.is_active():
        if found.is_revoked():
            title = _("This shortlist link has been turned off")
        else:
            title = _("This shortlist link has expired")
        return None, _problem(
            request,
            410,
            title,
            [
                _(
                    "Shared shortlists work for 90 days unless the person who made them turns "
                    "them off sooner. Ask them for a new link, or search the directory yourself."
                )
            ],
            noindex=True,
        )
    return found, None


def _render_compare(request, rows, shared=None):
    columns = provider_columns(rows)
    return render(
        request,
        "shortlist/compare.html",
        {
            "columns": columns,
            "checks": check_rows(columns),
            "gone": sum(1 for row in rows if row["provider"] is None),
            "any_note": any(column["note"] for column in columns),
            "any_grace": any(column["grace"] for column in columns),
            "shared": shared,
        },
    )


def _render_index(request, shortlist, rows, form=None, status=200, email_form=None):
    # Every note box is a field of one form: what was just sent, where it was sent (so nothing
    # typed is lost when something is wrong), and the saved note everywhere else.
    sent = form.data if form is not None else {}
    notes = NotesForm(
        {
            "made_by": sent.get("made_by", ""),
            **{f"note-{row['id']}": sent.get(f"note-{row['id']}", row["note"]) for row in rows},
        },
        rows,
    )
    for position, row in enumerate(rows, start=1):
        row["first"], row["last"] = position == 1, position == len(rows)
        row["field"] = notes[f"note-{row['id']}"]

    links = []
    if tokens := shortlist.shared_tokens():
        links = list(SharedShortlist.objects.active().filter(token__in=tokens))
    new_token = shortlist.pop_new_link()
    new_link = next((link for link in links if link.token == new_token), None)
    for link in links:
        link.url = request.build_absolute_uri(link.get_absolute_url())

    response = render(
        request,
        "shortlist/index.html",
        {
            "rows": rows,
            "form": notes if form is not None else None,
            "made_by": notes["made_by"],
            "links": links,
            "new_link": new_link,
            "max_providers": MAX_PROVIDERS,
            "max_note_length": MAX_NOTE_LENGTH,
            "email_form": email_form or EmailShortlistForm(),
        },
        status=status,
    )
    patch_cache_control(response, private=True, no_store=True)
    return response


def _bad_provider(request, form):
    return _problem(
        request,
        400,
        _("There is a problem"),
        [
            _("%(problem)s. Nothing on your shortlist has changed.")
            % {"problem": form.errors["provider"][0]}
        ],
    )


def _problem(request, status, title, paragraphs, noindex=False):
    return render(
        request,
        "shortlist/problem.html",
        {"title": title, "paragraphs": paragraphs, "noindex": noindex},
        status=status,
    )


def _keep_private(response):
    """Shared pages: the token in the address must not leak through Referer, caches or search."""
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    patch_cache_control(response, private=True, no_store=True)
    return response


def _next_url(request):
    """Where to go back to: a same-site relative path only, else the shortlist page."""
    url = request.POST.get("next", "")
    if (
        isinstance(url, str)
        and 0 < len(url) <= MAX_NEXT_LENGTH
        and url.startswith("/")
        and not url.startswith(("//", "/\\"))
        and not any(unicodedata.category(char)[0] == "C" for char in url)
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return url
    return reverse("shortlist:index")
