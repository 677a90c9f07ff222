"""Standard templates of the nine push categories: the fields each needs, a title and body to
start from, and the header/footer every push carries. Data, not code paths: a new field is
a line here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Field:
    code: str
    zh: str
    en: str
    required: bool = False
    max_len: int = 120

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


# What every appeal must say: what, where, when, who to contact (and photos, checked apart).
_CONTACT = Field("contact", "联系人及电话", "Contact (name and phone)", True, 60)

APPEAL_FIELDS: dict[str, list[Field]] = {
    "missing_person": [
        Field("person", "走失人员（姓名、性别、年龄）", "Missing person (name, sex, age)", True),
        Field("description", "体貌特征及衣着", "Appearance and clothing", True, 300),
        Field("when", "走失时间", "When last seen", True, 60),
        Field("where", "走失地点", "Where last seen", True),
        _CONTACT,
    ],
    "wanted": [
        Field("suspect", "嫌疑人（姓名、性别、年龄）", "Suspect (name, sex, age)", True),
        Field("case", "案由", "Offence", True),
        Field("description", "体貌特征", "Appearance", True, 300),
        Field("when", "案发时间", "When", True, 60),
        Field("where", "案发地点", "Where", True),
        Field("reward", "悬赏金额", "Reward", False, 60),
        _CONTACT,
    ],
    "case_appeal": [
        Field("what", "案情及需协查事项", "What happened and what is sought", True, 300),
        Field("when", "发生时间", "When", True, 60),
        Field("where", "发生地点", "Where", True),
        _CONTACT,
    ],
}

CATEGORY_FIELDS: dict[str, list[Field]] = {
    "news": [],
    "prevention_tip": [Field("audience", "提示对象", "Who it is for")],
    "anti_fraud": [Field("scam", "诈骗手法", "Scam type", True), Field("advice", "防范要点", "How to stay safe", True, 300)],
    "police_bulletin": [
        Field("what", "事件", "Event", True, 300), Field("when", "时间", "When", True, 60),
        Field("where", "地点", "Where", True),
    ],
    "civic_culture": [],
    "qa": [Field("question", "群众问题", "Question", True, 300)],
    "legal_education": [Field("law", "相关法律法规", "Law or regulation")],
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
