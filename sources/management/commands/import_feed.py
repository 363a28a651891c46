from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from factcheck.db import ImportBusy
from factcheck.fetch import FetchError
from sources.imports.feeds import feed_poll
from sources.management.commands._imports import report
from sources.models import Feed
from sources.schedules import feed_schedule_sync


class Command(BaseCommand):
    help = (
        "Poll a feed now (registering it if new; it is then polled on its interval). "
        "Without a URL, poll every enabled feed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("url", nargs="?", help="RSS/Atom (or, with --claimreview) URL.")
        parser.add_argument("--claimreview", action="store_true", help="A ClaimReview feed.")
        parser.add_argument("--interval", type=int, default=None, help="Seconds between polls.")
        parser.add_argument("--language", default="", help="Default language of its items.")
        parser.add_argument(
            "--trusted",
            action="store_true",
            help="A new ClaimReview feed's reviews publish at once (default: they await review).",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args: Any, url: str | None, as_json: bool, **options: Any) -> None:
        if url:
            feed, created = Feed.objects.get_or_create(
                url=url,
                defaults={
                    "kind": Feed.Kind.CLAIMREVIEW if options["claimreview"] else Feed.Kind.RSS,
                    "interval": options["interval"] or settings.IMPORT_FEED_DEFAULT_INTERVAL,
                    "language": options["language"],
                    "trusted": options["trusted"],
                },
            )
            if created:
                feed_schedule_sync(feed=feed)
            feeds = [feed]
        else:
            feeds = list(Feed.objects.filter(enabled=True))
        failed = []
        for feed in feeds:
            try:
                run = feed_poll(feed=feed)
            except (FetchError, ImportBusy) as exc:
                failed.append(f"{feed.url}: {exc}")
                continue
            try:
                report(self, run, as_json=as_json)
            except CommandError:
                failed.append(feed.url)
        if failed:
            for line in failed:
                self.stderr.write(f"FAILED {line}")
            raise CommandError(f"{len(failed)} feed(s) failed", returncode=1)
