"""setup pages (being built)."""

urlpatterns: list = []
