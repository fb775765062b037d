from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Awards")

    def ready(self) -> None:
        from awards.panels import cluster_panel
        from awards.recent import vote_events
        from awards.search import decisions_search
        from awards.services import copy_award_types
        from awards.todo import awards_todo
        from clusters.copying import register_copy_step
        from clusters.panels import register_cluster_panel
        from clusters.recent import register_recent_source
        from clusters.search import register_search
        from clusters.todo import register_todo_provider

        register_cluster_panel(cluster_panel)
        register_copy_step("awards.award_types", copy_award_types, order=200)
        register_recent_source(vote_events)
        register_search(decisions_search)
        register_todo_provider(awards_todo)
