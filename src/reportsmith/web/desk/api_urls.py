from django.urls import path

from . import views

urlpatterns = [
    path("clusters", views.api_rows, name="api_desk_rows"),
    path("clusters/<str:account>", views.api_review, name="api_desk_review"),
]
