from scoring.views import grid, results, sheet

urlpatterns = [*sheet.urlpatterns, *grid.urlpatterns, *results.urlpatterns]
