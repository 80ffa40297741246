"""WSGI entry point (waitress under ``reportsmith serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reportsmith.web.settings")
application = get_wsgi_application()
