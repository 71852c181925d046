"""What we tell an applicant about registering with the care regulator, from their five answers
and the nation their postcode is in. Advice, not a ruling: an officer confirms it with them.
Sources are in `providers/regulators.py`. The words are in the language active when called."""

from django.utils.translation import gettext as _

from places.nations import ENGLAND, WALES
from providers.regulators import regulator_for


def registration_advice(answers, nation):
    """(needs_registration: True, False or None for "probably not: the council will confirm",
    words to show)."""
    regulator = regulator_for(nation)
    if answers.get("personal_care") != "yes":
        return False, _(
            "You do not need to register with the care regulator for the help you describe: it "
            "does not include personal care. If you start giving personal care, tell the council "
            "first."
        )
    if nation == WALES:
        # The regulator is named in the sentence, so each language can give its own name for it.
        return True, _(
            "In Wales, helping people with personal care in their homes is a domiciliary support "
            "service, which must be registered with Care Inspectorate Wales (CIW). The council "
            "can tell you about support for micro-care services while you register."
        )
    if nation != ENGLAND:
        return True, _(
            "Personal care must be registered with %(regulator)s. The council will talk to you "
            "about it."
        ) % {"regulator": regulator.full_name}
    exempt = (
        answers.get("alone") == "yes"
        and answers.get("arranged_directly") == "yes"
        and answers.get("their_direction") == "yes"
        and answers.get("introduce_others") == "no"
    )
    if exempt:
        return None, _(
            "You may not need to register with the Care Quality Commission (CQC). Someone working "
            "on their own, arranged directly by the people they help and working under their "
            "direction, can rely on the individual exemption. The council will confirm this with "
            "you before your listing is published."
        )
    return True, _(
        "You need to register with the Care Quality Commission (CQC) before you give personal "
        "care, because you employ or work with others, are arranged through someone else, or "
        "supply other care workers. Your listing can be published for personal care once the "
        "council has seen your registration."
    )
