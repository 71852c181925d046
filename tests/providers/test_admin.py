import pytest
from django.urls import reverse

from providers.models import Provider

from ..factories import add_basic_checks, make_provider

ADMIN_PAGES = [
    "admin:providers_provider_changelist",
    "admin:providers_provider_add",
    "admin:providers_check_changelist",
    "admin:providers_servicecategory_changelist",
    "admin:providers_service_changelist",
    "admin:providers_audience_changelist",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_pages_load_for_staff(staff_client, name):
    assert staff_client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_admin_refuses_anonymous_users(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_admin_refuses_non_staff_accounts(client, member_of_public):
    client.force_login(member_of_public)
    response = client.get(reverse("admin:providers_provider_changelist"))
    assert response.status_code == 302


def test_provider_change_page_and_filters(staff_client, provider):
    add_basic_checks(provider)
    make_provider(name="Draft one", status="draft")
    url = reverse("admin:providers_provider_changelist")
    assert (
        staff_client.get(reverse("admin:providers_provider_change", args=[provider.pk])).status_code
        == 200
    )
    for query, expected in [
        ({"status__exact": "draft"}, "Draft one"),
        ({"checks": "current"}, provider.name),
        ({"category": "personal-care"}, provider.name),
        ({"q": "cm1-1rw"}, provider.name),
    ]:
        response = staff_client.get(url, query)
        assert response.status_code == 200
        assert expected in response.content.decode()
    response = staff_client.get(url, {"checks": "expired"})
    assert provider.name not in response.content.decode()


def test_admin_form_reports_unknown_postcode(staff_client, provider):
    url = reverse("admin:providers_provider_change", args=[provider.pk])
    response = staff_client.get(url)
    form = response.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(
        {
            "name": provider.name,
            "slug": provider.slug,
            "base_postcode": "ZZ99 9ZZ",
            "services": [s.pk for s in provider.services.all()],
            "audiences": [a.pk for a in provider.audiences.all()],
            "checks-TOTAL_FORMS": 0,
            "checks-INITIAL_FORMS": 0,
            "districts-TOTAL_FORMS": 0,
            "districts-INITIAL_FORMS": 0,
        }
    )
    response = staff_client.post(url, data)
    assert response.status_code == 200
    assert "We could not find ZZ99 9ZZ" in response.content.decode()
    provider.refresh_from_db()
    assert provider.base_postcode == "CM1 1RW"
    assert Provider.objects.count() == 1
