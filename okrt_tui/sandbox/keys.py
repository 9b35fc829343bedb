"""The sandbox's fixed keys, scopes and workspaces (INTERFACE.md lists them; public on purpose).

Apart from the seed data so that ``okrt-tui demo`` can name its key without importing the sandbox.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

OKRS_READ = "okrs:read"
KPIS_READ = "kpis:read"
KPIS_WRITE = "kpis:write"
CHECKINS_WRITE = "okr-checkins:write"
REVIEWS_READ = "reviews:read"
#: The reference's five scopes, in its order.
ALL_SCOPES = (OKRS_READ, KPIS_READ, KPIS_WRITE, CHECKINS_WRITE, REVIEWS_READ)

ACME = "acme"
GLOBEX = "globex"
#: Workspace id -> the organisation's name.
WORKSPACES = {ACME: "Acme", GLOBEX: "Globex"}

ACME_ADMIN_KEY = "okrt_acme_admin_7Fq2Lx9Rk3Vm8Tz4"
ACME_READ_KEY = "okrt_acme_read_Hs6Jp1Wd5Ny0Bc2Q"
ACME_KPI_KEY = "okrt_acme_kpi_Ue3Gv7Ka9Zr4Mx1L"
ACME_NONE_KEY = "okrt_acme_none_Pb8Cy2Ft6Wq0Jn5D"
ACME_REVOKED_KEY = "okrt_acme_revoked_Wm5Tc8Yh2Qd6Vn9"
GLOBEX_ADMIN_KEY = "okrt_globex_admin_Rk4Ns9Vd2Hx7Lp3T"


@dataclass(frozen=True, slots=True)
class ApiKey:
    key: str
    label: str  # a name for logs and /_sandbox/requests, never the key
    workspace: str
    scopes: frozenset[str]
    revoked: bool = False


#: The fixed keys of INTERFACE.md, by key, in its table's order.
KEYS: dict[str, ApiKey] = {
    k.key: k
    for k in (
        ApiKey(ACME_ADMIN_KEY, "acme-admin", ACME, frozenset(ALL_SCOPES)),
        ApiKey(ACME_READ_KEY, "acme-read", ACME, frozenset({OKRS_READ, KPIS_READ, REVIEWS_READ})),
        ApiKey(ACME_KPI_KEY, "acme-kpi", ACME, frozenset({KPIS_READ, KPIS_WRITE})),
        ApiKey(ACME_NONE_KEY, "acme-none", ACME, frozenset()),
        ApiKey(ACME_REVOKED_KEY, "acme-revoked", ACME, frozenset(ALL_SCOPES), revoked=True),
        ApiKey(GLOBEX_ADMIN_KEY, "globex-admin", GLOBEX, frozenset(ALL_SCOPES)),
    )
}


def key_hash(key: str) -> str:
    """A short SHA-256 that names a key in the sandbox's request counts without revealing it."""
    return hashlib.sha256(key.encode()).hexdigest()[:12]
