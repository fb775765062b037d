from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClustersConfig(AppConfig):
    name = "clusters"
    verbose_name = _("Organisation and the yearly cycle")

    def ready(self) -> None:
        # Connects the sign-in receiver that records what the session still has to do
        # (second factor, temporary password; clusters.middleware), and registers the
        # check that e-mailed notifications can be written (clusters.checks).
        from clusters import checks, middleware  # noqa: F401
        from clusters.panels import register_cluster_panel
        from clusters.views.recent import cluster_panel

        register_cluster_panel(cluster_panel)
