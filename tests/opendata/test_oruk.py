"""The Open Referral UK 3.0 API: every endpoint's answers validated against the standard's own
JSON schemas (vendored in opendata/schema/), paging, filters, conditional requests, bad
parameters, and nothing private or unpublished in any of it."""

import json
import uuid
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from opendata.schemas import validator
from providers.models import Provider, Service
from providers.services import provider_set_status

from ..factories import make_provider

API = "/api/oruk/"
# An id nothing has: fixed, so every test process collects the same test names.
UNKNOWN = "0b6c3f0e-5d1a-4e8b-9c2f-7a4d1e6b8c90"


def valid(data, schema):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator(schema).iter_errors(data)]
    assert errors == [], errors
    return data


def get(client, path, status=200, **params):
    response = client.get(API + path, params)
    assert response.status_code == status, response.content[:300]
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("application/json")
    return response.json()


def make_listings():
    care = Service.objects.filter(slug="washing-and-bathing")
    home = Service.objects.filter(slug="cleaning")
    return [
        make_provider(name="Alpha Care", services=care, registered="1-101", legal_form="partnership", workers=3),
        make_provider(name="Bravo Help", services=home, base_postcode="CM2 8QB", companies_house_number="AB123456"),
        make_provider(name="Hidden Draft", services=home, status="draft"),
    ]  # fmt: skip


@pytest.fixture
def listings(postcodes):
    return make_listings()


@pytest.fixture
def committed_listings(postcodes, committed):
    """The listings with their commit hooks run: the directory's version has moved."""
    with committed():
        return make_listings()


def test_the_root_says_what_this_is(client, db):
    data = valid(get(client, ""), "api_details.json")
    assert data["version"] == "3.0" and data["openapi_url"].endswith("/api/oruk/openapi.json")
    assert client.get(API + "openapi.json").status_code == 200


@pytest.mark.parametrize("params", [{}, {"full": "true"}, {"minimal": "true"}, {"per_page": "1"}])
def test_services_pages_match_the_schema(client, listings, params):
    data = valid(get(client, "services", **params), "service_list.json")
    assert data["total_items"] == 2  # the draft is not published
    for service in data["contents"]:
        valid(service, "service.json")
        assert None not in service.values() and "" not in service.values()


def test_one_service_fully_nested(client, listings):
    alpha = listings[0]
    data = valid(get(client, f"services/{alpha.open_id}"), "service.json")
    assert data["organization"]["id"] == str(alpha.organization_open_id)
    assert "Care Quality Commission (CQC): 1-101" in data["accreditations"]
    assert {a["taxonomy_term"]["name"] for a in data["attributes"]} >= {"Washing and bathing"}
    assert data["service_areas"][-1]["extent_type"] == "geojson"


def test_ids_survive_edits(client, listings):
    alpha = listings[0]
    before = get(client, f"services/{alpha.open_id}")
    alpha.name, alpha.slug = "Alpha Care and Support", ""
    alpha.save()
    after = get(client, f"services/{alpha.open_id}")
    assert after["name"] == "Alpha Care and Support"
    assert [a["id"] for a in after["service_areas"]] == [a["id"] for a in before["service_areas"]]


def test_empty_page(client, db):
    data = valid(get(client, "services"), "empy_list_response.json")
    assert data["empty"] is True and data["contents"] == [] and data["total_items"] == 0


def test_other_endpoints_match_the_schema(client, listings):
    bravo = listings[1]
    valid(get(client, "organizations", full="true"), "organization_list.json")
    org = valid(get(client, f"organizations/{bravo.organization_open_id}"), "organization.json")
    assert org["organization_identifiers"][0]["identifier"] == "AB123456"
    taxonomies = valid(get(client, "taxonomies"), "taxonomy_list.json")
    first = taxonomies["contents"][0]["id"]
    valid(get(client, f"taxonomies/{first}"), "taxonomy.json")
    terms = valid(get(client, "taxonomy_terms", per_page="100"), "taxonomy_term_list.json")
    for term in terms["contents"]:
        valid(term, "taxonomy_term.json")
    valid(get(client, f"taxonomy_terms/{terms['contents'][0]['id']}"), "taxonomy_term.json")
    at = valid(get(client, "service_at_locations", full="true"), "service_at_location_list.json")
    for item in at["contents"]:
        valid(item, "service_at_location.json")
    one = valid(get(client, f"service_at_locations/{bravo.open_id}"), "service_at_location.json")
    assert one["location"]["latitude"] == bravo.area_latitude  # the sector centre, never the base


