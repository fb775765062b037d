from scoring.views import evidence, grid, history, results, review, sheet

urlpatterns = [
    *sheet.urlpatterns,
    *evidence.urlpatterns,
    *history.urlpatterns,
    *grid.urlpatterns,
    *review.urlpatterns,
    *results.urlpatterns,
]
