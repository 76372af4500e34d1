"""The names an article mentions, gathered into the people and bodies they stand for.

A *mention* is a run of capitalised words inside one sentence, so it never runs over a
sentence end, and never takes a sentence's ordinary first word ("Although Reyes" is
"Reyes"), a possessive ("Ortiz's"), a closing full stop or a title-case headline ("Mayor
Tells A Council Not To Wait"). Titles and role words before the name are kept apart
from it: "Ohio Gov. Alan Marsh" is Alan Marsh, shown as "Gov. Alan Marsh".

An *entity* gathers the mentions of one name: "Reyes" joins the last "Tom Reyes" before
it. Its kind comes from its words (an organisation word, an acronym, an outlet's name) or
from how the article treats it: a title or role ("spokesman Owen Pryce"), an age or
"who" after it, a speech verb ("Holm said"), its surname used alone. Its sex comes from
honorifics, gendered role words and two sure places for a pronoun: just after its own
speech verb ("Brenn said he ...") and a reflexive in a sentence that names no one else
("Marsh has sought to distance himself"). There is no parser and no gazetteer: a name
the article gives no such sign of ("Election Day", "Main Street") stays of unknown kind.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import lru_cache

from claimcheck.document import as_document
from claimcheck.lexicons import (
    ANONYMOUS_HEADS,
    DATE_WORDS,
    DOCUMENT_WORDS,
    FEMALE_WORDS,
    GROUP_WORDS,
    HEADLINE_WORDS,
    HONORIFICS,
    MALE_WORDS,
    NAME_PARTICLES,
    NOT_NAME_WORDS,
    ORG_WORDS,
    PUBLICATION_NAMES,
    ROLE_NOUNS,
    ROLE_WORDS,
    SPEECH_VERBS,
    TITLES,
)
from claimcheck.text import Sentence, sentence_index

_OPENERS = "\"“‘'([«—–"
_CLOSERS = "\"”’')],;:!?»—–"
_ABBREVIATIONS = TITLES | HONORIFICS | {"jr", "sr", "st", "ft", "mt", "rev", "hon", "sgt", "capt", "adm", "atty"}
#: words that split a title or role from the name after it, inside a run ("Gov.", "Leader")
_RUN_ROLES = TITLES | HONORIFICS | ROLE_WORDS | FEMALE_WORDS | MALE_WORDS
#: role words anywhere around a name ("presidential candidate Hillary Clinton")
_ROLES = TITLES | HONORIFICS | ROLE_WORDS | ROLE_NOUNS | FEMALE_WORDS | MALE_WORDS
#: a name before one of these nouns modifies it, it is not who acts ("Ortiz campaign", "Reyes supporters")
_HEAD_NOUNS = ORG_WORDS | GROUP_WORDS | ANONYMOUS_HEADS | ROLE_WORDS | ROLE_NOUNS | DOCUMENT_WORDS | {"employee"}
_SHORT_TITLES = {"sen": "senator", "rep": "representative", "gov": "governor", "gen": "general", "pres": "president"}
#: lower-case words that may stand between a role word and the name ("presidential candidate")
_MODIFIERS = frozenset({"presidential", "former", "campaign", "press", "deputy", "acting", "senior", "chief"})
_APPOSITIVE_OPENERS = frozenset({"a", "an", "the", "his", "her", "its", "their"})
_PREPOSITIONS = frozenset({"of", "in", "from", "at", "to", "for", "on", "near", "across"})
_SAID_BEFORE = frozenset({"said", "says", "added", "wrote", "continued", "replied", "tweeted"})
MALE_PRONOUNS = frozenset({"he", "him", "his", "himself"})
FEMALE_PRONOUNS = frozenset({"she", "her", "hers", "herself"})
_THING_PRONOUNS = frozenset({"it", "its", "itself"})
_POSSESSIVE = re.compile(r"(.+?)[’']s$")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Word:
    """A word of a sentence, without quotes, brackets or trailing punctuation."""

    start: int
    end: int
    text: str
    opens: bool  # a quote or bracket before it: a name starts afresh
    trail: str  # what was cut after it: ",", ".", "’s", ...

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".")

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() or bool(re.match(r"[a-z]+-[A-Z]", self.text))  # "al-Farsi"


@dataclass
class Mention:
    """One mention of a name: the run as written, the name in it, what surrounds it."""

    run_start: int  # the whole run: "Ohio Gov. Alan Marsh"
    start: int  # what is shown: "Gov. Alan Marsh"
    end: int
    key: tuple[str, ...]  # the name's words: ("alan", "marsh")
    sentence: int
    roles: frozenset[str] = frozenset()  # title and role words in and around it
    described: bool = False  # a role, an age or "who": a person
    speaker: bool = False  # a speech verb after it ("Holm said") or before it ("said Brenn")
    subject: bool = False  # at most three words into its sentence
    modifier: bool = False  # before a noun it modifies: "Ortiz campaign"
    initial: bool = False  # its sentence's first word
    determined: bool = False  # after "the" or "a": "the Internet", "the Harbor Line employee"
    placed: bool = False  # after a preposition: "in Springfield", "of Ohio"
    quoted: bool = False
    entity: int = -1


@dataclass
class Entity:
    """The mentions of one name, its kind ("person", "organization", "publication",
    "group", "thing" or "unknown") and sex ("m", "f", None)."""

    key: tuple[str, ...]
    mentions: list[int] = field(default_factory=list)
    kind: str = "unknown"
    gender: str | None = None
    bare_acronym: bool = False  # only ever an acronym the lexicon does not know ("RFID")
    fullest: list[int] = field(default_factory=list)  # per mention, the fullest up to it


@dataclass(frozen=True)
class Pronoun:
    start: int
    word: str
    sentence: int
    subject: bool  # "he", "she", "it": a clause's subject, as a rule (not "his", "her", "its")
    quoted: bool


@dataclass
class Article:
    """The names of one text: its sentences, mentions, entities and third-person pronouns,
    with indexes so that each question about a source costs what its sentences hold."""

    text: str
    sentences: list[Sentence]
    mentions: list[Mention]
    entities: list[Entity]
    pronouns: list[Pronoun]
    quoted_sentences: set[int]  # sentences wholly inside a quotation
    by_sentence: dict[int, list[Mention]] = field(default_factory=dict)
    pronouns_by_sentence: dict[int, list[Pronoun]] = field(default_factory=dict)
    starts: list[int] = field(default_factory=list)  # of the mentions, in order

    def __post_init__(self) -> None:
        for m in self.mentions:
            self.by_sentence.setdefault(m.sentence, []).append(m)
        for p in self.pronouns:
            self.pronouns_by_sentence.setdefault(p.sentence, []).append(p)
        self.starts = [m.start for m in self.mentions]

    def sentence_of(self, pos: int) -> int:
        return min(sentence_index(self.sentences, pos), len(self.sentences) - 1)

    def mentions_between(self, start: int, end: int) -> list[Mention]:
        return self.mentions[bisect.bisect_left(self.starts, start) : bisect.bisect_left(self.starts, end)]

    def shown_name(self, entity: int, pos: int) -> str:
        """How to show an entity at ``pos``: its fullest mention before it ("Tom Reyes"
        rather than a later "Reyes"), the latest of equals."""
        ent = self.entities[entity]
        n = bisect.bisect_left(ent.mentions, bisect.bisect_left(self.starts, pos))
        best = self.mentions[ent.fullest[n - 1]]
        return self.text[best.start : best.end]


def _words(text: str, sent: Sentence) -> list[Word]:
    out = []
    for m in re.finditer(r"\S+", text[sent.start : sent.end]):
        raw = m.group()
        word = raw.lstrip(_OPENERS)
        start = sent.start + m.start() + len(raw) - len(word)
        core = word.rstrip(_CLOSERS)
        if core.endswith(".") and not _is_abbreviation(core):
            core = core.rstrip(".")
        possessive = _POSSESSIVE.match(core)
        if possessive:
            core = possessive.group(1)
        out.append(Word(start, start + len(core), core, start > sent.start + m.start(), word[len(core) :]))
    return out


def _is_abbreviation(word: str) -> bool:
    """Does the word's full stop end no name ("J.", "U.S.", "Sen."), unlike "Brown."?"""
    base = word.rstrip(".")
    return (len(base) == 1 and base.isalpha()) or "." in base or base.lower() in _ABBREVIATIONS


