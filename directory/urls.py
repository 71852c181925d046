from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

from opendata import views as opendata_views
from search import embed as search_embed

from . import views
from .sitemaps import SITEMAPS

admin.site.site_header = "Directory administration"
admin.site.site_title = "Directory administration"

# Plain pages, or under /api/ the API's {error, message} JSON.
handler400 = "directory.views.bad_request"
handler403 = "directory.views.permission_denied"
handler404 = "directory.views.page_not_found"
handler500 = "directory.views.server_error"

# The public site, in English at / and (with WELSH on) in Welsh at /cy/.
public = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("providers/", include("providers.urls")),
    path("search/", include("search.urls")),
    path("guidance/", include("directory.guidance_urls")),
    path("shortlist/", include("shortlist.urls")),
    path("report/", include("reports.urls")),
    path("for-providers/", include("portal.urls")),
    # The search box and results for other sites' iframes (EMBED_ALLOWED_ORIGINS may frame it).
    path("embed/", search_embed.embed, name="embed"),
    path("open-data/", opendata_views.page, name="open-data"),
    path("open-data/listings.csv", opendata_views.listings_csv, name="open-data-csv"),
    # The scripts' words in the page's language (gettext() in static/js/).
    path(
        "jsi18n/",
        cache_control(public=True, max_age=3600)(JavaScriptCatalog.as_view()),
        name="javascript-catalog",
    ),
]

# For search engines: one index of sitemaps (each up to 50,000 addresses), robots.txt naming it.
sitemaps = [
    path("robots.txt", views.robots_txt, name="robots"),
    path(
        "sitemap.xml",
        cache_control(public=True, max_age=3600)(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_control(public=True, max_age=3600)(sitemap_views.sitemap),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
]

urlpatterns = (
    i18n_patterns(*public, prefix_default_language=False)
    + sitemaps
    + [
        path("health/", views.health_ready, name="health"),
        path("health/live/", views.health_live, name="health-live"),
        path("health/ready/", views.health_ready, name="health-ready"),
        path("csp-report/", views.csp_report, name="csp-report"),
        path("api/oruk/", include("opendata.urls")),
        path("staff/registers/", include("registers.urls")),
        path("staff/", include("workbench.urls")),
        # The admin's own front page is the work queue; "All staff tools" (?all=1) shows Django's.
        path("admin/", views.staff_home, name="staff-home"),
        path("admin/", admin.site.urls),
    ]
)
