import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
django.setup(set_prefix=False)  # what django.core.asgi.get_asgi_application does

from lede.core.asgi import LedeASGIHandler  # noqa: E402 - needs the apps loaded

# Django's handler, reusing request threads (lede/core/asgi.py says why).
application = LedeASGIHandler()
