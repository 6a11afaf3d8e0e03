"""Content packs: a workshop template with its steps in one YAML file.

A pack is validated whole before anything is written; each error names its
place in the file ("template.steps[3].title.fr", with its line when read from
a file). Apps extend packs with their own sections (quiz questions, exercise
settings) through ``register_extension``.

Exporting writes the same format back: exporting a template, importing the
file and exporting again gives the same file, byte for byte.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml
from django.conf import settings
from django.db import transaction

from .models import Fact, Step, WorkshopTemplate

PACK_FORMAT = 1
LANGUAGES = [code for code, _name in settings.LANGUAGES]
# What a SlugField holds: slugs and keys end up in admin URLs and quiz keys.
SLUG = re.compile(r"[-a-zA-Z0-9_]+")


def is_slug(value: Any, max_length: int) -> bool:
    return isinstance(value, str) and len(value) <= max_length and bool(SLUG.fullmatch(value))


class PackError(Exception):
    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class PackContext:
    """What extensions share while one pack is imported."""

    data: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    steps: list[tuple[Step, dict[str, Any]]] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def error(self, place: str, message: str) -> None:
        self.errors.append(f"{place}: {message}")


class PackExtension(Protocol):
    """What an app registers to carry its own content in packs.

    ``validate`` reports errors with ``ctx.error(place, message)``; ``apply``
    writes (inside the import's transaction, after the steps exist:
    ``ctx.steps`` pairs each Step with its spec). For export, ``export``
    returns the extension's top-level sections (e.g. ``{"questions": [...]}``)
    and ``export_step`` the extension's keys of one step (e.g.
    ``{"question": "iom-founded"}``); both must give back what ``apply``
    read, in a stable order. ``slug_in_use`` says whether the extension
    keeps content under a slug that no template has (so that a duplicate
    takes another). Extensions that subclass ``BasePackExtension`` get no-op
    defaults; a missing method counts as a no-op too.
    """

    step_keys: set[str]
    top_keys: set[str]

    def validate(self, ctx: PackContext) -> None: ...

    def apply(self, ctx: PackContext, template: WorkshopTemplate) -> None: ...

    def export(self, template: WorkshopTemplate) -> dict[str, Any]: ...

    def export_step(self, step: Step) -> dict[str, Any]: ...

    def slug_in_use(self, slug: str) -> bool: ...


class BasePackExtension:
    step_keys: set[str] = set()
    top_keys: set[str] = set()

    def validate(self, ctx: PackContext) -> None:
        return None

    def apply(self, ctx: PackContext, template: WorkshopTemplate) -> None:
        return None

    def export(self, template: WorkshopTemplate) -> dict[str, Any]:
        return {}

    def export_step(self, step: Step) -> dict[str, Any]:
        return {}

    def slug_in_use(self, slug: str) -> bool:
        return False


_EXTENSIONS: list[PackExtension] = []


def register_extension(extension: PackExtension) -> None:
    _EXTENSIONS.append(extension)


def check_text(
    ctx: PackContext, value: Any, place: str, *, required: bool, max_length: int
) -> None:
    """A translatable text: {en, fr, nl}; English required when the text is."""
    if value is None:
        if required:
            ctx.error(place, "is required")
        return
    if not isinstance(value, dict):
        ctx.error(place, "must be a mapping of language codes (en, fr, nl) to text")
        return
    for lang, text in value.items():
        if lang not in LANGUAGES:
            ctx.error(f"{place}.{lang}", f"unknown language; use one of {', '.join(LANGUAGES)}")
        elif not isinstance(text, str):
            ctx.error(f"{place}.{lang}", "must be text")
        elif len(text) > max_length:
            ctx.error(f"{place}.{lang}", f"is longer than {max_length} characters")
    if required and not value.get("en"):
        ctx.error(f"{place}.en", "English text is required")


def translated(value: dict[str, str] | None, name: str) -> dict[str, str]:
    """{"en": "x", "fr": "y"} -> {"title_en": "x", "title_fr": "y", "title_nl": ""}."""
    value = value or {}
    return {f"{name}_{lang}": value.get(lang) or "" for lang in LANGUAGES}


def read_pack(path: str | Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else str(path)
        raise PackError([f"{where}: not valid YAML ({error})"]) from None
    except OSError as error:
        raise PackError([f"{path}: {error.strerror}"]) from None
    if not isinstance(data, dict):
        raise PackError(["the pack must be a mapping with 'format' and 'template'"])
    return data


STEP_KEYS = {"kind", "title", "subtitle", "body", "notes", "facts"}


def validate(data: dict[str, Any], files: dict[str, bytes] | None = None) -> PackContext:
    ctx = PackContext(data, extra={"files": files or {}})
    if data.get("format") != PACK_FORMAT:
        ctx.error("format", f"must be {PACK_FORMAT}")
    known_top = {"format", "template"} | {k for e in _EXTENSIONS for k in e.top_keys}
    for key in data:
        if key not in known_top:
            ctx.error(key, "unknown section")
    template = data.get("template")
    if not isinstance(template, dict):
        ctx.error("template", "is required and must be a mapping")
        raise PackError(ctx.errors)
    slug = template.get("slug")
    if not is_slug(slug, 50):
        ctx.error("template.slug", "is required: a short name of letters, digits and dashes")
    check_text(ctx, template.get("title"), "template.title", required=True, max_length=200)
    check_text(
        ctx, template.get("description"), "template.description", required=False, max_length=2000
    )
    steps = template.get("steps")
    if not isinstance(steps, list) or not steps:
        ctx.error("template.steps", "must be a non-empty list")
        steps = []
    step_keys = STEP_KEYS | {k for e in _EXTENSIONS for k in e.step_keys}
    for index, step in enumerate(steps):
        _validate_step(ctx, step, f"template.steps[{index}]", step_keys)
    for extension in _EXTENSIONS:
        extension.validate(ctx)
    if ctx.errors:
        raise PackError(ctx.errors)
    return ctx


def _validate_step(ctx: PackContext, step: Any, place: str, step_keys: set[str]) -> None:
    if not isinstance(step, dict):
        ctx.error(place, "must be a mapping")
        return
    for key in step:
        if key not in step_keys:
            ctx.error(f"{place}.{key}", "unknown field")
    if step.get("kind") not in Step.Kind.values:
        ctx.error(f"{place}.kind", f"must be one of {', '.join(Step.Kind.values)}")
    check_text(ctx, step.get("title"), f"{place}.title", required=True, max_length=200)
    check_text(ctx, step.get("subtitle"), f"{place}.subtitle", required=False, max_length=300)
    check_text(ctx, step.get("body"), f"{place}.body", required=False, max_length=5000)
    check_text(ctx, step.get("notes"), f"{place}.notes", required=False, max_length=5000)
    facts = step.get("facts", [])
    if not isinstance(facts, list):
        ctx.error(f"{place}.facts", "must be a list")
        return
    for f_index, fact in enumerate(facts):
        fact_place = f"{place}.facts[{f_index}]"
        if not isinstance(fact, dict):
            ctx.error(fact_place, "must be a mapping with value and label")
            continue
        value = fact.get("value")
        if isinstance(value, str | int | float):
            value = {"en": str(value)}
            fact["value"] = value
        check_text(ctx, value, f"{fact_place}.value", required=True, max_length=40)
        check_text(ctx, fact.get("label"), f"{fact_place}.label", required=True, max_length=200)


@transaction.atomic
def import_pack(
    data: dict[str, Any], *, replace: bool = False, files: dict[str, bytes] | None = None
) -> WorkshopTemplate:
    """Validate, then create the template; with ``replace`` an existing
    template of the same slug is rebuilt. A bad pack changes nothing.
    ``files``: what an archive carries beside its YAML (decks, images), by
    the names the YAML gives them."""
    ctx = validate(data, files)
    spec = data["template"]
    template = WorkshopTemplate.objects.filter(slug=spec["slug"]).first()
    if template is not None and not replace:
        raise PackError([f"template.slug: a template '{spec['slug']}' exists already"])
    if template is None:
        template = WorkshopTemplate(slug=spec["slug"])
    for key, value in {
        **translated(spec["title"], "title"),
        **translated(spec.get("description"), "description"),
    }.items():
        setattr(template, key, value)
    template.save()
    template.steps.all().delete()
    for position, step_spec in enumerate(spec["steps"], start=1):
        step = Step.objects.create(
            template=template,
            position=position,
            kind=step_spec["kind"],
            **translated(step_spec["title"], "title"),
            **translated(step_spec.get("subtitle"), "subtitle"),
            **translated(step_spec.get("body"), "body"),
            **translated(step_spec.get("notes"), "facilitator_notes"),
        )
        for f_position, fact in enumerate(step_spec.get("facts", []), start=1):
            Fact.objects.create(
                step=step,
                position=f_position,
                **translated(fact["value"], "value"),
                **translated(fact["label"], "label"),
            )
        ctx.steps.append((step, step_spec))
    for extension in _EXTENSIONS:
        extension.apply(ctx, template)
    return template


# --- locating errors ------------------------------------------------------------


def yaml_lines(text: str) -> dict[str, int]:
    """Each place in a YAML text ("template.steps[3].title") -> its 1-based line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[str, int] = {}

    def walk(node: yaml.Node, place: str) -> None:
        lines[place] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = str(key.value)
                child = f"{place}.{name}" if place else name
                lines[child] = key.start_mark.line + 1
                walk(value, child)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, f"{place}[{index}]")

    if root is not None:
        walk(root, "")
    return lines


