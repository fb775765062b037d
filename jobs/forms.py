"""Forms of the jobs app."""

from __future__ import annotations

import zipfile

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ScoresUploadForm(forms.Form):
    """A zip of ``thidua.scores/1`` files or one such ``.json`` file. Only the kind of file
    is checked here (its name and first bytes); the background job checks the content."""

    file = forms.FileField(
        label=_("Scores file (.zip or .json)"),
        help_text=_("A .zip holding several thidua.scores/1 files, or one .json file."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.json"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.UPLOAD_MAX_MB
        if upload.size > limit * 1024 * 1024:
            raise forms.ValidationError(
                _("The file is larger than %(limit)d MB."), params={"limit": limit}
            )
        name = upload.name.lower()
        upload.seek(0)
        head = upload.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        upload.seek(0)
        if name.endswith(".zip") and zipfile.is_zipfile(upload):
            upload.seek(0)
            return upload
        if name.endswith(".json") and head[:1] in (b"{", b"["):
            return upload
        raise forms.ValidationError(_("Upload a .zip of JSON scores files or one .json file."))
