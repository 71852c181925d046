"""`Ordered` sorts only as far as a page needs, and always agrees with a full sort, ties included."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from search.snapshot import Ordered


@settings(max_examples=300, derandomize=True, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 3)), min_size=0, max_size=60),
    st.integers(0, 70),
    st.integers(0, 70),
)
def test_any_slice_is_the_same_slice_of_a_full_sort(pairs, start, stop):
    """Few distinct values, so many ties on the first key at the cut."""
    rows = np.arange(len(pairs), dtype=np.int64) * 7
    primary = np.array([p for p, _ in pairs], np.float64)
    secondary = np.array([s for _, s in pairs], np.int64)
    tiebreak = np.arange(len(pairs), dtype=np.int64)[::-1].copy()  # unique, like the name rank
    keys = (tiebreak, secondary, primary)
    full = rows[np.lexsort(keys)]
    ordered = Ordered(rows, keys)
    assert ordered[start:stop].tolist() == full[start:stop].tolist()
    assert np.asarray(ordered).tolist() == full.tolist()
    assert len(ordered) == len(pairs)