def test_postcode_and_proximity_follow_the_coverage_rules(client, listings):
    """Who covers the postcode, as the search says, not just who is near it."""
    far = make_provider(name="Taunton Help", base_postcode="TA1 1NR", coverage_radius_miles=5)
    names = [
        s["service"]["name"]
        for s in get(client, "service_at_locations", postcode="CM1 1AE", full="true")["contents"]
    ]
    assert sorted(names) == ["Alpha Care", "Bravo Help"]
    near = get(client, "service_at_locations", postcode="CM1 1AE", proximity="1500", full="true")
    assert [s["service"]["name"] for s in near["contents"]] == ["Alpha Care"]
    taunton = get(client, "service_at_locations", postcode="TA1 1NR")
    assert [s["service_id"] for s in taunton["contents"]] == [str(far.open_id)]
    for bad in [
        {"postcode": "ZZ99 9ZZ"},
        {"postcode": "<script>"},
        {"proximity": "10"},
        {"postcode": "CM1 1AE", "proximity": "-5"},
    ]:
        assert get(client, "service_at_locations", status=400, **bad)["error"] == "Bad request"


def test_filters(client, listings):
    alpha, bravo, _draft = listings
    cleaning = Service.objects.get(slug="cleaning")
    by_term = get(client, "services", taxonomy_term_id=str(cleaning.open_id))
    assert [s["name"] for s in by_term["contents"]] == ["Bravo Help"]
    by_org = get(client, "services", organization_id=str(alpha.organization_open_id))
    assert [s["name"] for s in by_org["contents"]] == ["Alpha Care"]
    assert [s["name"] for s in get(client, "services", search="bravo")["contents"]] == [
        "Bravo Help"
    ]
    later = (timezone.now() + timedelta(minutes=1)).isoformat()
    assert get(client, "services", modified_after=later)["total_items"] == 0
    bravo.phone = "01632 960999"
    bravo.save()  # modified_after sees an edit
    since = bravo.updated_at.isoformat()  # "on or after"
    assert [s["name"] for s in get(client, "services", modified_after=since)["contents"]] == [
        "Bravo Help"
    ]


def test_ndjson_streams_every_service(client, listings):
    response = client.get(API + "services", {"format": "ndjson"})
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert response["Content-Type"] == "application/x-ndjson"
    assert sorted(json.loads(line)["name"] for line in lines) == ["Alpha Care", "Bravo Help"]


def test_paging_through_1000_listings_returns_each_once(client, postcodes):
    model = make_provider(name="Model listing")
    model.refresh_from_db()  # with the derived columns its checks set
    own = {"id", "slug", "open_id", "organization_open_id"}
    fields = [f.attname for f in Provider._meta.concrete_fields if f.attname not in own]
    Provider.objects.bulk_create(
        Provider(
            **{name: getattr(model, name) for name in fields},
            **{"slug": f"copy-{n}", "open_id": uuid.uuid4(), "organization_open_id": uuid.uuid4()},
        )
        for n in range(999)
    )
    seen, page = [], 1
    while True:
        data = get(client, "services", per_page="100", page=str(page))
        seen += [service["id"] for service in data["contents"]]
        if data["last_page"]:
            break
        page += 1
    assert len(seen) == len(set(seen)) == 1000 and page == 10


def test_a_suspended_listing_leaves_every_endpoint(client, listings, staff_user):
    alpha = listings[0]
    provider_set_status(provider=alpha, status="suspended", by=staff_user, reason="Complaint")
    assert get(client, f"services/{alpha.open_id}", status=404)["error"] == "Not found"
    get(client, f"organizations/{alpha.organization_open_id}", status=404)
    everything = json.dumps([get(client, "services", full="true"), get(client, "organizations")])
    assert "Alpha Care" not in everything


