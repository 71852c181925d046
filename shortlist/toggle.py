"""The "Add to shortlist" / "Remove from shortlist" button: a small form that works without
JavaScript. Built in Python because the results page puts twenty of them into a cached page on
every request (see `search.views`), where rendering a template each time would cost more than the
rest of the page."""

from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html

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
    """Makes the buttons for one request: the token, return path and shortlist are read once."""

    def __init__(self, request, shortlist_ids):
        self.csrf = get_token(request)
        self.next = request.get_full_path()
        self.ids = shortlist_ids
        self.add_url = reverse("shortlist:add")
        self.remove_url = reverse("shortlist:remove")

    def html(self, pk, name):
        listed = pk in self.ids
        return format_html(
            BUTTON,
            action=self.remove_url if listed else self.add_url,
            csrf=self.csrf,
            pk=pk,
            next=self.next,
            verb="Remove from shortlist" if listed else "Add to shortlist",
            name=name,
        )
