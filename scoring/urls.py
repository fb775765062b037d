from scoring.views import evidence, grid, history, results, sheet

urlpatterns = [
    *sheet.urlpatterns,
    *evidence.urlpatterns,
    *history.urlpatterns,
    *grid.urlpatterns,
    *results.urlpatterns,
]
