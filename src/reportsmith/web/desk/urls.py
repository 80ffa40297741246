from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="desk_dashboard"),
    path("charts/<str:chart>.png", views.chart, name="desk_chart"),
    path("compendium.docx", views.compendium, name="desk_compendium"),
    path("export.zip", views.export, name="desk_export"),
    path("annotate/", views.annotate_upload, name="desk_annotate_upload"),
    path("c/<str:account>/", views.review, name="desk_review"),
    path("c/<str:account>/comment", views.comment, name="desk_comment"),
    path("c/<str:account>/return", views.return_report, name="desk_return"),
    path("c/<str:account>/approve", views.approve, name="desk_approve"),
    path("c/<str:account>/files/<int:file_id>", views.evidence_file, name="desk_file"),
    path("c/<str:account>/annotated.docx", views.annotated, name="desk_annotated"),
]
