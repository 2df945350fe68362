"""Test and benchmark setup for the sync: awards in bulk, the fake platform configured as the issuer.

Also a command for tests that run the sync in other processes (``python -m tests.sync.seed``):
migrate the database named by ``DATABASE_URL``, configure a backend at ``--url`` and create
``--awards`` awards with their outbox entries; ``--report`` prints the outbox counts as JSON.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import uuid
from decimal import Decimal

from tests.fakes import badge_platform as fake

CREDENTIAL = "caregiving-badge"
BADGECLASS = {"caregiving-badge": "BC-badge", "caregiving-certificate-of-training": "BC-cert",
              "caregiving-college-certificate": "BC-coll"}
TEMPLATE = {"caregiving-badge": "T-badge", "caregiving-certificate-of-training": "T-cert",
            "caregiving-college-certificate": "T-coll"}


def configure(backend: str, url: str, *, credential: str | None = None, timeout: float = 2.0) -> None:
    """Store the fake platform's account as ``backend``'s settings and choose it."""
    from sync import config

    if backend == "badgr":
        config.update_settings("badgr", {"url": url, "username": fake.USERNAME, "password": fake.PASSWORD,
                                         "client_id": fake.CLIENT_ID, "badgeclass": BADGECLASS,
                                         "timeout": str(timeout)})
    elif backend == "credly":
        config.update_settings("credly", {"url": url, "organization": fake.CREDLY_ORG, "token": fake.CREDLY_TOKEN,
                                          "template": TEMPLATE, "timeout": str(timeout)})
    config.use(backend, credential)


def make_awards(n: int, credential: str = CREDENTIAL, *, prefix: str = "learner") -> list[str]:
    """``n`` learners, each with an award of ``credential`` and its outbox entry (as ``awards.py`` writes them)."""
    from django.db import transaction
    from django.utils import timezone

    from caregiving_course.learner_record.models import Award, Learner, OutboxEntry

    now = timezone.now()
    tag = uuid.uuid4().hex[:6]
    with transaction.atomic():
        learners = Learner.objects.bulk_create(
            [Learner(name=f"Learner {i} Test", email=f"{prefix}{i}-{tag}@example.org") for i in range(n)],
            batch_size=2000)
        if learners and learners[0].pk is None:  # databases that do not return ids from bulk inserts
            learners = list(Learner.objects.filter(email__endswith=f"-{tag}@example.org").order_by("pk"))
        awards = [Award(public_id=uuid.uuid4(), learner_id=lr.pk, credential_id=credential,
                        credited_hours=Decimal("12.00"), evidence=[], earned_at=now) for lr in learners]
        Award.objects.bulk_create(awards, batch_size=2000)
        OutboxEntry.objects.bulk_create(
            [OutboxEntry(kind="badge.issue", key=f"badge.issue:{a.public_id}", next_attempt_at=now,
                         payload={"award": str(a.public_id), "credential": credential, "learner": a.learner_id})
             for a in awards], batch_size=2000)
        from caregiving_course.learner_record import outbox

        outbox.announce()
    return [str(a.public_id) for a in awards]


def expected_holdings(award_ids: list[str], backend: str = "badgr") -> set[tuple[str, str]]:
    """(badge class or template, e-mail) of each award, as the fake platform records them."""
    from caregiving_course.learner_record.models import Award

    table = BADGECLASS if backend == "badgr" else TEMPLATE
    return {(table[a.credential_id], a.learner.email.lower())
            for a in Award.objects.filter(public_id__in=award_ids).select_related("learner")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--awards", type=int, default=0)
    parser.add_argument("--backend", default="badgr")
    parser.add_argument("--url")
    parser.add_argument("--timeout", type=float, default=2.0)
    parser.add_argument("--report", action="store_true")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caregiving_course.settings")
    import django

    django.setup()
    from caregiving_course.cli.database import ensure_migrated

    ensure_migrated()
    if args.url:
        configure(args.backend, args.url, timeout=args.timeout)
    ids = make_awards(args.awards) if args.awards else []
    if args.report:
        from caregiving_course.learner_record import outbox
        from caregiving_course.learner_record.models import Award

        every = [str(a) for a in Award.objects.values_list("public_id", flat=True)]
        from django.db.models import Sum

        from caregiving_course.learner_record.models import OutboxEntry

        attempts = OutboxEntry.objects.aggregate(n=Sum("attempts"))["n"] or 0
        print(json.dumps({"counts": outbox.counts(), "awards": ids, "attempts": attempts,
                          "holdings": sorted(expected_holdings(every, args.backend))}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
