"""/sitemap.xml: the public pages and every published listing's profile, in each language, with
each page's address in the other language beside it."""

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from providers.models import Provider

# The pages worth finding, as directory.seo.INDEXABLE has them, less those with an item each (a
# profile) or none of their own (a results page exists for every place and filter).
PAGES = [
    "home",
    "about",
    "accessibility",
    "guidance:index",
    "guidance:right-for-me",
    "guidance:checklist",
    "guidance:direct-payments",
    "guidance:checks",
    "guidance:registration",
    "open-data",
    "portal:start",
]


class InEveryLanguage(Sitemap):
    i18n = True

    @property
    def alternates(self):
        return len(settings.LANGUAGES) > 1

    x_default = alternates


class PageSitemap(InEveryLanguage):
    def items(self):
        return PAGES

    def location(self, name):
        return reverse(name)


class ProfileSitemap(InEveryLanguage):
    def items(self):
        # Published listings only (the publishing rules, as every public page reads them); just
        # their slugs, so 100,000 listings cost a list of strings.
        return Provider.public_objects.order_by("pk").values_list("slug", flat=True)

    def location(self, slug):
        return reverse("providers:profile", args=[slug])


SITEMAPS = {"pages": PageSitemap, "providers": ProfileSitemap}