def test_a_conditional_request_gets_304_until_the_directory_changes(
    client, committed_listings, committed
):
    listings = committed_listings  # the directory's version moves when a change commits
    first = client.get(API + "services")
    unchanged = client.get(API + "services", HTTP_IF_NONE_MATCH=first["ETag"])
    assert unchanged.status_code == 304
    assert unchanged["Access-Control-Allow-Origin"] == "*"
    since = first["Last-Modified"]
    assert client.get(API + "services", HTTP_IF_MODIFIED_SINCE=since).status_code == 304
    listings[1].summary = "New words"
    with committed():
        listings[1].save()
    assert client.get(API + "services", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200
    # Last-Modified has a resolution of a second: a change within the same second as the
    # last one is caught by the ETag above.


def test_nothing_private_is_published(client, listings):
    everything = json.dumps(
        [
            get(client, "services", full="true", per_page="100"),
            get(client, "organizations", full="true"),
            *[get(client, f"services/{p.open_id}") for p in listings[:2]],
        ]
    )
    for listing in listings[:2]:
        listing.refresh_from_db()
        assert listing.base_postcode not in everything
        assert listing.staff_notes not in everything
    assert "PRIVATE-STAFF-NOTE" not in everything and "CM1 1RW" not in everything


@pytest.mark.parametrize(
    ("params", "word"),
    [
        ({"page": "0"}, "page"),
        ({"page": "-1"}, "page"),
        ({"page": "9" * 40}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "abc"}, "per_page"),
        ({"taxonomy_term_id": "not-a-uuid"}, "taxonomy_term_id"),
        ({"organization_id": "' OR 1=1 --"}, "organization_id"),
        ({"taxonomy_id": UNKNOWN}, "taxonomy_id"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"modified_after": "2026-13-45"}, "modified_after"),
        ({"search": "x" * 5000}, "search"),
        ({"search": "a\x00b"}, "search"),
        ({"full": "maybe"}, "full"),
        ({"format": "xml"}, "format"),
    ],
)
def test_bad_parameters_get_a_400_with_a_message(client, listings, params, word):
    data = get(client, "services", status=400, **params)
    assert data["error"] == "Bad request" and word in data["message"]


@pytest.mark.parametrize(
    "path",
    ["services/" + UNKNOWN, "services/123", "organizations/x", "taxonomies/" + UNKNOWN,
     "taxonomy_terms/" + UNKNOWN, "service_at_locations/" + UNKNOWN, "nope"],
)  # fmt: skip
def test_unknown_ids_get_a_404(client, db, path):
    assert get(client, path, status=404)["error"] == "Not found"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
@pytest.mark.parametrize("path", ["", "services", f"services/{UNKNOWN}", "openapi.json"])
def test_other_methods_get_a_json_405(db, method, path):
    browser = Client(enforce_csrf_checks=True)  # a POST is refused for what it is, not for CSRF
    response = browser.generic(method, API + path, data=b"a=1", content_type="text/plain")
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["error"] == "Method not allowed"


def test_head_is_answered(client, db):
    assert client.head(API + "services").status_code == 200


@pytest.mark.parametrize(
    "path", ["/api/", "/api/nope", "/api/oruk/services/x/y", "/api/v2/services"]
)
def test_unknown_addresses_under_the_api_get_a_json_404(client, db, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["error"] == "Not found"


def test_pages_outside_the_api_keep_their_html_404(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and response["Content-Type"].startswith("text/html")


def test_a_failed_precondition_gets_a_json_412(client, db):
    response = client.get(API + "services", HTTP_IF_MATCH='"some-other-version"')
    assert response.status_code == 412
    assert response.json()["error"] == "Precondition failed"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    "since", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-01-01T00:00:00+25:00"]
)
def test_a_moment_outside_what_the_database_holds_is_a_400(client, db, since):
    data = get(client, "services", status=400, modified_after=since)
    assert "modified_after" in data["message"]


def test_full_services_give_their_public_area_with_coordinates(client, listings):
    """So a neighbouring council's harvest can place every service without a second request."""
    alpha, bravo, _draft = listings
    data = get(client, "services", full="true")
    for service in data["contents"]:
        valid(service, "service.json")
        [at] = service["service_at_locations"]
        listing = alpha if service["id"] == str(alpha.open_id) else bravo
        assert at["location"]["latitude"] == listing.area_latitude
        assert at["location"]["longitude"] == listing.area_longitude
        assert "addresses" not in at["location"]
