import logging

from django.conf import settings
from django.db import DatabaseError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.clients import request_client_key
from core.ratelimit import rate_limit_hit
from providers.models import Provider

from .forms import ProblemReportForm
from .services import REPORTS, report_create

NOT_SAVED_MESSAGE = gettext_lazy(
    "Sorry, we could not save your report just now. Your words are still below: try again in a "
    "few minutes. If you are worried about someone's safety, contact the council now"
)
RETRY_AFTER_SECONDS = 30  # as the site's own 503 page
# The thanks page repeats the safeguarding advice after an urgent report. It learns of one from
# a short-lived signed cookie, not the session: sending a report keeps nothing on the server but
# the report, and needs no second write that could fail after it.
URGENT_COOKIE_SALT = "reports.urgent"
URGENT_COOKIE_SECONDS = 30 * 60
logger = logging.getLogger(__name__)


def _urgent_cookie():
    # __Host-: only over HTTPS and only to this host, like the session and CSRF cookies.
    return "__Host-report-urgent" if settings.SESSION_COOKIE_SECURE else "report-urgent"


def _safeguarding_context():
    return {"safeguarding_url": getattr(settings, "SAFEGUARDING_URL", "")}


def _form_page(request, slug, provider, form, status=200, extra=None):
    context = {"slug": slug, "provider": provider, "form": form, **_safeguarding_context()}
    return render(request, "reports/report.html", {**context, **(extra or {})}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def report(request, slug):
    if request.method == "POST":
        return _send(request, slug)
    provider = get_object_or_404(Provider.public_objects, slug=slug)
    return _form_page(request, slug, provider, ProblemReportForm())


def _send(request, slug):
    """Save a report. If the database fails at any step (reading the listing, counting, saving),
    nothing is saved and the person's words come back in the form to send again."""
    form = ProblemReportForm(request.POST)
    provider = None
    try:
        provider = get_object_or_404(Provider.public_objects, slug=slug)
        if not form.is_valid():
            return _form_page(request, slug, provider, form, status=400)
        key = request_client_key(request)
        if not rate_limit_hit(rule=REPORTS, client_key=key):
            # Their words stay in the form, so nothing they wrote is lost.
            # services.RATE_LIMIT_MESSAGE, in the page's language.
            form.add_error(None, _("You have sent a lot of reports. Try again in an hour"))
            return _form_page(request, slug, provider, form, status=429)
        saved = report_create(provider=provider, client_key=key, **form.cleaned_data)
    except DatabaseError:
        # Down, hung past its timeouts, read-only or full. The page is built from what we have
        # (the listing too if it was read) and must query nothing more: so no messages, which
        # would be read from and written back to the session.
        logger.exception("Could not save a problem report for provider %s", slug)
        form.add_error(None, str(NOT_SAVED_MESSAGE))
        response = _form_page(request, slug, provider, form, status=503, extra={"messages": ()})
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    response = redirect("reports:thanks", slug=provider.slug)
    if saved.urgent:
        response.set_signed_cookie(
            _urgent_cookie(),
            provider.slug,
            salt=URGENT_COOKIE_SALT,
            max_age=URGENT_COOKIE_SECONDS,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    elif _urgent_cookie() in request.COOKIES:
        response.delete_cookie(_urgent_cookie(), samesite="Lax")
    return response


@require_http_methods(["GET", "HEAD"])
def thanks(request, slug):
    provider = get_object_or_404(Provider.public_objects, slug=slug)
    sent = request.get_signed_cookie(
        _urgent_cookie(), default="", salt=URGENT_COOKIE_SALT, max_age=URGENT_COOKIE_SECONDS
    )
    context = {"provider": provider, "urgent": sent == provider.slug, **_safeguarding_context()}
    return render(request, "reports/thanks.html", context)
