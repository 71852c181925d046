from django.urls import path

from . import views

app_name = "shortlist"

urlpatterns = [
    path("", views.index, name="index"),
    path("add/", views.add, name="add"),
    path("remove/", views.remove, name="remove"),
    path("compare/", views.compare, name="compare"),
    path("email/", views.email, name="email"),
    path("email/sent/", views.emailed, name="emailed"),
    path("share/", views.share, name="share"),
    path("revoke/", views.revoke, name="revoke"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("s/<str:token>/compare/", views.shared_compare, name="shared-compare"),
]
