"""Who may see a provider's own pages: only the signed-in account that manages the listing.

The listing always comes from the account, never from the request, so provider A has no way to
name provider B's listing, proposals or figures in a URL or a form field.
"""

from functools import wraps

from django.shortcuts import redirect, render
from django.urls import reverse

from .models import Owner, is_staff_account


def owned_listing(request):
    """The listing the signed-in account manages, or None (always None for a staff account:
    providers' pages are never a way into, or out of, the staff side)."""
    if not request.user.is_authenticated or is_staff_account(request.user):
        return None
    owner = Owner.objects.select_related("provider").filter(user=request.user).first()
    return owner.provider if owner else None


def listing_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(reverse("portal:sign-in"))
        if owned_listing(request) is None:
            return render(
                request,
                "portal/problem.html",
                {
                    "title": "This account does not manage a listing",
                    "paragraphs": [
                        "Sign in with the email address you applied with, or that the council "
                        "invited. Council staff manage listings in the staff pages."
                    ],
                },
                status=403,
            )
        return view(request, *args, **kwargs)

    return wrapper
