"""`manage.py check` fails when the search examples shown to people cannot be searched."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError


def test_examples_in_the_data_pass(places):
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()


@pytest.mark.parametrize(
    ("setting", "value", "error"),
    [
        ("SEARCH_EXAMPLE_POSTCODE", "CM1 1AA", "places.E001"),  # well formed, not real
        ("SEARCH_EXAMPLE_POSTCODE", "not a postcode", "places.E001"),
        ("SEARCH_EXAMPLE_PLACE", "Atlantis", "places.E002"),
        ("SEARCH_EXAMPLE_PLACE", "Newport", "places.E002"),  # more than one
    ],
)
def test_an_example_not_in_the_data_fails(places, settings, setting, value, error):
    setattr(settings, setting, value)
    with pytest.raises(SystemCheckError, match=error):
        call_command("check", stdout=StringIO(), stderr=StringIO())


def test_nothing_to_check_before_the_data_is_loaded(db, settings):
    settings.SEARCH_EXAMPLE_POSTCODE = "CM1 1AA"
    out = StringIO()
    call_command("check", stdout=out)
    assert "no issues" in out.getvalue()
