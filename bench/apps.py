from django.apps import AppConfig


class BenchConfig(AppConfig):
    """The benchmarks, the synthetic directory and the scratch database they run in: outside the
    product (nothing the site runs imports this app; an import contract keeps it so)."""

    name = "bench"
    verbose_name = "Benchmarks"
