"""Create the first Publisher: a staff account in the Publisher group.

The password never appears on the command line (where `ps` and shell history would show
it): it comes from the IGR_PUBLISHER_PASSWORD environment variable or, failing that, a
prompt that asks twice.
"""

import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

PASSWORD_VARIABLE = "IGR_PUBLISHER_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff account in the Publisher group (publish, withdraw, delete). "
        f"The password comes from ${PASSWORD_VARIABLE} or a prompt, never an argument."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="", help="The publisher's email address.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt; ${PASSWORD_VARIABLE} must then be set.",
        )

    def handle(self, *args, username, email, interactive, **options):
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            raise CommandError(
                f"A user called “{username}” already exists. To make them a Publisher, "
                "add them to the Publisher group in the admin (Users › their name)."
            )
        try:
            group = Group.objects.get(name="Publisher")
        except Group.DoesNotExist:
            raise CommandError(
                "There is no Publisher group; run `manage.py migrate` first."
            ) from None
        password = self._password(interactive)
        user = User(username=username, email=email, is_staff=True)
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("Password refused: " + " ".join(exc.messages)) from None
        with transaction.atomic():
            user.set_password(password)
            user.save()
            user.groups.add(group)
        self.stdout.write(
            self.style.SUCCESS(
                f"Created the Publisher “{username}”. They can sign in at /admin/ now."
            )
        )

    def _password(self, interactive):
        password = os.environ.get(PASSWORD_VARIABLE)
        if password:
            return password
        if not interactive:
            raise CommandError(f"Set ${PASSWORD_VARIABLE}, or run without --noinput.")
        for _ in range(3):
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            self.stderr.write("The passwords were empty or did not match; try again.")
        raise CommandError("No password given.")
