"""The issuer's connection test for administrators: can this installation reach the chosen badge platform, sign
in, and find the badge class (or template) of each credential? Read-only: it looks up a recipient who cannot exist."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

PROBE_EMAIL = "connection-test@invalid.invalid"  # RFC 2606: no one holds a badge at .invalid


@dataclass(frozen=True)
class ConnectionResult:
    """Whether the platform answered as expected (``ok``), and one line per credential checked."""

    ok: bool
    lines: tuple[str, ...]


def check(name: str) -> ConnectionResult:
    """Try backend ``name`` as the worker would, with a look-up that changes nothing on the platform."""
    from django.utils.translation import gettext as _

    from caregiving_course.learner_record.delivery import DeliveryError
    from sync import config
    from sync.backends.base import AwardInfo

    backend = config.backend(name)
    missing = backend.missing_settings()
    if missing:
        return ConnectionResult(False, (_("missing settings: %(names)s") % {"names": ", ".join(missing)},))
    mapping = next((s.name for s in backend.SETTINGS if s.mapping), None)
    if mapping is None:
        return ConnectionResult(True, (_("signs badges on this server: there is nothing to connect to"),))
    credentials = sorted((backend.settings.get(mapping) or {}).keys())
    lines, ok = [], True
    for credential in credentials:
        probe = AwardInfo(award_id="connection-test", credential_id=credential, credential_title=credential,
                          recipient_email=PROBE_EMAIL, recipient_name="Connection Test",
                          earned_at=dt.datetime.now(dt.UTC), credited_hours=Decimal(0))
        try:
            backend.find(probe)
            lines.append(_("%(credential)s: reached, signed in, %(setting)s found")
                         % {"credential": credential, "setting": mapping})
        except DeliveryError as exc:
            ok = False
            lines.append(f"{credential}: {exc.describe()}")
        except Exception as exc:  # any failure is the answer the administrator asked for
            ok = False
            lines.append(f"{credential}: {type(exc).__name__}: {exc}")
    return ConnectionResult(ok and bool(credentials), tuple(lines) or (
        _("no %(setting)s configured for any credential") % {"setting": mapping},))
