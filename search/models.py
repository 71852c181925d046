from django.db import models


class SearchCount(models.Model):
    """How many searches were made for places in one postcode district in one week.

    Only these counts are kept: never a searched postcode, a time of day or anything about who
    searched. Written by `search.services.search_count_add`.
    """

    outward = models.CharField("postcode district", max_length=4)
    week = models.DateField(help_text="The Monday the week starts")
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["outward", "week"], name="one_count_per_district_week")
        ]
        indexes = [models.Index(fields=["week"], name="search_count_week")]

    def __str__(self):
        return f"{self.outward}, week of {self.week}: {self.count}"


class UnmetDemand(models.Model):
    """Searches in one postcode district in one week that found no provider, or fewer than five,
    for the types of help people filtered for: where demand goes unmet, for commissioners.

    Counts only: never a searched postcode or place, a time of day or anything about who searched.
    Written by `search.services.unmet_demand_add` with F() expressions; shown with counts under
    five suppressed (`workbench.figures`).
    """

    outward = models.CharField("postcode district", max_length=4)
    week = models.DateField(help_text="The Monday the week starts")
    help_types = models.CharField(
        max_length=200,
        blank=True,
        help_text="The types of help filtered for (category slugs, sorted, comma-separated); "
        "empty for any help",
    )
    none_found = models.PositiveIntegerField("found no provider", default=0)
    few_found = models.PositiveIntegerField("found fewer than five", default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["outward", "week", "help_types"], name="one_unmet_count_per_district_week"
            ),
            models.CheckConstraint(
                condition=models.Q(none_found__gt=0) | models.Q(few_found__gt=0),
                name="unmet_demand_counts_something",
            ),
        ]
        indexes = [models.Index(fields=["week"], name="unmet_demand_week")]

    def __str__(self):
        return f"{self.outward}, week of {self.week}: {self.none_found} none, {self.few_found} few"
