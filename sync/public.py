"""What the learner progress view shows about badges: each award's title, status and links to share and verify."""
from __future__ import annotations

from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy

from caregiving_course.framework import catalogue
from caregiving_course.learner_record.api import awards_of
from sync.issuer import links
from sync.models import IssuedCredential

STATUS_LABELS = {"issued": gettext_lazy("Issued"), "pending": gettext_lazy("Pending"),
                 "revoked": gettext_lazy("Revoked")}


def badges_for_learner(learner) -> list[dict]:
    """One entry per award of ``learner``: ``title`` (in the active language; ``lang`` names the language it is
    written in when it has no translation), ``courses`` (the courses the credential is made of: ``title`` and
    ``lang`` of each), ``status`` (issued, pending, revoked) and ``status_label`` (its words), ``url``,
    ``verify_url`` and ``image_url``. Pending awards (not yet delivered by the sync) have no
    links yet."""
    awards = awards_of(learner)
    issued = {row.award_id: row for row in IssuedCredential.objects.filter(award_id__in=[a.public_id for a in awards])}
    course = catalogue()
    out, language = [], get_language()
    for award in awards:
        known = course.has_credential(award.credential_id)
        credential = course.credential(award.credential_id) if known else None
        title = course.localized(credential, language).title if known else award.credential_id
        lang = course.language_of(credential, language) if known else ""
        row = issued.get(award.public_id)
        revoked = award.status == award.REVOKED or (row is not None and row.revoked)
        status = "revoked" if revoked else "issued" if row is not None else "pending"
        courses = [{"title": c.text(language)[0], "lang": c.language_of(None, language)}
                   for c in course.courses_of(credential)] if known else []
        entry = {"title": title, "lang": lang, "courses": courses, "status": status,
                 "status_label": str(STATUS_LABELS[status]),
                 "url": "", "verify_url": "", "image_url": links.image(award.credential_id, "png")}
        if row is not None:
            page = links.credential(str(award.public_id))
            entry.update(url=page, verify_url=links.verify_page(page))
        out.append(entry)
    return out


def clr_download_url() -> str:
    """Where the signed-in learner downloads their own Comprehensive Learner Record; "" where the host does not
    mount our records URLs (an Open edX LMS mounts only the plugin apps' ``url_config``)."""
    try:
        return reverse("records:clr-download")
    except NoReverseMatch:
        return ""
