"""Middleware for every response: a request id, a 400 for unreadable requests, and the
Permissions-Policy header; and the plain error answers, a page or (under /api/) JSON."""

import re
import uuid

from django.conf import settings
from django.core.exceptions import BadRequest, SuspiciousOperation
from django.http import HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string
from django.utils import translation

from .logging import request_id
from .names import site_names

REQUEST_ID = re.compile(r"[A-Za-z0-9-]{8,64}")
BODY_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
API_PREFIX = "/api/"
UNREADABLE = (
    BadRequest,
    SuspiciousOperation,
    MultiPartParserError,
    UnicodeError,
    LookupError,
    ValueError,
)


class RequestIdMiddleware:
    """Each request gets an id (the proxy's X-Request-ID if it sent a sane one) that every log
    line of the request carries, and that the response returns, so a report can be traced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        token = request_id.set(given if REQUEST_ID.fullmatch(given) else uuid.uuid4().hex)
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id.get()
            return response
        finally:
            request_id.reset(token)


class UnreadableBodyMiddleware:
    """A query string or body that cannot be parsed (too many fields, an unknown or
    non-ASCII-compatible charset, a broken multipart upload) gets a plain 400 here, before the
    CSRF check, the session, a view or an error page tries to read it again and fails with a
    server error. So does a request the WSGI handler could not build (`unreadable`, set by
    directory.wsgi)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if getattr(request, "unreadable", False):
            return bad_request_page(request=request)
        try:
            request.GET  # noqa: B018 - parse it once, here, where failure is handled
            if request.method in BODY_METHODS:
                request.POST  # noqa: B018
                request.FILES  # noqa: B018
        except UNREADABLE:
            return bad_request_page(request=request)
        return self.get_response(request)


def path_language(request):
    """The language a page's address asks for (/cy/... is Welsh), from the path alone: error
    pages may come before LocaleMiddleware has run, and must not touch the session."""
    if request is None:
        return settings.LANGUAGE_CODE
    return translation.get_language_from_path(request.path_info) or settings.LANGUAGE_CODE


def is_api(request):
    return request is not None and request.path_info.startswith(API_PREFIX)


def api_error(status, error, message):
    """Every answer of the API that is not a success: {error, message}, open to any origin."""
    response = JsonResponse({"error": error, "message": message}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def bad_request_page(status=400, request=None):
    """A plain page (JSON under /api/) that needs nothing from the request but its path, nor
    the session or the database."""
    if is_api(request):
        return api_error(status, "Bad request", "The request could not be read.")
    with translation.override(path_language(request)):
        html = render_to_string("400.html", site_names())
    return HttpResponse(html, status=status)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return response
