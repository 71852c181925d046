"""Check the Welsh translations are complete and current; with --update, refresh them first.

    python scripts/check_messages.py            # CI (make lint): exit 1 on any problem
    python scripts/check_messages.py --update   # after changing text: refresh locale/, compile

"Current" means the committed .po files hold exactly the msgids Django extracts from the code
today: the extraction runs in a scratch copy, so checking never touches the working tree. Needs
GNU gettext (xgettext, msgmerge, msgfmt), which `make gettext` installs.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = Path("locale") / "cy" / "LC_MESSAGES"
DOMAINS = {
    "django": ["-i", "tests/*", "-i", "frontend/*", "-i", "scripts/*"],
    "djangojs": ["-i", "frontend/*", "-i", "static/govuk/*", "-i", "static/leaflet/*"],
}
SKIP = shutil.ignore_patterns(
    ".git", ".venv", "var", "node_modules", "__pycache__", "*.sqlite3", "staticfiles", "govuk"
)


def extract(where):
    env = {**os.environ, "DEBUG": "true", "WELSH": "true"}
    for domain, ignores in DOMAINS.items():
        subprocess.run(  # noqa: S603
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-d",
                domain,
                "-l",
                "cy",
                "--no-location",
                "--no-obsolete",
            ]
            + ignores
            + ["-v", "0"],
            cwd=where,
            env=env,
            check=True,
        )


def problems():
    found = []
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "repo"
        shutil.copytree(ROOT, copy, ignore=SKIP)
        shutil.rmtree(copy / "locale", ignore_errors=True)
        (copy / "locale").mkdir()
        extract(copy)
        for domain in DOMAINS:
            wanted = {(e.msgctxt, e.msgid) for e in polib.pofile(copy / LOCALE / f"{domain}.po")}
            path = ROOT / LOCALE / f"{domain}.po"
            if not path.exists():
                found.append(f"{path.relative_to(ROOT)} is missing")
                continue
            po = polib.pofile(path)
            have = {(e.msgctxt, e.msgid) for e in po if not e.obsolete}
            found += [f"{domain}: not in the .po file: {m!r}" for _, m in sorted(wanted - have)]
            found += [f"{domain}: no longer in the code: {m!r}" for _, m in sorted(have - wanted)]
    return found


def update():
    extract(ROOT)
    subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "compilemessages", "-l", "cy", "-v", "0"],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true", "WELSH": "true"},
        check=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--update", action="store_true", help="refresh locale/ and compile")
    if parser.parse_args().update:
        update()
    found = problems()
    for problem in found:
        print(problem)
    print(f"Welsh messages: {'out of date' if found else 'current'}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
