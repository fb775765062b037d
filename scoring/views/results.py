"""results pages (being built)."""

urlpatterns: list = []
