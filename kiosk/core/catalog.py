"""The item catalog: the 14 service items behind the plan's 17 tasks, as validated data.

Modelled on the government-service item elements (GB/T 39046-2020 表4): names, role, division, partner
departments, 跨省通办 mode, eligibility, materials, steps, time limits, fee, legal basis, form fields and
the sources of every fact. Uncertain facts say so in the data (`certainty`), they are not invented.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from kiosk.core.problems import Problem
from kiosk.core.settings import LANGUAGES

CATALOG_SCHEMA = 2
"""Which catalog fields this release reads: 1 before `FormField.hinted_by` and `Item.former_fields`, 2 with them.
A kiosk refuses a catalog with a field it does not know, so it asks the server for its schema
(`GET /v1/catalog?schema=N`) and the server leaves out what came later (backend/server/catalog_schemas.py).
Adding a field to these models means the next number, and the field listed there."""

Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_\-]*$", max_length=64)]
Certainty = Literal["confirmed", "likely", "uncertain"]
Division = Literal["社会事务处", "儿童福利处", "养老服务处", "社会救助处", "省社会组织管理局"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(Strict):
    """A text in every language the kiosk speaks; zh is authoritative, ko and en are translations."""

    zh: Annotated[str, Field(min_length=1)]
    ko: Annotated[str, Field(min_length=1)]
    en: Annotated[str, Field(min_length=1)]

    def get(self, language: str) -> str:
        return str(getattr(self, language, self.zh))


class Fact(Strict):
    text: Text
    sources: list[str] = []
    certainty: Certainty = "confirmed"


class TimeLimit(Strict):
    amount: Annotated[int, Field(ge=0)] | None = None
    """None when the limit is not known (say so in `note` and mark it uncertain)."""
    unit: Literal["working_days", "days", "months", "on_the_spot", "unknown"]
    note: Text | None = None
    sources: list[str] = []
    certainty: Certainty = "confirmed"

    @model_validator(mode="after")
    def _amount_matches_unit(self) -> TimeLimit:
        if self.unit in ("working_days", "days", "months") and self.amount is None:
            raise ValueError(f"unit {self.unit} needs an amount")
        if self.unit in ("on_the_spot", "unknown") and self.amount not in (None, 0):
            raise ValueError(f"unit {self.unit} takes no amount")
        if self.unit == "unknown" and self.certainty == "confirmed":
            raise ValueError("an unknown time limit cannot be confirmed")
        return self


class Material(Strict):
    id: Id
    name: Text
    required: Literal["yes", "no", "conditional", "local", "practice"]
    """conditional: only in the case `condition` says; local: varies by county; practice: asked in practice."""
    condition: Text | None = None
    form: Literal["original", "copy", "original_and_copy", "electronic", "data_shared"]
    copies: Annotated[int, Field(ge=0, le=10)] = 1
    provided_by: Text
    notes: Text | None = None
    shareable: bool = False
    """Can be replaced by data-sharing verification (the citizen need not bring it)."""
    sources: list[str] = []
    certainty: Certainty = "confirmed"

    @model_validator(mode="after")
    def _condition_when_conditional(self) -> Material:
        if self.required == "conditional" and self.condition is None:
            raise ValueError("a conditional material needs its condition")
        return self


CaseClock = Literal["", "receiving", "domicile", "notify"]
"""The clocks of a 异地代收代办 case at the receiving office (backend.server.cases): receiving (受理地, from the
materials being complete to the case going to the 户籍地), domicile (户籍地, from its receiving the case to its
result coming back), notify (受理地, from the result to the citizen being told)."""


class Step(Strict):
    name: Text
    actor: Text
    place: Text
    time_limit: TimeLimit | None = None
    case_clock: CaseClock = ""
    """The case clock this step's time limit runs on; the limits of steps on the same clock add up."""
    sources: list[str] = []

    @model_validator(mode="after")
    def _clock_counts_working_days(self) -> Step:
        if self.case_clock and (self.time_limit is None or self.time_limit.unit != "working_days"):
            raise ValueError("a step on a case clock needs a time limit in working days")
        return self


class Choice(Strict):
    value: Id
    label: Text


