"""One small JSON-over-HTTPS reader for the registers' APIs (the standard library's urllib), and
the two errors the rest of the app deals with: the register has no such record (NotFound), or we
could not get a usable answer in time (RegisterUnavailable)."""

import json
import urllib.error
import urllib.request
from urllib.parse import quote, urlencode


class RegisterUnavailable(Exception):
    """A timeout, a refused connection, a 5xx, a 429 or an answer that is not the JSON we
    expect. Nothing should change because of it."""


class NotFound(Exception):
    """The register answered 404: it has no record with that ID."""


def get_json(base_url, path, *, params=None, headers=None, timeout):
    """GET `base_url` + `path` (each segment of `path` quoted by the caller) and return the
    decoded JSON object. Raises NotFound for a 404 and RegisterUnavailable for anything else
    that is not a 200 with a JSON object."""
    url = base_url.rstrip("/") + path + ("?" + urlencode(params) if params else "")
    request = urllib.request.Request(  # noqa: S310 - the URL's scheme comes from our settings
        url, headers={"Accept": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        if error.code == 404:
            raise NotFound(path) from error
        raise RegisterUnavailable(f"the register answered {error.code}") from error
    except TimeoutError as error:
        raise RegisterUnavailable(f"no answer within {timeout:g} seconds") from error
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            raise RegisterUnavailable(f"no answer within {timeout:g} seconds") from error
        raise RegisterUnavailable(f"could not connect ({error.reason})") from error
    except OSError as error:  # a connection reset half way through the body
        raise RegisterUnavailable(f"the connection failed ({error})") from error
    try:
        data = json.loads(body)
    except ValueError as error:
        raise RegisterUnavailable("the register's answer was not JSON") from error
    if not isinstance(data, dict):
        raise RegisterUnavailable("the register's answer was not a JSON object")
    return data


def segment(value):
    """One path segment, quoted so an ID can never reach another endpoint."""
    return quote(str(value).strip(), safe="")
