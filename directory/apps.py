from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "directory"

    def ready(self):
        # SimpleAdminConfig does not autodiscover, so staff users and groups are registered here.
        import django.contrib.auth.admin  # noqa: F401
