from django.core.management.base import BaseCommand

from reports.printing import fonts


class Command(BaseCommand):
    help = "Cut the CJK font subsets the PDF export embeds (cached; quick when done)."

    def handle(self, *args, **options) -> None:
        built = fonts.subset_fonts()
        for face in fonts.FACES:
            path = built.get(face.key)
            self.stdout.write(f"{face.family}: {path or 'no source font installed'}")