def _nearest_known_place(place: str, lines: dict[str, int]) -> str:
    """The place itself, or the nearest enclosing place found in ``lines``.

    Stops when nothing is left to strip: a top-level name ("format") or a
    text that is not a place at all ("line 3") cannot be shortened, and an
    invalid YAML text gives no lines to find.
    """
    probe = place
    while probe and probe not in lines:
        shorter = re.sub(r"(\.[^.\[]*|\[\d+\])$", "", probe)
        if shorter == probe:
            return ""
        probe = shorter
    return probe


def with_lines(errors: list[str], text: str) -> list[str]:
    """Add the line of each error's place, or of its nearest enclosing place."""
    lines = yaml_lines(text)
    located = []
    for error in errors:
        place, sep, message = error.partition(": ")
        line = lines.get(_nearest_known_place(place, lines))
        located.append(f"{place} (line {line}){sep}{message}" if line and sep else error)
    return located


# --- export ------------------------------------------------------------------------


def text_of(obj: Any, name: str) -> dict[str, str] | None:
    """The {en, fr, nl} mapping of a translated field, leaving out empty ones
    (what ``translated`` reads back): for extensions' exports too."""
    value = {lang: getattr(obj, f"{name}_{lang}") or "" for lang in LANGUAGES}
    value = {lang: text for lang, text in value.items() if text}
    return value or None


