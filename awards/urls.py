from awards.views import setup, titles, votes

urlpatterns = votes.urlpatterns + setup.urlpatterns + titles.urlpatterns

__all__ = ["urlpatterns"]
