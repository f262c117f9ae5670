"""Lighthouse's JSON report, read against issue 17's targets: each category's score, the
metrics, what missed a target and the failing audits behind each miss, and the table
bench/reach.py prints."""

from __future__ import annotations

from dataclasses import dataclass, field

#: The targets: category scores out of 100, and no layout shift at all.
PERFORMANCE, ACCESSIBILITY, BEST_PRACTICES = 95, 100, 100


@dataclass
class Audit:
    """One page's Lighthouse figures and, for each miss, what failed."""

    page: str
    scores: dict[str, int]
    metrics: dict[str, float]
    misses: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    #: The layout shift Chromium saw on a really throttled load (None: not measured).
    shift_4g: float | None = None


CATEGORIES = (
    ("performance", PERFORMANCE),
    ("accessibility", ACCESSIBILITY),
    ("best-practices", BEST_PRACTICES),
)
METRICS = (
    ("FCP", "first-contentful-paint"),
    ("LCP", "largest-contentful-paint"),
    ("CLS", "cumulative-layout-shift"),
    ("TBT", "total-blocking-time"),
)


def _item_text(item: dict) -> str:
    """What a failing audit's row points at: an element, an address, or its text."""
    node = item.get("node") or {}
    for text in (
        node.get("selector"),
        node.get("snippet"),
        item.get("url"),
        (item.get("source") or {}).get("url"),
        item.get("description"),
    ):
        if isinstance(text, str) and text:
            return text if len(text) <= 90 else text[:87] + "…"
    return ""


def _failed(report: dict, audit_id: str) -> str:
    audit = report["audits"][audit_id]
    if audit.get("errorMessage"):  # e.g. layout-shifts' root causes on Debian's Chromium
        return f"{audit_id}: {audit['title']} — Lighthouse could not tell: {audit['errorMessage']}"
    items = [_item_text(item) for item in (audit.get("details") or {}).get("items", [])]
    items = list(dict.fromkeys(item for item in items if item))  # each element once
    shown = "; ".join(items[:3]) + (f" (+{len(items) - 3} more)" if len(items) > 3 else "")
    value = f" [{audit['displayValue']}]" if audit.get("displayValue") else ""
    return f"{audit_id}: {audit['title']}{value}" + (f" — {shown}" if shown else "")


def failing_audits(report: dict, category: str) -> list[str]:
    """The audits that cost the category points: scored ones below 1 (accessibility, best
    practices); for performance, the diagnostics and opportunities below 0.9."""
    found = []
    for ref in report["categories"][category]["auditRefs"]:
        audit = report["audits"][ref["id"]]
        if audit.get("score") is None or audit.get("scoreDisplayMode") in ("notApplicable",):
            continue
        if category == "performance":
            if ref.get("group") in ("metrics", "hidden") or audit["score"] >= 0.9:
                continue
        elif ref.get("weight", 0) == 0 or audit["score"] >= 1:
            continue
        found.append(_failed(report, ref["id"]))
    return found


def summarise(page: str, report: dict) -> Audit:
    scores = {
        name: round((report["categories"][name]["score"] or 0) * 100) for name, _ in CATEGORIES
    }
    metrics = {short: report["audits"][key]["numericValue"] for short, key in METRICS}
    result = Audit(page, scores, metrics)
    for name, target in CATEGORIES:
        if scores[name] < target:
            result.misses.append(f"{name} {scores[name]} < {target}")
            result.failures.extend(failing_audits(report, name))
    if metrics["CLS"] > 0:
        result.misses.append(f"CLS {metrics['CLS']:.3f} > 0")
        for audit_id in ("layout-shifts", "layout-shift-elements"):
            if audit_id in report["audits"]:
                result.failures.append(_failed(report, audit_id))
    return result


def add_observed_shifts(audit: Audit, shifts: list[tuple[float, list[str]]]) -> None:
    """Lighthouse sees a shift only when its one unthrottled load happens to get a photo
    late: the shifts of a throttled load in Chromium whose images arrive after the first
    paint (each value and the elements it moved) test the CLS target every time."""
    audit.shift_4g = sum(value for value, _ in shifts)
    if audit.shift_4g > 0:
        audit.misses.append(f"CLS on slow 4G, photos late {audit.shift_4g:.3f} > 0")
    for value, moved in shifts:
        audit.failures.append(
            f"layout shift on slow 4G, photos late, {value:.3f}: {', '.join(moved)}"
        )


def lighthouse_table(audits: list[Audit]) -> None:
    header = (
        f"{'page':<17} {'perf':>4} {'a11y':>4} {'bp':>4} {'FCP ms':>7} {'LCP ms':>7}"
        f" {'CLS':>6} {'TBT ms':>6} {'CLS 4G':>6}  verdict"
    )
    print(f"\nLighthouse 12, mobile (simulated slow 4G, 4x CPU)\n{header}\n{'-' * len(header)}")
    print(
        f"{'target':<17} {'>=' + str(PERFORMANCE):>4} {ACCESSIBILITY:>4} {BEST_PRACTICES:>4}"
        f" {'':>7} {'':>7} {0:>6} {'':>6} {0:>6}"
    )
    for audit in audits:
        s, m = audit.scores, audit.metrics
        shift = "" if audit.shift_4g is None else f"{audit.shift_4g:.3f}"
        print(
            f"{audit.page:<17} {s['performance']:>4} {s['accessibility']:>4}"
            f" {s['best-practices']:>4} {m['FCP']:7.0f} {m['LCP']:7.0f} {m['CLS']:6.3f}"
            f" {m['TBT']:6.0f} {shift:>6}"
            f"  {'MISS: ' + ', '.join(audit.misses) if audit.misses else 'ok'}"
        )
    for audit in audits:
        if audit.failures:
            print(f"\n{audit.page}: what failed")
            for failure in audit.failures:
                print(f"  - {failure}")
