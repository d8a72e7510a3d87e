"""Set up and start the demo: migrate, load the Canada–U.S. dataset, create demo accounts, run the server."""

import io

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

DEMO_FIXTURES = ["demo"]

# Demo accounts exist only in development: their passwords are printed for anyone to read.
DEMO_ACCOUNTS = [
    # username, password, superuser, group (the groups and their permissions come from a migration)
    ("admin", "timeline-admin", True, None),
    ("editor", "timeline-editor", False, "Editors"),
    ("publisher", "timeline-publisher", False, "Publishers"),
]


class Command(BaseCommand):
    help = (
        "Migrate, load the demo dataset, export it as files, create demo accounts (DEBUG only) and start the "
        "development server."
    )

    def add_arguments(self, parser):
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000", help="Where to serve the demo.")
        parser.add_argument("--no-server", action="store_true", help="Set up the data but do not start the server.")

    def handle(self, *args, addrport, no_server, verbosity, **options):
        call_command("migrate", interactive=False, verbosity=0)
        with transaction.atomic():
            call_command("loaddata", *DEMO_FIXTURES, verbosity=verbosity)
        # The whole dataset as files, as a production site keeps them (README: Open data).
        call_command("export_open_data", base_url=f"http://{addrport}", stdout=io.StringIO())
        self.stdout.write("The whole dataset as files: /export/full/")
        if settings.DEBUG:
            self.create_demo_accounts()
        else:
            self.stdout.write("DEBUG is off: no demo accounts were created.")
        if no_server:
            return
        host = addrport.rsplit(":", 1)[0] if ":" in addrport else "127.0.0.1"
        port = addrport.rsplit(":", 1)[-1]
        if not port.isdigit():
            raise CommandError(f"Cannot serve on {addrport!r}: give host:port, e.g. 127.0.0.1:8000.")
        self.stdout.write(self.style.SUCCESS(f"Open http://{host}:{port}/ (the admin is at /admin/)."))
        call_command("runserver", addrport, use_reloader=False)

    def create_demo_accounts(self):
        User = get_user_model()
        for username, password, superuser, group in DEMO_ACCOUNTS:
            user, _ = User.objects.get_or_create(username=username)
            user.is_staff = True
            user.is_superuser = superuser
            user.set_password(password)
            user.save()
            if group:
                user.groups.set([Group.objects.get(name=group)])
            role = "superuser" if superuser else group.lower().rstrip("s")
            self.stdout.write(f"Demo account: {username} / {password} ({role})")
