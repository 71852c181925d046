"""Providers' own pages: apply to be listed, sign in with an emailed link, see the listing and its
checks, propose changes, say a check was renewed, report figures.

A provider's pages never take a listing id from the request: the listing is always the one the
signed-in account manages (`access.owned_listing`), so no URL or form field reaches anyone else's.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from core.clients import request_client_key
from core.ratelimit import rate_limit_hit
from providers.models import Check, NewClients, NewClientsVia, Provider
from providers.services import NewClientsLinkUsed, new_clients_stamp, provider_new_clients_set

from . import forms
from .access import listing_required, owned_listing
from .display import diff_rows
from .models import ProposedChange, ProviderFigures
from .regulation import registration_advice
from .services import (
    APPLICATIONS,
    ListingOnHold,
    ProposalConflict,
    _nation,
    application_submit,
    new_clients_links_request,
    proposal_save,
    proposal_withdraw,
    sign_in_link_request,
)
from .services import figures_save as save_figures
from .tokens import NewClientsLinkExpired, NewClientsLinkInvalid, user_for_link
from .tokens import new_clients_link as new_clients_link_for

SESSION_KEY = "application"
STEP_NAMES = list(forms.STEPS)


def _private(response):
    patch_cache_control(response, private=True, no_store=True)
    return response


def start(request):
    return render(request, "portal/start.html")


# Applying, one question a page ---------------------------------------------------------------------


def _answers(request):
    answers = request.session.get(SESSION_KEY)
    return answers if isinstance(answers, dict) else {}


def _stored(form):
    """The cleaned answers as plain JSON values, to keep in the session between pages."""
    values = {}
    for name, value in form.cleaned_data.items():
        if hasattr(value, "all") or isinstance(value, list | tuple):
            value = [getattr(item, "slug", item) for item in value]
        elif value is not None and not isinstance(value, str | int | bool):
            value = str(value)
        values[name] = value
    return values


@require_http_methods(["GET", "HEAD", "POST"])
def apply_step(request, step):
    if step not in forms.STEPS:
        raise Http404("No such question")
    form_class = forms.STEPS[step]
    answers = _answers(request)
    if request.method == "POST":
        form = form_class(request.POST)
        if form.is_valid():
            answers[step] = _stored(form)
            request.session[SESSION_KEY] = answers
            return redirect(_after(step, answers, request.GET.get("change")))
        status = 400
    else:
        form = form_class(initial=answers.get(step))
        status = 200
    number = STEP_NAMES.index(step) + 1
    previous = STEP_NAMES[number - 2] if number > 1 else None
    context = {
        "form": form,
        "step": step,
        "title": form_class.title,
        "number": number,
        "steps": len(STEP_NAMES),
        "back": reverse("portal:apply", args=[previous]) if previous else reverse("portal:start"),
        "change": request.GET.get("change") == "1",
    }
    return _private(render(request, "portal/question.html", context, status=status))


def _after(step, answers, change):
    """The next question; or, when changing an answer, straight back to "check your answers"
    once every question has one."""
    if change == "1" and all(name in answers for name in STEP_NAMES):
        return reverse("portal:check-answers")
    for name in STEP_NAMES[STEP_NAMES.index(step) + 1 :]:
        if name not in answers or change != "1":
            return reverse("portal:apply", args=[name])
    return reverse("portal:check-answers")


def _validated(answers):
    """Every page's answers checked again (the data may have changed meanwhile): (forms, first
    page with a problem or None)."""
    checked = {}
    for step, form_class in forms.STEPS.items():
        form = form_class(_as_data(answers.get(step)))
        checked[step] = form
        if step not in answers or not form.is_valid():
            return checked, step
    return checked, None


def _as_data(values):
    """Stored answers back into form data (a QueryDict-like mapping with lists)."""
    data = QueryDict(mutable=True)
    for name, value in (values or {}).items():
        if isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        elif value is not None:
            data[name] = "yes" if value is True else "no" if value is False else str(value)
    return data


@require_http_methods(["GET", "HEAD", "POST"])
def check_answers(request):
    answers = _answers(request)
    if not answers:
        # The session ran out (two weeks after the last answer) or this is another device.
        days = settings.SESSION_COOKIE_AGE // 86400
        context = {
            "title": _("We no longer have your answers"),
            "paragraphs": [
                ngettext(
                    "Answers are kept on the device you used for %(days)s day after your last "
                    "one. Nothing has been sent to the council.",
                    "Answers are kept on the device you used for %(days)s days after your last "
                    "one. Nothing has been sent to the council.",
                    days,
                )
                % {"days": days},
            ],
            "start_again": True,
        }
        status = 400 if request.method == "POST" else 200
        return _private(render(request, "portal/problem.html", context, status=status))
    checked, missing = _validated(answers)
    if missing:
        return redirect("portal:apply", missing)
    nation = _nation(answers["where"]["base_postcode"])
    _needs, advice = registration_advice(answers["registration"], nation)
    if request.method == "POST":
        if not rate_limit_hit(rule=APPLICATIONS, client_key=request_client_key(request)):
            return _private(
                render(
                    request,
                    "portal/problem.html",
                    {
                        "title": _("You have sent a lot of applications"),
                        "paragraphs": [
                            _("Try again in an hour. Your answers are saved on this device.")
                        ],
                    },
                    status=429,
                )
            )
        provider = application_submit(answers=answers)
        request.session.pop(SESSION_KEY, None)
        request.session["applied"] = {"reference": f"A{provider.pk:06d}", "name": provider.name}
        return redirect("portal:applied")
    rows = [
        (step, checked[step], [(field.label, _shown(field)) for field in checked[step]])
        for step in STEP_NAMES
    ]
    return _private(render(request, "portal/check_answers.html", {"rows": rows, "advice": advice}))


def _shown(field):
    """An answer as words for "check your answers"."""
    value = field.form.cleaned_data.get(field.name)
    if value in (None, "", []):
        return _("Not given")
    if hasattr(value, "all"):
        return ", ".join(field.field.label_from_instance(item) for item in value)
    choices = dict(getattr(field.field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(item, item)) for item in value)
    if field.name.startswith("hourly_rate"):
        return f"£{value}"
    return str(choices.get(value, value))


def applied(request):
    done = request.session.get("applied")
    if not isinstance(done, dict):
        return redirect("portal:start")
    return _private(render(request, "portal/applied.html", {"done": done}))


# Signing in ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request):
    form = forms.SignInForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            within = sign_in_link_request(
                email=form.cleaned_data["email"], client_key=request_client_key(request)
            )
            if not within:
                return _private(
                    render(
                        request,
                        "portal/problem.html",
                        {
                            "title": _("You have asked for a lot of sign-in links"),
                            "paragraphs": [
                                _(
                                    "Wait an hour, then ask again. Any link we have already "
                                    "sent still works until it runs out."
                                )
                            ],
                        },
                        status=429,
                    )
                )
            # The same page whether or not the address manages a listing.
            context = {
                "email": form.cleaned_data["email"],
                "minutes": settings.SIGN_IN_LINK_MINUTES,
            }
            return _private(render(request, "portal/check_email.html", context))
        return _private(render(request, "portal/sign_in.html", {"form": form}, status=400))
    return _private(render(request, "portal/sign_in.html", {"form": form}))


@require_http_methods(["GET", "HEAD", "POST"])
def link(request, uid, token, kind="sign-in"):
    """GET shows a button (mail scanners that open links must not use them up); POST signs in.
    A client or account locked out after failed sign-ins (django-axes) is locked out here too."""
    user = user_for_link(uid, token, kind)
    username = user.get_username() if user else ""
    if not AxesProxyHandler.is_allowed(request, credentials={"username": username}):
        response = _locked_out(request)
    elif user is None:
        if request.method == "POST":
            # Counts towards the client's lockout, never the account's: nobody can lock a
            # provider out by trying bad links with their id.
            user_login_failed.send(__name__, credentials={"username": ""}, request=request)
        response = render(request, "portal/link_invalid.html", {"kind": kind}, status=410)
    elif request.method == "POST":
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("portal:listing")
    else:
        response = render(request, "portal/link.html", {"kind": kind})
    # The token must not leave in a Referer to another site; same-origin (not no-referrer, which
    # makes the browser send "Origin: null" and CSRF refuse the Continue button).
    response.headers["Referrer-Policy"] = "same-origin"
    return _private(response)


def _locked_out(request):
    minutes = round(settings.AXES_COOLOFF_TIME * 60)
    return render(
        request,
        "portal/problem.html",
        {
            "title": _("Too many attempts to sign in"),
            "paragraphs": [
                _(
                    "To keep accounts safe, signing in from here is stopped for %(minutes)s "
                    "minutes. Wait, then open the link again or ask for a new one."
                )
                % {"minutes": minutes}
            ],
        },
        status=429,
    )


@require_POST
def sign_out(request):
    logout(request)
    return redirect("portal:start")


# The provider's own listing ------------------------------------------------------------------------


def _checks(provider):
    """Each check the listing needs, with its state and what to do next."""
    kinds = list(Check.BASIC_KINDS)
    if provider.gives_personal_care:
        kinds.append(Check.Kind.REGISTRATION)
    found = {check.kind: check for check in provider.checks.all()}
    return [(kind, Check.Kind(kind).label, found.get(kind)) for kind in kinds]


def renewable_checks(provider):
    """(kind, label) of the checks a provider can say were renewed: the listing's own, and a
    registration only once the council has its registration number (an officer approving a
    renewal records the check as verified, which needs the number)."""
    return [
        (kind, label)
        for kind, label, check in _checks(provider)
        if kind != Check.Kind.REGISTRATION or (check is not None and check.reference)
    ]


def _listing_page(request, provider, *, status=200, **forms_shown):
    """The provider's own page; a form sent back with its mistakes replaces the blank one."""
    pending = provider.proposals.filter(status=ProposedChange.Status.PENDING).first()
    decided = provider.proposals.exclude(status=ProposedChange.Status.PENDING)
    context = {
        "provider": provider,
        "checks": _checks(provider),
        "pending": pending,
        "pending_rows": diff_rows(pending) if pending else [],
        "decided": decided.order_by("-decided_at")[:3] if status == 200 else [],
        **forms_shown,
    }
    if "figures_form" not in context:
        figures = ProviderFigures.objects.filter(provider=provider).first()
        context["figures_form"] = forms.FiguresForm(instance=figures)
    context.setdefault("renewal_form", forms.RenewalForm(kinds=renewable_checks(provider)))
    context["renewable"] = renewable_checks(provider)
    context.setdefault("new_clients_form", forms.NewClientsForm())
    context["new_clients_choices"] = NewClients.choices
    return _private(render(request, "portal/listing.html", context, status=status))


