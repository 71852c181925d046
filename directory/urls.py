from django.contrib import admin
from django.urls import include, path

from . import views

admin.site.site_header = "Directory administration"
admin.site.site_title = "Directory administration"

handler500 = "directory.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    path("about/", views.about, name="about"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("health/", views.health_ready, name="health"),
    path("health/live/", views.health_live, name="health-live"),
    path("health/ready/", views.health_ready, name="health-ready"),
    path("csp-report/", views.csp_report, name="csp-report"),
    path("providers/", include("providers.urls")),
    path("search/", include("search.urls")),
    path("guidance/", include("directory.guidance_urls")),
    path("shortlist/", include("shortlist.urls")),
    path("report/", include("reports.urls")),
    path("for-providers/", include("portal.urls")),
    path("staff/", include("workbench.urls")),
    # The admin's own front page is the work queue; "All staff tools" (?all=1) shows Django's.
    path("admin/", views.staff_home, name="staff-home"),
    path("admin/", admin.site.urls),
]
