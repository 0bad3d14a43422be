"""The project's own documentation stays true to the code (issue 19, item 9): the taxonomy page is
the generated one, every axis and concept is documented, every example spec passes `check`, and
the README and docs link only to files in the repository."""

import re
from pathlib import Path

import pytest

from psynth_cli.main import main
from psynth_cli.taxonomy_markdown import taxonomy_markdown
from psynth_spec.compile import compile_text
from psynth_spec.taxonomy import default_taxonomy

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md"))
SPEC_BLOCK = re.compile(r"^```psynth\n(.*?)^```", re.MULTILINE | re.DOTALL)
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")


def test_taxonomy_page_is_the_generated_markdown(capsys):
    assert main(["taxonomy", "--markdown"]) == 0
    generated = capsys.readouterr().out
    assert generated == taxonomy_markdown(default_taxonomy())
    assert (DOCS / "taxonomy.md").read_text(encoding="utf-8") == generated, (
        "docs/taxonomy.md is stale: run `psynth taxonomy --markdown > docs/taxonomy.md`")


def _rows(text: str) -> dict[str, str]:
    """Table rows by their first cell, without indentation."""
    return {line.split("|")[1].strip().replace("&nbsp;", ""): line
            for line in text.splitlines() if line.startswith("| `") or line.startswith("| &nbsp;")}


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def test_every_axis_and_concept_is_documented_with_its_label():
    taxonomy = default_taxonomy()
    text = (DOCS / "taxonomy.md").read_text(encoding="utf-8")
    axes = _rows(text.split("## Concepts")[0])
    for axis in taxonomy.axes:
        assert _cell(axis.description) in axes[f"`{axis.path}`"], axis.path
    sections = {}
    for root in taxonomy.roots:
        header = f"### `{root.id}` — {root.label}"
        assert header in text, root.id
        sections[root.id] = _rows(text.split(header, 1)[1].split("\n### ", 1)[0])
    for concept in taxonomy.concepts.values():
        root, _, name = concept.id.partition(".")
        if not name:
            continue
        key = f"`{name}`" + ("" if concept.is_leaf else " (group)")
        assert f"| {_cell(concept.label)} |" in sections[root][key], concept.id


def _spec_blocks():
    for page in PAGES:
        for index, match in enumerate(SPEC_BLOCK.finditer(page.read_text(encoding="utf-8"))):
            yield pytest.param(page.name, match.group(1), id=f"{page.stem}-{index}")


@pytest.mark.parametrize("page, text", list(_spec_blocks()))
def test_every_example_spec_in_the_docs_passes_check(page, text):
    compile_text(text, f"docs/{page}")  # raises SpecError with located errors otherwise


def test_the_docs_hold_example_specs():
    assert len(list(_spec_blocks())) >= 4


def test_readme_and_docs_link_only_into_the_repository():
    for page in [REPO / "README.md", *PAGES]:
        text = page.read_text(encoding="utf-8")
        assert "../shared" not in text, page
        for target in LINK.findall(text):
            if "://" in target:
                continue
            assert (page.parent / target).exists(), f"{page.name} links to missing {target}"


def test_every_docs_page_is_listed_in_the_docs_index_and_the_readme():
    index = (DOCS / "README.md").read_text(encoding="utf-8")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for page in PAGES:
        if page.name != "README.md":
            assert f"]({page.name})" in index, page.name
    assert "](docs/README.md)" in readme
