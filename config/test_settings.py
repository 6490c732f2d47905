"""The test suite's settings: the one settings module, given a key of the tests' own.

The app refuses to start without SECRET_KEY unless DEBUG is on; the tests run with DEBUG off, as
production does. A key in the environment still wins.

Production sits behind a TLS proxy; the tests talk plain http (Django's test client, and the browser
tests' live server), so they are neither redirected to https nor given cookies an http page cannot
keep. Static files are found where the apps keep them, without `collectstatic`'s hashed copies.
(`tests/core/test_serve.py` checks the production settings themselves in a server of their own.)
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-never-deployed")

from config.settings import *  # noqa: F403

SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Whitenoise looks for files when asked (as in development), not in a STATIC_ROOT the tests never collect.
WHITENOISE_AUTOREFRESH = True