def export_pack(template: WorkshopTemplate) -> dict[str, Any]:
    """The pack of a template, as import_pack reads it."""
    spec: dict[str, Any] = {"slug": template.slug, "title": text_of(template, "title")}
    if description := text_of(template, "description"):
        spec["description"] = description
    steps = []
    for step in template.ordered_steps().prefetch_related("facts"):
        step_spec: dict[str, Any] = {"kind": step.kind, "title": text_of(step, "title")}
        for key, field_name in (
            ("subtitle", "subtitle"),
            ("body", "body"),
            ("notes", "facilitator_notes"),
        ):
            if value := text_of(step, field_name):
                step_spec[key] = value
        facts = [
            {"value": text_of(fact, "value"), "label": text_of(fact, "label")}
            for fact in step.facts.order_by("position", "id")
        ]
        if facts:
            step_spec["facts"] = facts
        for extension in _EXTENSIONS:
            export_step = getattr(extension, "export_step", None)
            if export_step is not None:
                step_spec.update(export_step(step) or {})
        steps.append(step_spec)
    spec["steps"] = steps
    data: dict[str, Any] = {"format": PACK_FORMAT, "template": spec}
    for extension in _EXTENSIONS:
        export = getattr(extension, "export", None)
        if export is not None:
            data.update(export(template) or {})
    return data


