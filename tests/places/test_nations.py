import pytest

from places.nations import ENGLAND, SCOTLAND, WALES, nation_of
from places.postcodes import PostcodeValue


@pytest.mark.parametrize(
    ("postcode", "district", "nation"),
    [
        ("CM1 1RW", "", ENGLAND),
        ("TA1 1NR", "", ENGLAND),
        ("CH7 1DA", "", WALES),  # Mold, Flintshire
        ("CH1 1AB", "", ENGLAND),  # Chester
        ("CH4 0AA", "", WALES),  # Broughton: the Welsh side of CH4
        ("CH4 7AA", "", ENGLAND),
        ("SY23 1AA", "", WALES),  # Aberystwyth
        ("SY1 1AA", "", ENGLAND),  # Shrewsbury
        ("HR3 5AA", "", WALES),  # Hay-on-Wye
        ("CF10 1AA", "", WALES),
        ("EH1 1AA", "", SCOTLAND),
        ("TD15 1AA", "", ENGLAND),  # Berwick-upon-Tweed
        # The local authority code, where the source has one, decides.
        ("SY10 7AA", "W06000023", WALES),
        ("CH4 7AA", "W06000005", WALES),
        ("CH7 1DA", "E06000050", ENGLAND),
    ],
)
def test_nation_of(postcode, district, nation):
    assert nation_of(PostcodeValue.parse(postcode), district) == nation
