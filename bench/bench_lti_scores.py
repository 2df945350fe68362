"""LTI scores delivered per second to a local AGS endpoint, through the real outbox and handler.

10,000 scores are queued by the real receiver (``lti_bridge.scores.queue_scores``) and delivered by
``sync.worker.Worker`` threads in this process, with the worker's default batch, as ``caregiving sync --worker``
runs it (claim a batch from the outbox, run ``lti_bridge.ags.deliver``:
placement and token from their caches, POST to ``<line item>/scores``, record the row done; each score's
attempt is committed, with the successes before it, while the previous score's request is at the platform,
``sync.pipeline``). Peer in the same run: a bare keep-alive ``requests.Session`` loop posting score bodies of
the same shape with the same headers to the same endpoint; also shown, a bare ``urllib3`` loop (the HTTP
client the handler uses) as the ceiling for one thread. The work is interleaved in chunks of 1,000 with the
order rotating, so a busy machine weighs on all alike. The platform (tests/fakes/lti_platform_ags.py,
multi-threaded) runs in its own process.
Target: one worker (what `caregiving sync --worker` runs) at least 0.8 of the bare urllib3 loop's rate (issue 20).
Also printed: tokens fetched (target 1).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

SCORES = int(os.environ.get("BENCH_SCORES", "10000"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
CHUNK = int(os.environ.get("BENCH_CHUNK", "1000"))
CLIENT_ID = "bench-tool"
ROOT = Path(__file__).resolve().parent.parent


def start_platform(module_id: str) -> tuple[subprocess.Popen, dict]:
    from lti_bridge import keys

    proc = subprocess.Popen([sys.executable, "-m", "tests.fakes.lti_platform_ags", CLIENT_ID,
                             json.dumps(keys.jwks()), module_id], cwd=ROOT, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    return proc, json.loads(proc.stdout.readline())


def register(info: dict, module_id: str):
    from lti_bridge.models import Deployment, LaunchLearner, Platform, ResourceLink

    platform = Platform.objects.create(name="Bench platform", issuer=info["base"], client_id=CLIENT_ID,
                                       auth_login_url=info["base"] + "/auth", auth_token_url=info["token_url"],
                                       key_set_url=info["base"] + "/jwks")
    deployment = Deployment.objects.create(platform=platform, deployment_id="bench")
    link = ResourceLink.objects.create(deployment=deployment, resource_link_id="bench-link", module_id=module_id,
                                       lineitems_url=info["lineitems"], lineitem_url=info["lineitem"],
                                       ags_scopes=["https://purl.imsglobal.org/spec/lti-ags/scope/score"])
    LaunchLearner.objects.bulk_create([LaunchLearner(resource_link=link, learner_id=i, subject=f"user-{i}")
                                       for i in range(1, SCORES + 1)], batch_size=2000)
    return link


def queue(module_id: str, learners: range, round_: int) -> None:
    """Queue one score per learner through the real receiver, as their completions would."""
    from django.db import transaction

    from lti_bridge.scores import queue_scores

    completion = SimpleNamespace(module_id=module_id, score=0.5 + round_ / 100, credited_hours=Decimal("1.5"))
    with transaction.atomic():
        for i in learners:
            queue_scores(None, learner=SimpleNamespace(pk=i), completion=completion, created=True)


def deliver_with_workers(workers: int) -> tuple[float, int]:
    from django.db import connection

    from sync.worker import Worker

    delivered, lock = [0], threading.Lock()

    def run(n: int) -> None:
        summary = Worker(f"bench-{n}", kinds=["lti.score"]).drain()
        with lock:
            delivered[0] += summary.delivered
        connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, delivered[0]


def bare_loop(url: str, bodies: list[bytes], token: str) -> float:
    import requests

    from lti_bridge.ags import SCORE_TYPE

    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": SCORE_TYPE}
    session = requests.Session()
    start = time.perf_counter()
    for body in bodies:
        answer = session.post(url, data=body, headers=headers, timeout=(5, 20))
        if answer.status_code != 200:
            raise SystemExit(f"bare loop: platform answered {answer.status_code}")
    return time.perf_counter() - start


def bare_urllib3_loop(url: str, bodies: list[bytes], token: str) -> float:
    """The ceiling for one thread: the HTTP client our handler uses (urllib3), with nothing else around it."""
    import urllib3

    from lti_bridge.ags import SCORE_TYPE

    headers = {"Authorization": f"Bearer {token}", "Accept": "application/json", "Content-Type": SCORE_TYPE}
    pool = urllib3.PoolManager()
    start = time.perf_counter()
    for body in bodies:
        answer = pool.request("POST", url, body=body, headers=headers, retries=False)
        if answer.status != 200:
            raise SystemExit(f"bare urllib3 loop: platform answered {answer.status}")
    return time.perf_counter() - start


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from bench.common import fresh_database, setup_django

    setup_django(fresh_database("sqlite", "lti_scores"))
    import requests

    from caregiving_course.framework import catalogue
    from lti_bridge import ags, tokens

    module_id = catalogue().modules[0].id
    proc, info = start_platform(module_id)
    totals = {"ours": 0.0, "one": 0.0, "peer": 0.0, "ceiling": 0.0}
    try:
        link = register(info, module_id)
        url = ags.scores_url(link.lineitem_url)
        token = tokens.access_token(link.deployment.platform, ags.scopes_for(link))
        # Interleaved in chunks, the order rotating, so a busy machine weighs on every contender alike.
        for number, chunk in enumerate(range(0, SCORES, CHUNK)):
            learners = range(chunk + 1, min(chunk + CHUNK, SCORES) + 1)
            order = ["peer", "ceiling", "ours", "one"]
            for name in order[number % 4:] + order[:number % 4]:
                totals[name] += _measure(name, module_id, learners, url, token)
        stats = requests.get(info["base"] + "/_stats", timeout=5).json()
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    rate = {name: SCORES / seconds for name, seconds in totals.items()}
    print(f"{SCORES} scores, interleaved in chunks of {CHUNK}; outbox on SQLite; platform in its own process")
    print(f"scores/s: outbox + handler {rate['ours']:,.0f} ({WORKERS} worker threads), {rate['one']:,.0f} "
          f"(1 thread); bare requests.Session loop {rate['peer']:,.0f}; bare urllib3 loop {rate['ceiling']:,.0f}")
    # One worker thread is what `caregiving sync --worker` (and the scheduler in `serve`) runs; more workers are
    # more processes. Threads sharing one SQLite writer in one process are shown for information.
    print(f"scores per second, one worker (as `caregiving sync --worker` runs): {rate['one'] / rate['peer']:.2f}x "
          f"bare keep-alive requests.Session loop; {rate['one'] / rate['ceiling']:.2f}x bare urllib3 loop (the HTTP "
          "client the handler uses; target >= 0.80)")
    print(f"informational: {WORKERS} worker threads in one process on SQLite: {rate['ours'] / rate['peer']:.2f}x "
          f"the bare loop (each accepted score is committed at once, so the threads queue on the one writer)")
    print(f"tokens fetched: {tokens.tokens_fetched()} (platform issued {stats['tokens_issued']}; target 1)")
    print(f"each score stored once: {stats['max_stored'] == 1} (stored {stats['stored']}, received "
          f"{stats['received']}, the bare loops' posts included)")


def _measure(name: str, module_id: str, learners: range, url: str, token: str) -> float:
    """Seconds one contender takes for one chunk of scores."""
    if name in ("ours", "one"):
        queue(module_id, learners, 0 if name == "ours" else 1)
        seconds, delivered = deliver_with_workers(WORKERS if name == "ours" else 1)
        if delivered != len(learners):
            raise SystemExit(f"only {delivered} of {len(learners)} scores delivered")
        return seconds
    return (bare_loop if name == "peer" else bare_urllib3_loop)(url, _bodies(learners), token)


def _bodies(learners: range) -> list[bytes]:
    """Score bodies as the outbox holds them for these learners (what the bare loops post)."""
    from django.utils import timezone

    from lti_bridge.scores import ags_score

    now = timezone.now()
    return [json.dumps(ags_score(f"user-{i}", 0.5, Decimal("1.5"), now, "Course")).encode() for i in learners]


if __name__ == "__main__":
    main()
