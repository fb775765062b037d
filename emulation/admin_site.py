"""The admin site: administrators, province staff and cluster leaders may enter; what
each sees inside is decided by clusters.permissions through each ModelAdmin."""

from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class EmulationAdminSite(AdminSite):
    site_header = _("Emulation clusters — administration")
    site_title = _("Emulation clusters")
    index_title = _("Administration")

    def has_permission(self, request: HttpRequest) -> bool:
        from clusters.permissions import can_use_admin

        return request.user.is_active and can_use_admin(request.user)
