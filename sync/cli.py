"""``caregiving sync`` and ``caregiving issuer``: run and watch the sync, choose and configure the issuer.

    caregiving sync                      run the scheduler (intervals: --evaluate-every, --deliver-every, ...)
    caregiving sync --once [--dry-run]   do all due work and exit: 0 all delivered or waiting, 1 failed or overdue,
                                         2 usage error
    caregiving sync --worker             run a delivery worker until interrupted
    caregiving sync status               pending, failed (with the platform's answer) and done deliveries
    caregiving sync retry ID             put a dead-lettered delivery back in the queue
    caregiving issuer use builtin|badgr|credly [--credential ID]
    caregiving issuer set badgr --url URL --username NAME --password - --badgeclass CREDENTIAL=ENTITYID ...
    caregiving issuer show               the choices and settings (secrets masked)
"""
from __future__ import annotations

import argparse
import functools
import json
import signal
import sys
import threading

from caregiving_course.cli.errors import CommandError
from caregiving_course.cli.secrets import read_secret

EXIT_OK, EXIT_FAILED = 0, 1


def _positive(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if number <= 0:
        raise argparse.ArgumentTypeError("must be above 0")
    return number


def register(subparsers) -> None:
    from sync.backends import available

    p = subparsers.add_parser("sync", help="deliver badges and scores: scheduler, workers, status",
                              description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--once", action="store_true", help="do all due work once and exit with a status")
    mode.add_argument("--worker", action="store_true", help="run a delivery worker loop")
    p.add_argument("--dry-run", action="store_true", help="with --once: say what would be sent, send nothing")
    p.add_argument("--max-wait", type=float, default=0.0, metavar="SECONDS",
                   help="with --once: keep going this long for retries that fall due (default 0)")
    p.add_argument("--no-evaluate", action="store_true", help="with --once: deliver only, evaluate no awards")
    p.add_argument("--batch", type=int, default=20, help="rows a worker claims at a time (default 20; up to five "
                   "times as many while full batches are delivered within a second)")
    p.add_argument("--lease", type=int, default=120, metavar="SECONDS", help="claim lease (default 120)")
    p.add_argument("--idle", type=_positive, default=1.0, metavar="SECONDS",
                   help="with --worker: pause when nothing is due (default 1)")
    for job, env, default in (("evaluate", "EVALUATE", 300), ("deliver", "DELIVER", 5), ("refresh", "REFRESH", 300)):
        p.add_argument(f"--{job}-every", type=_positive, metavar="SECONDS", default=None,
                       help=f"scheduler: seconds between {job} runs "
                            f"(env CAREGIVING_SYNC_{env}_SECONDS, default {default})")
    p.set_defaults(func=_reporting_unreadable_secrets(run_sync))
    sub = p.add_subparsers(dest="sync_command", metavar="[status|retry]")
    st = sub.add_parser("status", help="pending, failed and done deliveries")
    st.add_argument("--limit", type=int, default=None,
                    help="rows per section (default: 20 in tables, all with --json)")
    st.add_argument("--json", action="store_true", help="print every row as JSON (machine-readable, complete)")
    st.set_defaults(func=run_status)
    rt = sub.add_parser("retry", help="put a dead-lettered delivery back in the queue")
    rt.add_argument("id", type=int, help="the delivery id shown by `caregiving sync status`")
    rt.set_defaults(func=run_retry)

    ip = subparsers.add_parser("issuer", help="choose and configure the badge issuing platform")
    isub = ip.add_subparsers(dest="issuer_command", metavar="use|set|show")
    isub.required = True
    use = isub.add_parser("use", help="issue badges through a backend, globally or for one credential")
    use.add_argument("backend", choices=sorted(available()))
    use.add_argument("--credential", metavar="ID", help="only this credential (default: every credential)")
    use.set_defaults(func=_reporting_unreadable_secrets(run_issuer_use))
    show = isub.add_parser("show", help="the choices and each backend's settings, secrets masked")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=_reporting_unreadable_secrets(run_issuer_show))
    setp = isub.add_parser("set", help="store a backend's settings (secret ones given as - are read from stdin)")
    bsub = setp.add_subparsers(dest="backend", metavar="BACKEND")
    bsub.required = True
    for name, cls in sorted(available().items()):
        if not cls.SETTINGS:
            continue
        bp = bsub.add_parser(name, help=cls.title)
        for s in cls.SETTINGS:
            bp.add_argument(f"--{s.name.replace('_', '-')}", dest=s.name, action="append" if s.mapping else "store",
                            metavar="CREDENTIAL=VALUE" if s.mapping else ("SECRET" if s.secret else "VALUE"),
                            help=s.help + (" (repeatable)" if s.mapping else "")
                            + (" (- reads it from standard input)" if s.secret else ""))
        bp.set_defaults(func=_reporting_unreadable_secrets(run_issuer_set), settings=cls.SETTINGS)


def _setup() -> None:
    from caregiving_course.cli.database import ensure_migrated

    ensure_migrated()


def _console():
    from rich.console import Console

    return Console(width=None if sys.stdout.isatty() else 200)  # logs and pipes: wide lines, not folded cells


def _reporting_unreadable_secrets(run):
    """``run``, ending with the error that says how to recover when the badge platforms' sealed secrets cannot
    be read (their key is missing or another deployment's)."""

    @functools.wraps(run)
    def command(args) -> int:
        from sync.sealed import SecretsUnreadable

        try:
            return run(args)
        except SecretsUnreadable as exc:
            raise CommandError(str(exc)) from None

    return command


def run_sync(args) -> int:
    if args.sync_command is None and args.dry_run and not args.once:
        raise CommandError("--dry-run goes with --once: caregiving sync --once --dry-run")
    if args.max_wait < 0 or args.batch < 1 or args.lease < 10:
        raise CommandError("--max-wait must be 0 or more, --batch at least 1 and --lease at least 10 seconds")
    _setup()
    if args.once:
        return _once(args)
    if args.worker:
        return _worker(args)
    return _scheduler(args)


def _policy_worker(args, prefix: str):
    from sync.worker import Worker, worker_name

    return Worker(worker_name(prefix), batch=args.batch, lease_seconds=args.lease)


def _stop_on_signals() -> threading.Event:
    from sync import wakeup

    stop = threading.Event()

    def stopping(*_) -> None:
        stop.set()
        wakeup.wake()  # an idle worker waits for a wake-up: end the wait now

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stopping)
    return stop


