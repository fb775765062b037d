from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from clusters.copying import register_copy_step
        from clusters.panels import register_cluster_panel, register_pledge_item_choice
        from clusters.recent import register_recent_source
        from clusters.search import register_search
        from clusters.todo import register_phase_work, register_todo_provider
        from scoring.deadlines import pending_sheets
        from scoring.panels import cluster_panel, pledge_item_choice
        from scoring.recent import entry_events, explanation_events, sheet_events
        from scoring.search import criteria_search
        from scoring.services.year_copy import copy_score_tables
        from scoring.todo import scoring_todo

        register_cluster_panel(cluster_panel)
        register_pledge_item_choice(pledge_item_choice)
        register_copy_step("scoring.score_tables", copy_score_tables, order=100)
        register_search(criteria_search)
        for source in (entry_events, sheet_events, explanation_events):
            register_recent_source(source)
        register_phase_work(pending_sheets)
        register_todo_provider(scoring_todo)
