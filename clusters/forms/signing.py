"""Forms of a cluster's signing records: the conference, its photos, the pledge, each unit's
signature and registration. Files are validated by the services (by content and size)."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from django import forms
from django.utils.translation import gettext_lazy as _

from clusters.enums import Title


class DateInput(forms.DateInput):
    """The browser's date picker; the value travels as yyyy-mm-dd."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class ConferenceForm(forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput)
    place = forms.CharField(label=_("Place"), max_length=255)
    chair = forms.CharField(
        label=_("Chair"), max_length=255, help_text=_("Who chaired the conference.")
    )
    attendees = forms.CharField(
        label=_("Attendees"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    minutes = forms.FileField(
        label=_("Minutes"),
        required=False,
        help_text=_("PDF, Word or a scan. A file already attached is kept."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PhotoForm(forms.Form):
    image = forms.FileField(
        label=_("Photo"),
        help_text=_("JPEG, PNG or WebP."),
        # Any picture: a phone then offers its camera; the server keeps JPEG, PNG and WebP.
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    caption = forms.CharField(label=_("Caption"), max_length=255, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PledgeForm(forms.Form):
    slogan = forms.CharField(
        label=_("Slogan"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    preamble = forms.CharField(
        label=_("Preamble"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    members_may_sign = forms.BooleanField(
        label=_("Member units record their own signature and registration"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class PledgeItemForm(forms.Form):
    """One item of the pledge, with the choices other apps add to it (clusters.panels:
    ``pledge_item_choices``), each as a field ``choice_<name>``."""

    item = forms.IntegerField(required=False, widget=forms.HiddenInput)
    area = forms.CharField(label=_("Area of work"), max_length=255, required=False)
    content = forms.CharField(
        label=_("What the units pledge"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, extra_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.extra_choices = list(extra_choices)
        for choice in self.extra_choices:
            self.fields[f"choice_{choice.name}"] = forms.ChoiceField(
                label=choice.label,
                choices=choice.choices,
                required=False,
                help_text=choice.help_text,
            )

    def extra_fields(self):
        """The bound fields of the added choices, in order (for the template)."""
        return [self[f"choice_{c.name}"] for c in self.extra_choices]

    def clean(self):
        data = super().clean()
        if data.get("content") and not data.get("area"):
            self.add_error("area", _("Name the area of work."))
        if data.get("area") and not data.get("content"):
            self.add_error("content", _("Write what the units pledge in this area."))
        return data


PledgeItemFormSet = forms.formset_factory(PledgeItemForm, extra=2)


class SignatureForm(forms.Form):
    signatory = forms.CharField(label=_("Signatory"), max_length=150)
    position = forms.CharField(label=_("Rank and position"), max_length=255)
    signed_on = forms.DateField(label=_("Signed on"), widget=DateInput)
    scanned_copy = forms.FileField(
        label=_("Scanned copy"),
        required=False,
        help_text=_("PDF or an image of the signed page. A file already attached is kept."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()


class RegistrationForm(forms.Form):
    titles = forms.MultipleChoiceField(
        label=_("Titles aimed for"),
        choices=Title.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    registered_on = forms.DateField(label=_("Registered on"), required=False, widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
