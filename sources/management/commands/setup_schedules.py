from typing import Any

from django.core.management.base import BaseCommand

from sources.schedules import schedules_install


class Command(BaseCommand):
    help = "Install the default beat schedules (watched folder, feeds) in the database."

    def handle(self, *args: Any, **options: Any) -> None:
        schedules_install()
        self.stdout.write("Schedules installed.")
