"""SDG and reference texts in English, French and Dutch, falling back to English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Goal, Reference, ReferenceAction, ReferenceNote, ReferenceTheme, Target


@register(Goal)
class GoalTranslation(TranslationOptions):
    fields = ("short_name", "title")


@register(Target)
class TargetTranslation(TranslationOptions):
    fields = ("description",)


@register(Reference)
class ReferenceTranslation(TranslationOptions):
    fields = ("author", "actions_title")


@register(ReferenceTheme)
class ReferenceThemeTranslation(TranslationOptions):
    fields = ("name",)


@register(ReferenceAction)
class ReferenceActionTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(ReferenceNote)
class ReferenceNoteTranslation(TranslationOptions):
    fields = ("text",)
