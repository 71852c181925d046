"""Seed the service taxonomy and audiences from the councils' own lists (see DESIGN.md).

Staff edit them in the admin afterwards; this only creates what is missing.
"""

from django.db import migrations
from django.utils.text import slugify

CATEGORIES = [
    (
        "Personal care",
        "Help with eating, washing, dressing and other personal tasks.",
        [
            "Eating and drinking",
            "Toileting",
            "Washing and bathing",
            "Dressing",
            "Oral care",
            "Skin, hair and nail care",
        ],
    ),
    (
        "Help at home",
        "Day to day support and help around the home.",
        [
            "Cleaning",
            "Gardening",
            "Cooking and meals",
            "Laundry",
            "Help with letters, forms and bills",
            "Pet care",
            "Collecting prescriptions and shopping",
            "Support to keep well and socialise",
        ],
    ),
    (
        "Carer respite",
        "Breaks for unpaid carers who look after a friend or family member.",
        ["Breaks for unpaid carers", "Short breaks and holidays"],
    ),
    (
        "Out and about",
        "Support to get out into the community, with activities, day support and peer support.",
        [
            "Activities and hobbies",
            "Day support",
            "Peer support",
            "Support to access work, learning and leisure",
        ],
    ),
]

AUDIENCES = [
    "Older people",
    "Physical disability",
    "Learning disability",
    "Autism",
    "Mental health and wellbeing",
    "Dementia",
    "Unpaid carers",
]


def seed(apps, schema_editor):
    ServiceCategory = apps.get_model("providers", "ServiceCategory")
    Service = apps.get_model("providers", "Service")
    Audience = apps.get_model("providers", "Audience")
    for position, (name, description, services) in enumerate(CATEGORIES):
        category, _ = ServiceCategory.objects.get_or_create(
            slug=slugify(name),
            defaults={"name": name, "description": description, "position": position},
        )
        for service_position, service in enumerate(services):
            Service.objects.get_or_create(
                slug=slugify(service),
                defaults={"name": service, "category": category, "position": service_position},
            )
    for position, name in enumerate(AUDIENCES):
        Audience.objects.get_or_create(
            slug=slugify(name), defaults={"name": name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("providers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
