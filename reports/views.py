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

THANKS_SESSION_KEY = "reports_thanks"
NOT_SAVED_MESSAGE = gettext_lazy(
    "Sorry, we could not save your report just now. Your words are still below: try again in a "
    "few minutes. If you are worried about someone's safety, contact the council now"
)
logger = logging.getLogger(__name__)


def _safeguarding_context():
    return {"safeguarding_url": getattr(settings, "SAFEGUARDING_URL", "")}


@require_http_methods(["GET", "HEAD", "POST"])
def report(request, slug):
    provider = get_object_or_404(Provider.public_objects, slug=slug)
    status = 200
    if request.method == "POST":
        form = ProblemReportForm(request.POST)
        key = request_client_key(request)
        try:
            if not form.is_valid():
                status = 400
            elif not rate_limit_hit(rule=REPORTS, client_key=key):
                # Their words stay in the form, so nothing they wrote is lost.
                # services.RATE_LIMIT_MESSAGE, in the page's language.
                form.add_error(None, _("You have sent a lot of reports. Try again in an hour"))
                status = 429
            else:
                saved = report_create(provider=provider, client_key=key, **form.cleaned_data)
                request.session[THANKS_SESSION_KEY] = {
                    "slug": provider.slug,
                    "urgent": saved.urgent,
                }
                return redirect("reports:thanks", slug=provider.slug)
        except DatabaseError:
            # Full disk, a read-only database: the report is not saved, so say so and give
            # their words back in the form to send again.
            logger.exception("Could not save a problem report for provider %s", provider.pk)
            form.add_error(None, str(NOT_SAVED_MESSAGE))
            status = 503
    else:
        form = ProblemReportForm()
    context = {"provider": provider, "form": form, **_safeguarding_context()}
    return render(request, "reports/report.html", context, status=status)


@require_http_methods(["GET", "HEAD"])
def thanks(request, slug):
    provider = get_object_or_404(Provider.public_objects, slug=slug)
    sent = request.session.get(THANKS_SESSION_KEY) or {}
    urgent = sent.get("slug") == provider.slug and bool(sent.get("urgent"))
    context = {"provider": provider, "urgent": urgent, **_safeguarding_context()}
    return render(request, "reports/thanks.html", context)
