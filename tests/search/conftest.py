import pytest

from ..factories import make_provider


@pytest.fixture
def listed(postcodes, committed):
    """Two listings covering CM1 1RW, committed (so pages and cards of them are kept)."""
    with committed():
        alpha = make_provider(name="Alpha Care", coverage_radius_miles=10)
        make_provider(name="Bravo Care", coverage_radius_miles=10)
    return alpha
