"""Every value of the parameters and of the rules file is escaped for where the bulletin's HTML puts
it (element text, a double-quoted attribute such as the <meta name="author"> the issuer goes in):
one render of every section, with quote and markup payloads in every params field and every rules
text, opened in headless Chromium (Debian's ``chromium``), adds no element and makes no request;
the payloads are shown as text, not refused.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from browser_support import Tab, watch
from reliability_support import install_debian_package
from scoring.inputs.dataset import make_dataset
from scoring.inputs.rules_file import DEFAULT_RULES, load_rules
from scoring.method.engine import score
from scoring.report import bulletin
from test_bulletin_content import bulletin_html

pytestmark = [pytest.mark.browser]

# Each payload closes a double- and a single-quoted attribute and an element, then adds elements
# that would show (every one carries data-injected), navigate away, fetch or run a script. Hosts
# are *.invalid: Chromium's resolver (--host-resolver-rules) sends nothing anywhere, yet the
# DevTools log would record the request.
PAYLOAD = ('"\'></title></p></td><i data-injected="1">注入</i>'
           '<meta data-injected="1" http-equiv="refresh" content="0;url=http://refresh.invalid/">'
           '<img data-injected="1" src="http://img.invalid/x.png">'
           '<script data-injected="1">document.title="hijacked"</script>')
PARAMS_TEXT = ("issue_number", "doc_number", "cc", "next_steps", "issuer")


def hostile(label: str) -> str:
    """A payload carrying ``label`` (which field it was put in) as text before it."""
    return f"{label}{PAYLOAD}"


def hostile_rules(folder: Path) -> Path:
    """The default rules file with every shown text replaced by a payload: meta title, subject,
    topic, issuer and status, every name and every clause text (keys stay, so the data still
    matches)."""
    data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    for key in ("title", "subject", "topic", "issuer", "status"):
        data["meta"][key] = hostile(f"meta.{key}")
    count = 0

    def walk(node):
        nonlocal count
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("text", "name") and isinstance(v, str):
                    count += 1
                    node[k] = hostile(f"{k}{count}")
                else:
                    walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in data.items() if k != "meta"})
    assert count > 20, "the walk found too few texts: the test would be blind"
    path = folder / "hostile.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


UNITS = [{"unit_id": "Z1", "unit_name": "昆仑街道", "category": "镇区街道"},
         {"unit_id": "D1", "unit_name": "市司法局", "category": "市级机关部门"},
         {"unit_id": "G1", "unit_name": "团市委", "category": "群团"}]
SUBMISSIONS = [dict(record_id="S1", unit_id="Z1", column="在线访谈", level="常州市", adopted_on="2023-11-02"),
               dict(record_id="S2", unit_id="D1", column="要闻动态", level="溧阳市", adopted_on="2023-10-12")]
EVENTS = [dict(event_id="E1", unit_id="D1", date="2023-11-15", type="content_error", note="错别字")]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, str, dict]:
    """bulletin.html of every 2023Q4 section with payloads in every params field and rules text:
    (the file, its title as the rules and parameters make it, the parameters)."""
    folder = tmp_path_factory.mktemp("escaping")
    rules = load_rules(hostile_rules(folder))
    result = score(make_dataset(units=UNITS, submissions=SUBMISSIONS, events=EVENTS), rules, 2023, 4)
    params = {k: hostile(f"params.{k}") for k in PARAMS_TEXT} | {"issue_date": "2024-01-10"}
    issue = bulletin.issue(result, **params)
    title = bulletin.bulletin_title(result)
    html = bulletin_html(result, issue)
    path = folder / "bulletin.html"
    path.write_text(html, encoding="utf-8")
    return path, title, params


@pytest.fixture(scope="module")
def chromium() -> str:
    path = install_debian_package("chromium", "chromium")
    assert path is not None, "Debian's chromium is needed: apt-get install -y chromium"
    return path


# What the page holds once loaded, asked of the DOM itself.
PROBE = """JSON.stringify({
  injected: document.querySelectorAll('[data-injected]').length,
  scripts: document.querySelectorAll('script').length,
  refresh: document.querySelectorAll('meta[http-equiv]').length,
  author: (document.querySelector('meta[name="author"]') || {}).content,
  title: document.title,
  text: document.body.innerText,
  url: location.href,
})"""


async def _open_and_probe(ws_url: str, page_url: str) -> tuple[list[dict], dict]:
    """Navigate a new tab to ``page_url``, wait for the load and 1 s more (a meta refresh of 0 s,
    lazy images); (DevTools events, what :data:`PROBE` found)."""
    tab = await Tab.open(ws_url, page_url, ("Network", "Runtime", "Page"))
    await tab.drain(1.0)
    found = await tab.call("Runtime.evaluate", {"expression": PROBE, "returnByValue": True})
    await tab.close()
    return tab.events, json.loads(found["result"]["value"])


@pytest.fixture(scope="module")
def opened(chromium, browser, page):
    path, _, _ = page
    url, (events, dom) = watch(browser, path, visitor=_open_and_probe)
    return url, events, dom


def test_the_payloads_reach_the_html_so_the_check_is_not_blind(page):
    path, _, params = page
    html = path.read_text(encoding="utf-8")
    # Escaped, the payloads are there: the issuer (params wins over meta.issuer) in <meta> and 落款,
    # the subject in the title, the category and event names, the parameters' own texts.
    for label in ("params.issuer", "params.doc_number", "params.cc", "params.next_steps", "params.issue_number",
                  "meta.subject", "meta.title"):
        assert label in html, label
    assert 'data-injected' in html            # as text: &#34;data-injected=&#34; …
    assert '<i data-injected' not in html and '<script data-injected' not in html


def test_the_page_adds_no_element_and_runs_nothing(opened):
    _, _, dom = opened
    assert dom["injected"] == 0
    assert dom["scripts"] == 0
    assert dom["refresh"] == 0


def test_the_page_stays_where_it_was_opened_and_requests_nothing_else(opened):
    url, events, dom = opened
    assert dom["url"] == url
    requests = [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]
    assert url in requests, "the DevTools log saw no request for the page: the check would be blind"
    assert [u for u in requests if u != url and not u.startswith(("data:", "about:"))] == []


def test_the_payloads_are_shown_as_text(opened, page):
    _, title, params = opened[0], page[1], page[2]
    dom = opened[2]
    assert dom["author"] == params["issuer"]          # the whole attribute value, quotes and all
    assert dom["title"] == title
    for key in ("issuer", "doc_number", "cc"):
        assert params[key] in dom["text"], key
