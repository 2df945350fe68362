"""``manage.py lms caregiving_sync [--once]``: the sync scheduler inside a host project such as the Open edX LMS.

Without ``--once`` it runs the scheduler until stopped (evaluate awards, deliver the outbox, refresh tokens;
one leader at a time, so several replicas are safe): a long-running job beside the LMS, as the Tutor plugin
runs it. ``--once`` does what is due and exits 0 when everything was delivered, 1 otherwise (for cron).
Our own server runs the same scheduler through ``caregiving sync``.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run the caregiving sync scheduler (badges and LTI scores), or one pass of it with --once."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="do all due work once and exit with a status")
        parser.add_argument("--no-evaluate", action="store_true", help="with --once: deliver only")

    def handle(self, *args, once: bool = False, no_evaluate: bool = False, **options) -> None:
        from sync.scheduler import Intervals, run_blocking, run_once

        if not once:
            run_blocking(Intervals.from_env())
            return
        result = run_once(evaluate=not no_evaluate)
        counts = dict(result.summary.outcomes)
        self.stdout.write(f"caregiving sync: {result.awarded} awarded, deliveries {counts}")
        if not result.all_delivered:
            raise CommandError("some deliveries did not go through; see `caregiving sync status`", returncode=1)
