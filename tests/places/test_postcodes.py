"""The PostcodeValue value object: every shape people type, and everything it must refuse."""

import contextlib
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from places.postcodes import (
    FULL,
    MAX_INPUT_LENGTH,
    OUTWARD,
    SECTOR,
    InvalidPostcode,
    PostcodeValue,
    normalise,
)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- Normalising what people type -------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "CM1 1AA",
        "cm1 1aa",
        "Cm1 1aA",
        "CM11AA",
        "cm11aa",
        "  cm1 1aa  ",
        "CM1   1AA",
        "C M 1 1 A A",
        "CM1-1AA",
        "cm1--1aa",
        "CM1.1AA",
        "c.m.1 1.a.a",
        " c.m.1 1 a a ",
        "-CM1 1AA.",
        "CM1\t1AA",
        "CM1\u00a01AA",  # no-break space pasted from a web page
    ],
)
def test_any_case_spacing_hyphens_and_full_stops_normalise(typed):
    value = PostcodeValue.parse(typed)
    assert str(value) == "CM1 1AA"
    assert value == PostcodeValue("CM1", "1AA")
    assert value.kind == FULL
    assert normalise(typed) == "CM1 1AA"


@pytest.mark.parametrize(
    ("typed", "outward", "inward"),
    [
        ("m1 1ae", "M1", "1AE"),  # A9 9AA
        ("b338th", "B33", "8TH"),  # A99 9AA
        ("cr2 6xh", "CR2", "6XH"),  # AA9 9AA
        ("DN551PT", "DN55", "1PT"),  # AA99 9AA
        ("w1a 0ax", "W1A", "0AX"),  # A9A 9AA
        ("ec1a1bb", "EC1A", "1BB"),  # AA9A 9AA
        ("CM11 1AA", "CM11", "1AA"),
    ],
)
def test_every_outward_shape_is_a_full_postcode(typed, outward, inward):
    value = PostcodeValue.parse(typed)
    assert (value.outward, value.inward, value.kind) == (outward, inward, FULL)
    assert str(value) == f"{outward} {inward}"


@pytest.mark.parametrize(
    ("typed", "expected", "kind"),
    [
        ("CM1 1AE", "CM1 1AE", FULL),
        ("CM1 1", "CM1 1", SECTOR),
        ("cm1 1", "CM1 1", SECTOR),
        ("  cm1   1 ", "CM1 1", SECTOR),
        ("CM1-1", "CM1 1", SECTOR),
        ("CM11 1", "CM11 1", SECTOR),
        ("W1A 0", "W1A 0", SECTOR),
        ("CM1", "CM1", OUTWARD),
        ("cm1", "CM1", OUTWARD),
        (" c.m.1 ", "CM1", OUTWARD),
        ("W1A", "W1A", OUTWARD),
        ("EC1A", "EC1A", OUTWARD),
        ("B33", "B33", OUTWARD),
    ],
)
def test_full_sector_and_outward_are_told_apart(typed, expected, kind):
    value = PostcodeValue.parse(typed)
    assert str(value) == expected
    assert value.kind == kind


def test_cm11_is_a_district_not_a_sector_of_cm1():
    district = PostcodeValue.parse("CM11")
    sector = PostcodeValue.parse("CM1 1")
    assert district.kind == OUTWARD
    assert (district.outward, district.inward) == ("CM11", "")
    assert sector.kind == SECTOR
    assert (sector.outward, sector.inward) == ("CM1", "1")
    assert district != sector
    assert str(district) == "CM11"
    assert str(sector) == "CM1 1"


def test_derived_parts():
    full = PostcodeValue.parse("cm1 1ae")
    assert full.area == "CM"
    assert full.sector == "CM1 1"
    assert PostcodeValue.parse("CM1 1").sector == "CM1 1"
    assert PostcodeValue.parse("CM1").sector is None
    assert PostcodeValue.parse("b33 8th").area == "B"
    assert PostcodeValue.parse("EC1A 1BB").area == "EC"


def test_parse_accepts_non_string_input_by_its_text():
    assert str(PostcodeValue.parse(PostcodeValue("CM1", "1AE"))) == "CM1 1AE"


@pytest.mark.parametrize("partial", ["CM1", "CM1 1", "cm11"])
def test_normalise_wants_a_full_postcode(partial):
    with pytest.raises(InvalidPostcode, match="Enter a full postcode, like CM1 1AE"):
        normalise(partial)


# --- Refusing what is not a postcode ------------------------------------------------------------


@pytest.mark.parametrize("empty", [None, "", " ", "   \t\n  ", "\u00a0"])
def test_empty_input_asks_for_a_postcode(empty):
    with pytest.raises(InvalidPostcode) as caught:
        PostcodeValue.parse(empty)
    assert caught.value.message == "Enter a postcode"
    assert str(caught.value) == "Enter a postcode"


@pytest.mark.parametrize(
    "long_text",
    ["A" * (MAX_INPUT_LENGTH + 1), "CM1 1AA" * 3, "x" * 10_000, "CM1 1AA " + "-" * 20],
)
def test_too_long_input_is_refused_before_any_pattern_work(long_text):
    with pytest.raises(InvalidPostcode) as caught:
        PostcodeValue.parse(long_text)
    assert caught.value.message == "Enter a postcode, like CM1 1AE. That is too long to be one"


