"""WSGI entry point (gunicorn or waitress under ``reportsmith serve``, see :mod:`reportsmith.web.server`)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reportsmith.web.settings")
application = get_wsgi_application()
