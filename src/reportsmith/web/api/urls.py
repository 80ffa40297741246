from django.urls import path

from . import views

urlpatterns = [
    path("clusters/<str:account>/check", views.check, name="api_check"),
    path("clusters/<str:account>/sections/<str:heading>", views.section, name="api_section"),
    path("clusters/<str:account>/report.docx", views.report_docx, name="api_report_docx"),
    path("clusters/<str:account>/report.pdf", views.report_pdf, name="api_report_pdf"),
]
