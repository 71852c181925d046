"""Static files as production serves them: WhiteNoise's compressed files with hashed names."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Also hashes the files our own scripts import (static/js/init.js imports
    ../govuk/govuk-frontend.min.js), so those can be cached for a year like every other static
    file instead of being asked for again on each visit. Django's own rewriting of imports
    (support_js_module_import_aggregation) expects a semicolon after each import and would read
    every bundle we ship; this reads only our scripts, and any import of a relative path."""

    patterns = (
        *CompressedManifestStaticFilesStorage.patterns,
        (
            "js/*.js",
            (
                (
                    r"""(?P<matched>\bfrom\s*["'](?P<url>\.{1,2}/[^"'\s]+)["'])""",
                    'from "%(url)s"',
                ),
            ),
        ),
    )
