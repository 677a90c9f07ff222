"""A push as residents read it, and what stops it going out: the message's parts (header with the
program's name and category, title, body, the template's facts, the tip link, the issuing unit and
date in Beijing time), its copy-ready text and its WeCom markdown, and the problems of a draft, each
with its field."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lib.core import clock, taxonomy
from lib.core.clock import utcnow
from lib.grids import naming
from lib.i18n import i18n
from lib.pushes.push_templates import fields_for
from lib.pushes.targeting import Target

TITLE_MAX = 40
BODY_MAX = 1200
# WeCom group robots take markdown content of at most 4096 bytes (UTF-8).
MARKDOWN_MAX_BYTES = 4096


def one_line(text: str) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip()


# --- validation -----------------------------------------------------------------------


@dataclass
class Problem:
    field: str
    key: str
    params: dict


def problems(push: dict, *, issuing_unit: str = "", tip_link: str = "") -> list[Problem]:
    """Everything that stops this push from being submitted or sent, each with its field."""
    out: list[Problem] = []
    title = one_line(push["title"])
    if not title:
        out.append(Problem("title", "pushes.error.title_missing", {}))
    elif len(title) > TITLE_MAX:
        out.append(Problem("title", "pushes.error.title_long", {"max": TITLE_MAX}))
    body = (push["body"] or "").strip()
    if not body:
        out.append(Problem("body", "pushes.error.body_missing", {}))
    elif len(body) > BODY_MAX:
        out.append(Problem("body", "pushes.error.body_long", {"max": BODY_MAX, "n": len(body)}))
    for f in fields_for(push["category"], push["appeal_kind"]):
        value = (push["fields"].get(f.code) or "").strip()
        if f.required and not value:
            out.append(Problem(f.code, "pushes.error.field_missing", {"label": i18n.Msg(f.key)}))
        elif len(value) > f.max_len:
            out.append(Problem(f.code, "pushes.error.field_long", {"label": i18n.Msg(f.key), "max": f.max_len}))
    if push["category"] == "appeal" and not push["photo_file_ids"]:
        out.append(Problem("photos", "pushes.error.photo_required", {}))
    size = len(message_markdown(push, issuing_unit=issuing_unit, tip_link=tip_link).encode())
    if size > MARKDOWN_MAX_BYTES:
        out.append(Problem("body", "pushes.error.channel_limit", {"n": size, "max": MARKDOWN_MAX_BYTES}))
    target = Target.from_dict(push["targeting"])
    if not (target.use_filter or target.group_ids):
        out.append(Problem("targeting", "pushes.error.no_target", {}))
    elif push.get("groups_targeted", 0) == 0:
        out.append(Problem("targeting", "pushes.error.no_groups", {}))
    return out


# --- the message ----------------------------------------------------------------------


def category_label(category: str, appeal_kind: str | None) -> str:
    """The category as the header names it (an appeal by its kind: 寻人启事, 悬赏通告 …), in Chinese."""
    if category == "appeal" and appeal_kind:
        return taxonomy.label("appeal_kinds", appeal_kind, "zh").split("/")[0]
    return taxonomy.label("push_categories", category, "zh")


def message_lines(push: dict, *, issuing_unit: str, tip_link: str = "") -> dict:
    """The parts every rendering of a push uses: header, title, body, facts, link, footer."""
    facts = [(f.zh, (push["fields"].get(f.code) or "").strip())
             for f in fields_for(push["category"], push["appeal_kind"])]
    stamp = push.get("sent_at") or push.get("updated_at") or utcnow()
    # The date residents read is Beijing's (a push sent at 07:30 is dated that day, not the day before).
    local = clock.parse(stamp) + clock.CHINA_OFFSET
    y, m, d = local.year, local.month, local.day
    return {
        "header": f"【{naming.PROGRAM_PREFIX}·{category_label(push['category'], push['appeal_kind'])}】",
        "title": one_line(push["title"]),
        "body": (push["body"] or "").strip(),
        "facts": [(k, v) for k, v in facts if v],
        "link": tip_link,
        "footer": f"{issuing_unit} · 报警电话 110 · {int(y)}年{int(m)}月{int(d)}日",
    }


def message_text(push: dict, *, issuing_unit: str, tip_link: str = "") -> str:
    """Copy-ready plain text for posting by hand (any chat app)."""
    p = message_lines(push, issuing_unit=issuing_unit, tip_link=tip_link)
    lines = [p["header"] + p["title"], "", p["body"]]
    if p["facts"]:
        lines += [""] + [f"{k}：{v}" for k, v in p["facts"]]
    if p["link"]:
        lines += ["", f"提供线索：{p['link']}"]
    lines += ["", p["footer"]]
    return "\n".join(lines)


def _md(text: str) -> str:
    # WeCom markdown: neutralise the characters that would start markup or a link.
    return re.sub(r"([\\`*_\[\]<>#])", r"\\\1", text)


def message_markdown(push: dict, *, issuing_unit: str, tip_link: str = "") -> str:
    """The WeCom group-robot markdown of the push (≤ 4096 bytes once valid)."""
    p = message_lines(push, issuing_unit=issuing_unit, tip_link=tip_link)
    lines = [f"**{_md(p['header'] + p['title'])}**", _md(p["body"])]
    lines += [f"> {_md(k)}：<font color=\"comment\">{_md(v)}</font>" for k, v in p["facts"]]
    if p["link"]:
        lines.append(f"[扫码或点此提供线索]({p['link']})")
    lines.append(f"<font color=\"comment\">{_md(p['footer'])}</font>")
    return "\n".join(lines)
