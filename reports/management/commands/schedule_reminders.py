from django.core.management.base import BaseCommand

from reports.oversight import reminders


class Command(BaseCommand):
    help = (
        "Start the daily deadline reminders: queue a run of the reminder task now (the "
        "task worker runs it, and each run queues the next one for REMINDER_HOUR), "
        "unless one is queued already. Safe to run at every start."
    )

    def handle(self, *args, **options) -> None:
        if reminders.schedule(at_once=True):
            self.stdout.write("已安排截止提醒任务，由后台任务进程每天运行。")
        else:
            self.stdout.write(
                "截止提醒任务已在队列中（或当前任务后端不支持定时运行），未重复安排。"
            )
