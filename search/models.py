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
