#!/usr/bin/env python
import os
import sys

#: Commands that neither serve requests nor sign anything: they run without a SECRET_KEY (a migration check
#: in CI, a deploy's migrate and collectstatic). Anything else still refuses to start without one.
KEYLESS_COMMANDS = {
    "check",
    "collectstatic",
    "makemigrations",
    "migrate",
    "showmigrations",
    "spectacular",
    "sqlmigrate",
}

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    if len(sys.argv) > 1 and sys.argv[1] in KEYLESS_COMMANDS:
        os.environ["ERP_BRIDGE_KEYLESS_COMMAND"] = sys.argv[1]
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
