"""Every public message has Welsh, and what the site serves (the compiled .mo) says the same as the
.po files people review. `scripts/check_messages.py` (in `make lint`) checks the .po files hold
every message in the code."""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale" / "cy" / "LC_MESSAGES"


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_every_message_has_welsh(domain):
    po = polib.pofile(LOCALE / f"{domain}.po")
    entries = [entry for entry in po if not entry.obsolete]
    assert entries, "no messages at all"
    missing = [entry.msgid for entry in entries if not entry.translated()]
    assert missing == [], f"{len(missing)} of {len(entries)} {domain} messages have no Welsh"
    assert po.percent_translated() == 100


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_the_compiled_messages_match_the_po_file(domain):
    po = polib.pofile(LOCALE / f"{domain}.po")
    mo = {(entry.msgctxt, entry.msgid): entry for entry in polib.mofile(LOCALE / f"{domain}.mo")}
    for entry in po.translated_entries():
        compiled = mo.get((entry.msgctxt, entry.msgid))
        assert compiled is not None, f"not compiled: {entry.msgid!r} (run make messages)"
        assert (compiled.msgstr, compiled.msgstr_plural) == (
            entry.msgstr,
            entry.msgstr_plural,
        ), entry.msgid


@pytest.mark.parametrize("domain", ["django", "djangojs"])
def test_placeholders_and_markup_survive_translation(domain):
    """A Welsh string with a lost %(name)s or tag would break the page or drop a link."""
    import re

    pattern = re.compile(r"%\([a-z_]+\)[sd]|%[sd]|<[a-z]+\b|</[a-z]+>|\{[a-z_]*\}")
    for entry in polib.pofile(LOCALE / f"{domain}.po").translated_entries():
        english = sorted(pattern.findall(entry.msgid))
        welsh = [entry.msgstr] if entry.msgstr else list(entry.msgstr_plural.values())
        for text in welsh:
            assert sorted(pattern.findall(text)) == english or entry.msgid_plural, entry.msgid