def _worker(args) -> int:
    worker = _policy_worker(args, "worker")
    console = _console()
    console.print(f"sync worker {worker.name}: delivering (Ctrl-C to stop)")
    summary = worker.run_forever(_stop_on_signals(), idle_seconds=args.idle)
    console.print(f"sync worker {worker.name}: stopped; {dict(summary.outcomes)}")
    return EXIT_OK


def _scheduler(args) -> int:
    from sync.scheduler import Intervals, run_blocking

    env = Intervals.from_env()
    intervals = Intervals(evaluate=args.evaluate_every or env.evaluate, deliver=args.deliver_every or env.deliver,
                          refresh=args.refresh_every or env.refresh, lease=env.lease)
    _console().print(f"sync scheduler: evaluate every {intervals.evaluate:g}s, deliver every {intervals.deliver:g}s, "
                     f"refresh every {intervals.refresh:g}s (Ctrl-C to stop)")
    run_blocking(intervals)
    return EXIT_OK


def _dry_run(console) -> int:
    from rich.table import Table

    from caregiving_course.learner_record import outbox
    from caregiving_course.learner_record.delivery import DeliveryError, registered_kinds
    from sync import config
    from sync.backends.handlers import award_info

    rows = outbox.due_entries(registered_kinds(), limit=1000)
    table = Table(title=f"Would send {len(rows)} deliveries (dry run: nothing sent)")
    for col in ("id", "kind", "to", "what", "attempts"):
        table.add_column(col)
    for e in rows:
        if e.kind.startswith("badge."):
            try:
                info = award_info(e.payload)
                to = config.backend_name_for(info.credential_id)
                what = f"{info.credential_id} for {info.recipient_email}"
            except DeliveryError as exc:
                to, what = "-", f"(will fail: {exc.describe()})"
        else:
            to, what = e.kind, json.dumps(e.payload)[:80]
        table.add_row(str(e.id), e.kind, to, what, str(e.attempts))
    console.print(table)
    return EXIT_OK


