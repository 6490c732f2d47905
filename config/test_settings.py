"""The test suite's settings: the one settings module, given a key of the tests' own.

The app refuses to start without SECRET_KEY unless DEBUG is on; the tests run with DEBUG off, as
production does. A key in the environment still wins.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-never-deployed")

from config.settings import *  # noqa: F403
