from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import JOIN_CODE_LENGTH, WorkshopSession, WorkshopTemplate
from .services import NICKNAME_MAX_LENGTH


class JoinForm(forms.Form):
    code = forms.CharField(
        label=_("Workshop code"),
        max_length=JOIN_CODE_LENGTH + 6,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "inputmode": "text",
                "placeholder": "ABC234",
            }
        ),
    )
    nickname = forms.CharField(
        label=_("Nickname (optional)"),
        required=False,
        max_length=NICKNAME_MAX_LENGTH,
        help_text=_("Leave it empty and we will make one up for you."),
        widget=forms.TextInput(attrs={"autocomplete": "nickname"}),
    )


class NewSessionForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=WorkshopTemplate.objects.all(), label=_("Workshop"), empty_label=None
    )
    title = forms.CharField(label=_("Session title (optional)"), required=False, max_length=200)
    group_count = forms.IntegerField(
        label=_("Number of groups"), required=False, min_value=0, max_value=30, initial=3
    )


class GroupsForm(forms.Form):
    groups = forms.CharField(
        label=_("Groups"),
        help_text=_("A number, or one name per line."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    mode = forms.ChoiceField(label=_("Forming groups"), choices=WorkshopSession.GroupMode.choices)

    @classmethod
    def for_session(cls, session: WorkshopSession) -> GroupsForm:
        names = [g.name for g in session.groups.all()]
        return cls(initial={"groups": "\n".join(names) or "3", "mode": session.group_mode})