@pytest.mark.parametrize(
    "hostile",
    [
        "12345",
        "CM1 1AAA",
        "CM1 AAA",
        "1AA",
        "CMM1 1AA",
        "CM 1AA",
        "CM1 1A",
        "CM1\x001AA",  # NUL byte
        "\x00",
        "СМ1 1АА",  # Cyrillic look-alikes of C, M and A
        "ΑΒ1 1ΑΑ",  # Greek capitals that look Latin
        "ＣＭ１ １ＡＡ",  # full-width forms
        "CM١ ١AA",  # Arabic-Indic digits
        "郵便番号",
        "🏠🏠🏠",
        "' OR 1=1 --",
        "'; DROP TABLE x;--",
        '" OR ""="',
        "CM1' OR '1'='1",
        "<script>",
        "<b>CM1 1AA</b>",
        "<img src=x>",
        "CM1 1AA;--",
        "%",
        "_",
        "*",
    ],
)
def test_things_that_are_not_postcodes_are_refused_clearly(hostile):
    with pytest.raises(InvalidPostcode) as caught:
        PostcodeValue.parse(hostile)
    assert caught.value.message == "Enter a real postcode, like CM1 1AE"
    with pytest.raises(InvalidPostcode):
        normalise(hostile)


def test_invalid_postcode_is_a_value_error():
    # Callers that only know about ValueError still catch it.
    with pytest.raises(ValueError, match="Enter a real postcode"):
        PostcodeValue.parse("12345")


# --- Properties --------------------------------------------------------------------------------

LETTERS = string.ascii_uppercase
SEPARATORS = ["", " ", "-", ".", "  ", " - ", ".."]


@st.composite
def valid_postcodes(draw):
    """(outward, inward) in any of the six UK shapes: A9, A99, AA9, AA99, A9A, AA9A + 9AA."""
    area = draw(st.text(alphabet=LETTERS, min_size=1, max_size=2))
    district = draw(st.sampled_from(string.digits))
    extra = draw(st.sampled_from(["", *string.digits, *LETTERS]))
    inward = draw(st.sampled_from(string.digits)) + draw(
        st.text(alphabet=LETTERS, min_size=2, max_size=2)
    )
    return area + district + extra, inward


@st.composite
def typed_badly(draw, text):
    """`text` as a person might type it: any case, any mix of spaces, hyphens and full stops."""
    chars = [draw(st.sampled_from([c.lower(), c.upper()])) for c in text]
    budget = MAX_INPUT_LENGTH - len(chars)
    out = []
    for index, char in enumerate(chars):
        gap = draw(st.sampled_from(SEPARATORS)) if index else ""
        if len(gap) > budget:
            gap = ""
        budget -= len(gap)
        out.append(gap + char)
    lead = draw(st.sampled_from(["", " ", ".", "-"]))
    tail = draw(st.sampled_from(["", " ", ".", "-"]))
    typed = "".join(out)
    if len(lead) + len(typed) + len(tail) <= MAX_INPUT_LENGTH:
        typed = lead + typed + tail
    return typed


@st.composite
def mangled_full_postcodes(draw):
    outward, inward = draw(valid_postcodes())
    return outward, inward, draw(typed_badly(outward + inward))


@FAST
@given(mangled_full_postcodes())
def test_any_mangling_of_a_valid_postcode_parses_back_to_it(case):
    outward, inward, typed = case
    assert len(typed) <= MAX_INPUT_LENGTH
    value = PostcodeValue.parse(typed)
    assert value == PostcodeValue(outward, inward)
    assert str(value) == f"{outward} {inward}"
    assert value.kind == FULL
    assert normalise(typed) == f"{outward} {inward}"


@st.composite
def sectors_and_outwards(draw):
    outward, inward = draw(valid_postcodes())
    if draw(st.booleans()):
        return outward, inward[0], f"{outward} {inward[0]}"  # a sector needs its space
    return outward, "", outward


@FAST
@given(sectors_and_outwards(), st.sampled_from([str.lower, str.upper, str.title]))
def test_sectors_and_outward_codes_parse_in_any_case(case, change_case):
    outward, inward, typed = case
    value = PostcodeValue.parse(f"  {change_case(typed)} ")
    assert value == PostcodeValue(outward, inward)
    assert value.kind == (SECTOR if inward else OUTWARD)


def _parse_or_none(text):
    try:
        return PostcodeValue.parse(text)
    except InvalidPostcode:
        return None


@FAST
@given(
    st.one_of(
        mangled_full_postcodes().map(lambda case: case[2]),
        sectors_and_outwards().map(lambda case: case[2]),
        # Short runs of postcode-ish characters reach the odd corners (CM111, A1 1, 1A ...).
        st.text(alphabet="ABCMWcm0123456789 -.", max_size=12),
        st.text(max_size=25),
    )
)
def test_parse_is_idempotent(text):
    value = _parse_or_none(text)
    if value is None:
        return
    again = PostcodeValue.parse(str(value))
    assert again == value
    assert str(again) == str(value)
    assert again.kind == value.kind


@FAST
@given(st.text())
def test_arbitrary_text_parses_or_raises_invalid_postcode(text):
    try:
        value = PostcodeValue.parse(text)
    except InvalidPostcode as error:
        assert error.message
        return
    assert value.kind in {FULL, SECTOR, OUTWARD}
    assert str(value) == str(value).upper()
    assert len(str(value)) <= 8


@FAST
@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=MAX_INPUT_LENGTH))
def test_short_arbitrary_text_never_escapes_as_another_exception(text):
    # Short enough to get past the length check, so the normalising code really runs.
    with contextlib.suppress(InvalidPostcode):
        normalise(text)


@pytest.mark.parametrize("typed", ["cm1 1ß", "ſw1a 1aa", "a1 1ﬀ"])
def test_letters_that_upper_case_into_ascii_are_refused(typed):
    with pytest.raises(InvalidPostcode):
        PostcodeValue.parse(typed)
