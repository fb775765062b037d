from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from clusters.panels import register_cluster_panel, register_pledge_item_choice
        from scoring.panels import cluster_panel, pledge_item_choice

        register_cluster_panel(cluster_panel)
        register_pledge_item_choice(pledge_item_choice)
