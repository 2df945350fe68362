"""Creating and migrating the database the commands use."""
from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def ensure_migrated(verbose: bool = False) -> None:
    """Create and migrate the database when it is new or behind; quiet when it is current."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", run_syncdb=True, interactive=False, verbosity=1 if verbose else 0)