def _runs(words: list[Word]) -> list[tuple[int, int]]:
    """Index ranges of runs of capitalised words (and name particles or an organisation's
    "of" between them), broken by any punctuation or quote."""
    runs, first = [], None
    for i, w in enumerate(words):
        if first is not None and w.opens:
            runs.append((first, i))
            first = None
        inner = first is not None and (
            w.text in NAME_PARTICLES or (w.text == "of" and any(x.low in ORG_WORDS for x in words[first:i]))
        )
        if w.capitalised or inner:
            first = i if first is None else first
        elif first is not None:
            runs.append((first, i))
            first = None
        if first is not None and w.trail:
            runs.append((first, i + 1))
            first = None
    if first is not None:
        runs.append((first, len(words)))
    out = []
    for a, b in runs:
        while b > a and not words[b - 1].capitalised:
            b -= 1  # no name ends in "of" or "de"
        if b > a:
            out.append((a, b))
    return out


def _name_words(words: list[Word], a: int, b: int, common: set[str]) -> tuple[int, int]:
    """The run without its leading ordinary words and trailing dates; an empty range for a
    title-case headline."""
    while a < b and (
        words[a].low in NOT_NAME_WORDS or (a == 0 and words[a].low in common and words[a].low not in _RUN_ROLES)
    ):
        a += 1  # "The", "But", a sentence's first word seen in lower case elsewhere ("Although")
    if a == 0 and b == 1 and words[0].low.endswith("ly") and words[0].trail == ",":
        return a, a  # "Typically, he ..."
    while b > a and words[b - 1].low in DATE_WORDS:
        b -= 1
    if any(w.low in HEADLINE_WORDS and w.capitalised for w in words[a + 1 : b]):
        return a, a
    return a, b


