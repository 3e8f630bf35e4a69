"""The repository's citations can be followed from a clone.

Code, tests and documents cite Lightspeed facts as "docs/lightspeed-api.md section N"; every such section must be a
numbered heading of that file. Nothing may point at a research file outside the repository (``shared/...``, or a
bare ``lightspeed-api.md`` that names no folder), and every relative link in the Markdown files must reach a file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
API_DOC = ROOT / "docs" / "lightspeed-api.md"

# What the repository does not hold: VCS data, installed packages, build output, caches (as in .gitignore).
SKIPPED_DIRS = {".git", "node_modules", ".venv", "test-results", "__pycache__", ".pytest_cache", ".hypothesis",
                "build", "dist", ".ipynb_checkpoints"}
SKIPPED_PATHS = {ROOT / "ls_widget" / "static"}
CITING_SUFFIXES = {".py", ".js", ".md"}

# "section 3.5", "sections 1.6-1.8", "sections 1.1 and 1.5-1.9", "sections 1-3 and 6", "§4.1", "§§3.3-3.4", and a
# number right after the file's name ("docs/lightspeed-api.md 1.8")
_NUMBER = r"\d+(?:\.\d+)*"
SECTION_REF = re.compile(
    rf"(?:\bsections?\s+|§+\s*|lightspeed-api\.md`{{0,2}}\s+)({_NUMBER}(?:\s*(?:,|and|-|–|to)\s*{_NUMBER})*)", re.IGNORECASE)
HEADING = re.compile(rf"^#{{1,6}}\s+({_NUMBER})\.?\s", re.MULTILINE)
OUTSIDE_FILES = re.compile(
    r"shared/(?:lightspeed-api|design|browser-testing)\.md"  # the research notes outside the repository
    r"|(?<![\w/.-])(?:lightspeed-api|design|browser-testing)\.md"  # a bare name that says nowhere where it is
)
MD_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def _repo_files():
    for path in sorted(ROOT.rglob("*")):
        rel = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if any(path == skipped or skipped in path.parents for skipped in SKIPPED_PATHS):
            continue
        if path.is_file():
            yield path


def _text(path: Path) -> str | None:
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return None  # images and other binaries
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _sections_cited(text: str) -> set[str]:
    cited = set()
    for match in SECTION_REF.finditer(text):
        cited.update(re.findall(_NUMBER, match.group(1)))
    return cited


def _headings() -> set[str]:
    return set(HEADING.findall(API_DOC.read_text(encoding="utf-8")))


def test_the_lightspeed_reference_is_in_the_repository():
    assert API_DOC.is_file(), "docs/lightspeed-api.md is missing"
    headings = _headings()
    assert {"1", "1.3", "2", "3.5", "4.1", "5"} <= headings, sorted(headings)


def test_every_cited_section_is_a_heading_of_the_reference():
    headings = _headings() if API_DOC.is_file() else set()
    unresolved, unnamed = [], []
    for path in _repo_files():
        if path.suffix not in CITING_SUFFIXES or path == Path(__file__).resolve():
            continue
        text = _text(path)
        if text is None:
            continue
        cited = _sections_cited(text)
        if not cited:
            continue
        rel = path.relative_to(ROOT).as_posix()
        if path != API_DOC and "docs/lightspeed-api.md" not in text:
            unnamed.append(rel)  # "section 4.1" of what? The file must name the document it cites.
        unresolved += [f"{rel}: section {number}" for number in sorted(cited - headings)]
    assert not unnamed, f"section numbers without naming docs/lightspeed-api.md: {unnamed}"
    assert not unresolved, f"sections missing from docs/lightspeed-api.md: {unresolved}"


def test_nothing_points_at_research_files_outside_the_repository():
    offenders = []
    for path in _repo_files():
        if path == Path(__file__).resolve():
            continue
        text = _text(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE_FILES.search(line):
                offenders.append(f"{path.relative_to(ROOT).as_posix()}:{number}: {line.strip()[:100]}")
    assert not offenders, "citations a clone cannot follow:\n" + "\n".join(offenders)


def _markdown_files():
    return [path for path in _repo_files() if path.suffix == ".md"]


def _without_code(text: str) -> str:
    text = re.sub(r"^(```|~~~).*?^\1", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`\n]*`", "", text)


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_markdown_links_reach_files(path):
    broken = []
    for target in MD_LINK.findall(_without_code(path.read_text(encoding="utf-8"))):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE) or target.startswith("#"):
            continue  # another site, or a heading in the same file
        file_part = target.split("#", 1)[0].split("?", 1)[0]
        if not (path.parent / file_part).exists():
            broken.append(target)
    assert not broken, f"{path.relative_to(ROOT).as_posix()} links to missing files: {broken}"


def test_markdown_files_include_the_readme_and_the_reference():
    names = {path.relative_to(ROOT).as_posix() for path in _markdown_files()}
    assert "README.md" in names
    assert "docs/lightspeed-api.md" in names
