"""`caregiving learner progress LEARNER [--explain]`: a learner's progress as a readable table."""
from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from caregiving_course import local_time
from caregiving_course.cli.database import ensure_migrated


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("learner", help="look at a learner's record")
    lsub = p.add_subparsers(dest="action", metavar="ACTION")
    lsub.required = True
    prog = lsub.add_parser("progress", help="hours, modules and credentials of one learner")
    prog.add_argument("learner", help="learner id, username or e-mail")
    prog.add_argument("--explain", action="store_true", help="list every record behind each number")
    prog.set_defaults(func=show_progress)


def _hours(seconds: int) -> str:
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"


def show_progress(args: argparse.Namespace) -> int:
    from caregiving_course.learner_record import api

    ensure_migrated()
    learner = api.find_learner(args.learner)
    p = api.progress(learner, course=api.learner_course(learner))  # the courses of their offerings
    console = Console()
    console.print(f"[bold]{learner}[/] (learner {learner.pk}) - time on task "
                  f"{_hours(p.time_on_task_seconds)}, {p.modules_done} of {len(p.modules)} modules done",
                  highlight=False)
    modules = Table(title="Modules", title_justify="left")
    for col in ("module", "time on task", "sections", "best score", "completed", "credited h"):
        modules.add_column(col)
    for m in p.modules:
        score = f"{m.best_score:.0%}" if m.best_score is not None else "-"
        done = local_time.when(m.completed_at) or "-"
        modules.add_row(m.title, _hours(m.seconds), f"{m.sections_viewed}/{m.sections}", score, done,
                        str(m.credited_hours))
    for e in p.earlier:  # modules a later version of their course dropped: completions and hours kept
        modules.add_row(f"{e.title} (from version {e.version})", "-", "-", "-", local_time.when(e.completed_at),
                        str(e.credited_hours))
    modules.add_row("total", _hours(p.time_on_task_seconds), "", "", "", str(p.credited_hours))
    console.print(modules)
    creds = Table(title="Credentials", title_justify="left")
    for col in ("credential", "credited / total h", "status", "left to do"):
        creds.add_column(col)
    for c in p.credentials:
        status = c.award_status or ("ready to award" if c.eligible else "in progress")
        creds.add_row(c.credential.title, f"{c.credited_hours} / {c.total_hours}", status, "\n".join(c.left) or "-")
    console.print(creds)
    if args.explain:
        for c in p.credentials:
            why = Table(title=f"Why {c.credited_hours} h toward {c.credential.title}", title_justify="left")
            for col in ("record", "what", "hours", "when", "recorded by"):
                why.add_column(col)
            for e in c.evidence():
                when = local_time.when(e.at)
                why.add_row(f"{e.kind} #{e.record_id}", e.summary, str(e.hours), when, e.by or "-")
            console.print(why if why.row_count else f"No records yet toward {c.credential.title}.")
    return 0
