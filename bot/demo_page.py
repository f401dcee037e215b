"""The demo page's frame: one card per message in time order (channel posts, thread replies, DMs, edits,
charts, modals, App Home), the day's timeline beside them, and a check the browser test reads."""

from __future__ import annotations

import html
from datetime import date
from typing import Any

from bot.demo_html import Entry, Names, block, mrkdwn

CSS = """
body{font:15px/1.45 -apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;color:#1d1c1d;display:flex}
nav{width:260px;position:sticky;top:0;height:100vh;overflow:auto;background:#3f0e40;color:#fff;padding:12px;
box-sizing:border-box;font-size:13px}
nav a{color:#e8d5e8;text-decoration:none;display:block;padding:2px 0} nav h2{font-size:15px}
main{flex:1;padding:16px 24px;max-width:900px}
.msg{border:1px solid #ddd;border-radius:8px;padding:10px 14px;margin:12px 0;background:#fff}
.msg.thread{margin-left:40px;border-left:4px solid #c5b7c6} .msg.home{background:#f8f8fa}
.msg.modal{border:2px solid #611f69} .where{font-size:12px;color:#616061;margin-bottom:6px}
.where b{color:#1d1c1d} h3{margin:4px 0} hr{border:0;border-top:1px solid #ddd}
.section{display:flex;justify-content:space-between;gap:12px;margin:4px 0}
.fields{display:grid;grid-template-columns:1fr 1fr;gap:4px 16px} .context{font-size:12px;color:#616061;margin:4px 0}
.button{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:2px 10px;margin:2px 6px 2px 0;
font-weight:600;font-size:13px;white-space:nowrap;align-self:flex-start}
.button.primary{background:#007a5a;color:#fff;border-color:#007a5a} .button.danger{color:#e01e5a}
.select,.input{display:inline-block;border:1px solid #bbb;border-radius:4px;padding:2px 10px;min-width:120px}
.mention{background:#e8f5fa;color:#1264a3;border-radius:3px;padding:0 2px}
code{background:#f6f6f6;border:1px solid #ddd;border-radius:3px;padding:0 3px;font-size:13px}
pre{background:#f6f6f6;border:1px solid #ddd;padding:6px}
blockquote{border-left:4px solid #ddd;margin:0;padding-left:8px}
figure{margin:6px 0} figure img{max-width:100%;border:1px solid #eee} figcaption{font-size:12px;color:#616061}
.thumb{width:48px;height:48px} .field label{display:block;font-weight:600}
"""

CHECK = """
window.addEventListener('load', function () {
  var shown = 0, all = document.querySelectorAll('.msg');
  all.forEach(function (m) {
    var r = m.getBoundingClientRect(), s = getComputedStyle(m);
    var ok = r.width > 0 && r.height > 20 && s.display !== 'none' && s.visibility !== 'hidden';
    m.setAttribute('data-visible', ok ? '1' : '0');
    if (ok) { shown += 1; }
  });
  document.body.setAttribute('data-checked', shown + '/' + all.length);
});
"""


def where(e: Entry, names: Names) -> tuple[str, str]:
    """(css class, what the reader sees as the place) of a call."""
    p = e.params
    if e.method == "views.publish":
        return "home", f"App Home of <b>{html.escape(names.user(p.get('user_id', '')))}</b>"
    if e.method in ("views.open", "views.update", "views.push"):
        return "modal", "Modal"
    place = html.escape(names.channel(str(p.get("channel") or p.get("channel_id") or "")))
    place = place if place.startswith("DM") else f"#{place}"
    if e.method == "chat.update":
        return "edit", f"<b>{place}</b> · message edited"
    if e.method == "chat.postEphemeral":
        return "ephemeral", f"<b>{place}</b> · only visible to {html.escape(names.user(p.get('user', '')))}"
    if p.get("thread_ts"):
        return "thread", f"<b>{place}</b> · reply in thread"
    return "post", f"<b>{place}</b>"


def card(n: int, e: Entry, names: Names) -> str:
    kind, place = where(e, names)
    p = e.params
    stamp = f"{e.at:%a %H:%M} UTC"
    if e.method == "files.upload":
        alt = html.escape(str(p.get("alt_txt") or p.get("title") or ""))
        title = html.escape(str(p.get("title") or p.get("filename") or "chart"))
        body = f'<figure><img src="{e.image}" alt="{alt}"><figcaption>{title}</figcaption></figure>'
    else:
        blocks: list[dict[str, Any]] = p.get("blocks") or (p.get("view") or {}).get("blocks") or []
        if isinstance(blocks, str):
            blocks = []
        body = (
            "".join(block(b, names) for b in blocks)
            or f'<div class="text">{mrkdwn(str(p.get("text", "")), names)}</div>'
        )
        heading = (p.get("view") or {}).get("title")
        if heading:
            body = f"<h3>{html.escape(str(heading.get('text', '')))}</h3>{body}"
    return (
        f'<article class="msg {kind}" id="m{n}" data-method="{e.method}">'
        f'<div class="where">{stamp} · {place} · <b>ritualbot</b></div>{body}</article>'
    )


def page(entries: list[Entry], names: Names, day: date) -> str:
    ordered = sorted(entries, key=lambda e: (e.at, e.seq))
    cards = "\n".join(card(n, e, names) for n, e in enumerate(ordered))
    timeline = "\n".join(f'<a href="#m{n}">{e.at:%H:%M} · {where(e, names)[1]}</a>' for n, e in enumerate(ordered))
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>ritualbot demo — {day:%a %d %b %Y}</title><style>{CSS}</style></head>"
        f"<body><nav><h2>The day · {day:%a %d %b}</h2>{timeline}</nav>"
        f"<main><h1>ritualbot demo — {day:%a %d %b %Y}</h1>"
        f"<p>{len(ordered)} messages, in time order: the team channel, threads, DMs, modals and App Home.</p>"
        f"{cards}</main><script>{CHECK}</script></body></html>"
    )
