"""The tier rules of the credential framework (DESIGN.md) and the stacking of credentials."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

from caregiving_course.framework.errors import ContentError
from caregiving_course.framework.model import Credential

BADGE_MAX = Decimal(15)
CERTIFICATE_OF_TRAINING_MAX = Decimal(100)
COLLEGE_CERTIFICATE_MIN = Decimal(100)


def _tier_rule(cred: Credential) -> str | None:
    """Return the rule ``cred`` breaks, or None."""
    total = cred.total_hours
    if cred.tier == "badge" and total > BADGE_MAX:
        return f"a Badge is at most {BADGE_MAX} hours (this one totals {total})"
    if cred.tier == "certificate-of-training":
        if cred.delivery != "instructor-led":
            return f"a Certificate of Training must be instructor-led (delivery is {cred.delivery})"
        if total > CERTIFICATE_OF_TRAINING_MAX:
            return f"a Certificate of Training is at most {CERTIFICATE_OF_TRAINING_MAX} hours (this one totals {total})"
    if cred.tier == "college-certificate":
        if cred.delivery != "instructor-led":
            return f"a College Certificate must be instructor-led (delivery is {cred.delivery})"
        if total < COLLEGE_CERTIFICATE_MIN:
            return f"a College Certificate is at least {COLLEGE_CERTIFICATE_MIN} hours (this one totals {total})"
    if cred.tier != "badge" and not any(c.delivery == "instructor-led" for c in cred.components):
        return "an instructor-led credential needs at least one instructor-led component"
    return None


def check_credentials(credentials: dict[str, Credential]) -> dict[str, Credential]:
    """Resolve stacking (totals include required credentials) and apply the tier rules.

    Returns the credentials with ``total_hours`` filled in.
    """
    totals: dict[str, Decimal] = {}

    def total(cred_id: str, path: tuple[str, ...]) -> Decimal:
        cred = credentials[cred_id]
        if cred_id in totals:
            return totals[cred_id]
        for req in cred.requires:
            if req in path or req == cred_id:
                chain = " -> ".join((*path, cred_id, req))
                raise ContentError(cred.source, f"credential {cred_id}", f"stacks on itself ({chain})")
            if req not in credentials:
                raise ContentError(cred.source, f"credential {cred_id}", f"requires unknown credential '{req}'")
        totals[cred_id] = cred.own_hours + sum((total(r, (*path, cred_id)) for r in cred.requires), Decimal(0))
        return totals[cred_id]

    result = {}
    for cred_id, cred in credentials.items():
        checked = dataclasses.replace(cred, total_hours=total(cred_id, ()))
        rule = _tier_rule(checked)
        if rule:
            raise ContentError(cred.source, f"credential {cred_id}", rule)
        result[cred_id] = checked
    return result