Phone = Annotated[str, Field(pattern=r"^[0-9][0-9\-]{2,19}$")]


class Where(Strict):
    """Where a citizen gets the item done and whom to ask, shown on the guide screen and every guide slip."""

    office: Text
    """The office that accepts the item (or the kind of office, e.g. 缴存地住房公积金管理中心)."""
    online: Text | None = None
    """Online channels, e.g. 吉事办, 国家政务服务平台, 国家医保服务平台 app."""
    hours: Text | None = None
    phone: Phone
    """The number to call: the department's published number, or 12345 (政务服务便民热线)."""
    phone_owner: Text
    """Whose number it is, as the citizen would ask for it."""
    office_ref: str = ""
    """An office in kiosk.toml `[[offices]]` (name, street address, hours, phone) that the slip sends people to;
    empty when the office depends on the citizen (缴存地, 户籍地...)."""
    sources: list[str] = []
    certainty: Certainty = "confirmed"


class FormField(Strict):
    id: Id
    label: Text
    type: Literal["text", "number", "phone", "date", "choice", "boolean", "id_number", "division"]
    """division: a county-level administrative division, its GB/T 2260 code (kiosk.core.divisions)."""
    source: Literal["card", "manual", "staff"]
    """card: filled from the card; manual: the citizen enters it (keypad or choice); staff: the window completes it."""
    card_attribute: Literal["name", "id_number", "sex", "birth_date", "nation", "address", ""] = ""
    input: Literal["none", "numeric_keypad", "choice", "pinyin_keypad", "division_lists", "staff_completes"] = "none"
    """division_lists: province → city → county, one list after the other."""
    choices: list[Choice] = []
    required: bool = True
    pattern: str = ""
    """Regular expression the value must match (numbers, phones)."""
    sensitive: bool = False
    """Sensitive personal information under PIPL Art. 28 (minors, health, disability, accounts)."""
    help: Text | None = None
    built_from: list[Id] = []
    """Fields whose values, joined, make this one once all are there: 残疾人证号 = the 18-character ID number +
    残疾类别 + 残疾等级, asked as two choices instead of 20 digits. The citizen can still type it (exceptions)."""
    suggested_by: Literal["", "address_province", "address_division"] = ""
    """A manual choice the card suggests, for the citizen to confirm or change: address_province picks the
    choice whose Chinese name begins the card's address (户籍所在省份 from 住址); address_division the county
    the address begins with (户籍所在地 from 住址)."""
    asked_of: Literal["everyone", "hukou_holders"] = "everyone"
    """hukou_holders: not asked of holders of a Hong Kong, Macao or Taiwan residence permit or a foreign
    permanent residence card, who have no hukou (户籍所在地)."""
    hinted_by: Annotated[str, Field(pattern=r"^([a-z0-9][a-z0-9_\-]*)?$")] = ""
    """A division field: the ID number field whose first six digits, the county that issued the number, are
    offered for the citizen to confirm (儿童户籍所在地 from the child's typed ID number). Only offered, never
    filled in: a child's hukou may have moved since the number was issued."""

    @model_validator(mode="after")
    def _consistent(self) -> FormField:
        if self.source == "card" and not self.card_attribute:
            raise ValueError("a card field needs card_attribute")
        if self.source != "card" and self.card_attribute:
            raise ValueError("card_attribute is only for card fields")
        if self.suggested_by == "address_province" and self.type != "choice":
            raise ValueError("suggested_by = address_province is only for choice fields")
        if self.suggested_by == "address_division" and self.type != "division":
            raise ValueError("suggested_by = address_division is only for division fields")
        if self.hinted_by and self.type != "division":
            raise ValueError("hinted_by is only for division fields")
        if (self.type == "division") != (self.input == "division_lists"):
            raise ValueError("a division field uses input = division_lists, and only a division field does")
        if self.type == "choice" and len(self.choices) < 2:
            raise ValueError("a choice field needs at least two choices")
        if self.type != "choice" and self.choices:
            raise ValueError("choices are only for choice fields")
        if self.source == "staff" and self.input != "staff_completes":
            raise ValueError("a staff field uses input = staff_completes")
        if self.source == "manual" and self.input in ("none", "staff_completes"):
            raise ValueError("a manual field needs an input (numeric_keypad, choice or pinyin_keypad)")
        return self


