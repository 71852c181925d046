"""The shortlist kept in the visitor's session: no account, no database rows until it is shared.

Stored as JSON under two keys:
- "shortlist": [{"id": <provider id>, "note": "<up to 500 characters>"}, ...] in the visitor's order
- "shortlist_shared": tokens of the shared links this session created (newest last), so only it
  can turn them off.
"""

MAX_PROVIDERS = 50
MAX_NOTE_LENGTH = 500
MAX_SHARED_LINKS = 50
MAX_PROVIDER_ID = 2**63 - 1  # the largest BigAutoField value on PostgreSQL and SQLite

ENTRIES_KEY = "shortlist"
SHARED_KEY = "shortlist_shared"
NEW_LINK_KEY = "shortlist_new_link"


class ShortlistFull(Exception):
    pass


def clean_entries(raw):
    """Entries as trusted data, whatever the stored value: valid ids, string notes, no repeats."""
    entries, seen = [], set()
    if not isinstance(raw, list):
        return entries
    for item in raw:
        if not isinstance(item, dict):
            continue
        pk, note = item.get("id"), item.get("note", "")
        if type(pk) is not int or not 0 < pk <= MAX_PROVIDER_ID or pk in seen:
            continue
        if not isinstance(note, str):
            note = ""
        seen.add(pk)
        entries.append({"id": pk, "note": note[:MAX_NOTE_LENGTH]})
        if len(entries) == MAX_PROVIDERS:
            break
    return entries


class SessionShortlist:
    """Reads and changes the shortlist in `request.session`. Reading never touches the database
    beyond loading the session itself."""

    def __init__(self, session):
        self.session = session

    # Reading -----------------------------------------------------------------------------------

    @property
    def entries(self):
        return clean_entries(self.session.get(ENTRIES_KEY))

    def ids(self):
        return [entry["id"] for entry in self.entries]

    def __len__(self):
        return len(self.entries)

    def __contains__(self, provider_id):
        return provider_id in self.ids()

    def is_full(self):
        return len(self) >= MAX_PROVIDERS

    # Changing ----------------------------------------------------------------------------------

    def add(self, provider_id):
        """Add to the end. False if it was already there; ShortlistFull at the cap."""
        entries = self.entries
        if any(entry["id"] == provider_id for entry in entries):
            return False
        if len(entries) >= MAX_PROVIDERS:
            raise ShortlistFull
        entries.append({"id": provider_id, "note": ""})
        self._save(entries)
        return True

    def remove(self, provider_id):
        entries = self.entries
        kept = [entry for entry in entries if entry["id"] != provider_id]
        if len(kept) == len(entries):
            return False
        self._save(kept)
        return True

    def move(self, provider_id, offset):
        """Move one place up (offset -1) or down (+1). False if not there or already at the end."""
        entries = self.entries
        ids = [entry["id"] for entry in entries]
        if provider_id not in ids:
            return False
        here = ids.index(provider_id)
        there = here + offset
        if not 0 <= there < len(entries):
            return False
        entries[here], entries[there] = entries[there], entries[here]
        self._save(entries)
        return True

    def set_notes(self, notes):
        """Set notes from {provider id: text}; ids not on the shortlist are ignored."""
        entries = self.entries
        changed = False
        for entry in entries:
            if entry["id"] in notes:
                note = notes[entry["id"]][:MAX_NOTE_LENGTH]
                changed = changed or note != entry["note"]
                entry["note"] = note
        if changed:
            self._save(entries)
        return changed

    def _save(self, entries):
        self.session[ENTRIES_KEY] = entries

    # Shared links made by this session --------------------------------------------------------

    def shared_tokens(self):
        raw = self.session.get(SHARED_KEY)
        if not isinstance(raw, list):
            return []
        return [token for token in raw if isinstance(token, str)][-MAX_SHARED_LINKS:]

    def remember_shared(self, token):
        self.session[SHARED_KEY] = (self.shared_tokens() + [token])[-MAX_SHARED_LINKS:]
        self.session[NEW_LINK_KEY] = token

    def created(self, token):
        return token in self.shared_tokens()

    def pop_new_link(self):
        token = self.session.pop(NEW_LINK_KEY, None)
        return token if isinstance(token, str) and self.created(token) else None
