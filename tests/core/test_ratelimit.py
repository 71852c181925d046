"""The one rate limiter: a counter row per client and window, race-free under simultaneous posts."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from core import ratelimit
from core.models import RateCount
from core.ratelimit import RateLimit, rate_limit_hit
from reports.models import ProblemReport
from reports.services import REPORTS

from ..factories import make_provider

RULE = RateLimit("test", limit=3, window=timedelta(hours=1))
HOUR = 1_790_000_000 // 3600 * 3600


def test_counts_up_to_the_limit_per_client(db):
    assert [rate_limit_hit(rule=RULE, client_key="a") for _ in range(5)] == [True] * 3 + [False] * 2
    assert rate_limit_hit(rule=RULE, client_key="b")
    other = RateLimit("other", limit=1, window=timedelta(hours=1))
    assert rate_limit_hit(rule=other, client_key="a")  # each scope counts on its own


def test_a_new_window_starts_afresh_and_old_ones_are_forgotten(db, monkeypatch):
    monkeypatch.setattr(ratelimit, "clock", lambda: HOUR + 10)
    for _ in range(4):
        rate_limit_hit(rule=RULE, client_key="a")
    assert not rate_limit_hit(rule=RULE, client_key="a")
    monkeypatch.setattr(ratelimit, "clock", lambda: HOUR + 3600 + 10)
    assert rate_limit_hit(rule=RULE, client_key="a")
    assert list(RateCount.objects.values_list("window_start", "count")) == [(HOUR + 3600, 1)]


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
