"""WSGI application for `caregiving serve` (waitress) and for any WSGI server."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caregiving_course.settings")
application = get_wsgi_application()
