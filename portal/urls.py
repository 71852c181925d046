from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.start, name="start"),
    path("apply/check-your-answers/", views.check_answers, name="check-answers"),
    path("apply/sent/", views.applied, name="applied"),
    path("apply/<slug:step>/", views.apply_step, name="apply"),
    path("sign-in/", views.sign_in, name="sign-in"),
    path("sign-in/<str:uid>/<str:token>/", views.link, name="sign-in-link"),
    path(
        "invitation/<str:uid>/<str:token>/",
        views.link,
        {"kind": "invite"},
        name="invite-link",
    ),
    path("sign-out/", views.sign_out, name="sign-out"),
    path("your-listing/", views.listing, name="listing"),
    path("your-listing/update/", views.update, name="update"),
    path("your-listing/renewal/", views.renewal, name="renewal"),
    path("your-listing/withdraw/", views.withdraw, name="withdraw"),
    path("your-listing/figures/", views.figures, name="figures"),
    path("your-listing/new-clients/", views.new_clients, name="new-clients"),
    path("new-clients/", views.new_clients_ask, name="new-clients-ask"),
    path("new-clients/<str:token>/", views.new_clients_link, name="new-clients-link"),
]
