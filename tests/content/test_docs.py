"""The pack documentation keeps up with the importer, and its commands run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from quizzes import packs as quiz_packs
from sdgmap import packs as sdg_packs
from workshop import packs
from workshop.models import WorkshopTemplate

ROOT = Path(__file__).resolve().parents[2]
PACKS_DOC = ROOT / "docs" / "packs.md"


@pytest.mark.parametrize("doc", ["README.md", "docs/packs.md", "docs/deploy.md"])
def test_every_manage_py_command_names_the_projects_python(doc):
    # A bare `manage.py ...` runs the system's Python: No module named 'django'.
    text = (ROOT / doc).read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"manage\.py", text)]
    assert starts, doc
    for start in starts:
        before = text[max(0, start - 17) : start]
        assert before == ".venv/bin/python ", text[start - 40 : start + 30]


def test_the_pack_doc_names_every_section_and_field_the_importer_accepts():
    text = PACKS_DOC.read_text(encoding="utf-8")
    names = (
        {"format", "template", "slug", "title", "description", "steps"}
        | packs.STEP_KEYS
        | {"value", "label", "allocation", "minutes"}
        | {k for extension in packs._EXTENSIONS for k in extension.top_keys | extension.step_keys}
        | quiz_packs.QUESTION_KEYS
        | quiz_packs.NUMBER_KEYS
        | quiz_packs.SCALE_KEYS
        | sdg_packs.REFERENCE_KEYS
        | sdg_packs.THEME_KEYS
        | sdg_packs.ACTION_KEYS
        | sdg_packs.NOTE_KEYS
    )
    missing = sorted(name for name in names if f"`{name}`" not in text and f"{name}:" not in text)
    assert missing == []


@pytest.mark.django_db
def test_the_pack_doc_example_imports_and_exports(tmp_path):
    text = PACKS_DOC.read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", text, re.S).group(1)
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    call_command("import_pack", str(path))
    template = WorkshopTemplate.objects.get(slug="my-workshop")
    lobby = template.ordered_steps().first()
    assert lobby.facts.get().value == "1 in 8"
    again = yaml.safe_load(packs.dump_pack(packs.export_pack(template)))
    assert again["questions"][0]["key"] == "founded"
    theme = {"name": {"en": "Remittances"}, "targets": ["10.c"]}
    assert again["sdg_reference"]["themes"] == [theme]