@listing_required
def listing(request):
    return _listing_page(request, owned_listing(request))


@listing_required
@require_http_methods(["GET", "HEAD", "POST"])
def update(request):
    provider = owned_listing(request)
    pending = provider.proposals.filter(status=ProposedChange.Status.PENDING).first()
    if request.method != "POST":
        form = forms.ListingForm(instance=provider, initial=_proposed_values(pending))
        form.fields["seen_revision"].initial = pending.revision if pending else 0
        return _private(render(request, "portal/update.html", {"form": form, "pending": pending}))
    form = forms.ListingForm(request.POST, instance=provider)
    if not form.is_valid():
        return _private(
            render(request, "portal/update.html", {"form": form, "pending": pending}, status=400)
        )
    try:
        proposal_save(
            provider=provider,
            user=request.user,
            changes=form.changes(),
            seen_revision=form.cleaned_data.get("seen_revision"),
        )
    except (ListingOnHold, ProposalConflict) as error:
        form.add_error(None, _refusal(error, provider))
        status = 409
        return _private(
            render(request, "portal/update.html", {"form": form, "pending": pending}, status=status)
        )
    return redirect(reverse("portal:listing") + "#changes")


def _proposed_values(pending):
    """The form starts from the listing with any waiting changes on top."""
    if pending is None:
        return {}
    values = {
        field: change["new"]
        for field, change in pending.changes.items()
        if not field.startswith("check:")
    }
    if any(field in values for field in forms.AVAILABILITY_FIELDS):
        provider = pending.provider
        values["availability"] = [
            value
            for value, _label in forms.AVAILABILITY
            if values.get(f"available_{value}", getattr(provider, f"available_{value}"))
        ]
    return values


