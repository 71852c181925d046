from django.http import Http404
from django.shortcuts import render

from places import geo
from places.models import PostcodeArea

from .models import Provider

# A listing that was public once and is not now answers 410 Gone with a plain page; one that
# never was (a draft, pending review) is simply not found.
ONCE_PUBLIC = [Provider.Status.PUBLISHED, Provider.Status.SUSPENDED, Provider.Status.ARCHIVED]


def profile(request, slug):
    provider = (
        Provider.public_objects.prefetch_related(
            "services__category", "audiences", "checks", "districts"
        )
        .filter(slug=slug)
        .first()
    )
    if provider is None:
        if not Provider.objects.filter(slug=slug, status__in=ONCE_PUBLIC).exists():
            raise Http404("No such listing")
        return render(request, "providers/gone.html", status=410)
    services = provider.services_by_category()
    return render(
        request,
        "providers/profile.html",
        {
            "provider": provider,
            "services": services,
            "checklist": provider.public_checklist(),
            "grace_notice": provider.grace_notice(),
            "regulation": provider.regulation(),
            "map_data": coverage_map_data(provider),
        },
    )


def coverage_map_data(provider):
    """The area a provider covers, drawn around its postcode sector's centre: never its base."""
    districts = [d.outward for d in provider.districts.all()]
    centres = {
        code: (lat, lon)
        for code, lat, lon in PostcodeArea.objects.filter(code__in=districts).values_list(
            "code", "latitude", "longitude"
        )
    }
    return {
        "centre": {
            "lat": round(provider.area_latitude, 5) if provider.area_latitude else None,
            "lon": round(provider.area_longitude, 5) if provider.area_longitude else None,
            "label": provider.area_label,
        },
        "radiusMiles": provider.coverage_radius_miles,
        "districts": [
            {"code": code, "lat": round(centres[code][0], 5), "lon": round(centres[code][1], 5)}
            for code in districts
            if code in centres
        ],
        "tiles": geo.map_tiles(),
    }