def _roles_around(words: list[Word], a: int, b: int) -> tuple[set[str], bool]:
    """Role words just before the run ("campaign manager Ida Brenn") or in an appositive
    after it ("Owen Pryce, a council spokesman,"), and whether an age or "who" follows."""
    roles = set()
    i = a - 1
    while i >= 0 and a - i <= 3 and words[i].low in _ROLES | _MODIFIERS and not words[i].trail:
        roles.add(words[i].low)  # "campaign manager Ida Brenn", not "a spokesman for Harbor Line"
        i -= 1
    if i == a - 1 and i >= 0 and words[i].trail == "," and words[i].low in _ROLES and words[b - 1].trail == ",":
        roles.add(words[i].low)  # "the finance minister, Rebecca Evans,"
    after = words[b : b + 8] if words[b - 1].trail.startswith(",") else []
    before = words[a - 1].low if a > 0 and not words[a - 1].trail else ""
    # "Lena Holm, 39,", "Owen Pryce, who", "a resident named Marta"; not "... of Ohio, who"
    described = before == "named" or (
        bool(after) and before not in _PREPOSITIONS and (after[0].text.isdigit() or after[0].low == "who")
    )
    if after and (after[0].low in _APPOSITIVE_OPENERS or after[0].trail.startswith("’s")):
        for w in after:
            roles.add(w.low)
            if w.trail:
                break
    return {r for r in roles if r in _ROLES}, described


def _speech_verb_after(words: list[Word], b: int) -> int | None:
    """The index of a speech verb that the name ending at ``b`` is the subject of ("Holm
    said", "Pryce, a welder, said", "Reyes has also said"); None after a name that
    ends a quotation ("Main Street!" said ...)."""
    trail, i = words[b - 1].trail, b
    if trail.startswith(",") and i < len(words) and (words[i].low in _APPOSITIVE_OPENERS or words[i].text.isdigit()):
        while i < len(words) and i - b < 10 and not words[i].trail.startswith(","):
            i += 1
        i += 1
    elif trail:
        return None
    while i < len(words) and words[i].low in {"also", "has", "had", "then", "later", "once"}:
        i += 1
    return i if i < len(words) and words[i].low in SPEECH_VERBS else None


def _said_before(words: list[Word], a: int) -> bool:
    """ "said Brenn", "said harbour master Ida Brenn", "according to Reuters";
    not "said that Reyes"."""
    window = words[max(0, a - 4) : a]
    if [w.low for w in window[-2:]] == ["according", "to"]:
        return True
    for i in range(len(window) - 1, -1, -1):
        w = window[i]
        if w.low in _SAID_BEFORE and not w.trail:
            return True
        if w.capitalised or w.trail or w.low == "that" or (w.low in NOT_NAME_WORDS and w.low != "of"):
            return False
    return False


def _opens_clause(text: str, words: list[Word], a: int, b: int) -> bool:
    """Is the name the sentence's subject, as far as words tell: at most three words into
    it, or just after a fronted phrase and its comma ("After the vote, Ortiz said")?"""
    if len(_WORD.findall(text[words[0].start : words[a].start])) <= 3:
        return True
    return words[a - 1].trail == "," and not words[b - 1].trail and b < len(words) and not words[b].capitalised


def _title_end(words: list[Word], a: int, b: int) -> int:
    """The index of the run's last title or role word before the name ("Gov." of "Ohio Gov.
    Alan Marsh", "Democrat" of "Democrat Ann Ortiz"), ``a - 1`` where there is none.
    A party or job word does not cut a body's name: "Democratic Party"."""
    body = {w.low for w in words[a:b]} & (ORG_WORDS | PUBLICATION_NAMES)
    roles = _RUN_ROLES if body else _RUN_ROLES | ROLE_NOUNS
    return max((i for i in range(a, b - 1) if words[i].low in roles), default=a - 1)


