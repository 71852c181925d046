from django.utils.functional import SimpleLazyObject

from .session import SessionShortlist


def shortlist(request):
    """`shortlist_ids` (a set of provider ids) and `shortlist_count` for every template.

    Both are lazy: the session is only read if a template uses them, and never with a query of
    its own. `shortlist_ids` supports `in`, `len` and iteration; `shortlist_count` is a callable,
    which templates call for you (`{{ shortlist_count }}`, `{{ shortlist_count|pluralize }}`).
    """
    session = getattr(request, "session", None)

    def read_ids():
        return frozenset(SessionShortlist(session).ids()) if session is not None else frozenset()

    ids = SimpleLazyObject(read_ids)
    return {"shortlist_ids": ids, "shortlist_count": lambda: len(ids)}
