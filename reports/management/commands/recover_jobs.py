from django.core.management.base import BaseCommand

from reports.oversight.recovery import recover_stale_jobs


class Command(BaseCommand):
    help = "Queue again, or fail with a message, the background jobs whose worker died."

    def handle(self, *args, **options) -> None:
        count = recover_stale_jobs()
        self.stdout.write(f"{count} interrupted job(s) recovered")
