from django.urls import path

from . import evidence_views, flow_views, form_views, text_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("clusters/", views.clusters, name="clusters"),
    path("c/<str:account>/", views.overview, name="overview"),
    path("c/<str:account>/text/", text_views.text_index, name="text_index"),
    path("c/<str:account>/text/<str:heading>/", text_views.text, name="text"),
    path("c/<str:account>/text/<str:heading>/check", text_views.text_check, name="text_check"),
    path("c/<str:account>/text/<str:heading>/versions/", text_views.versions, name="versions"),
    path("c/<str:account>/text/<str:heading>/versions/<int:version>/", text_views.version_detail, name="version"),
    path("c/<str:account>/text/<str:heading>/versions/<int:version>/restore", text_views.version_restore, name="version_restore"),
    path("c/<str:account>/form/", form_views.form, name="form"),
    path("c/<str:account>/form/check", form_views.form_check, name="form_check"),
    path("c/<str:account>/form/upload", form_views.form_upload, name="form_upload"),
    path("c/<str:account>/form.xlsx", form_views.form_xlsx, name="form_xlsx"),
    path("c/<str:account>/form-blank.xlsx", form_views.form_blank_xlsx, name="form_blank_xlsx"),
    path("c/<str:account>/evidence/", evidence_views.evidence, name="evidence"),
    path("c/<str:account>/evidence/add", evidence_views.evidence_add, name="evidence_add"),
    path("c/<str:account>/evidence/<str:group>/<int:index>/delete", evidence_views.evidence_delete, name="evidence_delete"),
    path("c/<str:account>/evidence/<str:group>/<int:index>/file", evidence_views.evidence_file, name="evidence_file"),
    path("c/<str:account>/evidence/<str:group>/<int:index>/file/remove", evidence_views.evidence_file_remove,
         name="evidence_file_remove"),
    path("c/<str:account>/files/<int:file_id>", evidence_views.file_download, name="file"),
    path("c/<str:account>/import/", flow_views.import_docx, name="import"),
    path("c/<str:account>/build/", flow_views.build_page, name="build"),
    path("c/<str:account>/report.docx", flow_views.report_docx, name="report_docx"),
    path("c/<str:account>/report.pdf", flow_views.report_pdf, name="report_pdf"),
    path("c/<str:account>/submit/", flow_views.submit, name="submit"),
    path("c/<str:account>/history/", flow_views.history, name="history"),
]
