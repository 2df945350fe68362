"""The tier rules of the credential framework (DESIGN.md) and the stacking of credentials."""
from __future__ import annotations

import dataclasses
from decimal import Decimal

from caregiving_course.framework.errors import ContentError, ContentErrors
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


def _error(cred: Credential, rule: str, key: str) -> ContentError:
    """``rule`` broken by ``cred``, at the line of its field ``key`` when its file gave it."""
    line = cred.lines.get(key)
    return ContentError(cred.source, f"credential {cred.id}", f"{rule} (line {line})" if line else rule)


def _counted_twice(cred: Credential, credentials: dict[str, Credential]) -> str | None:
    """The rule ``cred`` breaks when its stack reaches one module, component or credential twice (its hours would
    count twice toward its total), or None."""
    seen: dict[str, str] = {}  # component or credential id -> the credential it was reached in

    def reach(current: Credential) -> str | None:
        for item, kind in [*((c.id, "component") for c in current.components),
                           *((r, "credential") for r in current.requires)]:
            if item in seen:
                return (f"{kind} '{item}' is counted twice through its stack (in {seen[item]} and in {current.id}); "
                        "list it once")
            seen[item] = current.id
            if kind == "credential":
                found = reach(credentials[item])
                if found:
                    return found
        return None

    return reach(cred)


def check_credentials(credentials: dict[str, Credential]) -> dict[str, Credential]:
    """Resolve stacking (totals include required credentials) and apply the tier rules to every credential.

    Returns the credentials with ``total_hours`` filled in; raises every rule broken (:class:`ContentErrors`
    when there are several).
    """
    totals: dict[str, Decimal] = {}

    def total(cred_id: str, path: tuple[str, ...]) -> Decimal:
        cred = credentials[cred_id]
        if cred_id in totals:
            return totals[cred_id]
        for req in cred.requires:
            if req in path or req == cred_id:
                chain = " -> ".join((*path, cred_id, req))
                raise _error(cred, f"stacks on itself ({chain})", "requires")
            if req not in credentials:
                raise _error(cred, f"requires unknown credential '{req}'", "requires")
        totals[cred_id] = cred.own_hours + sum((total(r, (*path, cred_id)) for r in cred.requires), Decimal(0))
        return totals[cred_id]

    result, errors = {}, []
    for cred_id, cred in credentials.items():
        try:
            checked = dataclasses.replace(cred, total_hours=total(cred_id, ()))
        except ContentError as exc:  # a cycle or an unknown credential: said once, where it is
            if str(exc) not in map(str, errors):
                errors.append(exc)
            continue
        rule = _tier_rule(checked)
        twice = _counted_twice(cred, credentials)
        key = "delivery" if rule and "(delivery is" in rule else "components" if rule and "component" in rule \
            else "tier"
        errors += [_error(cred, broken, at) for broken, at in ((rule, key), (twice, "components")) if broken]
        result[cred_id] = checked
    if errors:
        raise errors[0] if len(errors) == 1 else ContentErrors(errors)
    return result
