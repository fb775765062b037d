"""Messages of Django itself that its Vietnamese catalogue lacks, listed here so that
``makemessages`` carries them into the project's catalogue (which Django reads before its
own). Never called: the function only names the messages."""

from __future__ import annotations

from django.utils.translation import ngettext


def _missing_from_djangos_catalogue() -> None:  # pragma: no cover - read by makemessages
    # Django 5.2's MinimumLengthValidator (the msgid changed from %(min_length)d to %d).
    ngettext(
        "This password is too short. It must contain at least %d character.",
        "This password is too short. It must contain at least %d characters.",
        0,
    )
