"""The whole LTI 1.3 path: a real launch from a platform, study, completion, the score in its gradebook."""
from __future__ import annotations

import pytest
import requests

from caregiving_course.learner_record.models import Identity
from tests.fakes.lti_platform import FakePlatform
from tests.fakes.lti_platform_ags import SCOPE_LINEITEM, SCOPE_SCORE, AgsPlatform
from tests.lti.conftest import Browser
from tests.lti.conftest import register as register_platform
from tests.lti_scores.conftest import CLIENT_ID, complete

pytestmark = pytest.mark.database

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


@pytest.mark.django_db(transaction=True)
def test_launched_learner_completes_and_the_score_reaches_the_platform(live_server, tool_jwks, worker, course):
    from lti_bridge import launch, platform_keys

    platform_keys.forget()
    launch.forget_registrations()
    module = course.modules[1]
    with AgsPlatform(CLIENT_ID, tool_jwks) as grades:
        lms = FakePlatform(client_id=CLIENT_ID).start()
        try:
            platform = register_platform(lms)
            platform.auth_token_url = grades.token_url  # the platform's grade services live on `grades`
            platform.save()
            lineitem = grades.add_lineitem(label=module.title, scoreMaximum=100, resourceId=module.id)
            response = Browser(live_server.url, requests.Session()).launch(lms, "learner-9", overrides={
                LTI + "custom": {"module_id": module.id},
                AGS: {"scope": [SCOPE_LINEITEM, SCOPE_SCORE], "lineitems": grades.lineitems_url(),
                      "lineitem": lineitem}})
            assert response.status_code == 200, response.text[:300]
        finally:
            lms.stop()
        learner = Identity.objects.get(source="lti", issuer=lms.issuer, subject="learner-9").learner
        assert complete(learner, module.id, score=0.95)
        assert worker.drain().delivered == 1
        [score] = grades.scores_for("learner-9")
        assert score["scoreGiven"] == 95 and score["activityProgress"] == "Completed"
        assert str(module.hours.normalize()) in score["comment"]
        grades.assert_each_score_once()
        launch.forget_registrations()
