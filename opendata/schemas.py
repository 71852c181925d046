"""The Open Referral UK 3.0 JSON schemas vendored in opendata/schema/ (BSD-3, see LICENSE.md),
as validators: shared by the tests and the `validate_oruk` command."""

import json
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA = Path(__file__).parent / "schema"
BASE = "https://openreferraluk.org/specifications/3.0/schema/"


@cache
def _registry():
    """Every schema under the address the standard's own "$ref"s use (openapi.json is not one)."""
    return Registry().with_resources(
        (BASE + path.name, Resource.from_contents(json.loads(path.read_text()), DRAFT202012))
        for path in SCHEMA.glob("*.json")
        if path.name != "openapi.json"
    )


def validator(schema_file):
    """A validator for one of the standard's schemas, e.g. validator("service.json"), that
    follows its references and checks formats (dates, URIs, UUIDs)."""
    return Draft202012Validator(
        {"$ref": BASE + schema_file},
        registry=_registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
