"""sheet pages (being built)."""

urlpatterns: list = []