def _sentence_mentions(text: str, words: list[Word], k: int, common: set[str]) -> list[Mention]:
    out = []
    for ra, rb in _runs(words):
        a, b = _name_words(words, ra, rb, common)
        if a == b:
            continue
        cut = _title_end(words, a, b)
        shown = cut + 1
        while shown > a and words[shown - 1].low in TITLES | HONORIFICS:
            shown -= 1  # "Vice President Ann Ortiz", not "Senate Majority Leader Tom Reyes"
        roles, described = _roles_around(words, a, b)
        roles |= {_SHORT_TITLES.get(w.low, w.low) for w in words[a : cut + 1] if w.low in _ROLES}
        if "vice" in roles:
            roles.discard("president")  # "Vice President Ann Ortiz" is not "the president"
        nxt = words[b] if b < len(words) and not words[b - 1].trail else None
        before = words[a - 1].low if a > 0 else ""
        out.append(
            Mention(
                run_start=words[a].start,
                start=words[shown].start,
                end=words[b - 1].end,
                key=tuple(w.low for w in words[cut + 1 : b]),
                sentence=k,
                roles=frozenset(roles),
                described=bool(roles) or described,
                speaker=_speech_verb_after(words, b) is not None or _said_before(words, a),
                subject=_opens_clause(text, words, a, b),
                modifier=words[b - 1].trail[:2] in {"’s", "'s"}  # "Reyes's supporters"
                or (nxt is not None and not nxt.capitalised and nxt.low.removesuffix("s") in _HEAD_NOUNS),
                initial=a == 0,
                determined=before in {"the", "a", "an"},
                placed=before in _PREPOSITIONS,
            )
        )
    return out


def _quoted_spans(text: str) -> list[tuple[int, int]]:
    """The spans inside quotation marks (curly, straight or doubled ''), closed at a line end."""
    spans, opened = [], None
    for m in re.finditer(r"“|”|\"|''|``|\n", text):
        mark = m.group()
        if mark in {"“", "``"} and opened is None:
            opened = m.end()
        elif mark in {"”", "\n"} or (mark in {'"', "''"} and opened is not None):
            if opened is not None:
                spans.append((opened, m.start()))
            opened = None
        elif mark in {'"', "''"}:
            opened = m.end()
    if opened is not None:
        spans.append((opened, len(text)))
    return spans


def _gather(mentions: list[Mention]) -> list[Entity]:
    """Mentions into entities: one key, one entity; a lone word joins the last full name
    ending in it ("Reyes" after "Tom Reyes"), unless the article names two people so
    ("Reyes" with Tom and Ana Reyes in it is either)."""
    entities: list[Entity] = []
    by_key: dict[tuple[str, ...], int] = {}
    by_last: dict[str, int] = {}
    first_names: dict[str, set[str]] = {}
    for m in mentions:
        if len(m.key) > 1:
            first_names.setdefault(m.key[-1], set()).add(m.key[0])
    for n, m in enumerate(mentions):
        if len(m.key) == 1 and m.key[0] in by_last and len(first_names[m.key[0]]) == 1:
            e = by_last[m.key[0]]
        elif m.key in by_key:
            e = by_key[m.key]
        else:
            e = len(entities)
            entities.append(Entity(m.key))
            by_key[m.key] = e
        if len(m.key) > 1:
            by_last[m.key[-1]] = e
        m.entity = e
        ent = entities[e]
        best = ent.fullest[-1] if ent.fullest else n
        ent.fullest.append(n if len(m.key) >= len(mentions[best].key) else best)
        ent.mentions.append(n)
    return entities


