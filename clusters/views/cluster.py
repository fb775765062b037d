"""cluster pages (being built)."""

urlpatterns: list = []
