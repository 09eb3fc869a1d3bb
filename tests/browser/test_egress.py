"""Egress probe: code running where the checker runs reaches no other origin, by any channel we know of.

The probe runs every channel at a second local origin (another loopback port; its server records every
request) and at a UDP port standing in for a STUN server (WebRTC). Two runs of the same probe:

- protected: the real guide page, from Python inside the checker's Pyodide (the test hook), so it is the
  very context a pasted secret lives in. Each channel must be refused, each for its own stated reason: a
  policy violation naming the channel's URL, or the page script's guard (WebRTC gone, window.open inert,
  navigation to another site cancelled). The probe origin and the UDP port must receive nothing.
- control: the same page at the same origin, served without its policy and without the page script. There
  each channel (but the two noted below) does reach the probe, so a silent probe above means the channel was
  refused, not that the probe could not hear it.

Not covered, because this Chromium offers nothing to observe: DNS prefetching and preconnect (headless
Chromium made no lookup and no connection for them, with or without a policy). The page turns DNS
prefetching off (meta tag and script); test_every_page_turns_dns_prefetching_off checks that it says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from kgbrowser import (
    NAVIGATION_RECORDER,
    VIOLATION_RECORDER,
    Probe,
    UdpProbe,
    navigations,
    open_checker,
    serve,
    udp_probe,
    violations,
)

pytestmark = pytest.mark.browser

KRAKEN = "/venues/kraken-spot/"

# One channel each; the path names the channel, so a hit says which one got through. Navigation-like
# channels (navigation, form, window.open) wait before the next starts: a second navigation would cancel a
# first one still pending, and hide it. The probe server answers 204, so a navigation that does go through
# leaves the page where it is.
EGRESS_PROBE = """
async (target, stunPort) => {
  const results = {};
  const url = (name) => target + "/egress/" + name;
  const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const attempt = async (name, action) => {
    try {
      const value = await action();
      results[name] = value === undefined ? "attempted" : String(value);
    } catch (error) {
      results[name] = "threw " + error.name;
    }
  };
  const offer = async (Connection) => {
    const connection = new Connection({iceServers: [{urls: "stun:127.0.0.1:" + stunPort}]});
    connection.createDataChannel("probe");
    await connection.setLocalDescription(await connection.createOffer());
    return "offered";
  };
  await attempt("fetch", () => fetch(url("fetch"), {method: "POST", body: "canary"}).then(() => "sent"));
  await attempt("xhr", () => new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("POST", url("xhr"));
    request.onload = () => resolve("sent");
    request.onerror = () => reject(new TypeError("xhr error"));
    request.send("canary");
  }));
  await attempt("websocket", () => new Promise((resolve) => {
    const socket = new WebSocket(url("websocket").replace("http:", "ws:"));
    socket.onopen = () => resolve("open");
    socket.onerror = () => resolve("error");
  }));
  await attempt("eventsource", () => {
    const source = new EventSource(url("eventsource"));
    setTimeout(() => source.close(), 1000);
  });
  await attempt("beacon", () => (navigator.sendBeacon(url("beacon"), "canary") ? "queued" : "refused"));
  await attempt("image", () => { new Image().src = url("image"); });
  await attempt("prefetch", () => {
    const link = document.createElement("link");
    link.rel = "prefetch";
    link.href = url("prefetch");
    document.head.append(link);
  });
  await attempt("iframe", () => {
    const frame = document.createElement("iframe");
    frame.src = url("iframe");
    document.body.append(frame);
  });
  await attempt("import", () => import(url("import.mjs")).then(() => "imported"));
  await attempt("worker", () => { new Worker(url("worker.js")); });
  await attempt("blob-worker", () => {
    const code = "fetch(" + JSON.stringify(url("blob-worker")) + ")";
    new Worker(URL.createObjectURL(new Blob([code], {type: "text/javascript"})));
  });
  await attempt("webrtc", () => offer(window.RTCPeerConnection));
  await attempt("webrtc-in-frame", () => {
    const frame = document.createElement("iframe");
    document.body.append(frame);
    return offer(frame.contentWindow.RTCPeerConnection);
  });
  await attempt("navigation", () => { location.href = url("navigation"); });
  await pause(500);
  await attempt("form", () => {
    const form = document.createElement("form");
    form.method = "post";
    form.action = url("form");
    document.body.append(form);
    form.submit();
  });
  await pause(500);
  await attempt("window-open", () => (window.open(url("window-open")) === null ? "null" : "opened"));
  await pause(500);
  await attempt("window-open-in-frame", () => {
    const frame = document.createElement("iframe");
    document.body.append(frame);
    return frame.contentWindow.open(url("window-open-in-frame")) === null ? "null" : "opened";
  });
  await pause(1500);
  return results;
}
"""

# How the protected page refuses each channel. By the policy: the directive it violates, and the URL the
# violation names (Chromium reports a blocked frame by its origin only, and a blob: worker as "blob").
BY_POLICY = {
    "fetch": ("connect-src", "/egress/fetch"),
    "xhr": ("connect-src", "/egress/xhr"),
    "websocket": ("connect-src", "/egress/websocket"),
    "eventsource": ("connect-src", "/egress/eventsource"),
    "beacon": ("connect-src", "/egress/beacon"),
    "image": ("img-src", "/egress/image"),
    "prefetch": ("default-src", "/egress/prefetch"),
    "iframe": ("frame-src", ""),
    "import": ("script-src-elem", "/egress/import.mjs"),
    "blob-worker": ("worker-src", None),
}
# By the page script's guard: what the channel's code got back.
BY_GUARD = {
    "webrtc": "threw TypeError",  # RTCPeerConnection is gone: new undefined(...)
    "webrtc-in-frame": "threw TypeError",  # and gone from a frame the moment it exists
    "window-open": "null",
    "window-open-in-frame": "null",
}
# By the guard too: navigations of the tab to another site, cancelled (the navigate event's defaultPrevented).
# A form sent to another site is one: the guard cancels it before the policy's form-action is consulted.
CANCELLED = {"navigation", "form"}
# Refused by every browser whatever the policy (a worker's script must be same-origin): no control possible.
ALWAYS_REFUSED = {"worker": "threw SecurityError"}
CHANNELS = set(BY_POLICY) | set(BY_GUARD) | CANCELLED | set(ALWAYS_REFUSED)


def hit_channels(probe: Probe, before: int) -> set[str]:
    return {m.group(1) for hit in probe.hits[before:] if (m := re.match(r"\w+ /egress/([\w.-]+?)(?:\.m?js)?$", hit))}


@pytest.fixture
def stun() -> Iterator[UdpProbe]:
    with udp_probe() as server:
        yield server


def test_no_channel_reaches_another_origin_from_the_checker_context(
    context: BrowserContext, page: Page, site_url: str, probe: Probe, stun: UdpProbe
) -> None:
    context.add_init_script(VIOLATION_RECORDER + NAVIGATION_RECORDER)
    before = len(probe.hits)
    form = open_checker(page, site_url + KRAKEN + "?kg-test")
    expect(form.locator("[data-kg-status]")).to_contain_text("Ready")
    # Wrapped: Playwright calls a function that an evaluated expression yields, and would run the probe here.
    page.evaluate(f"() => {{ window.__kgEgress = {EGRESS_PROBE}; }}")
    outcome: dict[str, Any] = page.evaluate(
        """async ([target, stunPort]) => {
            const pyodide = window.__keyguideTestHook.pyodide();
            pyodide.globals.set("TARGET", target);
            pyodide.globals.set("STUN_PORT", stunPort);
            return JSON.parse(await pyodide.runPythonAsync(`
import json
from js import fetch, __kgEgress
from pyodide.http import pyfetch

python = {}
for name, call in (
    ("js.fetch", lambda: fetch(TARGET + "/egress/js-fetch")),
    ("pyfetch", lambda: pyfetch(TARGET + "/egress/pyfetch", method="POST", body="canary")),
):
    try:
        await call()
        python[name] = "sent"
    except Exception as error:
        python[name] = "refused: " + type(error).__name__

channels = (await __kgEgress(TARGET, STUN_PORT)).to_py()
json.dumps({"python": python, "channels": channels})
`));
        }""",
        [probe.url, stun.port],
    )
    page.wait_for_timeout(500)
    assert all(value.startswith("refused") for value in outcome["python"].values()), outcome
    results = outcome["channels"]
    assert set(results) == CHANNELS, results
    seen = violations(page)
    for channel, (directive, path) in BY_POLICY.items():
        scheme = "ws:" if channel == "websocket" else "http:"
        blocked = "blob" if path is None else probe.url.replace("http:", scheme) + path
        assert {"directive": directive, "blocked": blocked} in seen, f"{channel} ({results[channel]}): {seen}"
    for channel, expected in {**BY_GUARD, **ALWAYS_REFUSED}.items():
        assert results[channel] == expected, (channel, results[channel])
    tried = {n["url"]: n["cancelled"] for n in navigations(page)}
    assert {tried.get(f"{probe.url}/egress/{channel}") for channel in CANCELLED} == {True}, tried
    assert page.url == site_url + KRAKEN + "?kg-test", "the tab navigated away"
    assert hit_channels(probe, before) == set() and probe.hits[before:] == [], probe.hits[before:]
    assert stun.packets == [], "a STUN packet reached the UDP probe (WebRTC)"


def test_control_every_channel_reaches_the_probe_without_policy_and_page_script(
    context: BrowserContext, page: Page, site_dir: Path, probe: Probe, stun: UdpProbe, tmp_path: Path
) -> None:
    """The control of the test above: the same guide page, without its policy and page script.

    Served from a server of its own (a page fulfilled by Playwright's router has no address, and Chromium's
    local-network rules then refuse its requests to 127.0.0.1, which would make this control pass for the
    wrong reason).
    """
    html = (site_dir / "venues/kraken-spot/index.html").read_text(encoding="utf-8")
    stripped = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
    stripped = re.sub(r'<script src="[^"]*/assets/keyguide/[^"]*"[^>]*></script>', "", stripped)
    # No policy, and none of our scripts (the loader, which would add checker.js).
    assert stripped.count("Content-Security-Policy") == 0 and "/assets/keyguide/" not in stripped
    (tmp_path / "index.html").write_text(stripped, encoding="utf-8")
    before = len(probe.hits)
    with serve(tmp_path) as unprotected:
        page.goto(unprotected + "/")
        results = page.evaluate(f"([target, port]) => ({EGRESS_PROBE})(target, port)", [probe.url, stun.port])
        page.wait_for_timeout(500)
    reached = hit_channels(probe, before)
    expected = CHANNELS - {"webrtc", "webrtc-in-frame"} - set(ALWAYS_REFUSED)
    assert reached == expected, f"missing: {sorted(expected - reached)}; results: {results}"
    assert results["worker"] == ALWAYS_REFUSED["worker"]
    assert results["webrtc"] == results["webrtc-in-frame"] == "offered"
    assert len(stun.packets) >= 1, "no STUN packet: the WebRTC channel of the probe hears nothing"
