from awards.views import urlpatterns

__all__ = ["urlpatterns"]
