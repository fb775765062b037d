from scoring.views import documents, evidence, excel, grid, history, results, review, sheet, tables

urlpatterns = [
    *sheet.urlpatterns,
    *evidence.urlpatterns,
    *history.urlpatterns,
    *grid.urlpatterns,
    *excel.urlpatterns,
    *review.urlpatterns,
    *results.urlpatterns,
    *tables.urlpatterns,
    *documents.urlpatterns,
]
