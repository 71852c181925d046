"""How many examples the property tests (Hypothesis) try.

Each test names its full number through `examples()`. CI runs them all (HYPOTHESIS_PROFILE=ci,
set in .ci/run); `make test` runs the "dev" profile, a tenth of each (at least 3), so the whole
suite stays quick on a laptop. `HYPOTHESIS_PROFILE=ci make test` runs the full sizes anywhere.
"""

import os

from hypothesis import settings

PROFILE = os.environ.get("HYPOTHESIS_PROFILE") or "dev"

# The profiles size the tests that name no number of their own (Hypothesis's default is 100).
settings.register_profile("ci", max_examples=100)
settings.register_profile("dev", max_examples=10)
settings.load_profile(PROFILE)  # an unknown name fails here, before any test runs


def examples(full):
    """`full` in CI, a tenth of it (at least 3) otherwise."""
    return full if PROFILE == "ci" else max(3, full // 10)
