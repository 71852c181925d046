from django.shortcuts import render

from providers.models import Provider

from .forms import PostcodeSearchForm
from .geo import covering


def results(request):
    form = PostcodeSearchForm(request.GET or None)
    if not form.is_valid():
        # Back to the search form with a GOV.UK error summary; 400 because the request was bad.
        status = 400 if request.GET else 200
        return render(request, "directory/home.html", {"form": form}, status=status)
    location = form.location
    matches = covering(Provider.public_objects.all(), location)
    return render(
        request, "search/results.html", {"form": form, "location": location, "matches": matches}
    )
