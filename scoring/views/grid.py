"""grid pages (being built)."""

urlpatterns: list = []
