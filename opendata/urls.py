from django.urls import path, re_path

from . import views

app_name = "oruk"

urlpatterns = [
    path("", views.root, name="root"),
    path("openapi.json", views.openapi, name="openapi"),
    path("services", views.services, name="services"),
    path("services/<uuid:pk>", views.service, name="service"),
    path("organizations", views.organizations, name="organizations"),
    path("organizations/<uuid:pk>", views.organization, name="organization"),
    path("taxonomies", views.taxonomies, name="taxonomies"),
    path("taxonomies/<uuid:pk>", views.taxonomy, name="taxonomy"),
    path("taxonomy_terms", views.taxonomy_terms, name="taxonomy-terms"),
    path("taxonomy_terms/<uuid:pk>", views.taxonomy_term, name="taxonomy-term"),
    path("service_at_locations", views.service_at_locations, name="service-at-locations"),
    path("service_at_locations/<uuid:pk>", views.service_at_location, name="service-at-location"),
    # Anything else under the API (an id that is not a UUID included) is a JSON 404.
    re_path(r"^.*$", views.not_found),
]