class FormerField(Strict):
    """A field the form no longer asks, kept so that applications stored with it still read: the console shows
    it by its label, and the server takes it from a kiosk's outbox filled before the catalog changed."""

    id: Id
    label: Text
    type: Literal["province"]
    """province: a province's two-digit GB/T 2260 code (儿童户籍所在省份, before the county was asked)."""
    replaced_by: Id
    """The field asked instead: a stored form has one or the other."""


class LegalBasis(Strict):
    document: str
    cite: str = ""
    sources: list[str] = []
    certainty: Certainty = "confirmed"


class Fee(Strict):
    free: bool
    note: Text | None = None
    sources: list[str] = []
    certainty: Certainty = "confirmed"


KioskAction = Literal["apply", "appointment", "guide"]

# No rule found sets the time a citizen has to bring what a 补正 asks for (the 行政许可法 sets only the office's
# 5 working days to ask, once and for everything); offices set it case by case. This is the default a clerk
# sees and may change for one case; an item that has its own says so in `correction_time_limit`.
DEFAULT_CORRECTION_TIME_LIMIT = TimeLimit(
    amount=10, unit="working_days", certainty="uncertain",
    note=Text(zh="补正材料请在截止日期前送到受理窗口", ko="보정 자료는 마감일 전까지 접수창구에 제출하십시오",
              en="Bring the missing materials to the receiving window by the deadline"))


class Item(Strict):
    id: Id
    code: Annotated[str, Field(pattern=r"^JL-MZ-[LCS]\d{2}$")]
    """Stable catalog code: L lead, C cooperate, S special."""
    names: Text
    short_names: Text
    """For tiles and slips: at most about 12 Chinese characters."""
    category: Literal["children", "disability", "marriage", "data_sharing", "elderly"]
    task_role: Literal["lead", "cooperate", "special"]
    item_type: str = ""
    """GB/T 39046 A.1 事项类型, e.g. 行政确认 (07), 行政给付 (05)."""
    divisions: Annotated[list[Division], Field(min_length=1)]
    partner_departments: list[str] = []
    kuasheng_modes: list[Literal["全程网办", "异地代收代办", "多地联办", "全国通办(现场)", "数据共享"]]
    kiosk_action: KioskAction
    summary: Text
    """What the kiosk does for this item, in one or two sentences, shown on the guide screen."""
    where: Where
    eligibility: list[Fact]
    materials: list[Material]
    steps: list[Step]
    legal_time_limit: TimeLimit
    promised_time_limit: TimeLimit
    fee: Fee
    legal_basis: list[LegalBasis]
    form_fields: list[FormField] = []
    former_fields: list[FormerField] = []
    sensitive_categories: list[Literal["minor", "disability", "health", "financial", "special_identity"]] = []
    """PIPL Art. 28 categories collected for this item: a separate consent is asked when non-empty."""
    parties: Annotated[int, Field(ge=1, le=2)] = 1
    """How many people must identify (2 for marriage and divorce appointments)."""
    after_first_visit: Literal["", "divorce_cooling_off"] = ""
    """What follows the booked visit: for divorce the 30-day 冷静期 and the 30 days to go back together, whose
    dates the appointment slip prints (kiosk.divorce_dates)."""
    needs_printer: bool = True
    """Whether serving the item at the kiosk needs a slip (receipt, appointment slip or guide)."""
    partner_provinces: list[str] = []
    correction_time_limit: TimeLimit | None = None
    """The time a citizen is given to bring what a 补正 asks for; None: DEFAULT_CORRECTION_TIME_LIMIT."""
    notes: list[Fact] = []
    sources: Annotated[list[str], Field(min_length=1)]

    @model_validator(mode="after")
    def _action_shape(self) -> Item:
        if self.kiosk_action == "apply" and not self.form_fields:
            raise ValueError("an apply item needs form_fields")
        if self.kiosk_action == "appointment" and self.parties != 2:
            raise ValueError("marriage and divorce appointments need parties = 2")
        ids = {f.id for f in self.form_fields}
        for spec in self.form_fields:
            hint = self.field(spec.hinted_by) if spec.hinted_by else None
            if spec.hinted_by and (hint is None or hint.type != "id_number"):
                raise ValueError(f"{spec.id}: hinted_by names no id_number field of this item")
        for former in self.former_fields:
            if former.id in ids or former.replaced_by not in ids:
                raise ValueError(f"former field {former.id}: still asked, or replaced by no field of this item")
        return self

    def field(self, field_id: str) -> FormField | None:
        return next((f for f in self.form_fields if f.id == field_id), None)

    def case_clock_limit(self, clock: CaseClock) -> int | None:
        """Working days the steps on this case clock allow in all; None when no step is on it."""
        limits = [s.time_limit.amount or 0 for s in self.steps if s.case_clock == clock and s.time_limit is not None]
        return sum(limits) if limits else None

    def correction_working_days(self) -> int:
        limit = self.correction_time_limit or DEFAULT_CORRECTION_TIME_LIMIT
        return limit.amount or 0


