"""The score table editor, for the staff who manage a campaign: the criteria tree of a draft
table edited in place, each criterion's parameters in a side panel, the bands and the bonus
cap, live sums, the publishing checks on the criterion they concern, a preview of the sheet
a unit will see, publishing, and the history of who changed what.

Every change is one small POST to a service of ``scoring.services.editor`` carrying the
table's ``revision`` the page showed; the answer holds only what changed (tree rows or the
lists whose order changed, the sums, the checks and the new revision) as out-of-band htmx
fragments of ``scoring/table_editor.html``. A stale revision answers 409 with a message,
a refused value 422 with a message, and nothing changes.
"""

from scoring.views.editor.pages import urlpatterns

__all__ = ["urlpatterns"]
