"""No lost updates: a listing saved from a page opened before someone else's save is refused with
a clear message, and the other officer's work, checks included, stays."""

from django.test import Client
from django.urls import reverse

from providers.models import Provider


def page_data(client, url):
    """What the listing's page would post back unchanged: its form and its inline forms."""
    page = client.get(url)
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = [getattr(v, "pk", v) for v in value] if isinstance(value, list) else value
    for formset in page.context["inline_admin_formsets"]:
        inline = formset.formset
        data[f"{inline.prefix}-TOTAL_FORMS"] = inline.total_form_count()
        data[f"{inline.prefix}-INITIAL_FORMS"] = inline.initial_form_count()
        for number, inline_form in enumerate(inline.forms):
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None:
                    data[f"{inline.prefix}-{number}-{name}"] = getattr(value, "pk", value)
    return data


def test_the_second_of_two_saves_is_refused_with_both_versions(provider, staff_user, administrator):
    url = reverse("admin:providers_provider_change", args=[provider.pk])
    first, second = Client(), Client()
    first.force_login(staff_user)
    second.force_login(administrator)
    mine, theirs = page_data(first, url), page_data(second, url)  # both open the page

    mine["phone"] = "01632 960111"
    assert first.post(url, mine).status_code == 302

    theirs["phone"] = "01632 960222"
    response = second.post(url, theirs)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this listing while you had it open" in html
    assert "theirs \u201c01632 960111\u201d, yours \u201c01632 960222\u201d" in html
    provider.refresh_from_db()
    assert provider.phone == "01632 960111"


def test_a_check_verified_meanwhile_is_not_undone(provider, staff_user, administrator):
    url = reverse("admin:providers_provider_change", args=[provider.pk])
    first, second = Client(), Client()
    first.force_login(staff_user)
    second.force_login(administrator)
    stale = page_data(second, url)
    check = provider.checks.get(kind="insurance")
    mine = page_data(first, url)
    row = next(key for key, value in mine.items() if key.endswith("-id") and value == check.pk)
    mine[row.replace("-id", "-status")] = "rejected"
    assert first.post(url, mine).status_code == 302
    stale["summary"] = "A new summary"
    assert second.post(url, stale).status_code == 200  # refused
    check.refresh_from_db()
    assert check.status == "rejected"
    assert Provider.objects.get(pk=provider.pk).summary != "A new summary"
