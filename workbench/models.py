"""Where each applicant stands in the programme's pipeline, as the development officer sets it.

An application starts as an enquiry. The officer moves it to "support" while they help the
applicant set up (mentoring, training, registering) and to "checks" while they wait for and verify
the evidence; a listing that is published is "listed" whatever its stage says. No row means an
enquiry since the application arrived.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ApplicantStage(models.Model):
    class Stage(models.TextChoices):
        ENQUIRY = "enquiry", "Enquiry"
        SUPPORT = "support", "Support to set up"
        CHECKS = "checks", "Checks"

    application = models.OneToOneField(
        "portal.Application", on_delete=models.CASCADE, related_name="stage"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    since = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=["enquiry", "support", "checks"]),
                name="applicant_stage_is_a_choice",
            )
        ]

    def __str__(self):
        return f"{self.get_stage_display()} since {self.since:%d %B %Y}"

    def get_additional_data(self):
        return {"provider": self.application.provider_id}