def _once(args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from sync.scheduler import due_count, run_once

    console = _console()
    if args.dry_run:
        return _dry_run(console)
    total = due_count()
    progress = Progress(TextColumn("delivering"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                        console=console, transient=True, disable=total < 50 or not console.is_terminal)
    with progress:
        task = progress.add_task("deliver", total=total)
        result = run_once(worker=_policy_worker(args, "once"), max_wait=args.max_wait,
                          evaluate=not args.no_evaluate, on_outcome=lambda o: progress.advance(task))
    _print_summary(console, result)
    if result.failing:
        console.print(f"overdue: {result.failing} deliveries wait to retry after a failure (caregiving sync status)")
    return EXIT_OK if result.ok else EXIT_FAILED


def _print_summary(console, result) -> None:
    from collections import Counter

    from rich.table import Table

    from sync.delivery import DEAD, DELIVERED, RETRYING, SKIPPED, WAITING

    final: dict[str, Counter] = {}
    for o in result.final.values():
        final.setdefault(o.kind, Counter())[o.status] += 1
    table = Table(title="caregiving sync --once")
    for col in ("kind", DELIVERED, WAITING, "failed, will retry", "dead-lettered", SKIPPED, "attempts made"):
        table.add_column(col, justify="left" if col == "kind" else "right")
    for kind in sorted(final):
        c = final[kind]
        table.add_row(kind, str(c[DELIVERED]), str(c[WAITING]), str(c[RETRYING]), str(c[DEAD]), str(c[SKIPPED]),
                      str(sum(n for status, n in result.summary.by_kind.get(kind, Counter()).items()
                              if status != WAITING)))
    if not final:
        table.add_row("(nothing due)", "0", "0", "0", "0", "0", "0")
    console.print(table)
    console.print(f"awards made: {result.awarded}" + (f"; refreshed: {'; '.join(result.refreshed)}"
                                                      if result.refreshed else ""))
    for o in [o for o in result.final.values() if o.status != DELIVERED][:20]:
        console.print(f"  #{o.entry_id} {o.kind} {o.status}: {o.detail}", markup=False, highlight=False)


def run_status(args) -> int:
    from rich.console import Console

    from caregiving_course.learner_record import outbox
    _setup()
    if args.limit is not None and args.limit < 1:
        raise CommandError("--limit must be at least 1")
    limit = args.limit or (None if args.json else 20)
    sections = {status: outbox.entries(status, limit=limit) for status in ("pending", "dead", "done")}
    if args.json:
        print(json.dumps({"counts": outbox.counts(), **{s: [_row(e) for e in rows] for s, rows in sections.items()}},
                         indent=2, ensure_ascii=False))
        return EXIT_OK
    console = Console()  # the terminal's width (COLUMNS, else 80, when not a terminal); long cells wrap, never cut
    console.print("deliveries: " + ", ".join(f"{k} {v}" for k, v in outbox.counts().items()), highlight=False)
    titles = {"pending": "Pending (next attempt, last answer)", "dead": "Failed: dead-lettered (retry with "
              "`caregiving sync retry ID`)", "done": "Done (most recent)"}
    for status, rows in sections.items():
        (_print_table if console.width >= WIDE else _print_list)(console, titles[status], status, rows)
    if args.limit is None and any(len(rows) == 20 for rows in sections.values()):
        console.print("(20 most recent rows per section; --limit N for more, --json for all)", highlight=False)
    return EXIT_OK


WIDE = 100  # narrower terminals get one block per delivery instead of a table


def _when(e, status: str) -> str:
    from django.utils.timezone import localtime

    when = e.done_at if status == "done" else e.next_attempt_at
    return localtime(when).strftime("%Y-%m-%d %H:%M %Z") if when else "-"


def _answer(e, status: str) -> str:
    return e.last_error if status != "done" else json.dumps(e.result, ensure_ascii=False)


def _print_table(console, title: str, status: str, rows: list) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=title, title_justify="left")
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("kind", overflow="fold")
    table.add_column("award/key", overflow="fold", max_width=38)
    table.add_column("tries", justify="right", no_wrap=True)
    table.add_column("when", overflow="fold", max_width=20)
    table.add_column("platform's answer" if status != "done" else "result", overflow="fold", ratio=1)
    for e in rows:
        table.add_row(str(e.id), Text(e.kind), Text(_row(e)["subject"]), str(e.attempts), _when(e, status),
                      Text(_answer(e, status)))
    console.print(table)


def _print_list(console, title: str, status: str, rows: list) -> None:
    from rich.padding import Padding
    from rich.text import Text

    console.print(Text(title, style="bold"))
    for e in rows:
        console.print(Text(f"#{e.id} {e.kind} {_row(e)['subject']}, {e.attempts} tries, {_when(e, status)}"),
                      overflow="fold")
        console.print(Padding(Text(_answer(e, status) or "-", overflow="fold"), (0, 0, 0, 2)))
    if not rows:
        console.print("  (none)")
    console.print()


def _row(e) -> dict:
    def iso(value):
        return value.isoformat() if value else None

    return {"id": e.id, "kind": e.kind, "subject": str(e.payload.get("award") or e.key), "key": e.key,
            "attempts": e.attempts, "status": e.status, "created_at": iso(e.created_at),
            "next_attempt_at": iso(e.next_attempt_at), "done_at": iso(e.done_at), "answer": e.last_error,
            "result": e.result, "payload": e.payload}


def run_retry(args) -> int:
    from caregiving_course.learner_record import outbox
    _setup()
    entry = outbox.get(args.id)
    if entry is None:
        raise CommandError(f"no delivery {args.id}; see `caregiving sync status`")
    if entry.status != "dead":
        raise CommandError(f"delivery {args.id} is {entry.status}, not dead-lettered: nothing to retry")
    from sync.delivery import mark_in_doubt

    mark_in_doubt(entry.key, "retried by an administrator after: " + entry.last_error)
    outbox.retry(args.id)
    print(f"delivery {args.id} ({entry.kind}) is queued again; it will be sent on the next delivery run")
    return EXIT_OK


def run_issuer_use(args) -> int:
    from sync import config
    _setup()
    if args.credential:
        from caregiving_course.framework import catalogue

        course = catalogue()
        if not course.has_credential(args.credential):
            known = ", ".join(c.id for c in course.credentials)
            raise CommandError(f"unknown credential {args.credential!r} (known: {known})")
    try:
        config.use(args.backend, args.credential)
    except config.ConfigError as exc:
        raise CommandError(str(exc)) from None
    print(f"badges of {args.credential or 'every credential'} are now issued by {args.backend}")
    return EXIT_OK


def run_issuer_set(args) -> int:
    from sync import config
    _setup()
    values: dict[str, object] = {}
    for s in args.settings:
        value = getattr(args, s.name, None)
        if value is None:
            continue
        if s.mapping:
            pairs = {}
            for item in value:
                cred, sep, target = item.partition("=")
                if not sep or not cred.strip() or not target.strip():
                    raise CommandError(f"--{s.name.replace('_', '-')} takes CREDENTIAL=VALUE (got {item!r})")
                pairs[cred.strip()] = target.strip()
            values[s.name] = pairs
        elif s.secret and value == "-":
            values[s.name] = read_secret(value, what=s.name.replace("_", " ").capitalize(),
                                         option=f"--{s.name.replace('_', '-')}", confirm=False).strip()
        else:
            values[s.name] = value.strip()
    if "timeout" in values:
        try:
            if not 0 < float(str(values["timeout"])) <= 300:
                raise ValueError
        except ValueError:
            raise CommandError(f"--timeout takes seconds between 0 and 300 (got {values['timeout']!r})") from None
    if s_url := values.get("url"):
        if not str(s_url).startswith(("http://", "https://")):
            raise CommandError(f"--url must start with https:// (got {s_url!r})")
    if not values:
        raise CommandError(f"nothing to set; see: caregiving issuer set {args.backend} --help")
    try:
        config.update_settings(args.backend, values)
    except config.ConfigError as exc:
        raise CommandError(str(exc)) from None
    print(f"{args.backend}: stored {', '.join(sorted(values))}")
    return EXIT_OK


def run_issuer_show(args) -> int:
    from sync import config
    _setup()
    described = config.describe()
    if args.json:
        print(json.dumps(described, indent=2))
        return EXIT_OK
    print(f"default issuer: {described['default']}")
    for cred, name in sorted(described["per_credential"].items()):
        print(f"  {cred}: {name}")
    for name, info in described["backends"].items():
        missing = f"  (missing: {', '.join(info['missing'])})" if info["missing"] else ""
        print(f"\n{name}: {info['title']}{missing}")
        for key, value in info["settings"].items():
            print(f"  {key}: {json.dumps(value) if isinstance(value, dict) else value}")
    return EXIT_OK
