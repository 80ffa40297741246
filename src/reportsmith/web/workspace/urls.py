from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("clusters/", views.clusters, name="clusters"),
    path("c/<str:account>/", views.overview, name="overview"),
]
