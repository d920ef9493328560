"""The README's attribute table is the one generated from the code's table."""

from __future__ import annotations

from pathlib import Path

from litetrace.attributes.names import CONTRACT, contract_markdown

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_attribute_table_is_generated_from_the_contract():
    text = README.read_text(encoding="utf-8")
    begin = text.index("<!-- attributes:begin")
    begin = text.index("\n", begin) + 1
    end = text.index("<!-- attributes:end -->")
    assert text[begin:end].strip() == contract_markdown().strip()


def test_contract_names_are_unique_and_namespaced():
    names = [key.name for key in CONTRACT]
    assert len(names) == len(set(names))
    assert all(name.startswith("llm.") for name in names)