def _refusal(error, provider):
    if isinstance(error, ListingOnHold):
        return _(
            "Your listing is %(status)s, so the council is not taking changes to it at the "
            "moment. Nothing has been sent. Contact the council to find out why. What you typed "
            "is still below."
        ) % {"status": provider.get_status_display().lower()}
    return _(
        "You changed your listing in another window or on another device while this page was "
        "open, so these changes have not been sent. What you typed is still below: open your "
        "listing again to see what is waiting, then send these changes again."
    )


@listing_required
@require_POST
def renewal(request):
    provider = owned_listing(request)
    form = forms.RenewalForm(request.POST, kinds=renewable_checks(provider))
    pending = provider.proposals.filter(status=ProposedChange.Status.PENDING).first()
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            proposal_save(
                provider=provider,
                user=request.user,
                changes={f"check:{kind}": form.cleaned_data["expires_on"]},
                seen_revision=pending.revision if pending else 0,
            )
        except (ListingOnHold, ProposalConflict) as error:
            form.add_error(None, _refusal(error, provider))
        else:
            return redirect(reverse("portal:listing") + "#changes")
    return _listing_page(
        request,
        provider,
        status=400,
        renewal_form=form,
        renewal_kind=request.POST.get("kind", ""),
    )


@listing_required
@require_POST
def withdraw(request):
    proposal_withdraw(provider=owned_listing(request))
    return redirect(reverse("portal:listing") + "#changes")


