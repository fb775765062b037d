"""The scoring pages, one module per area: the unit's sheet (sheet.py), the scoring grid
for cluster leaders and the final review (grid.py), rankings, progress and phases
(results.py). Each module lists its own ``urlpatterns``."""
