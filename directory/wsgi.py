"""The WSGI application gunicorn and runserver (WSGI_APPLICATION) serve.

Django's own handler builds each request before any middleware runs, and building it can fail:
with a charset in the Content-Type, WSGIRequest sets its encoding, whose setter asks
hasattr(request, "GET") and so parses the query string there, raising TooManyFieldsSent for
more than DATA_UPLOAD_MAX_NUMBER_FIELDS fields, or LookupError for a charset such as rot13 that
is no text encoding. Outside the middleware nothing turns that into a response, and the server
answers 500. Here such a request is built again without its query string or body, marked
`unreadable`, and core.middleware.UnreadableBodyMiddleware answers it with the plain 400.
"""

import io
import logging
import os

import django
from django.core.handlers.wsgi import WSGIHandler, WSGIRequest

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "directory.settings")

logger = logging.getLogger(__name__)


def readable_request(environ):
    try:
        return WSGIRequest(environ)
    except Exception as error:  # noqa: BLE001 - whatever the request held, it gets a 400
        logger.warning("Could not read the request: %s: %s", type(error).__name__, error)
    request = WSGIRequest(
        {
            **environ,
            "QUERY_STRING": "",
            "CONTENT_TYPE": "",
            "CONTENT_LENGTH": "0",
            "wsgi.input": io.BytesIO(),
        }
    )
    request.unreadable = True
    return request


class Handler(WSGIHandler):
    request_class = staticmethod(readable_request)


django.setup(set_prefix=False)
application = Handler()
