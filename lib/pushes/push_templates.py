"""Standard templates of the nine push categories: the fields each needs, a title and body to
start from, and the header/footer every push carries. Data, not code paths: a new field is
a line here.
"""

from __future__ import annotations

from dataclasses import dataclass

from lib.i18n import i18n


@dataclass(frozen=True)
class Field:
    """A field of a push: its code in ``push["fields"]``, the catalog key of its label
    (lib/i18n/messages/pushes.py), whether it is required and its longest value."""

    code: str
    key: str
    required: bool = False
    max_len: int = 120

    def label(self, lang: str) -> str:
        return i18n.t(self.key, lang)

    @property
    def zh(self) -> str:
        """The Chinese label: the one the push itself (sent to Chinese groups) carries."""
        return self.label("zh")

    @property
    def en(self) -> str:
        return self.label("en")


# What every appeal must say: what, where, when, who to contact (and photos, checked apart).
_CONTACT = Field("contact", "pushes.field.contact", True, 60)

APPEAL_FIELDS: dict[str, list[Field]] = {
    "missing_person": [
        Field("person", "pushes.field.missing_person.person", True),
        Field("description", "pushes.field.missing_person.description", True, 300),
        Field("when", "pushes.field.missing_person.when", True, 60),
        Field("where", "pushes.field.missing_person.where", True),
        _CONTACT,
    ],
    "wanted": [
        Field("suspect", "pushes.field.wanted.suspect", True),
        Field("case", "pushes.field.wanted.case", True),
        Field("description", "pushes.field.wanted.description", True, 300),
        Field("when", "pushes.field.wanted.when", True, 60),
        Field("where", "pushes.field.wanted.where", True),
        Field("reward", "pushes.field.wanted.reward", False, 60),
        _CONTACT,
    ],
    "case_appeal": [
        Field("what", "pushes.field.case_appeal.what", True, 300),
        Field("when", "pushes.field.case_appeal.when", True, 60),
        Field("where", "pushes.field.case_appeal.where", True),
        _CONTACT,
    ],
}

CATEGORY_FIELDS: dict[str, list[Field]] = {
    "news": [],
    "prevention_tip": [Field("audience", "pushes.field.prevention_tip.audience")],
    "anti_fraud": [
        Field("scam", "pushes.field.anti_fraud.scam", True),
        Field("advice", "pushes.field.anti_fraud.advice", True, 300),
    ],
    "police_bulletin": [
        Field("what", "pushes.field.police_bulletin.what", True, 300),
        Field("when", "pushes.field.police_bulletin.when", True, 60),
        Field("where", "pushes.field.police_bulletin.where", True),
    ],
    "civic_culture": [],
    "qa": [Field("question", "pushes.field.qa.question", True, 300)],
    "legal_education": [Field("law", "pushes.field.legal_education.law")],
    "health_tip": [],
    "appeal": [],  # the appeal kind decides (APPEAL_FIELDS)
}

STARTERS: dict[str, tuple[str, str]] = {
    # category or appeal kind: (title, body) a clerk starts from
    "news": ("", ""),
    "prevention_tip": ("", "近期天气转冷，请注意用电用火安全，出门随手关好门窗。"),
    "anti_fraud": ("", "凡是自称“公检法”要求转账到“安全账户”的，都是诈骗！"),
    "police_bulletin": ("", ""),
    "civic_culture": ("", ""),
    "qa": ("", ""),
    "legal_education": ("", ""),
    "health_tip": ("", ""),
    "missing_person": ("寻人启事", "请广大群众留意，如有发现请及时与警方联系，或扫码提供线索。"),
    "wanted": ("悬赏通告", "请广大群众积极提供线索，对提供线索协助破案的给予奖励，警方为举报人保密。"),
    "case_appeal": ("案件协查通报", "请知情群众及时与警方联系，或扫码提供线索，警方为举报人保密。"),
}


def fields_for(category: str, appeal_kind: str | None) -> list[Field]:
    """The fields a push of this category (and appeal kind) carries."""
    if category == "appeal":
        return APPEAL_FIELDS.get(appeal_kind or "", [])
    return CATEGORY_FIELDS.get(category, [])


def starter(category: str, appeal_kind: str | None) -> tuple[str, str]:
    """(title, body) to start a new push of this category from."""
    return STARTERS.get(appeal_kind if category == "appeal" else category, ("", ""))
