from awards.views import setup, votes

urlpatterns = votes.urlpatterns + setup.urlpatterns

__all__ = ["urlpatterns"]
