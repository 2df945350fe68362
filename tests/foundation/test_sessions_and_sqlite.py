"""The server's fast paths for signed-in requests: the user read by a compiled statement, sessions
cached in front of the database, and SQLite writers of one process queued on a lock."""
from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction

from caregiving_course.learner_record import api
from caregiving_course.learner_record.models import ModuleActivity
from caregiving_course.server.auth import FastModelBackend, read_user
from tests.concurrency import run_in_threads

pytestmark = pytest.mark.database


def test_read_user_matches_the_orm(make_user):
    user = make_user("reader@example.org")
    user.last_login = user.date_joined
    user.save()
    fast, orm = read_user(str(user.pk)), get_user_model().objects.get(pk=user.pk)
    fields = [f.attname for f in get_user_model()._meta.concrete_fields]
    assert [getattr(fast, f) for f in fields] == [getattr(orm, f) for f in fields]
    assert fast.date_joined.tzinfo is not None and not fast._state.adding
    assert fast.get_session_auth_hash() == orm.get_session_auth_hash()


@pytest.mark.parametrize("user_id", ["999999", "not-a-number", "", "1; DROP TABLE auth_user"])
def test_read_user_of_an_unknown_or_malformed_id_is_none(db, user_id):
    assert read_user(user_id) is None


def test_an_inactive_user_is_not_signed_in(make_user):
    user = make_user("gone@example.org")
    assert FastModelBackend().get_user(str(user.pk)).pk == user.pk
    user.is_active = False
    user.save()  # through the ORM: the cached row is dropped at once
    assert FastModelBackend().get_user(str(user.pk)) is None


def test_a_change_that_bypasses_the_orm_takes_effect_when_the_cached_row_expires(make_user, settings):
    settings.USER_CACHE_SECONDS = 1
    user = make_user("elsewhere@example.org")
    assert FastModelBackend().get_user(str(user.pk)).is_active
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)  # as another process would
    assert FastModelBackend().get_user(str(user.pk)) is not None  # the cached row, for at most a second
    time.sleep(1.1)
    assert FastModelBackend().get_user(str(user.pk)) is None


def test_without_the_user_cache_every_request_reads_the_row(make_user, settings):
    settings.USER_CACHE_SECONDS = 0
    user = make_user("uncached@example.org")
    assert FastModelBackend().get_user(str(user.pk)) is not None
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert FastModelBackend().get_user(str(user.pk)) is None


def test_each_request_gets_its_own_user_instance(make_user):
    user = make_user("own@example.org")
    first = read_user(str(user.pk))
    first.first_name = "changed in one request"
    assert read_user(str(user.pk)).first_name == ""
    assert read_user(str(user.pk)) is not read_user(str(user.pk))


def test_a_password_change_ends_the_cached_session(client, make_user, settings):
    """Sessions and users are cached, yet a new password signs old sessions out: at once when saved through the
    ORM, and within USER_CACHE_SECONDS when written elsewhere."""
    settings.USER_CACHE_SECONDS = 1
    user, other = make_user("moved@example.org"), make_user("stays@example.org")
    client.force_login(user)
    assert client.get("/course/ping?user=1").json()["signed_in"] is True
    assert client.get("/course/ping?user=1").json()["signed_in"] is True  # now from the caches
    user.set_password("a-new-password-9")
    user.save()
    assert client.get("/course/ping?user=1").json()["signed_in"] is False
    client.force_login(other)
    assert client.get("/course/ping?user=1").json()["signed_in"] is True
    get_user_model().objects.filter(pk=other.pk).update(password="changed-elsewhere")
    time.sleep(1.1)
    assert client.get("/course/ping?user=1").json()["signed_in"] is False


@pytest.mark.sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_writers_of_one_process_take_turns(make_user, course):
    """Four threads writing at once: each transaction waits its turn instead of failing or sleeping."""
    learners = [api.learner_for_user(make_user(f"t{i}@example.org")) for i in range(4)]
    module = course.modules[0].id
    def beats(learner) -> None:
        for seq in range(1, 26):
            api.record_heartbeat(learner, module, "tab", seq)

    _, errors = run_in_threads([lambda x=x: beats(x) for x in learners])
    assert not errors
    assert ModuleActivity.objects.filter(module_id=module).count() == 4


@pytest.mark.sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_queue_is_released_after_commit_error_and_close(db):
    from caregiving_course.sqlite.base import _queue

    queue = _queue(connection.settings_dict["NAME"])
    with transaction.atomic():
        assert queue.locked()
    assert not queue.locked()
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        assert queue.locked()
        1 / 0  # noqa: B018
    assert not queue.locked()
    with transaction.atomic():
        connection.close()
    assert not queue.locked()


@pytest.mark.sqlite_only
@pytest.mark.django_db(transaction=True)
def test_sqlite_immediate_commits_or_undoes_all_and_leaves_its_turn(learner, course):
    from caregiving_course.sqlite.base import _queue

    queue = _queue(connection.settings_dict["NAME"])
    module = course.modules[0].id
    ModuleActivity.objects.create(learner=learner, module_id=module)

    def update(seconds, then=None):
        def work(driver):
            assert queue.locked()
            driver.execute("UPDATE learner_record_moduleactivity SET seconds = ?", [seconds])
            return then(driver) if then else seconds
        return work

    assert connection.immediate(update(5)) == 5
    assert not queue.locked() and ModuleActivity.objects.get().seconds == 5
    with pytest.raises(ZeroDivisionError):
        connection.immediate(update(99, lambda driver: 1 / 0))
    assert not queue.locked() and ModuleActivity.objects.get().seconds == 5
    duplicate = "INSERT INTO learner_record_moduleactivity (learner_id, module_id) VALUES (?, ?)"
    with pytest.raises(IntegrityError):  # a Django error, not sqlite3's
        connection.immediate(update(7, lambda driver: driver.execute(duplicate, [learner.pk, module])))
    assert not queue.locked() and ModuleActivity.objects.get().seconds == 5
    with transaction.atomic(), pytest.raises(RuntimeError, match="inside a Django transaction"):
        connection.immediate(update(8))
    assert connection.get_autocommit() and not connection.in_atomic_block