class _PackDumper(yaml.SafeDumper):
    """Readable YAML: multi-line texts as literal blocks, keys in our order,
    list items indented under their key."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_PackDumper.add_representer(str, _represent_str)


def dump_pack(data: dict[str, Any]) -> str:
    header = (
        "# A workshop content pack: import it with\n"
        "# `.venv/bin/python manage.py import_pack FILE` (docs/packs.md).\n"
        "# Every translatable text maps language codes (en, fr, nl) to text.\n\n"
    )
    return header + yaml.dump(
        data, Dumper=_PackDumper, allow_unicode=True, sort_keys=False, width=100
    )


@transaction.atomic
def duplicate_template(template: WorkshopTemplate) -> WorkshopTemplate:
    """A copy with everything a pack carries, extensions' content included.

    The copy owns all of it: the import makes new steps, facts, questions
    and choices under a slug that nothing uses yet, so editing the copy
    leaves the original as it was.
    """
    data = export_pack(template)
    base = f"{template.slug}-copy"[:44]
    slug, n = base, 1
    while _slug_in_use(slug):
        n += 1
        slug = f"{base}-{n}"
    data["template"]["slug"] = slug
    data["template"]["title"] = {
        lang: f"{text} (copy)"[:200] for lang, text in data["template"]["title"].items()
    }
    return import_pack(data, files=export_files(template))


# --- archives: the YAML with its files -------------------------------------------

ARCHIVE_YAML = "pack.yaml"
# Fixed entry times and modes: the same pack always makes the same bytes.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def export_files(template: WorkshopTemplate) -> dict[str, bytes]:
    """The files the template's pack names (decks, images), by those names."""
    files: dict[str, bytes] = {}
    for extension in _EXTENSIONS:
        collect = getattr(extension, "export_files", None)
        if collect is not None:
            files.update(collect(template) or {})
    return files


def write_archive(text: str, files: dict[str, bytes]) -> bytes:
    """One zip: the pack's YAML first, then its files by name."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in [(ARCHIVE_YAML, text.encode("utf-8")), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def read_archive(path: str | Path) -> tuple[str, dict[str, bytes]]:
    """The YAML text of an archive and its other files."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            if ARCHIVE_YAML not in names:
                raise PackError([f"{path}: the archive has no {ARCHIVE_YAML}"])
            files = {n: archive.read(n) for n in names if n != ARCHIVE_YAML and not n.endswith("/")}
            return archive.read(ARCHIVE_YAML).decode("utf-8"), files
    except (zipfile.BadZipFile, UnicodeDecodeError, OSError) as error:
        raise PackError([f"{path}: not a readable pack archive ({error})"]) from None


def read_pack_text(text: str, where: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise PackError(
            [f"{f'line {mark.line + 1}' if mark else where}: not valid YAML ({error})"]
        ) from None
    if not isinstance(data, dict):
        raise PackError(["the pack must be a mapping with 'format' and 'template'"])
    return data


def is_archive(path: str | Path) -> bool:
    return Path(path).is_file() and zipfile.is_zipfile(path)


def _slug_in_use(slug: str) -> bool:
    if WorkshopTemplate.objects.filter(slug=slug).exists():
        return True
    return any(
        (in_use := getattr(extension, "slug_in_use", None)) is not None and in_use(slug)
        for extension in _EXTENSIONS
    )
