"""The admin's forms for records with files: a new upload goes through the same cleaning as
in the services (``clusters.images``), so a photo added in the admin is stored re-encoded,
without its metadata, like one added on the product's pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

from clusters.images import clean_field_upload


class UploadCleaningForm(forms.ModelForm):
    """After the model's checks (content and size of each file), every new upload in a file
    field of the form is passed to ``clean_field_upload``; a picture that does not decode is
    an error on its field and nothing is stored."""

    def _post_clean(self) -> None:
        super()._post_clean()
        for field in self._meta.model._meta.concrete_fields:
            if not isinstance(field, models.FileField) or field.name not in self.fields:
                continue
            if field.name in self.errors:
                continue
            try:
                clean_field_upload(self.instance, field.name)
            except ValidationError as error:
                self._update_errors(error)
