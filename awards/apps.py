from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self) -> None:
        from awards.panels import cluster_panel
        from clusters.panels import register_cluster_panel

        register_cluster_panel(cluster_panel)
