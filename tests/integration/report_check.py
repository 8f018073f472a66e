"""tests/integration/report_check.py: a tlssweep report, read in real headless
Chromium.

Usage: report_check.py SPEC.json OUTDIR PROFILE_DIR

SPEC lists reports, each with the JSON Lines it was made from and what the
test knows independently of tlssweep's own judgement (the lab's endpoints
by their configuration, the tenants by their DNS set-up):

  {"reports": [{"name": "lab", "html": PATH, "inputs": [JSONL...],
                "classes": {LABEL: CLASS}, "verdicts": {TENANT: VERDICT},
                "hostile": false}]}

Each page is opened through the DevTools protocol (browser.py), once with
scripts on and once with them off, and checked from its DOM:
  - it made no request but for itself, and logged no error;
  - every record of the inputs is a row of the endpoint table, with the
    class the test expects for its label; every tenant (or label) has its
    part with the expected verdict;
  - the charts have one bar per status (and one for any other), per
    version probed, per protocol
    and version, one error bar per version with completed confirmations
    and per endpoint-version with --repeat, four parts in the legacy share;
  - sorting by a heading orders the rows (scripts on); a class filter shows
    only that class's rows, with scripts off as well;
  - a hostile page keeps its title, has no image and one script, and shows
    the hostile strings as text.
A screenshot of each page goes to OUTDIR: the whole page, its top, and its
tenants.
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from browser import Browser  # noqa: E402

VERSIONS = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]

ROWS_JS = """JSON.stringify(Array.prototype.map.call(
  document.querySelectorAll('#endpoints-table tbody tr.row'), function (tr) {
    return {target: tr.querySelector('td.target').firstChild.textContent,
            label: tr.querySelector('td.label').textContent,
            cls: tr.querySelector('td.class .verdict').textContent,
            shown: tr.offsetParent !== null};
  }))"""

TENANTS_JS = """JSON.stringify(Array.prototype.map.call(
  document.querySelectorAll('article.tenant'), function (a) {
    return {name: a.getAttribute('data-tenant'),
            verdict: a.querySelector('h3 .verdict').textContent,
            rows: a.querySelectorAll('tr.ep').length};
  }))"""


def records(paths):
    """The scan records of the inputs, and the tenant summaries."""
    recs, sums = [], []
    for path in paths:
        for raw in open(path, "rb"):
            try:
                o = json.loads(raw)
            except ValueError:
                continue  # a bad line: the page lists it, it is no record
            if isinstance(o, dict) and isinstance(o.get("tenant"), str):
                sums.append(o)
            elif isinstance(o, dict) and isinstance(o.get("target"), str):
                recs.append(o)
    return recs, sums


def expected_bars(recs):
    probed = [v for v in VERSIONS
              if any(r.get("versions", {}).get(v, {}).get("verdict") not in (None, "skipped")
                     for r in recs)]
    protos = {r["proto"] for r in recs if "proto" in r}
    confirmed = [v for v in VERSIONS
                 if any(r.get("versions", {}).get(v, {}).get("confirm", {}).get("handshake") == "ok"
                        for r in recs)]
    repeated = sum(1 for r in recs for v in VERSIONS
                   if r.get("versions", {}).get(v, {}).get("confirm", {})
                   .get("repeat", {}).get("n", 0) > 1)
    known = ("ok", "unreachable", "dns_error", "blocked", "invalid")
    other = any(r.get("status") not in known for r in recs)
    return {"status": 5 + other, "versions": len(probed), "protocols": len(protos) * len(probed),
            "legacy": 4, "rates": len(confirmed), "endpoint-rates": min(repeated, 40)}


def count_marks(page, chart, selector):
    return page.eval(f"document.querySelectorAll('svg[data-chart=\"{chart}\"] {selector}').length")


def check_dom(page, spec, recs, sums, name):
    """The checks common to scripts on and off."""
    rows = json.loads(page.eval(ROWS_JS))
    assert len(rows) == len(recs), f"{name}: {len(rows)} rows for {len(recs)} records"
    want = sorted((r["target"], r.get("label", "")) for r in recs)
    got = sorted((x["target"], x["label"]) for x in rows)
    assert got == want, f"{name}: rows {got} != records {want}"
    for x in rows:
        cls = spec["classes"].get(x["label"])
        assert cls is None or x["cls"] == cls, f"{name}: {x['label']} is {x['cls']}, not {cls}"
    tenants = {t["name"]: t for t in json.loads(page.eval(TENANTS_JS))}
    labels = ({r["label"] for r in recs if "label" in r} |
              {s.get("label", s["tenant"]) for s in sums})
    assert set(tenants) == labels, f"{name}: tenants {sorted(tenants)} != {sorted(labels)}"
    for t, verdict in spec["verdicts"].items():
        assert tenants[t]["verdict"] == verdict, f"{name}: {t} is {tenants[t]['verdict']}"
    for t in tenants.values():
        n = sum(1 for r in recs if r.get("label") == t["name"])
        assert t["rows"] == n, f"{name}: tenant {t['name']} has {t['rows']} rows, not {n}"
    bars = expected_bars(recs)
    for chart, n in bars.items():
        mark = {"legacy": "rect.seg", "rates": "g.ebar", "endpoint-rates": "g.ebar"}.get(
            chart, "rect.bar")
        got = count_marks(page, chart, mark)
        assert got == n, f"{name}: chart {chart} has {got} {mark}, not {n}"
    # A class filter: radio buttons and CSS, no script.
    for cls in sorted({x["cls"] for x in rows}):
        page.eval(f"document.getElementById('fc-{cls}').checked = true")
        shown = json.loads(page.eval(ROWS_JS))
        visible = [x for x in shown if x["shown"]]
        assert visible and all(x["cls"] == cls for x in visible), f"{name}: filter {cls}"
        assert len(visible) == sum(1 for x in rows if x["cls"] == cls), f"{name}: filter {cls}"
    page.eval("document.getElementById('fc-all').checked = true")
    assert all(x["shown"] for x in json.loads(page.eval(ROWS_JS))), f"{name}: filter reset"


# Whether the endpoint table's first column is in order, by the page's own
# collation (localeCompare, as the sort uses).
ORDERED_JS = """(function (dir) {
  var t = Array.prototype.map.call(
    document.querySelectorAll('#endpoints-table tbody td.target'),
    function (td) { return td.textContent.trim(); });
  for (var i = 1; i < t.length; i++)
    if (dir * t[i - 1].localeCompare(t[i]) > 0) return false;
  return true;
})"""


def check_sorting(page, name):
    th = "document.querySelector('#endpoints-table thead th')"
    for direction, word in ((1, "ascending"), (-1, "descending")):
        page.eval(f"{th}.click()")
        assert page.eval(f"{th}.getAttribute('aria-sort')") == word, f"{name}: not {word}"
        assert page.eval(f"{ORDERED_JS}({direction})"), f"{name}: rows not {word} by target"


def check_hostile(page, name):
    time.sleep(0.5)  # give anything that could run the time to run
    assert page.eval("document.title") == "tlssweep report", \
        f"{name}: title is {page.eval('document.title')!r}"
    assert page.eval("document.images.length") == 0, f"{name}: an image came through"
    assert page.eval("document.scripts.length") == 1, f"{name}: a script came through"
    assert page.eval("document.querySelectorAll('[onerror],[onload]').length") == 0, \
        f"{name}: an event handler attribute came through"
    text = page.eval("document.body.textContent")
    assert "<script>document.title='pwned'</script>" in text, f"{name}: the banner is not text"
    assert "onerror" in text, f"{name}: the hostile reply is not shown"


def main():
    spec_path, outdir, profile = sys.argv[1], sys.argv[2], sys.argv[3]
    spec = json.load(open(spec_path))
    browser = Browser(profile)
    try:
        for rep in spec["reports"]:
            name = rep["name"]
            recs, sums = records(rep["inputs"])
            url = "file://" + os.path.abspath(rep["html"])
            for scripts in (True, False):
                page = browser.new_page()
                page.send("Emulation.setScriptExecutionDisabled", value=not scripts)
                page.open(url, width=1280, height=1000)
                check_dom(page, rep, recs, sums, f"{name} (scripts {'on' if scripts else 'off'})")
                if scripts:
                    if rep.get("hostile"):
                        check_hostile(page, name)
                    page.screenshot(os.path.join(outdir, f"{name}-top.png"), height=1400)
                    page.screenshot(os.path.join(outdir, f"{name}.png"))
                    y = page.eval("document.getElementById('tenants').getBoundingClientRect().top"
                                  " + window.scrollY")
                    page.screenshot(os.path.join(outdir, f"{name}-tenants.png"), y=int(y),
                                    height=1200)
                    check_sorting(page, name)
                assert page.errors() == [], f"{name}: console errors {page.errors()}"
                assert page.requests() == [url], f"{name}: requests {page.requests()}"
                page.close()
            print(f"{name}: {len(recs)} records, {len(sums)} tenant summaries: ok")
    finally:
        browser.close()


if __name__ == "__main__":
    main()
