from awards.views import certificates, decisions, history, setup, titles, votes

urlpatterns = votes.urlpatterns + setup.urlpatterns + titles.urlpatterns + history.urlpatterns
urlpatterns += decisions.urlpatterns + certificates.urlpatterns

__all__ = ["urlpatterns"]
