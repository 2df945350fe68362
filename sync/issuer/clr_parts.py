"""The pieces of a Comprehensive Learner Record (1EdTech CLR 2.0): Achievements for what the course
defines (modules, knowledge checks, instructor-led components, skills) and the AchievementCredentials
that say what one learner did in them.

Only Open Badges 3.0 and CLR 2.0 terms appear, so the issuer's signature covers every claim.
"""
from __future__ import annotations

import datetime as dt
import uuid

from sync.issuer import links
from sync.issuer.documents import hours, iso, profile_ref, scrub
from sync.issuer.jsonld import OB_V3, VC_V2

RECORD_NAMESPACE = uuid.UUID("6f0f6c1e-3a52-5b8e-9d0a-4c1f7e2b9a10")  # record ids -> stable credential ids


def record_urn(kind: str, record_id) -> str:
    """A stable ``urn:uuid`` for one record (the same record always gives the same id)."""
    return f"urn:uuid:{uuid.uuid5(RECORD_NAMESPACE, f'{kind}:{record_id}')}"


def _id(*parts: str) -> str:
    return "/".join([f"{links.base()}/achievements", *parts])


def module_achievement_id(module_id: str) -> str:
    return _id("modules", module_id)


def check_achievement_id(module_id: str) -> str:
    return _id("modules", module_id, "knowledge-check")


def component_achievement_id(component_id: str) -> str:
    return _id("components", component_id)


def skill_achievement_id(component_id: str, skill: str) -> str:
    return _id("components", component_id, "skills", skill)


def _achievement(achievement_id: str, kind: str, name: str, description: str, criteria: str, **extra) -> dict:
    return {"id": achievement_id, "type": ["Achievement"], "achievementType": kind, "name": scrub(name) or kind,
            "description": scrub(description) or scrub(name) or kind,
            "criteria": {"id": achievement_id, "narrative": scrub(criteria) or scrub(name) or kind},
            "inLanguage": "en", **extra}


def module_achievement(module) -> dict:
    """A self-paced module: its designed hours are the credits available."""
    outcomes = " ".join(module.outcomes)
    return _achievement(module_achievement_id(module.id), "Course", module.title, outcomes or module.title,
                        f"Spend the required time in the module, pass its knowledge check with "
                        f"{module.pass_mark:.0%} or more and answer its reflection question.",
                        creditsAvailable=hours(module.hours))


def check_achievement(module) -> dict:
    """A module's knowledge check, scored in percent."""
    achievement_id = check_achievement_id(module.id)
    return _achievement(
        achievement_id, "Assessment", f"Knowledge check: {module.title}",
        f"The knowledge check of the module {module.title}.", f"Score {module.pass_mark:.0%} or more.",
        resultDescription=[{"id": f"{achievement_id}#score", "type": ["ResultDescription"], "name": "Score",
                            "resultType": "Percent", "valueMin": "0", "valueMax": "100",
                            "requiredValue": str(round(module.pass_mark * 100))}])


def component_achievement(component) -> dict:
    """An instructor-led component (workshop, practicum, sign-off session): its hours are the credits available."""
    return _achievement(component_achievement_id(component.id), "LearningProgram", component.title, component.title,
                        "Hours recorded by an instructor." if component.evidence == "hours"
                        else "Every listed skill signed off by an instructor.",
                        creditsAvailable=hours(component.hours))


def skill_achievement(component, skill: str) -> dict:
    name = component.skill_name(skill)
    return _achievement(skill_achievement_id(component.id, skill), "Competency", name,
                        f"{name} ({component.title})", "Performed safely and correctly before an instructor.")


def duration(seconds: int) -> str:
    """An ISO 8601 duration (``PT1H35M20S``)."""
    seconds = max(0, int(seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    text = "PT" + (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s or not (h or m) else "")
    return text


def record_credential(*, credential_id: str, achievement: dict, identity: dict, valid_from: dt.datetime,
                      evidence: list[dict] | None = None, **subject) -> dict:
    """An AchievementCredential for one record; it is signed as part of the CLR that holds it."""
    document = {
        "@context": [VC_V2, OB_V3],
        "id": credential_id,
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": achievement["name"],
        "issuer": profile_ref(),
        "validFrom": iso(valid_from),
        "credentialSubject": {"type": ["AchievementSubject"], "identifier": [dict(identity)],
                              "achievement": achievement, **subject},
    }
    if evidence:
        document["evidence"] = evidence
    return document


def evidence_item(name: str, description: str, genre: str) -> dict:
    return {"type": ["Evidence"], "name": scrub(name), "description": scrub(description), "genre": genre}
