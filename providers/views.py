from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from core.dates import day_words
from places import geo
from places.models import PostcodeArea

from .models import Check, Provider, in_language

# A listing that was public once and is not now answers 410 Gone with a plain page; one that
# never was (a draft, pending review) is simply not found.
ONCE_PUBLIC = [Provider.Status.PUBLISHED, Provider.Status.SUSPENDED, Provider.Status.ARCHIVED]
# The gone page says noindex itself; it has no canonical address to offer.
NOT_FOR_SEARCH_ENGINES = {"SEO": {"canonical": None, "alternates": [], "noindex": False}}
METRES_IN_A_MILE = 1609.344
# Checklist states of a check verified and in date ("running_out": in date, but not for long).
CURRENT_STATES = {"current", "running_out"}


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
        return render(request, "providers/gone.html", NOT_FOR_SEARCH_ENGINES, status=410)
    today = timezone.localdate()
    services = provider.services_by_category()
    checklist = provider.public_checklist(today)
    grace_notice = provider.grace_notice(today)
    map_data = coverage_map_data(provider)
    return render(
        request,
        "providers/profile.html",
        {
            "provider": provider,
            "services": services,
            "checklist": checklist,
            "checks_summary": checks_summary(
                provider, checklist, last_checked_on=provider.last_checked_on, today=today
            ),
            "grace_notice": grace_notice,
            "regulation": provider.regulation(today),
            "map_data": map_data,
            "structured_data": structured_data(request, provider, map_data),
        },
    )


def checks_summary(provider, checklist, *, last_checked_on, today):
    """The profile's checklist in one line: "All 4 checks current, last checked 9 November 2026",
    or "1 of 4 checks ran out on 3 November 2026". Counted from the checklist's own rows, and a
    run-out check is one the checklist shows as expired (the same `public_status`), so the line
    and the list can never disagree."""
    count = len(checklist)
    current = sum(row["state"] in CURRENT_STATES for row in checklist)
    expired = [
        check
        for check in provider.checks.all()
        if check.kind not in Check.REGULATION_KINDS
        and check.public_status(today) == Check.Status.EXPIRED
    ]
    if expired:
        numbers = {"expired": len(expired), "count": count}
        if any(check.expires_on is None for check in expired):
            sentence = ngettext(
                "%(expired)s of %(count)s checks has run out",
                "%(expired)s of %(count)s checks have run out",
                len(expired),
            )
        else:
            numbers["date"] = day_words(min(check.expires_on for check in expired))
            sentence = ngettext(
                "%(expired)s of %(count)s checks ran out on %(date)s",
                "%(expired)s of %(count)s checks ran out, the first on %(date)s",
                len(expired),
            )
        return {"state": "expired", "sentence": sentence % numbers}
    if current == count:
        sentence = ngettext("All %(count)s check current", "All %(count)s checks current", count)
    else:
        sentence = ngettext(
            "%(current)s of %(count)s check current",
            "%(current)s of %(count)s checks current",
            count,
        )
    sentence %= {"current": current, "count": count}
    if last_checked_on:
        sentence = gettext("%(checks)s, last checked %(date)s") % {
            "checks": sentence,
            "date": day_words(last_checked_on),
        }
    return {"state": "current" if current == count else "partial", "sentence": sentence}


def structured_data(request, provider, map_data):
    """schema.org JSON-LD for search engines: only what the page itself shows. Where they work is
    the area around the centre of their postcode sector and the districts they list, as on the
    map; never the base postcode."""
    page = request.build_absolute_uri(provider.get_absolute_url())
    centre = map_data["centre"]
    served = [{"@type": "Place", "name": provider.area_label}]
    if provider.coverage_radius_miles and centre["lat"] is not None:
        served.append(
            {
                "@type": "GeoCircle",
                "geoMidpoint": {
                    "@type": "GeoCoordinates",
                    "latitude": centre["lat"],
                    "longitude": centre["lon"],
                },
                "geoRadius": round(provider.coverage_radius_miles * METRES_IN_A_MILE),
            }
        )
    served += [
        {"@type": "Place", "name": district.outward} for district in provider.districts.all()
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "LocalBusiness",
        "@id": f"{page}#provider",
        "name": in_language(provider.name, provider.name_cy),
        "description": in_language(provider.summary, provider.summary_cy),
        "url": provider.website or page,
        "mainEntityOfPage": page,
        "address": {
            "@type": "PostalAddress",
            "addressLocality": provider.town,
            "addressCountry": "GB",
        },
        "areaServed": served,
    }
    if provider.phone:
        data["telephone"] = provider.phone
    if provider.email:
        data["email"] = provider.email
    return data


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
