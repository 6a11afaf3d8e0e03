"""Content translated per item (English, French, Dutch), falling back to English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Fact, Step, WorkshopTemplate


@register(WorkshopTemplate)
class WorkshopTemplateTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Step)
class StepTranslation(TranslationOptions):
    fields = ("title", "subtitle", "body", "facilitator_notes", "image_alt")


@register(Fact)
class FactTranslation(TranslationOptions):
    fields = ("value", "label")
