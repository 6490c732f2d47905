# core keeps no tables of its own. This module exists because Django sends post_migrate only
# to apps that have one, and the roles (apps.core.roles) are synced on core's post_migrate.