def _sex_votes(art: Article, words_of: dict[int, list[Word]]) -> dict[int, list[str]]:
    """Per entity, the sex of pronouns that stand for it: three votes for a sure place (the
    subject just after its own speech verb, "Brenn said he would"; a reflexive in a
    sentence naming no one else, "Marsh has sought to distance himself"), one for a
    "he" or "she" later in a sentence it opens and is the only one named in."""
    votes: dict[int, list[str]] = {}
    by_sentence: dict[int, list[Mention]] = {}
    for m in art.mentions:
        if not m.quoted and not m.modifier and art.entities[m.entity].kind == "unknown":
            by_sentence.setdefault(m.sentence, []).append(m)
    for k, mentions in by_sentence.items():
        words = words_of[k]
        starts = [w.start for w in words]
        for m in mentions:
            verb = _speech_verb_after(words, bisect.bisect_left(starts, m.end))
            follow = [w.low for w in words[verb + 1 : verb + 3]] if verb is not None else []
            follow = follow[1:] if follow[:1] == ["that"] else follow
            if follow[:1] in (["he"], ["she"]):
                votes.setdefault(m.entity, []).extend(["m" if follow[0] == "he" else "f"] * 3)
        if len({m.entity for m in mentions}) != 1:
            continue
        after = [w.low for w in words if w.start > mentions[0].end and not w.trail.startswith("”")]
        for pronoun, sex, weight in (("himself", "m", 3), ("herself", "f", 3), ("he", "m", 1), ("she", "f", 1)):
            if pronoun in after and (weight == 3 or mentions[0].subject):
                votes.setdefault(mentions[0].entity, []).extend([sex] * weight)
    return votes


def _settle(art: Article, words_of: dict[int, list[Word]], common: set[str]) -> None:
    """Each entity's kind and sex, from its words, then from how the article treats it."""
    singulars = {m.key[0] for m in art.mentions if len(m.key) == 1}
    for entity in art.entities:
        ms = [art.mentions[i] for i in entity.mentions]
        words = {w for m in ms for w in m.key}
        shown = [art.text[m.start : m.end] for m in ms]
        entity.bare_acronym = not words & ORG_WORDS and all(
            len(m.key) == 1 and s.replace(".", "").isupper() and len(s) > 1 for m, s in zip(ms, shown, strict=True)
        )
        if words & ORG_WORDS or entity.bare_acronym:
            entity.kind = "organization"
        elif len(entity.key) == 1 and (entity.key[0] in GROUP_WORDS or entity.key[0][:-1] in singulars):
            entity.kind = "group"  # "Democrats", "Muslims": people, but no one person
    votes = _sex_votes(art, words_of)
    for e, entity in enumerate(art.entities):
        if entity.kind != "unknown":
            continue
        ms = [art.mentions[i] for i in entity.mentions]
        titled = ["f" if r in FEMALE_WORDS else "m" for m in ms for r in m.roles & (FEMALE_WORDS | MALE_WORDS)]
        sexes = votes.get(e, []) + titled * 3  # "Mrs.", "spokeswoman": as sure as a sure pronoun
        if sexes.count("f") != sexes.count("m"):
            entity.gender = "f" if sexes.count("f") > sexes.count("m") else "m"
        described = len(sexes) >= 3 or any(m.described for m in ms)  # a sure pronoun, not a guessed one
        surname_alone = len(entity.key) > 1 and any(len(m.key) == 1 and m.key[0] not in common for m in ms)
        shouted = all(len(m.key) > 1 and art.text[m.start : m.end].isupper() for m in ms)  # "SPRINGFIELD (AP) —"
        if {w for m in ms for w in m.key} & PUBLICATION_NAMES and not described:
            entity.kind = "publication"  # "The Daily Herald", but "Lena Holm, 74,"
        elif described:
            entity.kind = "person"
        elif shouted or any(m.determined for m in ms):
            entity.kind = "thing"  # "the Internet": no one is "the" anybody
        elif surname_alone or any(m.speaker for m in ms):
            entity.kind = "person"


@lru_cache(maxsize=8)
def analyse(text: str) -> Article:
    """The names of ``text`` (cached: every source of an article asks about the same text)."""
    sentences = as_document(text).sentences
    quoted = _quoted_spans(text)
    starts = [s for s, _ in quoted]

    def in_quote(pos: int) -> bool:
        i = bisect.bisect_right(starts, pos) - 1
        return i >= 0 and quoted[i][0] <= pos < quoted[i][1]

    common = set(re.findall(r"\b[a-z][a-z’'-]*\b", text))
    mentions, pronouns, words_of = [], [], {}
    for k, sent in enumerate(sentences):
        words = words_of[k] = _words(text, sent)
        for m in _sentence_mentions(text, words, k, common):
            m.quoted = in_quote(m.start)
            m.speaker = m.speaker and not m.quoted
            mentions.append(m)
        for w in words:
            if w.low in MALE_PRONOUNS | FEMALE_PRONOUNS | _THING_PRONOUNS:
                pronouns.append(Pronoun(w.start, w.low, k, w.low in {"he", "she", "it"}, in_quote(w.start)))
    inside = {k for k, words in words_of.items() if words and all(in_quote(w.start) for w in words)}
    art = Article(text, sentences, mentions, _gather(mentions), pronouns, inside)
    _settle(art, words_of, common)
    return art
