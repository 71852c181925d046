"""The postcode value object: one place that knows what a UK postcode looks like.

People type postcodes in every shape ("cm11aa", "CM1-1AA", " c.m.1 1 a a "); everything else in
the project works with the normalised `CM1 1AA` form this produces.
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

FULL = "full"
SECTOR = "sector"
OUTWARD = "outward"

# Outward code: area (1-2 letters), district (digit plus optional digit or letter).
_OUTWARD = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL_RE = re.compile(rf"^({_OUTWARD})([0-9][A-Z]{{2}})$")
_SECTOR_RE = re.compile(rf"^({_OUTWARD})([0-9])$")
_OUTWARD_RE = re.compile(rf"^{_OUTWARD}$")

# Anything longer than this is not a postcode however it is spaced; refuse before any regex work.
MAX_INPUT_LENGTH = 20


class InvalidPostcode(ValueError):
    """The text is not shaped like a UK postcode, sector or outward code."""

    def __init__(self, message=None):
        if message is None:
            message = _("Enter a real postcode, like CM1 1AE")
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class PostcodeValue:
    outward: str
    inward: str = ""  # "1AA" for a full postcode, "1" for a sector, "" for an outward code

    @classmethod
    def parse(cls, text):
        if text is None or not str(text).strip():
            raise InvalidPostcode(_("Enter a postcode"))
        text = str(text)
        if len(text) > MAX_INPUT_LENGTH:
            raise InvalidPostcode(_("Enter a postcode, like CM1 1AE. That is too long to be one"))
        text = " ".join(text.split())  # any Unicode space, such as a pasted non-breaking one
        if not text.isascii():
            # str.upper() would turn "ß" into "SS" and "ſ" into "S": refuse rather than guess.
            raise InvalidPostcode()
        cleaned = " ".join(re.sub(r"[-.]", " ", text.upper()).split())
        compact = cleaned.replace(" ", "")
        if match := _FULL_RE.match(compact):
            return cls(match[1], match[2])
        # "CM1 1" is a sector; "CM11" without a space is the CM11 district, not a sector of CM1.
        parts = cleaned.split(" ")
        if len(parts) == 2 and _OUTWARD_RE.match(parts[0]) and re.fullmatch("[0-9]", parts[1]):
            return cls(parts[0], parts[1])
        if _OUTWARD_RE.match(compact):
            return cls(compact)
        if match := _SECTOR_RE.match(compact):
            return cls(match[1], match[2])
        raise InvalidPostcode()

    @property
    def kind(self):
        if len(self.inward) == 3:
            return FULL
        return SECTOR if self.inward else OUTWARD

    @property
    def sector(self):
        return f"{self.outward} {self.inward[0]}" if self.inward else None

    @property
    def area(self):
        """The postcode area: the leading letters, such as CM."""
        return re.match("[A-Z]+", self.outward)[0]

    def __str__(self):
        return f"{self.outward} {self.inward}" if self.inward else self.outward


def normalise(text):
    """`CM1 1AA` form of a full postcode, or InvalidPostcode."""
    value = PostcodeValue.parse(text)
    if value.kind != FULL:
        raise InvalidPostcode(_("Enter a full postcode, like CM1 1AE"))
    return str(value)
