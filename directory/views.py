import json
import logging
import sys

from django.conf import settings
from django.contrib import admin
from django.db import DatabaseError, InterfaceError, InternalError, OperationalError, connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpResponse, JsonResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.views import defaults
from django.views.decorators.cache import cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe

from core.middleware import api_error, bad_request_page, is_api, path_language
from core.names import site_names
from places.models import Postcode
from search.forms import PostcodeSearchForm
from workbench.figures import public_figures


def home(request):
    return render(request, "directory/home.html", {"form": PostcodeSearchForm()})


def about(request):
    return render(request, "directory/about.html", {"figures": public_figures()})


def accessibility(request):
    return render(request, "directory/accessibility.html")


# Kept out of search engines: staff pages, health checks, private links and answers for one
# person, and the map data (the results page is the page to index). The same under /cy/.
ROBOTS_DISALLOW = ["/admin/", "/staff/", "/health/", "/csp-report/"]
ROBOTS_DISALLOW_PUBLIC = [
    "/search/map/",
    "/search/my-location/",
    "/shortlist/s/",
    "/shortlist/add/",
    "/shortlist/remove/",
    "/shortlist/share/",
    "/shortlist/revoke/",
    "/report/",
    "/for-providers/apply/",
    "/for-providers/sign-in/",
    "/for-providers/invitation/",
    "/for-providers/sign-out/",
    "/for-providers/your-listing/",
]


@require_safe
@cache_control(public=True, max_age=24 * 3600)
def robots_txt(request):
    welsh = ["/cy" + path for path in ROBOTS_DISALLOW_PUBLIC] if settings.WELSH else []
    lines = [
        "User-agent: *",
        *(f"Disallow: {path}" for path in ROBOTS_DISALLOW + ROBOTS_DISALLOW_PUBLIC + welsh),
        "Allow: /",
        "",
        f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}",
    ]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


def staff_home(request):
    if request.user.is_authenticated and request.user.is_staff and "all" not in request.GET:
        return redirect("workbench:queue")
    return admin.site.admin_view(admin.site.index)(request)


logger = logging.getLogger(__name__)
csp_logger = logging.getLogger("csp")
CSP_REPORT_MAX_BYTES = 8192
RETRY_AFTER_SECONDS = 30
# Down, unreachable, hung past the timeouts, or refusing writes (read-only, a full disk).
UNAVAILABLE = (OperationalError, InterfaceError, InternalError)


def server_error(request):
    """The 500 handler. A database that is down or not answering is not our bug but an outage:
    a 503 with Retry-After. Neither page touches the session or the database; under /api/ both
    are the API's JSON."""
    error = sys.exc_info()[1]
    if isinstance(error, UNAVAILABLE):
        logger.warning("Database unavailable: %s", error)
        if is_api(request):
            response = api_error(
                503, "Service unavailable", "The directory is unavailable just now. Try again soon."
            )
        else:
            with translation.override(path_language(request)):
                response = HttpResponse(render_to_string("503.html", site_names()), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    if is_api(request):
        return api_error(500, "Server error", "Something went wrong on our side. Try again later.")
    with translation.override(path_language(request)):
        return HttpResponse(render_to_string("500.html", site_names()), status=500)


def bad_request(request, exception):
    return bad_request_page(request=request)


def permission_denied(request, exception):
    if is_api(request):
        return api_error(403, "Forbidden", "This request is not allowed.")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api(request):
        return api_error(404, "Not found", "There is nothing at this address in the API.")
    return defaults.page_not_found(request, exception)


@require_safe
def health_live(request):
    """Liveness: the process answers. Needs nothing else."""
    return JsonResponse({"status": "ok"})


@require_safe
def health_ready(request):
    """Readiness: the database answers, every migration is applied and postcodes are loaded."""
    problems = []
    try:
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            problems.append("migrations not applied")
        elif not Postcode.objects.exists():
            problems.append("no postcodes loaded")
    except DatabaseError as error:
        problems.append(f"database: {type(error).__name__}")
    status = 503 if problems else 200
    return JsonResponse(
        {"status": "unavailable" if problems else "ok", "problems": problems}, status=status
    )


@csrf_exempt
@require_POST
def csp_report(request):
    """Browsers post what the Content Security Policy blocked. Logged (without the page's query
    string, which may hold a postcode), never stored."""
    try:
        body = request.body
    except RawPostDataException:  # a form or multipart post, already read: not a report
        return HttpResponse(status=400)
    if len(body) > CSP_REPORT_MAX_BYTES:
        return HttpResponse(status=413)
    try:
        report = json.loads(body).get("csp-report", {})
    except (ValueError, AttributeError):
        return HttpResponse(status=400)
    if isinstance(report, dict):
        csp_logger.warning(
            "CSP blocked %s on %s (%s)",
            str(report.get("blocked-uri", ""))[:200],
            str(report.get("document-uri", "")).split("?")[0][:200],
            str(report.get("violated-directive", ""))[:100],
        )
    return HttpResponse(status=204)
