"""Question content translated per item (English, French, Dutch)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Choice, Question, Quiz


@register(Quiz)
class QuizTranslation(TranslationOptions):
    fields = ("title",)


@register(Question)
class QuestionTranslation(TranslationOptions):
    fields = ("text", "explanation", "unit", "scale_min_label", "scale_max_label")


@register(Choice)
class ChoiceTranslation(TranslationOptions):
    fields = ("text",)
