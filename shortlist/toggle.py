"""The "Add to shortlist" / "Remove from shortlist" button: a small form that works without
JavaScript. Built in Python because the results page puts twenty of them into a cached page on
every request (see `search.selectors.ResultsPage`), where rendering a template each time would cost more than the
rest of the page."""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

BUTTON = (
    '<form method="post" action="{action}" class="app-shortlist-toggle">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">'
    '<input type="hidden" name="provider" value="{pk}">'
    '<input type="hidden" name="next" value="{next}">'
    '<button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" '
    'data-module="govuk-button">{verb}<span class="govuk-visually-hidden"> – {name}</span>'
    "</button></form>"
)


class Toggles:
    """Makes the buttons for one request: the token, return path and shortlist are read, and
    escaped, once; each button then only escapes its provider's name."""

    def __init__(self, request, shortlist_ids):
        self.csrf = escape(get_token(request))
        self.next = escape(request.get_full_path())
        self.ids = shortlist_ids
        self.add_url = escape(reverse("shortlist:add"))
        self.remove_url = escape(reverse("shortlist:remove"))
        self.add_verb = escape(gettext("Add to shortlist"))
        self.remove_verb = escape(gettext("Remove from shortlist"))

    def html(self, pk, name):
        listed = pk in self.ids
        return mark_safe(  # noqa: S308 - every value below is escaped
            BUTTON.format(
                action=self.remove_url if listed else self.add_url,
                csrf=self.csrf,
                pk=int(pk),
                next=f"{self.next}#provider-{int(pk)}",  # back at this provider
                verb=self.remove_verb if listed else self.add_verb,
                name=escape(name),
            )
        )
