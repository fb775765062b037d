"""documents pages (being built)."""

urlpatterns: list = []
