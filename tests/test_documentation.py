"""The documentation a newcomer reads is whole and true: every relative link reaches a file (and a
heading) that exists, the README's quick start runs only what exists, and the contract and the
configuration pages list every operation and every setting the code has."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = sorted([ROOT / "README.md", ROOT / "deploy" / "README.md", *(ROOT / "docs").rglob("*.md")])
FENCE = re.compile(r"^```.*?^```", flags=re.S | re.M)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def _prose(path: Path) -> str:
    """The document without its fenced code blocks (a `# comment` there is no heading)."""
    return FENCE.sub("", path.read_text())


def _anchor(heading: str) -> str:
    """The anchor GitHub gives a heading: lowercase, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    anchors: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", _prose(path), flags=re.M):
        anchor, n = _anchor(heading), 1
        while anchor in anchors:  # GitHub numbers repeated headings: name, name-1, name-2...
            anchor, n = f"{_anchor(heading)}-{n}", n + 1
        anchors.add(anchor)
    return anchors


def _section(path: Path, heading: str) -> str:
    """What follows `heading` in the document, up to the next second-level heading."""
    text = path.read_text()
    assert f"\n{heading}\n" in text, f"{path.relative_to(ROOT)} has no {heading!r}"
    return text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_reaches_a_file_and_heading_that_exist(document):
    broken = []
    for target in LINK.findall(_prose(document)):
        if re.match(r"^[a-z]+:", target):  # https:, mailto:: not ours to check here
            continue
        path, _, anchor = target.partition("#")
        resolved = (document.parent / path).resolve() if path else document
        if not resolved.exists():
            broken.append(f"{target}: no such file")
        elif anchor and resolved.suffix == ".md" and anchor not in _anchors(resolved):
            broken.append(f"{target}: no such heading")
    assert not broken, broken


def test_the_readme_maps_every_document():
    """One click from the README reaches each document under docs/ (the ADRs through their folder)."""
    linked = {(ROOT / target.partition("#")[0]).resolve() for target in LINK.findall(_prose(ROOT / "README.md"))}
    expected = {*(ROOT / "docs").glob("*.md"), ROOT / "docs" / "adr", ROOT / "deploy" / "README.md"}
    assert {path.resolve() for path in expected} <= linked


def test_the_readme_quick_start_runs_only_make_targets_and_files_that_exist():
    """The quick start is pasted into a shell: each command is a make target the Makefile has, or a
    script in the repository."""
    makefile = (ROOT / "Makefile").read_text()
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, flags=re.M))
    blocks = re.findall(r"```bash\n(.*?)```", _section(ROOT / "README.md", "## Quick start"), flags=re.S)
    commands = [shlex.split(line, comments=True) for block in blocks for line in block.splitlines()]
    commands = [words for words in commands if words]
    assert commands, "the quick start has no commands"
    for words in commands:
        if words[0] == "make":
            assert set(words[1:]) <= targets, words
        else:
            assert words[0] == "bash" and (ROOT / words[1]).is_file(), words


def test_the_contract_lists_every_operation():
    document = json.loads((ROOT / "openapi" / "openapi.json").read_text())
    resources = _section(ROOT / "docs" / "api.md", "## Resources")
    missing = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            row = f"| `{method.upper()} {path.removeprefix('/api/v1')}` | `{operation['operationId']}` |"
            if row not in resources:
                missing.append(row)
    assert not missing, missing


def test_the_operating_guide_lists_every_setting_and_no_other():
    table = _section(ROOT / "docs" / "operating.md", "## Configuration")
    documented = set(re.findall(r"`REGISTRY_([A-Z0-9_]+)`", table))
    assert documented == {name.upper() for name in Settings.model_fields}