class Task(Strict):
    number: Annotated[int, Field(ge=1, le=17)]
    name: str
    role: Literal["lead", "cooperate", "special"]
    phase: Literal["by_2020_end", "by_2021_end", "after_2021", "special"]
    scope: Literal["省会及计划单列市", "全国", "合作省份"]
    lead_department: str
    responsible_divisions: Annotated[list[Division], Field(min_length=1)]
    item_id: Id
    via: str = ""
    """For cooperation tasks: the 民政 data shared with the lead department."""


class Source(Strict):
    id: Annotated[str, Field(pattern=r"^S\d+[a-z]?$")]
    title: str
    grade: Literal["A", "B", "C", "M", "B/C", "A/B"]
    url: str = ""


class TaskFile(Strict):
    tasks: list[Task]


class SourceFile(Strict):
    sources: list[Source]


@dataclass(frozen=True)
class Catalog:
    items: tuple[Item, ...]
    tasks: tuple[Task, ...]
    sources: tuple[Source, ...]

    def item(self, item_id: str) -> Item:
        for item in self.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def get(self, item_id: str) -> Item | None:
        return next((i for i in self.items if i.id == item_id), None)

    def by_category(self, category: str) -> list[Item]:
        return [i for i in self.items if i.category == category]

    @property
    def categories(self) -> list[str]:
        return list(dict.fromkeys(i.category for i in self.items))


