from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "reportsmith.web.workspace"
    label = "workspace"
    verbose_name = "填报工作区"
