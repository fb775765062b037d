from django.contrib.admin.apps import AdminConfig as BaseAdminConfig


class AdminConfig(BaseAdminConfig):
    """Django admin with our site class, which lets cluster leaders in."""

    default_site = "emulation.admin_site.EmulationAdminSite"
