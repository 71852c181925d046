from django.urls import path

from . import views

app_name = "workbench"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("figures/", views.figures, name="figures"),
    path("figures.csv", views.figures_csv, name="figures-csv"),
    path("proposals/<int:pk>/", views.proposal, name="proposal"),
]
