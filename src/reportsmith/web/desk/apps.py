from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "reportsmith.web.desk"
    label = "desk"
    verbose_name = "审核台"
