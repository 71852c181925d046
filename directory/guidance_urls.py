from django.urls import path

from . import guidance

app_name = "guidance"

urlpatterns = [
    path("", guidance.index, name="index"),
    path("is-it-right-for-me/", guidance.right_for_me, name="right-for-me"),
    path(
        "is-it-right-for-me/<int:number>/",
        guidance.question,
        name="right-for-me-question",
    ),
    path("is-it-right-for-me/result/", guidance.result, name="right-for-me-result"),
    path(
        "is-it-right-for-me/start-again/",
        guidance.start_again,
        name="right-for-me-start-again",
    ),
    path("checklist/", guidance.checklist, name="checklist"),
    path("direct-payments/", guidance.direct_payments, name="direct-payments"),
    path("what-the-checks-mean/", guidance.checks, name="checks"),
    path("do-they-need-to-be-registered/", guidance.registration, name="registration"),
]
