from importlib import import_module

from django.apps import AppConfig, apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule

# django-leaflet's admin module imports GeoDjango, which needs the GDAL library; we use the package
# only for its copy of Leaflet, so its admin is never loaded.
NOT_DISCOVERED = {"leaflet"}


class DirectoryConfig(AppConfig):
    name = "directory"


class AdminConfig(SimpleAdminConfig):
    """Django's admin with autodiscovery of every app's admin.py, except those above."""

    def ready(self):
        super().ready()
        for app_config in apps.get_app_configs():
            if app_config.name not in NOT_DISCOVERED and module_has_submodule(
                app_config.module, "admin"
            ):
                import_module(f"{app_config.name}.admin")