@listing_required
@require_POST
def figures(request):
    provider = owned_listing(request)
    existing = ProviderFigures.objects.filter(provider=provider).first()
    form = forms.FiguresForm(request.POST, instance=existing)
    if form.is_valid():
        with transaction.atomic():
            save_figures(
                provider=provider,
                people_supported=form.cleaned_data["people_supported"],
                hours_a_week=form.cleaned_data["hours_a_week"],
            )
        return redirect(reverse("portal:listing") + "#figures")
    return _listing_page(request, provider, status=400, figures_form=form)


# Taking new clients: the provider's own answer, by link or from their own page ---------------------


def _new_clients_problem(request, title, paragraph, status):
    response = render(
        request,
        "portal/new_clients_problem.html",
        {"title": title, "paragraphs": [paragraph]},
        status=status,
    )
    response.headers["Referrer-Policy"] = "same-origin"  # the token stays on this site
    return _private(response)


@require_http_methods(["GET", "HEAD", "POST"])
def new_clients_link(request, token):
    """A single-purpose link from the monthly email. GET shows the answer and one Confirm button
    and changes nothing (mail scanners open links); only the POST records it. No sign-in. The
    text message's link has no answer in it: GET shows the three, each a Confirm button."""
    try:
        link = new_clients_link_for(token)
    except NewClientsLinkExpired:
        return _new_clients_problem(
            request,
            _("This link has run out"),
            _(
                "Links about new clients work for %(days)s days. Ask for new links, or change your "
                "answer on your own page."
            )
            % {"days": settings.NEW_CLIENTS_LINK_DAYS},
            410,
        )
    except (NewClientsLinkInvalid, Provider.DoesNotExist):
        return _new_clients_problem(
            request,
            _("This link does not work"),
            _(
                "It may have been cut short or changed when it was copied. Open it from the email "
                "again, or ask for new links."
            ),
            400,
        )
    provider = link.provider
    if new_clients_stamp(provider.new_clients_confirmed_at) != link.seen:
        return _new_clients_used(request, provider)
    choice = None
    if link.new_clients:
        answer = NewClients(link.new_clients)
    else:  # a text message's one link: the three answers here, each its own Confirm button
        choice = forms.NewClientsForm(request.POST if request.method == "POST" else None)
        answer = NewClients(choice.cleaned_data["new_clients"]) if choice.is_valid() else None
    if request.method == "POST" and answer:
        try:
            provider_new_clients_set(
                provider=provider, new_clients=answer, via=NewClientsVia.LINK, seen=link.seen
            )
        except NewClientsLinkUsed:
            return _new_clients_used(request, provider)
        response = render(
            request, "portal/new_clients_done.html", {"provider": provider, "answer": answer}
        )
    elif choice is not None:
        context = {"provider": provider, "form": choice, "choices": NewClients.choices}
        status = 400 if choice.is_bound else 200
        response = render(request, "portal/new_clients_choose.html", context, status=status)
    else:
        response = render(
            request, "portal/new_clients_confirm.html", {"provider": provider, "answer": answer}
        )
    response.headers["Referrer-Policy"] = "same-origin"
    return _private(response)


def _new_clients_used(request, provider):
    shown = provider.new_clients_public()
    return _new_clients_problem(
        request,
        _("This link has already been used"),
        _(
            "Each link works once. %(name)s now shows: %(answer)s. To change it, ask for new links "
            "or use your own page."
        )
        % {"name": provider.name, "answer": shown.words},
        410,
    )


@require_http_methods(["GET", "HEAD", "POST"])
def new_clients_ask(request):
    """Ask for the three links by email: the same answer whether or not the address has a
    listing."""
    form = forms.NewClientsLinksForm(request.POST or None)
    if request.method != "POST":
        return _private(render(request, "portal/new_clients_ask.html", {"form": form}))
    if not form.is_valid():
        return _private(render(request, "portal/new_clients_ask.html", {"form": form}, status=400))
    if not new_clients_links_request(
        email=form.cleaned_data["email"], client_key=request_client_key(request)
    ):
        return _private(
            render(
                request,
                "portal/problem.html",
                {
                    "title": _("You have asked for a lot of links"),
                    "paragraphs": [_("Wait an hour, then ask again.")],
                },
                status=429,
            )
        )
    context = {"email": form.cleaned_data["email"], "days": settings.NEW_CLIENTS_LINK_DAYS}
    return _private(render(request, "portal/new_clients_sent.html", context))


@listing_required
@require_POST
def new_clients(request):
    """The same three answers on the provider's own page: their word, recorded at once."""
    provider = owned_listing(request)
    form = forms.NewClientsForm(request.POST)
    if not form.is_valid():
        return _listing_page(request, provider, status=400, new_clients_form=form)
    provider_new_clients_set(
        provider=provider,
        new_clients=form.cleaned_data["new_clients"],
        via=NewClientsVia.ACCOUNT,
    )
    return redirect(reverse("portal:listing") + "#new-clients")