def _duplicates(values: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    return sorted({v for v in values if v in seen or seen.add(v)})  # type: ignore[func-returns-value]


def _source_refs(item: Item) -> Iterator[tuple[str, list[str]]]:
    yield "sources", item.sources
    for n, fact in enumerate(item.eligibility):
        yield f"eligibility[{n}].sources", fact.sources
    for n, fact in enumerate(item.notes):
        yield f"notes[{n}].sources", fact.sources
    for n, material in enumerate(item.materials):
        yield f"materials[{n}].sources", material.sources
    for n, step in enumerate(item.steps):
        yield f"steps[{n}].sources", step.sources
        if step.time_limit:
            yield f"steps[{n}].time_limit.sources", step.time_limit.sources
    for n, basis in enumerate(item.legal_basis):
        yield f"legal_basis[{n}].sources", basis.sources
    yield "legal_time_limit.sources", item.legal_time_limit.sources
    yield "promised_time_limit.sources", item.promised_time_limit.sources
    yield "fee.sources", item.fee.sources
    yield "where.sources", item.where.sources


def check_catalog(catalog: Catalog) -> list[Problem]:
    """Cross-file checks: unique ids, references resolve, every task maps to an item, every item to a task."""
    problems: list[Problem] = []
    for dup in _duplicates([i.id for i in catalog.items]):
        problems.append(Problem(f"catalog/items/{dup}.toml", "id", "duplicate item id"))
    for dup in _duplicates([i.code for i in catalog.items]):
        problems.append(Problem("catalog/items", "code", f"duplicate item code {dup}"))
    source_ids = {s.id for s in catalog.sources}
    for dup in _duplicates([s.id for s in catalog.sources]):
        problems.append(Problem("catalog/sources.toml", "sources", f"duplicate source id {dup}"))
    item_ids = {i.id for i in catalog.items}
    for item in catalog.items:
        shown = f"catalog/items/{item.id}.toml"
        for dup in _duplicates([f.id for f in item.form_fields]):
            problems.append(Problem(shown, "form_fields", f"duplicate field id {dup}"))
        for dup in _duplicates([m.id for m in item.materials]):
            problems.append(Problem(shown, "materials", f"duplicate material id {dup}"))
        for where, refs in _source_refs(item):
            for ref in refs:
                if ref not in source_ids:
                    problems.append(Problem(shown, where, f"unknown source {ref!r} (not in sources.toml)"))
        if item.kiosk_action == "apply":
            if not any(f.card_attribute == "id_number" for f in item.form_fields):
                problems.append(Problem(shown, "form_fields", "an apply item needs the applicant's id_number "
                                                              "from the card"))
            for n, f in enumerate(item.form_fields):
                if f.source == "manual" and f.input == "pinyin_keypad":
                    problems.append(Problem(shown, f"form_fields[{n}].input",
                                            "apply items need no Chinese typing: use a choice, the numeric "
                                            "keypad, or staff_completes"))
    numbers = [t.number for t in catalog.tasks]
    for dup in _duplicates([str(n) for n in numbers]):
        problems.append(Problem("catalog/tasks.toml", "tasks", f"task number {dup} is used twice"))
    missing = sorted(set(range(1, 18)) - set(numbers))
    if catalog.tasks and missing:
        problems.append(Problem("catalog/tasks.toml", "tasks", f"missing task numbers {missing}"))
    for n, task in enumerate(catalog.tasks):
        if task.item_id not in item_ids:
            problems.append(Problem("catalog/tasks.toml", f"tasks[{n}].item_id", f"no item {task.item_id!r}"))
    tasked = {t.item_id for t in catalog.tasks}
    for item in catalog.items:
        if catalog.tasks and item.id not in tasked:
            problems.append(Problem(f"catalog/items/{item.id}.toml", "id", "no task of the plan maps to this item"))
    problems.extend(citizen_wording_problems(catalog))
    problems.extend(guide_gaps(catalog))
    return problems


# Words that belong to the people maintaining the catalog, never to a citizen's screen or slip: what the
# research found or did not find. A fact not confirmed is worded as whom to ask; its `certainty` mark stays
# in the data (`kiosk catalog check --uncertain`).
MAINTAINER_WORDS: dict[str, tuple[str, ...]] = {
    "zh": ("调研", "未收录", "待核实", "未查到", "未核实", "未取得", "未确定", "待确认", "须向儿童福利处确认",
           "来自记忆", "参考服务器", "仅供参考"),
    "ko": ("조사에", "조사 결과", "수록되어 있지", "확인되지 않", "확보하지 못", "참조 서버",
           "참고 서버"),
    "en": ("research", "not held", "not checked", "was not found", "were not found", "not verified",
           "unverified", "to be confirmed", "must be confirmed", "from memory", "reference server"),
}


def maintainer_words_in(text: str, language: str) -> list[str]:
    """The maintainer-only words a citizen-visible text contains (any language's list applies to zh)."""
    lowered = text.lower()
    words = [w for lang in (language, "zh") for w in MAINTAINER_WORDS.get(lang, ())]
    return sorted({w for w in words if w.lower() in lowered})


def citizen_texts(item: Item) -> Iterator[tuple[str, Text]]:
    """Every catalog text of an item that a citizen can see on the guide screen, a slip or the form."""
    yield "names", item.names
    yield "short_names", item.short_names
    yield "summary", item.summary
    for key in ("office", "online", "hours", "phone_owner"):
        text = getattr(item.where, key)
        if text is not None:
            yield f"where.{key}", text
    for n, fact in enumerate(item.eligibility):
        yield f"eligibility[{n}].text", fact.text
    for n, m in enumerate(item.materials):
        for key in ("name", "condition", "provided_by", "notes"):
            text = getattr(m, key)
            if text is not None:
                yield f"materials[{n}].{key}", text
    for n, step in enumerate(item.steps):
        yield f"steps[{n}].name", step.name
        yield f"steps[{n}].actor", step.actor
        yield f"steps[{n}].place", step.place
        if step.time_limit is not None and step.time_limit.note is not None:
            yield f"steps[{n}].time_limit.note", step.time_limit.note
    for key in ("legal_time_limit", "promised_time_limit"):
        note = getattr(item, key).note
        if note is not None:
            yield f"{key}.note", note
    if item.fee.note is not None:
        yield "fee.note", item.fee.note
    for n, f in enumerate(item.form_fields):
        yield f"form_fields[{n}].label", f.label
        if f.help is not None:
            yield f"form_fields[{n}].help", f.help
        for k, choice in enumerate(f.choices):
            yield f"form_fields[{n}].choices[{k}].label", choice.label


def citizen_wording_problems(catalog: Catalog) -> list[Problem]:
    """Citizen-visible texts that speak of the research instead of telling the citizen what to do."""
    problems = []
    for item in catalog.items:
        for path, text in citizen_texts(item):
            for lang in LANGUAGES:
                found = maintainer_words_in(text.get(lang), lang)
                if found:
                    problems.append(Problem(f"catalog/items/{item.id}.toml", f"{path}.{lang}",
                                            f"says {', '.join(found)} to a citizen: say whom to ask instead"))
    return problems


PHONE_IN_TEXT = r"\d{5,}|\d{3,4}-\d{7,8}"


def guide_gaps(catalog: Catalog) -> list[Problem]:
    """What a guide must tell a citizen: where (the model requires it), the fee in words, and a time limit
    that is either known or says whom to ask (a phone number)."""
    problems = []
    for item in catalog.items:
        shown = f"catalog/items/{item.id}.toml"
        if item.fee.note is None:
            problems.append(Problem(shown, "fee.note", "a guide states the fee in words"))
        for key in ("legal_time_limit", "promised_time_limit"):
            limit: TimeLimit = getattr(item, key)
            if limit.unit != "unknown":
                continue
            if limit.note is None or not all(re.search(PHONE_IN_TEXT, limit.note.get(lang)) for lang in LANGUAGES):
                problems.append(Problem(shown, f"{key}.note",
                                        "an unknown time limit says whom to ask, with the phone, in zh, ko and en"))
    return problems


@dataclass(frozen=True)
class Unconfirmed:
    item_id: str
    path: str
    certainty: str
    text: str
    sources: tuple[str, ...]


def unconfirmed_facts(catalog: Catalog) -> list[Unconfirmed]:
    """Facts marked likely or uncertain, for the maintainers to confirm with the source they cite."""
    found: list[Unconfirmed] = []

    def walk(item_id: str, node: object, path: str) -> None:
        if isinstance(node, dict):
            if node.get("certainty") in ("likely", "uncertain"):
                text = next((node[k] for k in ("text", "name", "note", "office", "document") if node.get(k)), "")
                shown = text.get("zh", "") if isinstance(text, dict) else str(text)
                found.append(Unconfirmed(item_id, path, str(node["certainty"]), shown,
                                         tuple(node.get("sources") or ())))
            for key, value in node.items():
                walk(item_id, value, f"{path}.{key}" if path else key)
        elif isinstance(node, list):
            for n, value in enumerate(node):
                walk(item_id, value, f"{path}[{n}]")

    for item in catalog.items:
        walk(item.id, item.model_dump(), "")
    return found


def language_gaps(catalog: Catalog) -> list[Problem]:
    """Texts whose translation is a copy of the Chinese (a placeholder rather than a translation)."""
    problems = []
    for item in catalog.items:
        for path, text in _texts(item.model_dump(), ""):
            for lang in LANGUAGES[1:]:
                if text[lang] == text["zh"] and any("\u4e00" <= ch <= "\u9fff" for ch in text["zh"]):
                    problems.append(Problem(f"catalog/items/{item.id}.toml", f"{path}.{lang}",
                                            "not translated (same as zh)"))
    return problems


def _texts(node: object, path: str) -> Iterator[tuple[str, dict[str, str]]]:
    if isinstance(node, dict):
        if set(node) == set(LANGUAGES):
            yield path, node
            return
        for key, value in node.items():
            yield from _texts(value, f"{path}.{key}" if path else key)
    elif isinstance(node, list):
        for n, value in enumerate(node):
            yield from _texts(value, f"{path}[{n}]")
