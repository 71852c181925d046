"""The one rate limiter: a counter row per client and window, race-free under simultaneous posts,
kept in the database whether or not there is a shared cache, and whatever happens to it."""

import threading
from datetime import timedelta

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from core import ratelimit
from core.cache import ForgivingRedisCache
from core.models import RateCount
from core.ratelimit import RateLimit, rate_limit_hit
from reports.models import ProblemReport
from reports.services import REPORTS

from ..factories import make_provider

pytestmark = pytest.mark.shared_cache

RULE = RateLimit("test", limit=3, window=timedelta(hours=1))
HOUR = 1_790_000_000 // 3600 * 3600
STOPPED_REDIS = "redis://127.0.0.1:9/0"  # nothing listens on the discard port
STOPPED_CACHE = {
    "BACKEND": "core.cache.ForgivingRedisCache",
    "OPTIONS": {"socket_connect_timeout": 0.2},
}


def test_counts_up_to_the_limit_per_client(db):
    assert [rate_limit_hit(rule=RULE, client_key="a") for _ in range(5)] == [True] * 3 + [False] * 2
    assert rate_limit_hit(rule=RULE, client_key="b")
    other = RateLimit("other", limit=1, window=timedelta(hours=1))
    assert rate_limit_hit(rule=other, client_key="a")  # each scope counts on its own


def test_a_new_window_starts_afresh(db, monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: HOUR + 10)
    for _ in range(4):
        rate_limit_hit(rule=RULE, client_key="a")
    assert not rate_limit_hit(rule=RULE, client_key="a")
    monkeypatch.setattr(ratelimit, "clock", lambda: HOUR + 3600 + 10)
    assert rate_limit_hit(rule=RULE, client_key="a")


def test_the_database_counts_and_forgets_old_windows(db, monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: HOUR + 10)
    for _ in range(4):
        rate_limit_hit(rule=RULE, client_key="a")
    monkeypatch.setattr(ratelimit, "clock", lambda: HOUR + 3600 + 10)
    assert rate_limit_hit(rule=RULE, client_key="a")
    assert list(RateCount.objects.values_list("window_start", "count")) == [(HOUR + 3600, 1)]


@pytest.mark.skipif(not django_settings.REDIS_URL, reason="only with a shared cache (REDIS_URL)")
def test_with_a_shared_cache_the_counts_are_still_in_the_database(db):
    for _ in range(3):
        assert rate_limit_hit(rule=RULE, client_key="203.0.113.7")
    assert not rate_limit_hit(rule=RULE, client_key="203.0.113.7")
    assert RateCount.objects.get(scope="test").count == 4
    assert not redis.Redis.from_url(django_settings.REDIS_URL).keys("*rate:*")


def test_the_count_carries_on_when_redis_fails(db, settings):
    """Redis stopping must not give every client a fresh allowance."""
    if not settings.REDIS_URL:  # no Redis in this run: one in memory stands in while it works
        settings.REDIS_URL = "redis://stand-in"
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    assert [rate_limit_hit(rule=RULE, client_key="a") for _ in range(2)] == [True, True]
    settings.REDIS_URL = STOPPED_REDIS
    settings.CACHES = {"default": {**STOPPED_CACHE, "LOCATION": STOPPED_REDIS}}
    assert [rate_limit_hit(rule=RULE, client_key="a") for _ in range(2)] == [True, False]
    assert RateCount.objects.get(scope="test").count == 4


def test_a_stopped_redis_is_a_miss_for_pages_never_an_error():
    stopped = ForgivingRedisCache(STOPPED_REDIS, STOPPED_CACHE)
    assert stopped.get("results:x", "missing") == "missing"
    assert stopped.get_many(["a", "b"]) == {}
    stopped.set("results:x", "page")
    stopped.set_many({"a": 1})


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_simultaneous_reports_get_at_most_the_limit_through(postcodes):
    provider = make_provider()
    url = reverse("reports:report", args=[provider.slug])
    data = {"topic": "out_of_date", "message": "The phone number is wrong"}
    start = threading.Barrier(20)
    statuses = []

    def post():
        try:
            client = Client()
            start.wait()
            statuses.append(client.post(url, data, REMOTE_ADDR="203.0.113.9").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(set(statuses)) == [302, 429]
    assert statuses.count(302) == REPORTS.limit
    assert ProblemReport.objects.count() == REPORTS.limit
