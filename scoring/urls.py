from scoring.views import documents, evidence, grid, history, results, review, sheet, tables

urlpatterns = [
    *sheet.urlpatterns,
    *evidence.urlpatterns,
    *history.urlpatterns,
    *grid.urlpatterns,
    *review.urlpatterns,
    *results.urlpatterns,
    *tables.urlpatterns,
    *documents.urlpatterns,
]
