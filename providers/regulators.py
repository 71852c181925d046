"""The care regulator of each nation, for registration checks and public wording.

Personal care given in a person's home is a regulated activity. In England a provider must be
registered with the CQC unless it is an individual contracted directly by the person (or their
representative) and working under their control and direction: see the CQC's "Personal care:
ongoing role, introductory agencies and individual care workers",
https://www.cqc.org.uk/guidance-providers/registration/personal-care-ongoing-role-introductory-agencies-individual-care
(last updated 26 May 2022). In Wales a domiciliary support service must be registered with Care
Inspectorate Wales under the Regulation and Inspection of Social Care (Wales) Act 2016, Schedule 1,
https://www.legislation.gov.uk/anaw/2016/2/schedule/1 , and CIW's "Guide to registration: Regulation
and Inspection of Social Care (Wales) Act 2016",
https://www.careinspectorate.wales/guide-registration-regulation-and-inspection-social-care-wales-act-2016
("The register we keep provides a public record of those involved in providing care services in
Wales"); see also the Welsh Government's "Micro-care
services: engagement report", https://www.gov.wales/micro-care-services-engagement-report-html .
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from places.nations import ENGLAND, SCOTLAND, WALES


@dataclass(frozen=True)
class Regulator:
    # `name` and `short` are lazy translations: a Welsh page names Arolygiaeth Gofal Cymru (AGC),
    # an English one Care Inspectorate Wales (CIW).
    name: str
    short: str
    page: str  # the regulator's public page for one registration, from its ID ("" if none)
    site: str

    @property
    def full_name(self):
        name, short = str(self.name), str(self.short)
        return f"{name} ({short})" if short != name else name

    def page_for(self, reference):
        return self.page.format(id=reference) if self.page and reference else self.site


REGULATORS = {
    ENGLAND: Regulator(
        _("Care Quality Commission"), "CQC", "https://www.cqc.org.uk/location/{id}",
        "https://www.cqc.org.uk/",
    ),
    WALES: Regulator(
        _("Care Inspectorate Wales"), _("CIW"), "", "https://www.careinspectorate.wales/"
    ),
    SCOTLAND: Regulator(
        _("Care Inspectorate"), _("Care Inspectorate"), "", "https://www.careinspectorate.com/"
    ),
}  # fmt: skip


def regulator_for(nation):
    return REGULATORS.get(nation, REGULATORS[ENGLAND])
