"""ASGI entry point for IGR Tracker."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "igr.settings")

application = get_asgi_application()
