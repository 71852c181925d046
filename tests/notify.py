"""A council's GOV.UK Notify account, played by a local HTTP server (pytest-httpserver) that answers
as Notify's API documents: the keys and templates the tests use, and Notify's answers."""

import uuid

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"council_test-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = str(uuid.uuid4())
TEXT_TEMPLATE = str(uuid.uuid4())


def council_uses_notify(settings, httpserver):
    """The site set up to send email and texts through Notify, pointed at the local server."""
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_EMAIL_TEMPLATE_ID = EMAIL_TEMPLATE
    settings.NOTIFY_SMS_TEMPLATE_ID = TEXT_TEMPLATE
    settings.NOTIFY_BASE_URL = httpserver.url_for("/").rstrip("/")
    settings.EMAIL_BACKEND = "core.notify.NotifyEmailBackend"
    return httpserver


def created(httpserver, kind, **content):
    """Notify's 201 answer to POST /v2/notifications/<kind> (kind: "email" or "sms")."""
    notification = str(uuid.uuid4())
    template = EMAIL_TEMPLATE if kind == "email" else TEXT_TEMPLATE
    return {
        "id": notification,
        "reference": None,
        "content": content,
        "uri": httpserver.url_for(f"/v2/notifications/{notification}"),
        "template": {
            "id": template,
            "version": 1,
            "uri": httpserver.url_for(f"/v2/template/{template}"),
        },
    }
