from awards.views import certificates, decisions, history, incoming, setup, titles, votes

urlpatterns = votes.urlpatterns + setup.urlpatterns + titles.urlpatterns + history.urlpatterns
urlpatterns += decisions.urlpatterns + certificates.urlpatterns + incoming.urlpatterns

__all__ = ["urlpatterns"]
