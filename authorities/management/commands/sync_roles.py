"""Give the Editor, Publisher and Viewer groups exactly their roles' permissions.

A model added by a later release (a new kind of record) has permissions nobody holds
until the groups are synced again; `make migrate` and a deploy run this after migrate.
"""

from django.core.management.base import BaseCommand

from authorities.roles import ROLES, sync_roles


class Command(BaseCommand):
    help = "Give the Editor, Publisher and Viewer groups exactly their roles' permissions."

    def handle(self, *args, **options):
        sync_roles()
        if options["verbosity"]:
            self.stdout.write(f"Synced the {', '.join(ROLES)} roles.")
