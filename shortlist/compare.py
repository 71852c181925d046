"""What the compare page and the emailed shortlist say about each provider: the public details,
from the same rules as the cards and the profile (`Provider.public_checklist`, `grace_notice`,
`regulation`), worked out once per provider."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext

from core.dates import day_words
from providers.models import Check


def provider_columns(rows, today=None):
    """One column per published provider among shortlist `rows` (from `entry_rows`), in order.
    Providers that are no longer listed are left out: nothing about them is read."""
    today = today or timezone.localdate()
    return [
        {
            "provider": row["provider"],
            "note": row["note"],
            "url": settings.SITE_URL + row["provider"].get_absolute_url(),
            "checklist": row["provider"].public_checklist(today),
            "grace": row["provider"].grace_notice(today),
            "regulation": regulation_summary(row["provider"], today),
        }
        for row in rows
        if row["provider"] is not None
    ]


def check_rows(columns, today=None):
    """The checks side by side: one row per check that any of them shows, in checklist order,
    with each provider's state and words. A provider without that check gets what the profile
    says of a check never given: "not provided"."""
    today = today or timezone.localdate()
    order = {str(label): position for position, label in enumerate(Check.Kind.labels)}
    kinds = {str(label): kind for kind, label in Check.Kind.choices}
    shown = {row["label"] for column in columns for row in column["checklist"]}
    rows = []
    for label in sorted(shown, key=lambda label: order.get(label, len(order))):
        cells = []
        for column in columns:
            found = next((row for row in column["checklist"] if row["label"] == label), None)
            if found is None:
                state, words = Check(kind=kinds.get(label, "")).public_summary(today)
                found = {"label": label, "state": state, "words": words}
            cells.append({**found, "column": column})
        rows.append({"label": label, "cells": cells})
    return rows


def regulation_summary(provider, today=None):
    """Registration with the care regulator in a few words: `state` (registered, exempt,
    not_needed or none), a `sentence`, and the regulator's `link` when registered."""
    regulation = provider.regulation(today)
    regulator, registration = regulation["regulator"], regulation["registration"]
    if registration is not None:
        values = {
            "regulator": regulator.full_name,
            "reference": registration.reference,
            "date": day_words(registration.verified_on),
        }
        if regulator.short == "CQC":
            sentence = gettext(
                "Registered with the %(regulator)s, location ID %(reference)s. The council "
                "checked this on %(date)s"
            )
        else:
            sentence = gettext(
                "Registered with the %(regulator)s, registration ID %(reference)s. The council "
                "checked this on %(date)s"
            )
        return {
            "state": "registered",
            "sentence": sentence % values,
            "link": regulation["link"],
            "short": str(regulator.short),
        }
    if regulation["exempt"]:
        sentence = gettext(
            "Not registered with the %(regulator)s. They work on their own and the council has "
            "confirmed they rely on the individual exemption, so nobody inspects their work"
        ) % {"regulator": regulator.full_name}
        return {"state": "exempt", "sentence": sentence, "link": ""}
    if not provider.gives_personal_care:
        sentence = gettext("Not needed for the services they list: none is personal care")
        return {"state": "not_needed", "sentence": sentence, "link": ""}
    sentence = gettext("The council has no current registration for them. Ask the provider")
    return {"state": "none", "sentence": sentence, "link": ""}
