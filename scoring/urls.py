from scoring.views import (
    documents,
    editor,
    evidence,
    excel,
    grid,
    history,
    reports,
    results,
    review,
    sheet,
    tables,
    targets,
)

urlpatterns = [
    *sheet.urlpatterns,
    *evidence.urlpatterns,
    *history.urlpatterns,
    *grid.urlpatterns,
    *excel.urlpatterns,
    *review.urlpatterns,
    *results.urlpatterns,
    *reports.urlpatterns,
    *tables.urlpatterns,
    *editor.urlpatterns,
    *targets.urlpatterns,
    *documents.urlpatterns,
]
