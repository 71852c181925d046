from django.db import models


class RateCount(models.Model):
    """How many times one client has done one rate-limited thing in one fixed window.

    Written only by `core.ratelimit.rate_limit_hit`, with one atomic upsert, so simultaneous
    requests cannot both slip under the limit. The client is a keyed hash, never an IP address.
    """

    scope = models.CharField(max_length=40)
    client_key = models.CharField(max_length=64)
    window_start = models.BigIntegerField(help_text="Unix time the window began")
    count = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "client_key", "window_start"], name="one_count_per_window"
            )
        ]
        indexes = [models.Index(fields=["scope", "window_start"], name="rate_count_window")]

    def __str__(self):
        return f"{self.scope}: {self.count}"
