"""bench/reach.py's reading of a Lighthouse report: a page at every target passes, and each
miss is named with the audits that caused it (what the next engineer fixes)."""

from __future__ import annotations

from bench.lighthouse_report import add_observed_shifts, summarise


def _report(*, accessibility=1.0, cls=0.0, perf=1.0, contrast=1.0, render_blocking=1.0) -> dict:
    """The few parts of Lighthouse 12's JSON the benchmark reads."""
    audits = {
        "first-contentful-paint": {"numericValue": 900.0},
        "largest-contentful-paint": {"numericValue": 1100.0},
        "cumulative-layout-shift": {"numericValue": cls},
        "total-blocking-time": {"numericValue": 0.0},
        "color-contrast": {
            "score": contrast,
            "scoreDisplayMode": "binary",
            "title": "Background and foreground colors do not have a sufficient contrast ratio.",
            "details": {"items": [{"node": {"selector": "article.product-card > p.stars"}}]},
        },
        "image-alt": {"score": None, "scoreDisplayMode": "notApplicable", "title": "alt"},
        "render-blocking-resources": {
            "score": render_blocking,
            "scoreDisplayMode": "metricSavings",
            "title": "Eliminate render-blocking resources",
            "displayValue": "Potential savings of 300 ms",
            "details": {"items": [{"url": "http://127.0.0.1/static/css/site.css"}]},
        },
        "layout-shifts": {
            "score": 0 if cls else 1,
            "title": "Avoid large layout shifts",
            "details": {"items": [{"node": {"selector": "div.gallery > img"}}] if cls else []},
        },
    }
    return {
        "audits": audits,
        "categories": {
            "performance": {
                "score": perf,
                "auditRefs": [
                    {"id": "first-contentful-paint", "weight": 10, "group": "metrics"},
                    {"id": "render-blocking-resources", "weight": 0, "group": "diagnostics"},
                ],
            },
            "accessibility": {
                "score": accessibility,
                "auditRefs": [
                    {"id": "color-contrast", "weight": 7},
                    {"id": "image-alt", "weight": 10},
                ],
            },
            "best-practices": {"score": 1.0, "auditRefs": []},
        },
    }


def test_a_page_at_every_target_has_no_miss():
    audit = summarise("home", _report())

    assert audit.scores == {"performance": 100, "accessibility": 100, "best-practices": 100}
    assert audit.metrics["FCP"] == 900.0
    assert audit.misses == [] and audit.failures == []


def test_an_accessibility_miss_names_the_failing_audit_and_its_elements():
    audit = summarise("home", _report(accessibility=0.96, contrast=0))

    assert audit.misses == ["accessibility 96 < 100"]
    assert len(audit.failures) == 1
    assert audit.failures[0].startswith("color-contrast: Background and foreground")
    assert "article.product-card > p.stars" in audit.failures[0]


def test_any_layout_shift_is_a_miss_with_the_element_that_moved():
    audit = summarise("product", _report(cls=0.23))

    assert audit.misses == ["CLS 0.230 > 0"]
    assert "div.gallery > img" in audit.failures[0]


def test_a_performance_miss_lists_what_slowed_the_page_not_the_metrics():
    audit = summarise("trace", _report(perf=0.9, render_blocking=0.5))

    assert audit.misses == ["performance 90 < 95"]
    assert audit.failures == [
        "render-blocking-resources: Eliminate render-blocking resources"
        " [Potential savings of 300 ms] — http://127.0.0.1/static/css/site.css"
    ]


def test_an_audit_lighthouse_could_not_run_says_so_instead_of_naming_nothing():
    report = _report(cls=0.007)
    report["audits"]["layout-shifts"] = {
        "score": None,
        "scoreDisplayMode": "error",
        "title": "Avoid large layout shifts",
        "errorMessage": "Required RootCauses gatherer encountered an error",
    }

    audit = summarise("checkout", report)

    assert audit.misses == ["CLS 0.007 > 0"]
    assert audit.failures == [
        "layout-shifts: Avoid large layout shifts — Lighthouse could not tell:"
        " Required RootCauses gatherer encountered an error"
    ]


def test_a_shift_seen_on_a_throttled_load_is_a_miss_even_when_lighthouse_saw_none():
    audit = summarise("product", _report())

    add_observed_shifts(audit, [(0.251, ["article.product-page > div.product-info"])])

    assert audit.shift_4g == 0.251
    assert audit.misses == ["CLS on slow 4G, photos late 0.251 > 0"]
    assert audit.failures == [
        "layout shift on slow 4G, photos late, 0.251: article.product-page > div.product-info"
    ]


def test_a_throttled_load_without_shifts_adds_no_miss():
    audit = summarise("home", _report())

    add_observed_shifts(audit, [])

    assert audit.shift_4g == 0 and audit.misses == [] and audit.failures == []
