from django.shortcuts import get_object_or_404, render

from .models import Provider


def profile(request, slug):
    provider = get_object_or_404(
        Provider.public_objects.prefetch_related("services__category", "audiences", "checks"),
        slug=slug,
    )
    return render(request, "providers/profile.html", {"provider": provider})
