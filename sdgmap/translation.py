"""Reference texts in English, French and Dutch, falling back to English."""

from modeltranslation.translator import TranslationOptions, register

from .models import AccelerationAction, Goal, ReferenceTheme, Target


@register(Goal)
class GoalTranslation(TranslationOptions):
    fields = ("short_name", "title")


@register(Target)
class TargetTranslation(TranslationOptions):
    fields = ("description", "migration_note")


@register(ReferenceTheme)
class ReferenceThemeTranslation(TranslationOptions):
    fields = ("name",)


@register(AccelerationAction)
class AccelerationActionTranslation(TranslationOptions):
    fields = ("title", "summary")
