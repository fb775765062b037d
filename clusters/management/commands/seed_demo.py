"""``manage.py seed_demo``: create or refresh the Đắk Nông 2023 demo (clusters.demo).

Idempotent. Demo sign-ins, whose passwords are printed, are made only when DEBUG is on.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from clusters.demo import seed_demo


class Command(BaseCommand):
    @property
    def help(self) -> str:  # translated when asked for, in the active language
        return _(
            "Create or refresh the demo data (Đắk Nông provincial police, 2023); demo users "
            "only when DEBUG is on."
        )

    def handle(self, *args, **options) -> None:
        result = seed_demo(with_users=settings.DEBUG)
        campaign = result.campaign
        self.stdout.write(
            self.style.SUCCESS(
                _("Demo ready: %(campaign)s, %(organiser)s, %(clusters)d clusters.")
                % {
                    "campaign": campaign,
                    "organiser": campaign.organiser.name,
                    "clusters": campaign.clusters.count(),
                }
            )
        )
        if not result.users:
            self.stdout.write(self.style.WARNING(_("DEBUG is off: demo users are not created.")))
            return
        self.stdout.write(_("Demo users (user name / password — role):"))
        for user in result.users:
            self.stdout.write(
                _("  %(username)s / %(password)s — %(role)s")
                % {"username": user.username, "password": user.password, "role": user.role}
            )
