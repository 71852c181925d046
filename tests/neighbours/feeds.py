"""Crafted Open Referral UK 3.0 feeds served by pytest-httpserver, shaped as the standard says
(they pass `validate_oruk` unless a test spoils them)."""

import uuid

NAMESPACE = uuid.UUID("0b6f0d8e-9f56-4c1c-8d3e-0f3a5d7a1c11")
CORS = {"Access-Control-Allow-Origin": "*"}


def sid(name):
    return str(uuid.uuid5(NAMESPACE, name))


def service(name, **extra):
    return {
        "id": sid(name),
        "organization_id": sid("org:" + name),
        "name": name,
        "status": "active",
        "description": f"{name} helps at home.",
        "last_modified": "2026-11-30T09:00:00Z",
        **extra,
    }


def page(contents):
    return {
        "total_items": len(contents),
        "total_pages": 1,
        "page_number": 1,
        "size": len(contents),
        "first_page": True,
        "last_page": True,
        "empty": not contents,
        "contents": contents,
    }


def serve_feed(httpserver, services, prefix="/feed"):
    """Serve `services` as a feed at `prefix`; returns its base URL."""
    serve_root(httpserver, prefix)
    httpserver.expect_request(prefix + "/services").respond_with_json(page(services), headers=CORS)
    for item in services:
        httpserver.expect_request(f"{prefix}/services/{item['id']}").respond_with_json(
            item, headers=CORS
        )
    return httpserver.url_for(prefix)


def serve_root(httpserver, prefix):
    httpserver.expect_request(prefix + "/").respond_with_json(
        {
            "version": "3.0",
            "profile": "https://openreferraluk.org/specifications/3.0",
            "openapi_url": httpserver.url_for(prefix + "/openapi.json"),
        },
        headers=CORS,
    )
