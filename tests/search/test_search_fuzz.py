"""Random parameter combinations never make the results page fail."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..factories import add_basic_checks, make_provider
from ..properties import examples

URL = reverse("search:results")

text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=120)
POSTCODES = ["CM1 1RW", "cm11rw", "CM1 1", "CM1", "ZZ99 9ZZ", "CO4", "TA6 3JA", "SW1A 1AA"]
VALUES = {
    "postcode": st.one_of(st.sampled_from(POSTCODES), text),
    "category": st.sampled_from(["personal-care", "help-at-home", "carer-respite", "nope"]),
    "service": st.sampled_from(["dressing", "cleaning", "gardening", "x"]),
    "audience": st.sampled_from(["older-people", "dementia", "autism", "?"]),
    "cost": st.sampled_from(["free", "15", "20", "25", "1000", "-5", ""]),
    "feature": st.sampled_from(["direct_payments", "checks", "registered", "everything"]),
    "when": st.sampled_from(["weekdays", "evenings", "weekends", "overnight", "never"]),
    "sort": st.sampled_from(["distance", "name", "checked", "random"]),
    "page": st.one_of(st.integers(-5, 10**12).map(str), st.sampled_from(["", "last", "1.5"])),
}
params = st.dictionaries(
    st.one_of(st.sampled_from(list(VALUES)), text),
    st.lists(st.one_of(text, st.just("")), max_size=3),
    max_size=8,
).flatmap(
    lambda junk: st.fixed_dictionaries(
        {},
        optional={
            name: st.lists(strategy, min_size=1, max_size=4) for name, strategy in VALUES.items()
        },
    ).map(lambda good: {**junk, **good})
)


@pytest.fixture
def listed(postcodes):
    for number in range(3):
        add_basic_checks(make_provider(name=f"Listed {number}", coverage_radius_miles=15))


@pytest.mark.django_db
@settings(
    max_examples=examples(1000),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=params)
def test_no_server_errors_for_any_parameters(client, listed, query):
    response = client.get(URL, query)
    assert response.status_code in (200, 400), (query, response.status_code)
    if response.status_code == 400:
        assert b"govuk-error-summary" in response.content
