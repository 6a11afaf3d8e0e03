"""Give the IOM template the reference it showed when the reference was the
installation's: the themes and actions 0002 loaded, and the targets'
migration notes, which 0005 drops from the shared targets.

The IOM template is found by its slug, and so are its copies made with the
admin's Duplicate action (they showed the same reference). Other templates
get none: a workshop on another topic showing IOM's mapping was the bug. When
no IOM template exists yet, the rows are the same as the IOM pack's, which
brings them back when it is imported, so nothing is lost by deleting them."""

from django.db import migrations
from django.db.models import Q

IOM_SLUG = "iom-leaving-no-one-behind"
LANGUAGES = ("en", "fr", "nl")
AUTHOR = {"en": "IOM", "fr": "OIM", "nl": "IOM"}
ACTIONS_TITLE = {"en": "Acceleration Actions", "fr": "Actions d'accélération", "nl": "Versnellingsacties"}


def _texts(name, value):
    """The untranslated column (historical models need it) and each language's."""
    return {name: value["en"], **{f"{name}_{lang}": value.get(lang) or "" for lang in LANGUAGES}}


def _copied(row, name):
    value = {lang: getattr(row, f"{name}_{lang}") or "" for lang in LANGUAGES}
    value["en"] = value["en"] or getattr(row, name) or ""
    return value


def _iom_templates(WorkshopTemplate):
    return WorkshopTemplate.objects.filter(
        Q(slug=IOM_SLUG) | Q(slug__startswith=f"{IOM_SLUG}-copy")
    ).order_by("pk")


def move(apps, schema_editor):
    WorkshopTemplate = apps.get_model("workshop", "WorkshopTemplate")
    Reference = apps.get_model("sdgmap", "Reference")
    ReferenceTheme = apps.get_model("sdgmap", "ReferenceTheme")
    ReferenceAction = apps.get_model("sdgmap", "ReferenceAction")
    ReferenceNote = apps.get_model("sdgmap", "ReferenceNote")
    Target = apps.get_model("sdgmap", "Target")

    themes = list(ReferenceTheme.objects.filter(reference=None).order_by("position", "id"))
    actions = list(ReferenceAction.objects.filter(reference=None).order_by("number", "id"))
    noted = [
        t
        for t in Target.objects.order_by("goal__number", "position", "id")
        if any(_copied(t, "migration_note").values())
    ]
    if themes or actions or noted:
        for template in _iom_templates(WorkshopTemplate):
            if Reference.objects.filter(template=template).exists():
                continue
            reference = Reference.objects.create(
                template=template, **_texts("author", AUTHOR), **_texts("actions_title", ACTIONS_TITLE)
            )
            for position, theme in enumerate(themes, start=1):
                copy = ReferenceTheme.objects.create(
                    reference=reference, key=theme.key, position=position,
                    **_texts("name", _copied(theme, "name")),
                )
                copy.targets.set(theme.targets.all())
            for action in actions:
                copy = ReferenceAction.objects.create(
                    reference=reference, number=action.number,
                    **_texts("title", _copied(action, "title")),
                    **_texts("summary", _copied(action, "summary")),
                )
                copy.goals.set(action.goals.all())
            for target in noted:
                ReferenceNote.objects.create(
                    reference=reference, target=target, **_texts("text", _copied(target, "migration_note"))
                )
    # The installation-wide rows, now copied to every template that showed them.
    ReferenceTheme.objects.filter(reference=None).delete()
    ReferenceAction.objects.filter(reference=None).delete()


class Migration(migrations.Migration):
    dependencies = [("sdgmap", "0003_reference_per_template")]

    operations = [migrations.RunPython(move, migrations.RunPython.noop)]
