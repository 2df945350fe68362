"""Deliver queued LTI 1.1 results (outbox kind ``lti11.outcome``) with Basic Outcomes ``replaceResult``.

The score sent is the queued one, or the learner's best if it has risen since (see
:func:`current_score`). The request is the POX envelope of LTI 1.1 Basic Outcomes, signed with OAuth 1.0a HMAC-SHA1 and
the OAuth Request Body Hash extension (``oauth_body_hash`` = base64 SHA-1 of the body, itself
covered by the signature). ``replaceResult`` replaces the result, so a resend is harmless.

The platform's answer is parsed with lxml with entities, DTDs and network access disabled; a
document type declaration is refused outright (no XXE, no billion laughs), as is an answer over
:data:`MAX_ANSWER` bytes. ``imsx_codeMajor`` ``success`` is done; ``failure`` or ``unsupported``
is permanent with the platform's description.
"""
from __future__ import annotations

import re

from lxml import etree
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_AUTH_HEADER, Client

from caregiving_course.learner_record.delivery import Permanent, RetryLater
from lti_bridge import outbound
from lti_bridge.models import Lti11Outcome

NS = "http://www.imsglobal.org/services/ltiv1p1/xsd/imsoms_v1p0"
MAX_ANSWER = 64 * 1024
_DOCTYPE = re.compile(rb"<!\s*DOCTYPE|<!\s*ENTITY", re.IGNORECASE)


class BadAnswer(ValueError):
    """The platform's POX answer was refused (hostile, oversized or not an outcomes answer)."""


def deliver(entry) -> dict:
    """Outbox handler for ``lti11.outcome``: ``replaceResult`` the learner's score at the consumer."""
    payload = entry.payload
    place = Lti11Outcome.objects.select_related("consumer").filter(pk=payload.get("outcome")).first()
    if place is None or place.consumer_id != payload.get("consumer"):
        raise Permanent("lti11.outcome: the outcome service of this placement no longer exists")
    score = current_score(payload)
    body = replace_result_xml(place.sourcedid, score, message_id=f"{entry.pk}-{entry.attempts}")
    url, headers, signed = sign(place.service_url, body, place.consumer.consumer_key, place.consumer.secret)
    try:
        answer = outbound.call("POST", url, body=signed.encode("utf-8"), headers=headers, limit=MAX_ANSWER)
    except outbound.NoAnswer as exc:
        raise RetryLater(f"lti11.outcome: {exc.reason} from the consumer", ambiguous=exc.maybe_applied) from exc
    except outbound.BadAddress as exc:
        raise Permanent("lti11.outcome: the outcome service address is unusable", answer=str(exc)) from exc
    except outbound.AnswerTooLarge as exc:
        raise Permanent(f"lti11.outcome: the consumer's answer is too large ({exc})") from exc
    content = answer.body
    said = f"HTTP {answer.status} {outbound.excerpt(content)}"
    if outbound.is_transient(answer.status):
        raise RetryLater("lti11.outcome: consumer busy or failing", answer=said,
                         retry_after=outbound.retry_after(answer.headers))
    if not answer.ok:
        raise Permanent("lti11.outcome: the consumer refused the result", answer=said)
    try:
        major, description = code_major(content)
    except BadAnswer as exc:
        raise Permanent(f"lti11.outcome: answer refused: {exc}", answer=outbound.excerpt(content, 200)) from exc
    if major == "success":
        return {"status": answer.status, "codeMajor": major, "score": score, "remote_id": place.sourcedid[:200]}
    if major == "processing":
        raise RetryLater("lti11.outcome: the consumer is still processing", answer=description, ambiguous=True)
    raise Permanent(f"lti11.outcome: the consumer answered {major}", answer=description)


def current_score(payload: dict) -> str:
    """The score to send: the queued one, or the learner's best if it has risen since.

    ``replaceResult`` has no timestamp, so a delayed retry of an older, lower score must not
    overwrite a newer one the consumer already holds.
    """
    from caregiving_course.learner_record import api

    queued = float(payload["score"])
    try:
        best = api.module_state(api.find_learner(payload["learner"]), payload["module"])["best_score"] or 0.0
    except api.RecordError:
        best = 0.0
    return f"{min(1.0, max(queued, best)):.4f}"


def replace_result_xml(sourcedid: str, score: str, *, message_id: str) -> str:
    """The ``replaceResultRequest`` POX envelope (``score`` a decimal from 0.0 to 1.0)."""
    def el(parent, name, text=None):
        node = etree.SubElement(parent, f"{{{NS}}}{name}")
        if text is not None:
            node.text = text
        return node

    root = etree.Element(f"{{{NS}}}imsx_POXEnvelopeRequest", nsmap={None: NS})
    info = el(el(root, "imsx_POXHeader"), "imsx_POXRequestHeaderInfo")
    el(info, "imsx_version", "V1.0")
    el(info, "imsx_messageIdentifier", message_id)
    record = el(el(el(root, "imsx_POXBody"), "replaceResultRequest"), "resultRecord")
    el(el(record, "sourcedGUID"), "sourcedId", sourcedid)
    score_node = el(el(record, "result"), "resultScore")
    el(score_node, "language", "en")
    el(score_node, "textString", score)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8").decode("utf-8")


def sign(url: str, body: str, key: str, secret: str) -> tuple[str, dict, str]:
    """OAuth 1.0a HMAC-SHA1 signature of a POX request, body hash included: (url, headers, body)."""
    client = Client(key, client_secret=secret, signature_method=SIGNATURE_HMAC_SHA1,
                    signature_type=SIGNATURE_TYPE_AUTH_HEADER)
    return client.sign(url, http_method="POST", body=body, headers={"Content-Type": "application/xml"})


def parse_answer(content: bytes) -> etree._Element:
    """Parse a POX answer safely: no DTD, no entities, no network, nothing over :data:`MAX_ANSWER`."""
    if len(content) > MAX_ANSWER:
        raise BadAnswer("answer too large")
    if _DOCTYPE.search(content):
        raise BadAnswer("a document type declaration is not allowed")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                             huge_tree=False, remove_pis=True)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as exc:
        raise BadAnswer(f"not XML ({exc.msg})") from exc
    if root is None:
        raise BadAnswer("empty answer")
    return root


def code_major(content: bytes) -> tuple[str, str]:
    """(``imsx_codeMajor``, ``imsx_description``) of a POX answer."""
    root = parse_answer(content)
    if etree.QName(root).localname != "imsx_POXEnvelopeResponse":
        raise BadAnswer("not an imsx_POXEnvelopeResponse")
    major = root.xpath("string(//*[local-name()='imsx_statusInfo']/*[local-name()='imsx_codeMajor'])").strip()
    if major not in ("success", "processing", "failure", "unsupported"):
        raise BadAnswer(f"unknown imsx_codeMajor {major[:40]!r}")
    description = root.xpath("string(//*[local-name()='imsx_statusInfo']/*[local-name()='imsx_description'])")
    return major, description.strip()[:500]
