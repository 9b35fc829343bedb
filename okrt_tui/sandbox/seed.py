"""The sandbox's fixed keys and its two deterministic workspaces, Acme and Globex.

The keys are public on purpose (INTERFACE.md lists them) so that docs, demos and tests can use them.
``seed_database`` fills an empty database: the same ``seed`` and the same ``now`` give the same rows;
the same ``seed`` gives the same ids whatever ``now`` is (``stable_id``). Values and times come from
``random.Random(seed)``; times are relative to ``now`` (the sandbox clock when the server starts): the
current cycle is the calendar quarter that holds ``now``, the previous cycle the quarter before it.

Acme has 40 objectives (28 in the current quarter, 12 in the previous one) at org, team and individual
level, 2 to 5 key results each with real units (some decreasing: target below start), and a check-in
history shaped so that health spans every band: recent and on pace, slipping, stale for weeks, never
checked in. It has 16 KPIs (some lower-is-better) with weekly update histories, and 3 review cycles
(upcoming, active, closed) with shared and draft reviews of every type. Globex is a smaller logistics
company with its own data, so that cross-workspace ids can be tried.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from okrt_tui.sandbox import scoring
from okrt_tui.sandbox.clock import iso_date
from okrt_tui.sandbox.db import (
    Answer,
    Checkin,
    Database,
    KeyResult,
    Kpi,
    KpiUpdate,
    Objective,
    Review,
    ReviewCycle,
)
from okrt_tui.sandbox.scoring import DAY

# --- keys -------------------------------------------------------------------------------------------

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


# --- the catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KrSpec:
    title: str
    unit: str
    start: float
    target: float


@dataclass(frozen=True, slots=True)
class ObjectiveSpec:
    title: str
    type: str
    owner: str
    key_results: tuple[KrSpec, ...]


def _o(title: str, type_: str, owner: str, *krs: tuple[str, str, float, float]) -> ObjectiveSpec:
    return ObjectiveSpec(title, type_, owner, tuple(KrSpec(*kr) for kr in krs))


ACME_CURRENT = (
    _o(
        "Grow self-serve revenue",
        "org",
        "Priya Raman",
        ("Increase self-serve MRR", "$", 182000, 240000),
        ("Raise trial-to-paid conversion", "%", 9.0, 14.0),
        ("Reduce monthly logo churn", "%", 3.2, 2.0),
        ("Grow expansion revenue from plan upgrades", "$", 0, 30000),
        ("Lift checkout completion", "%", 61, 75),
    ),
    _o(
        "Make Acme the most reliable platform in its category",
        "org",
        "Marcus Oyelaran",
        ("Hold API uptime at four nines", "%", 99.90, 99.99),
        ("Cut p95 API latency", "ms", 420, 250),
        ("Reduce Sev-1 incidents per month", "incidents", 6, 1),
    ),
    _o(
        "Delight customers at every touchpoint",
        "org",
        "Tomás Herrera",
        ("Raise NPS", "NPS", 31, 45),
        ("Raise CSAT on support tickets", "%", 86, 93),
        ("Cut first response time", "hours", 9, 2),
    ),
    _o(
        "Improve onboarding conversion",
        "team",
        "Alice Nguyen",
        ("Users activated within 7 days", "%", 38, 55),
        ("Onboarding checklist completion", "%", 22, 40),
        ("Time to first dashboard", "minutes", 18, 6),
    ),
    _o(
        "Ship the mobile app v2",
        "team",
        "Jonas Becker",
        ("Crash-free sessions", "%", 98.1, 99.6),
        ("App Store rating", "stars", 3.9, 4.5),
        ("Beta testers onboarded", "users", 0, 500),
    ),
    _o(
        "Modernise the billing platform",
        "team",
        "Aisha Mensah",
        ("Invoices generated by the new engine", "%", 0, 100),
        ("Revenue recovered by payment retries", "$", 0, 45000),
        ("Billing tickets per week", "tickets", 140, 60),
    ),
    _o(
        "Scale support without losing quality",
        "team",
        "Grace Kim",
        ("Tickets resolved per agent per day", "tickets", 18, 26),
        ("Help-centre articles published", "articles", 0, 40),
        ("Backlog older than 48 hours", "tickets", 320, 50),
    ),
    _o(
        "Build a predictable sales pipeline",
        "team",
        "Daniel Okafor",
        ("Qualified pipeline created", "$", 0, 2400000),
        ("Win rate on qualified deals", "%", 19, 25),
        ("Average sales cycle", "days", 64, 45),
        ("Enterprise deals closed", "deals", 0, 8),
    ),
    _o(
        "Reduce cloud infrastructure cost",
        "team",
        "Rafael Costa",
        ("Monthly AWS spend", "$", 96000, 72000),
        ("Average compute utilisation", "%", 34, 60),
        ("Idle staging environments", "environments", 42, 5),
    ),
    _o(
        "Hire and onboard great people",
        "team",
        "Hannah Weiss",
        ("Engineering offers accepted", "hires", 0, 12),
        ("Time to hire", "days", 52, 35),
        ("New-hire 30-day satisfaction", "%", 78, 90),
    ),
    _o(
        "Launch the analytics add-on",
        "team",
        "Sofia Lindqvist",
        ("Design partners live", "customers", 0, 10),
        ("Add-on ARR", "$", 0, 120000),
        ("Weekly active analytics users", "users", 0, 1500),
    ),
    _o(
        "Harden security and compliance",
        "team",
        "Omar Haddad",
        ("SOC 2 Type II controls passing", "%", 72, 100),
        ("Critical vulnerabilities open", "vulnerabilities", 14, 0),
        ("Staff through security training", "%", 61, 100),
    ),
    _o(
        "Speed up the delivery pipeline",
        "team",
        "Noah Fischer",
        ("Deploys per week", "deploys", 12, 30),
        ("CI pipeline duration", "minutes", 24, 10),
        ("Change failure rate", "%", 14, 7),
    ),
    _o(
        "Grow organic acquisition",
        "team",
        "Chloe Martin",
        ("Organic signups per month", "signups", 2100, 3500),
        ("Blog posts published", "posts", 0, 24),
        ("Domain rating", "points", 48, 55),
    ),
    _o(
        "Expand into the German market",
        "team",
        "Lucas Moreau",
        ("German-speaking customers", "customers", 35, 120),
        ("Localised product pages", "pages", 0, 30),
        ("Reseller partners signed", "partners", 0, 4),
    ),
    _o(
        "Make reporting data trustworthy",
        "team",
        "Mei Tanaka",
        ("Dashboards on certified datasets", "%", 20, 80),
        ("Data freshness SLA met", "%", 85, 99),
        ("Broken pipeline alerts per week", "alerts", 25, 5),
    ),
    _o(
        "Become the go-to expert on search performance",
        "individual",
        "Yuki Sato",
        ("Search p95 latency", "ms", 900, 300),
        ("Internal tech talks given", "talks", 0, 3),
        ("Index rebuild time", "minutes", 95, 30),
    ),
    _o(
        "Grow my enterprise book of business",
        "individual",
        "Ben Carter",
        ("Closed-won ARR", "$", 0, 600000),
        ("Discovery calls held", "calls", 0, 60),
        ("Multi-threaded accounts", "accounts", 4, 15),
    ),
    _o(
        "Level up as a people manager",
        "individual",
        "Sarah Chen",
        ("1:1s held on schedule", "%", 70, 95),
        ("Team engagement score", "points", 7.1, 8.2),
        ("Career plans written with reports", "plans", 0, 6),
    ),
    _o(
        "Own the accessibility overhaul",
        "individual",
        "Zara Ahmed",
        ("WCAG AA issues fixed", "issues", 0, 120),
        ("Screens audited", "screens", 0, 45),
        ("Lighthouse accessibility score", "points", 78, 95),
    ),
    _o(
        "Reduce my team's on-call load",
        "individual",
        "Liam O'Connor",
        ("Pages per on-call week", "pages", 34, 10),
        ("Runbooks written", "runbooks", 3, 20),
        ("Mean time to recovery", "minutes", 75, 30),
    ),
    _o(
        "Close the books faster",
        "individual",
        "Ines Duarte",
        ("Days to close the month", "days", 12, 6),
        ("Manual journal entries", "entries", 180, 60),
        ("Reconciliations automated", "%", 30, 75),
    ),
    _o(
        "Build the customer advisory board",
        "individual",
        "Emma Kowalski",
        ("Advisory board members", "members", 0, 12),
        ("Roadmap sessions run", "sessions", 0, 3),
    ),
    _o(
        "Improve forecast accuracy",
        "individual",
        "Kofi Asante",
        ("Forecast variance", "%", 18, 5),
        ("Deals with a next step logged", "%", 55, 90),
    ),
    _o(
        "Ship the ingest service in Rust",
        "individual",
        "Mateo Silva",
        ("Ingest throughput", "events/s", 4000, 20000),
        ("Rust modules in production", "modules", 0, 4),
        ("Ingest error rate", "%", 1.8, 0.2),
    ),
    _o(
        "Grow the developer community",
        "individual",
        "Leah Goldberg",
        ("Discord members", "members", 1200, 3000),
        ("Community pull requests merged", "PRs", 8, 40),
        ("Docs page views per month", "views", 40000, 70000),
    ),
    _o(
        "Make the design system the default",
        "team",
        "Nina Petrova",
        ("Components adopted by product teams", "%", 35, 80),
        ("Design tokens migrated", "tokens", 120, 400),
        ("UI bugs from inconsistent components", "bugs", 48, 15),
    ),
    _o(
        "Raise mid-market renewal rates",
        "team",
        "Jonah Reyes",
        ("Gross revenue retention", "%", 88, 93),
        ("QBRs held with at-risk accounts", "meetings", 0, 25),
        ("Renewals flagged at risk", "accounts", 22, 8),
    ),
)

ACME_PREVIOUS = (
    _o(
        "Reach $2M ARR",
        "org",
        "Priya Raman",
        ("Annual recurring revenue", "$", 1650000, 2000000),
        ("Net revenue retention", "%", 104, 112),
    ),
    _o(
        "Ship the platform rewrite",
        "org",
        "Marcus Oyelaran",
        ("Services migrated", "services", 0, 14),
        ("Legacy endpoints retired", "endpoints", 0, 60),
        ("Regression bugs escaped to production", "bugs", 30, 5),
    ),
    _o(
        "Launch self-serve onboarding",
        "team",
        "Alice Nguyen",
        ("Signup to activation", "%", 25, 38),
        ("Onboarding NPS", "NPS", 12, 30),
    ),
    _o(
        "Stabilise the mobile release train",
        "team",
        "Jonas Becker",
        ("Releases per month", "releases", 1, 4),
        ("Hotfixes per release", "hotfixes", 3.0, 0.5),
    ),
    _o(
        "Cut the support backlog",
        "team",
        "Grace Kim",
        ("Open tickets", "tickets", 900, 300),
        ("Support CSAT", "%", 82, 90),
    ),
    _o(
        "Refresh the brand",
        "team",
        "Chloe Martin",
        ("Website pages redesigned", "pages", 0, 40),
        ("Aided brand awareness", "%", 11, 18),
    ),
    _o(
        "Close the first enterprise deals",
        "team",
        "Daniel Okafor",
        ("Enterprise logos signed", "logos", 0, 5),
        ("Pipeline coverage", "x", 1.8, 3.0),
    ),
    _o(
        "Get AWS certified",
        "individual",
        "Rafael Costa",
        ("Practice exams passed", "exams", 0, 4),
        ("Certifications earned", "certifications", 0, 1),
    ),
    _o(
        "Document the data model",
        "individual",
        "Mei Tanaka",
        ("Tables documented", "tables", 40, 220),
        ("Lineage coverage", "%", 10, 70),
    ),
    _o(
        "Mentor two junior engineers",
        "individual",
        "Noah Fischer",
        ("Mentoring sessions held", "sessions", 0, 24),
        ("Mentee pull requests reviewed", "PRs", 0, 80),
    ),
    _o(
        "Run the pricing experiment",
        "individual",
        "Sofia Lindqvist",
        ("Experiment cohorts launched", "cohorts", 0, 3),
        ("Average revenue per account uplift", "%", 0, 8),
    ),
    _o(
        "Automate payroll exports",
        "individual",
        "Ines Duarte",
        ("Manual steps removed", "steps", 0, 12),
        ("Payroll errors per run", "errors", 6, 0),
    ),
)

GLOBEX_CURRENT = (
    _o(
        "Cut delivery times across Europe",
        "org",
        "Dana Whitfield",
        ("Average delivery time", "days", 4.2, 2.5),
        ("On-time deliveries", "%", 87, 96),
    ),
    _o(
        "Automate warehouse picking",
        "team",
        "Ravi Menon",
        ("Orders picked by robots", "%", 15, 45),
        ("Picking errors per 10k orders", "errors", 38, 10),
    ),
    _o(
        "Grow B2B accounts",
        "team",
        "Olga Ivanova",
        ("New B2B accounts", "accounts", 0, 40),
        ("B2B revenue", "€", 310000, 450000),
    ),
    _o(
        "Launch the driver app",
        "individual",
        "Pedro Alves",
        ("Drivers onboarded", "drivers", 0, 300),
        ("Driver app weekly users", "users", 0, 250),
    ),
    _o(
        "Reduce fleet emissions",
        "team",
        "Keiko Mori",
        ("Electric vans in the fleet", "vans", 12, 40),
        ("CO2 per parcel", "g", 410, 330),
    ),
    _o(
        "Negotiate better carrier contracts",
        "individual",
        "Sam Brennan",
        ("Carrier cost per parcel", "€", 3.10, 2.70),
        ("Contracts renewed", "contracts", 0, 6),
    ),
)

GLOBEX_PREVIOUS = (
    _o(
        "Open the Rotterdam hub",
        "org",
        "Dana Whitfield",
        ("Hub throughput", "parcels/day", 0, 20000),
        ("Hub staff hired", "hires", 0, 80),
    ),
    _o(
        "Cut returns processing time",
        "team",
        "Ravi Menon",
        ("Returns processing time", "hours", 72, 24),
        ("Returns processed automatically", "%", 10, 50),
    ),
)

# How each objective's history is shaped, in catalogue order (cycled). Current cycle: progress against
# the expected pace, and how long ago the last check-in was. Previous cycle: where it ended.
CURRENT_SHAPES = (
    "strong",
    "good",
    "attention",
    "strong",
    "good",
    "at_risk",
    "good",
    "strong",
    "attention",
    "never",
)
PREVIOUS_SHAPES = ("done", "good", "missed", "done", "never", "good")

CHECKIN_COMMENTS = {
    scoring.ON_TRACK: (
        "Moving as planned.",
        "Good week: the new flow shipped on Tuesday.",
        "Ahead of where I expected; keeping the pace.",
        "Steady progress, no blockers.",
        "Numbers from the Monday report.",
    ),
    scoring.AT_RISK: (
        "Slower than planned: two people out this week.",
        "Waiting on the vendor; should unblock next sprint.",
        "Dependency on the platform team slipped.",
        "Progress, but not at the pace we need.",
    ),
    scoring.OFF_TRACK: (
        "Blocked on legal review.",
        "We deprioritised this for the incident work.",
        "Scope was bigger than estimated; replanning.",
        "No movement: the experiment failed, trying another approach.",
    ),
}


@dataclass(frozen=True, slots=True)
class KpiSpec:
    name: str
    unit: str
    direction: str
    first: float  # the value at the start of the seeded history
    current: float
    target: float
    stale: bool = False  # last updated weeks ago


ACME_KPIS = (
    KpiSpec("Weekly Active Users", "users", "increase", 3390, 3721, 4500),
    KpiSpec("Monthly Recurring Revenue", "$", "increase", 198400, 214350, 240000),
    KpiSpec("Logo churn rate", "%", "decrease", 3.1, 2.6, 2.0),
    KpiSpec("Net Promoter Score", "NPS", "increase", 33, 38, 45),
    KpiSpec("API p95 latency", "ms", "decrease", 312, 268, 250),
    KpiSpec("API uptime (30 days)", "%", "increase", 99.91, 99.95, 99.99),
    KpiSpec("Support first response time", "hours", "decrease", 5.2, 3.4, 2.0),
    KpiSpec("Open customer-facing bugs", "bugs", "decrease", 72, 87, 40),
    KpiSpec("Trial-to-paid conversion", "%", "increase", 10.4, 11.8, 14.0),
    KpiSpec("Signups per week", "signups", "increase", 745, 812, 900),
    KpiSpec("Deploys per week", "deploys", "increase", 17, 24, 30),
    KpiSpec("Monthly cloud spend", "$", "decrease", 88400, 81200, 72000),
    KpiSpec("Customer satisfaction (CSAT)", "%", "increase", 89.5, 91.2, 93.0),
    KpiSpec("Employee Net Promoter Score", "eNPS", "increase", 18, 22, 30, stale=True),
    KpiSpec("Qualified pipeline", "$", "increase", 980000, 1420000, 2400000),
    KpiSpec("Average sales cycle", "days", "decrease", 58, 52, 45, stale=True),
)

GLOBEX_KPIS = (
    KpiSpec("Parcels delivered per day", "parcels", "increase", 39800, 41200, 45000),
    KpiSpec("On-time delivery rate", "%", "increase", 90.1, 91.3, 96.0),
    KpiSpec("Cost per parcel", "€", "decrease", 3.02, 2.94, 2.70),
    KpiSpec("Customer complaints per 10k parcels", "complaints", "decrease", 16, 14, 8, stale=True),
)

QUESTIONS = {
    "self": (
        "What went well this cycle?",
        "What didn't go as planned, and what did you learn?",
        "What are your growth areas?",
        "What support do you need from your manager?",
    ),
    "manager": (
        "What were this person's most important contributions?",
        "Where should they grow next cycle?",
        "How did they live our values?",
        "Overall assessment",
    ),
    "peer": (
        "What does this person do that you'd like them to keep doing?",
        "What could they do differently to be more effective?",
        "How was collaborating with them this cycle?",
    ),
    "360": (
        "Strengths colleagues mentioned most",
        "Opportunities for growth",
        "Impact on the team",
        "What direct reports said",
    ),
}


@dataclass(frozen=True, slots=True)
class ReviewSpec:
    employee: str
    type: str
    shared: bool
    answers: tuple[str, ...]  # one per question of its type


def _r(employee: str, type_: str, shared: bool, *answers: str) -> ReviewSpec:
    if len(answers) != len(QUESTIONS[type_]):
        raise ValueError(f"{employee} {type_}: {len(answers)} answers for {len(QUESTIONS[type_])} questions")
    return ReviewSpec(employee, type_, shared, answers)


ACME_REVIEWS_CLOSED = (
    _r(
        "Sarah Chen",
        "self",
        True,
        "Shipped the onboarding redesign on time",
        "I underestimated the analytics migration; next time I'll spike the risky part first.",
        "Delegation and prioritisation",
        "Protected time for planning, and a clearer call on which requests can wait.",
    ),
    _r(
        "Sarah Chen",
        "manager",
        True,
        "Led the onboarding redesign end to end; activation rose from 25% to 36%.",
        "Let the team own more of the delivery so she can spend time on next quarter's strategy.",
        "Very openly: she ran the retro on the August incident without blame and shared the notes widely.",
        "Exceeds expectations.",
    ),
    _r(
        "Jonas Becker",
        "self",
        True,
        "Moved the mobile release train to two releases a month with no hotfix in August.",
        "The crash reporting migration took twice as long as planned because of the SDK upgrade.",
        "Writing things down before meetings instead of after.",
        "An intro to the design team's new lead.",
    ),
    _r(
        "Jonas Becker",
        "360",
        True,
        "Calm under pressure; always the first to help during a release.",
        "Could share context earlier: decisions sometimes arrive as surprises.",
        "The release train is now predictable, which the support team noticed immediately.",
        "Great 1:1s, would like more feedback on career growth.",
    ),
    _r(
        "Alice Nguyen",
        "peer",
        True,
        "Turns vague product ideas into crisp experiments with clear success criteria.",
        "Pull engineering into discovery a week earlier.",
        "Easy and fun: we shipped the checklist together in three sprints.",
    ),
    _r(
        "Alice Nguyen",
        "self",
        False,
        "Launched self-serve onboarding.",
        "(draft) Still writing this part.",
        "",
        "",
    ),
)

ACME_REVIEWS_ACTIVE = (
    _r(
        "Sarah Chen",
        "self",
        True,
        "Shipped the onboarding redesign on time",
        "The team-wide OKR reset took longer than the two weeks I planned.",
        "Delegation and prioritisation",
        "Air cover while the team pays down the analytics debt.",
    ),
    _r(
        "Alice Nguyen",
        "self",
        True,
        "Time to first dashboard is down from 18 to 9 minutes after the template gallery launch.",
        "The checklist A/B test ran too short to be conclusive; I'll size tests up front next time.",
        "Presenting to the exec team with less detail and a clearer ask.",
        "Feedback on my first draft of the Q1 plan before it goes out.",
    ),
    _r(
        "Alice Nguyen",
        "manager",
        False,
        "Drove the template gallery from idea to launch.",
        "",
        "",
        "",
    ),
    _r(
        "Liam O'Connor",
        "360",
        True,
        "Owns incidents from the first page to the post-mortem; the runbooks are excellent.",
        "Says yes to too much: the on-call load reduction stalled while he covered for others.",
        "Pages per on-call week are down by a third; people sleep again.",
        "Patient teacher, honest about trade-offs, sometimes too busy to reach.",
    ),
    _r(
        "Mei Tanaka",
        "peer",
        True,
        "Her data quality checks caught two bad dashboards before the board meeting.",
        "Announce schema changes in #data a few days before they land.",
        "Reliable and thorough; reviews come back within a day.",
    ),
    _r(
        "Zara Ahmed",
        "manager",
        True,
        "Audited 30 screens and fixed the worst keyboard traps in the billing flow.",
        "Take the accessibility guidelines to the design system so fixes stay fixed.",
        "Championed users who are usually forgotten; brought a screen-reader user to sprint review.",
        "Meets expectations, with a strong second half.",
    ),
    _r(
        "Ben Carter",
        "self",
        False,
        "Closed Northwind and Initech.",
        "",
        "",
        "",
    ),
)

ACME_REVIEWS_UPCOMING = (
    _r("Noah Fischer", "self", False, "", "", "", ""),
    _r("Grace Kim", "self", False, "", "", "", ""),
    _r("Omar Haddad", "self", False, "", "", "", ""),
)

GLOBEX_REVIEWS_CLOSED = (
    _r(
        "Keiko Mori",
        "self",
        True,
        "Brought 14 electric vans into service ahead of the winter peak.",
        "Charging infrastructure at the depots lagged behind the vans.",
        "Negotiating with landlords and utilities.",
        "Budget approval for depot chargers earlier in the year.",
    ),
)

GLOBEX_REVIEWS_ACTIVE = (
    _r(
        "Ravi Menon",
        "self",
        True,
        "Robots now pick 31% of orders in Venlo with fewer errors than manual picking.",
        "The second robot vendor pilot was cancelled late; I should have escalated sooner.",
        "Writing business cases finance can approve on the first pass.",
        "A sponsor on the leadership team for the Rotterdam rollout.",
    ),
    _r(
        "Pedro Alves",
        "manager",
        True,
        "Launched the driver app beta to 120 drivers in six weeks.",
        "Plan releases with operations so drivers are trained before features arrive.",
        "Listens to drivers first; rode along on routes to test the app himself.",
        "Exceeds expectations.",
    ),
    _r("Olga Ivanova", "peer", False, "Brings in accounts nobody else can.", "", ""),
)


# --- building the rows ------------------------------------------------------------------------------


def _decimals(*numbers: float) -> int:
    return max((len(repr(float(n)).split(".")[1].rstrip("0")) for n in numbers), default=0)


def _round(value: float, decimals: int) -> float:
    return float(round(value, decimals))


def _value(kr: KrSpec, progress: float, decimals: int) -> float:
    return _round(kr.start + progress * (kr.target - kr.start), decimals)


def stable_id(seed: int, *path: object) -> str:
    """A version-4 UUID derived from the seed and the row's place in the catalogue.

    ``stable_id(1, "acme", "okr", "current", 3)`` is the same whatever the clock says when the sandbox
    is seeded, so the same seed always gives the same ids, however much history ``now`` leaves room for.
    """
    raw = bytearray(hashlib.sha256("/".join(map(str, (seed, *path))).encode()).digest()[:16])
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    h = raw.hex()  # what str(uuid.UUID(bytes=..., version=4)) gives, several times faster
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class _Builder:
    """Builds every row of a seed; values come from ``random.Random(seed)``, ids from ``stable_id``."""

    def __init__(self, seed: int, now: float) -> None:
        self.seed = seed
        self.now = now
        self.rng = random.Random(seed)
        this_quarter = scoring.quarter_of(now)
        self.quarters = {
            "previous": scoring.shift_quarter(this_quarter, -1),
            "current": this_quarter,
            "next": scoring.shift_quarter(this_quarter, 1),
        }

    def id(self, *path: object) -> str:
        return stable_id(self.seed, *path)

    def okrs(
        self, workspace: str, current: tuple[ObjectiveSpec, ...], previous: tuple[ObjectiveSpec, ...]
    ) -> list[Any]:
        rows: list[Any] = []
        for i, spec in enumerate(current):
            shape = CURRENT_SHAPES[i % len(CURRENT_SHAPES)]
            rows += self._objective((workspace, "okr", "current", i), workspace, spec, "current", shape)
        for i, spec in enumerate(previous):
            shape = PREVIOUS_SHAPES[i % len(PREVIOUS_SHAPES)]
            rows += self._objective((workspace, "okr", "previous", i), workspace, spec, "previous", shape)
        return rows

    def _objective(
        self, path: tuple[object, ...], workspace: str, spec: ObjectiveSpec, which: str, shape: str
    ) -> list[Any]:
        rng, now = self.rng, self.now
        cycle = self.quarters[which]
        bounds = scoring.quarter_bounds(cycle)
        assert bounds is not None
        cycle_start, cycle_end = bounds
        created = min(cycle_start - rng.uniform(2, 12) * DAY, now - 3600)

        if which == "current":
            ahead, ago = {
                "strong": ((0.0, 0.12), (0.2, 4.0)),
                "good": ((-0.12, -0.04), (7.5, 11.0)),
                "attention": ((-0.2, -0.1), (12.0, 17.0)),
                "at_risk": ((-0.45, -0.3), (28.0, 40.0)),
                "never": ((0.0, 0.0), (0.0, 0.0)),
            }[shape]
            final = scoring.clamp(scoring.expected_progress(bounds, now) + rng.uniform(*ahead))
            last_at = now - rng.uniform(*ago) * DAY
        else:
            final = {"done": 1.0, "good": rng.uniform(0.82, 0.92), "missed": rng.uniform(0.35, 0.55)}.get(
                shape, 0.0
            )
            last_at = cycle_end - rng.uniform(0.5, 8.0) * DAY

        objective_id = self.id(*path)
        rows: list[Any] = []
        updated = created
        for position, kr in enumerate(spec.key_results):
            kr_id = self.id(*path, "kr", position)
            decimals = _decimals(kr.start, kr.target)
            skipped = shape == "never" or (
                position > 0 and shape in ("attention", "at_risk") and rng.random() < 0.3
            )
            kr_last = last_at - (0.0 if position == 0 else rng.uniform(0.0, 3.0) * DAY)
            checkins: list[Checkin] = []
            if not skipped and kr_last > created:
                kr_final = 1.0 if shape == "done" else scoring.clamp(final + rng.uniform(-0.1, 0.1))
                moments = [min(created + rng.uniform(1.0, 4.0) * DAY, kr_last)]
                while moments[-1] + 9 * DAY < kr_last:
                    moments.append(moments[-1] + rng.uniform(5.0, 9.0) * DAY)
                moments[-1] = kr_last
                p0 = rng.uniform(0.0, 0.06)
                for i, at in enumerate(moments):
                    last = i == len(moments) - 1
                    progress = kr_final if last else p0 + (kr_final - p0) * (i + 1) / len(moments)
                    progress = scoring.clamp(progress + (0 if last else rng.uniform(-0.03, 0.03)))
                    value = _value(kr, progress, decimals)
                    status = self._checkin_status(cycle, kr, value, at)
                    comment = rng.choice(CHECKIN_COMMENTS[status]) if rng.random() < 0.6 else None
                    checkin_id = self.id(*path, "kr", position, "checkin", i)
                    checkins.append(Checkin(checkin_id, kr_id, value, status, comment, "seed", at))
            current = checkins[-1].value if checkins else float(kr.start)
            rows.append(
                KeyResult(
                    kr_id,
                    objective_id,
                    position,
                    kr.title,
                    kr.unit,
                    kr.start,
                    kr.target,
                    current,
                    decimals,
                    created,
                )
            )
            rows.extend(checkins)
            if checkins:
                updated = max(updated, checkins[-1].created_at)
        objective = Objective(
            objective_id, workspace, spec.title, spec.type, spec.owner, cycle, created, updated
        )
        return [objective, *rows]

    def _checkin_status(self, cycle: str, kr: KrSpec, value: float, at: float) -> str:
        status = scoring.derived_checkin_status(cycle, kr.start, value, kr.target, at)
        if self.rng.random() < 0.15:  # owners sometimes judge differently from the numbers
            index = scoring.STATUSES.index(status) + self.rng.choice((-1, 1))
            status = scoring.STATUSES[min(2, max(0, index))]
        return status

    def kpis(self, workspace: str, specs: tuple[KpiSpec, ...]) -> list[Any]:
        rng = self.rng
        rows: list[Any] = []
        for n, spec in enumerate(specs):
            kpi_id = self.id(workspace, "kpi", n)
            decimals = _decimals(spec.first, spec.current, spec.target)
            last = self.now - (rng.uniform(18, 30) if spec.stale else rng.uniform(0.1, 6.0)) * DAY
            count = rng.randint(5, 10)
            moments = [last - (count - 1 - i) * rng.uniform(6.5, 7.5) * DAY for i in range(count)]
            updates: list[KpiUpdate] = []
            previous = spec.first
            wobble = abs(spec.current - spec.first) * 0.15
            for i, at in enumerate(moments[1:], start=1):
                value = spec.first + (spec.current - spec.first) * i / (count - 1)
                value = (
                    spec.current if i == count - 1 else _round(value + rng.uniform(-wobble, wobble), decimals)
                )
                update_id = "u-" + self.id(workspace, "kpi", n, "update", i).replace("-", "")[:12]
                updates.append(KpiUpdate(update_id, kpi_id, previous, value, None, "seed", at))
                previous = value
            kpi = Kpi(
                kpi_id,
                workspace,
                spec.name,
                spec.unit,
                spec.direction,
                spec.target,
                spec.current,
                decimals,
                moments[0],
                last,
            )
            rows += [kpi, *updates]
        return rows

    def reviews(
        self,
        workspace: str,
        closed: tuple[ReviewSpec, ...],
        active: tuple[ReviewSpec, ...],
        upcoming: tuple[ReviewSpec, ...] | None,
    ) -> list[Any]:
        now, quarters = self.now, self.quarters
        last_start, last_end = scoring.quarter_bounds(quarters["previous"]) or (0.0, 0.0)
        next_start, _ = scoring.quarter_bounds(quarters["next"]) or (0.0, 0.0)
        active_name = {"2": "Mid-Year Review", "4": "Year-End Review"}.get(
            quarters["current"][1], "Quarterly Review"
        )
        rows = self._cycle(
            workspace,
            "closed",
            f"{quarters['previous']} Quarterly Review",
            due=last_end - 5 * DAY,
            created=last_start + 40 * DAY,
            reviews=closed,
            shared_between=(last_end - 30 * DAY, last_end - 6 * DAY),
        )
        rows += self._cycle(
            workspace,
            "active",
            f"{quarters['current']} {active_name}",
            due=now + 9 * DAY,
            created=now - 20 * DAY,
            reviews=active,
            shared_between=(now - 6 * DAY, now - 0.5 * DAY),
        )
        if upcoming is not None:
            rows += self._cycle(
                workspace,
                "upcoming",
                f"{quarters['next']} Goal-Setting Review",
                due=next_start + 30 * DAY,
                created=now - 2 * DAY,
                reviews=upcoming,
                shared_between=(now, now),
            )
        return rows

    def _cycle(
        self,
        workspace: str,
        status: str,
        name: str,
        *,
        due: float,
        created: float,
        reviews: tuple[ReviewSpec, ...],
        shared_between: tuple[float, float],
    ) -> list[Any]:
        cycle_id = "rc-" + self.id(workspace, "cycle", status).replace("-", "")[:12]
        rows: list[Any] = [ReviewCycle(cycle_id, workspace, name, status, iso_date(due), created)]
        for n, spec in enumerate(reviews):
            review_id = self.id(workspace, "cycle", status, "review", n)
            shared_at = self.rng.uniform(*shared_between) if spec.shared else None
            state = "shared" if spec.shared else "draft"
            rows.append(Review(review_id, cycle_id, spec.employee, spec.type, state, shared_at, created))
            rows.extend(
                Answer(review_id, position, question, answer)
                for position, (question, answer) in enumerate(
                    zip(QUESTIONS[spec.type], spec.answers, strict=True)
                )
            )
        return rows


def seed_rows(seed: int, now: float) -> list[Any]:
    """Every row of both workspaces, in insertion order (parents before children)."""
    build = _Builder(seed, now)
    return [
        *build.okrs(ACME, ACME_CURRENT, ACME_PREVIOUS),
        *build.kpis(ACME, ACME_KPIS),
        *build.reviews(ACME, ACME_REVIEWS_CLOSED, ACME_REVIEWS_ACTIVE, ACME_REVIEWS_UPCOMING),
        *build.okrs(GLOBEX, GLOBEX_CURRENT, GLOBEX_PREVIOUS),
        *build.kpis(GLOBEX, GLOBEX_KPIS),
        *build.reviews(GLOBEX, GLOBEX_REVIEWS_CLOSED, GLOBEX_REVIEWS_ACTIVE, None),
    ]


def seed_database(db: Database, *, seed: int, now: float) -> bool:
    """Fills an empty database with both workspaces; leaves one that has data alone (``--db`` reuse).

    Returns whether it seeded.
    """
    if not db.is_empty():
        return False
    db.insert(seed_rows(seed, now))
    return True


def add_bulk_objectives(db_path: Path, count: int, *, title: str, now: float, owners: int = 1) -> None:
    """Adds ``count`` team objectives to Acme, each with three checked-in key results; objective 0 is
    the most recent. For filling the 500-record lists (the cap test, the 500-row benchmarks)."""
    rows: list[object] = []
    for i in range(count):
        objective_id = stable_id(99, title, i)
        stamp = now - i
        owner = f"Owner {i % owners}" if owners > 1 else "Bulk Owner"
        rows.append(Objective(objective_id, ACME, f"{title} {i}", "team", owner, "Q4 2026", stamp, stamp))
        for k in range(3):
            kr_id = stable_id(99, title, i, k)
            current = 20 + (i * 7 + k) % 80
            rows.append(KeyResult(kr_id, objective_id, k, f"KR {k}", "%", 0, 100, current, 0, stamp))
            rows.append(
                Checkin(stable_id(99, title, i, k, 0), kr_id, current, "on_track", None, "seed", stamp - 3600)
            )
    db = Database(db_path)
    try:
        db.insert(rows)
    finally:
        db.close()
