from django.urls import path

from . import views

app_name = "workbench"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("figures/", views.figures, name="figures"),
    path("figures.csv", views.figures_csv, name="figures-csv"),
    path("pipeline/", views.pipeline_view, name="pipeline"),
    path("listings/", views.listings, name="listings"),
    path("listings/export.csv", views.listings_export, name="listings-export"),
    path("listings/<int:pk>/", views.listing, name="listing"),
    path("listings/<int:pk>/suspend/", views.listing_suspend_view, name="listing-suspend"),
    path("listings/<int:pk>/review/", views.listing_review, name="listing-review"),
    path("listings/<int:pk>/stage/", views.applicant_stage_view, name="applicant-stage"),
    path("listings/<int:pk>/checks/<slug:kind>/renew/", views.check_renewal, name="check-renew"),
    path("reports/", views.reports, name="reports"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
]
