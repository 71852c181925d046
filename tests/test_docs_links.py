"""Every relative link in the README, DESIGN.md and docs/ leads somewhere: the file exists and, for
a link to a section (`docs/search.md#the-map`), a heading of that name is in it. Sections move
between documents; a link left behind should fail here, not in a reader's browser."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "DESIGN.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def prose(path):
    return FENCED.sub("", path.read_text(encoding="utf-8"))


def anchors(path):
    """The anchors GitHub gives a document's headings: lower case, punctuation dropped, spaces as
    hyphens, and -1, -2... after a repeated heading."""
    found, seen = set(), {}
    for heading in HEADING.findall(prose(path)):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").lower()).replace(" ", "-")
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        found.add(slug if count == 0 else f"{slug}-{count}")
    return found


def relative_links(path):
    text = INLINE_CODE.sub("", prose(path))
    return [link for link in LINK.findall(text) if not re.match(r"[a-z]+:", link)]


def test_the_documents_link_to_each_other():
    assert (ROOT / "docs").is_dir()
    assert sum(len(relative_links(path)) for path in DOCUMENTS) > 50


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves(document):
    broken = []
    for link in relative_links(document):
        target, _, anchor = link.partition("#")
        destination = (document.parent / target).resolve() if target else document
        if not destination.exists():
            broken.append(f"{link}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            broken.append(f"{link}: no such section")
    assert broken == []


def test_a_broken_link_is_caught(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# A page\n\n## The map\n\n[here](#the-map), [gone](#the-list), `[x](#no)`\n")
    assert anchors(page) == {"a-page", "the-map"}
    assert relative_links(page) == ["#the-map", "#the-list"]
