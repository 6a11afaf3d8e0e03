"""Decks and step images in content packs: one archive, read back byte for
byte; plain YAML packs as before; a bad archive changes nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from PIL import Image

from slides import services
from slides.models import Deck, Slide
from workshop import packs, run_of_show
from workshop.models import Step, WorkshopTemplate

from .conftest import stored_files

pytestmark = pytest.mark.django_db

MINI_PACK = Path(__file__).parent.parent / "data" / "mini-pack.yaml"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "orange").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def carried(template, decks):
    """A template with an English and a French deck, a content step between
    two slides and a content step with an image."""
    services.upload_deck(template, "en", decks.en_5)
    services.upload_deck(template, "fr", decks.fr_3)
    slide_2 = template.steps.get(kind="slide", slide_number=2)
    run_of_show.insert_step(template, after=slide_2.pk, kind="content", title="Discuss")
    pictured = template.steps.get(title="Who is IOM?")
    pictured.image = SimpleUploadedFile("map.png", png())
    pictured.image_alt_en, pictured.image_alt_fr = "A map", "Une carte"
    pictured.save()
    return template


def test_an_archive_round_trips_byte_for_byte(carried, tmp_path, media_root):
    first = tmp_path / "first.zip"
    call_command("export_pack", carried.slug, str(first))
    slug, order = carried.slug, [(s.kind, s.slide_number) for s in carried.ordered_steps()]
    carried.delete()
    assert not WorkshopTemplate.objects.exists()

    call_command("import_pack", str(first))
    second = tmp_path / "second.zip"
    call_command("export_pack", slug, str(second))
    assert second.read_bytes() == first.read_bytes()

    template = WorkshopTemplate.objects.get(slug=slug)
    assert [(s.kind, s.slide_number) for s in template.ordered_steps()] == order
    assert sorted(Deck.objects.values_list("language", "page_count")) == [("en", 5), ("fr", 3)]
    assert Slide.objects.get(deck__language="fr", number=1).text.startswith("Diapositive 1")
    pictured = template.steps.get(title="Who is IOM?")
    assert (media_root / pictured.image.name).read_bytes() == png()
    assert (pictured.image_alt_en, pictured.image_alt_fr) == ("A map", "Une carte")


def test_the_archive_holds_the_yaml_and_its_files(carried, tmp_path):
    path = tmp_path / "pack.zip"
    call_command("export_pack", carried.slug, str(path))
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        data = yaml.safe_load(archive.read("pack.yaml"))
    assert names[0] == "pack.yaml" and {"decks/en.pdf", "decks/fr.pdf"} <= set(names)
    assert data["decks"] == [
        {"language": "en", "file": "decks/en.pdf"},
        {"language": "fr", "file": "decks/fr.pdf"},
    ]
    slides = [s for s in data["template"]["steps"] if s["kind"] == "slide"]
    assert [s["slide"] for s in slides] == [1, 2, 3, 4, 5]
    image = next(s for s in data["template"]["steps"] if "image" in s)
    assert image["image"] in names and image["image_alt"] == {"en": "A map", "fr": "Une carte"}


def test_a_template_with_files_is_not_exported_as_yaml_alone(carried, tmp_path):
    with pytest.raises(CommandError, match="export it to a .zip archive"):
        call_command("export_pack", carried.slug, str(tmp_path / "pack.yaml"))


def test_plain_yaml_packs_import_as_before(tmp_path):
    call_command("import_pack", str(MINI_PACK))
    template = WorkshopTemplate.objects.get()
    out = tmp_path / "again.yaml"
    call_command("export_pack", template.slug, str(out))
    assert "decks" not in yaml.safe_load(out.read_text(encoding="utf-8"))


def archive_with(data: dict, files: dict[str, bytes], path: Path) -> Path:
    path.write_bytes(packs.write_archive(packs.dump_pack(data), files))
    return path


def slide_pack(deck_file: str = "decks/en.pdf", page: object = 1) -> dict:
    return {
        "format": 1,
        "decks": [{"language": "en", "file": deck_file}],
        "template": {
            "slug": "deck-pack",
            "title": {"en": "Deck pack"},
            "steps": [{"kind": "slide", "title": {"en": "One"}, "slide": page}],
        },
    }


@pytest.mark.parametrize(
    ("pack", "files", "message"),
    [
        (slide_pack(), {}, "'decks/en.pdf' is not in the pack"),
        (slide_pack(page=0), {"decks/en.pdf": b""}, r"steps\[0\]\.slide \(line \d+\)"),
        (slide_pack(deck_file="decks/en.exe"), {"decks/en.exe": b""}, "must name a file ending"),
        (slide_pack(), {"decks/en.pdf": b"%PDF-1.4 broken"}, "damaged"),
    ],
)
def test_a_bad_archive_changes_nothing(tmp_path, media_root, decks, pack, files, message):
    path = archive_with(pack, files, tmp_path / "bad.zip")
    with pytest.raises(CommandError, match=message):
        call_command("import_pack", str(path))
    assert not WorkshopTemplate.objects.exists() and not Step.objects.exists()
    assert not Deck.objects.exists()
    assert not [n for n in stored_files(media_root) if n.startswith("slides/")]


def test_a_refused_second_deck_leaves_no_file_of_the_first(tmp_path, media_root, decks):
    pack = slide_pack()
    pack["decks"].append({"language": "fr", "file": "decks/fr.pdf"})
    files = {"decks/en.pdf": decks.en_5, "decks/fr.pdf": decks.encrypted}
    with pytest.raises(CommandError, match=r"decks\[1\]\.file \(line \d+\): This PDF is encrypted"):
        call_command("import_pack", str(archive_with(pack, files, tmp_path / "half.zip")))
    assert not WorkshopTemplate.objects.exists() and stored_files(media_root) == set()


def test_a_step_image_needs_its_alt_text_in_a_pack(tmp_path):
    pack = slide_pack()
    pack["template"]["steps"] = [
        {"kind": "content", "title": {"en": "Map"}, "image": "images/a.png"}
    ]
    pack.pop("decks")
    path = archive_with(pack, {"images/a.png": png()}, tmp_path / "no-alt.zip")
    with pytest.raises(CommandError, match=r"image_alt.*is required"):
        call_command("import_pack", str(path))
