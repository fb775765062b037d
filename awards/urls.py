from awards import views, views_setup

urlpatterns = views.urlpatterns + views_setup.urlpatterns

__all__ = ["urlpatterns"]
