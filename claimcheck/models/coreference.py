"""Resolve pronoun and description sources to the name they stand for, or to nothing.

A wrong name shown as fact is worse than the pronoun alone, so the resolver abstains
(returns None) whenever it is unsure. Names come from :mod:`claimcheck.models.names`:
whole names inside one sentence, never running over a sentence end.

- "he"/"she" (and "him", "his", "her"): the nearest sentence, the source's own included,
  that names a person who may be of that sex (nothing says otherwise), outside
  quotations. One such person: that one. Several: the one a speech verb makes the
  speaker, else the sentence's subject; else unsure. Unsure too when a name of unknown
  kind is the subject ("Hartley also wrote ..." with no sign that Hartley is a person),
  or when the one person known to be of that sex is not the one the sentence is about.
  A sentence where the same pronoun comes before any fitting name ("He avoided
  criticism of Reyes", "she said of Reyes") is about whom that pronoun is: look further
  back. At most :data:`SENTENCES_BACK` sentences back, not counting those wholly inside
  a quotation.
- "it"/"its": the same over organisations and outlets, within two sentences; an acronym
  the lexicon does not know as a body ("RFID") may name a thing, so it is never taken.
- "they": left alone. A plural is no single name, and a list of names is not one.
- "the mayor", "the president": the latest person given that title or role ("Mayor Ann
  Ortiz", "mayoral candidate Lena Holm"). "the council", "the party": the
  latest body whose name carries the word. "the agency", "the group": the one body named
  in the sentence or the one before.
- "who"/"which": the phrase just before them ("Regional officials, who ...").
"""

from __future__ import annotations

from collections.abc import Callable

from claimcheck.lexicons import (
    GROUP_PRONOUNS,
    ORG_WORDS,
    PERSON_PRONOUNS,
    RELATIVE_PRONOUNS,
    ROLE_NOUNS,
    ROLE_WORDS,
    THING_PRONOUNS,
    TITLES,
)
from claimcheck.models.names import Article, Entity, Mention, analyse
from claimcheck.models.phrases import np_backward
from claimcheck.text import tokenize

#: how many sentences before the source's own a pronoun looks back over
SENTENCES_BACK = 3
#: how far back (characters) a description looks for the name that carries its word
DESCRIPTION_LOOKBACK = 2500
_SEX = {"he": "m", "him": "m", "his": "m", "himself": "m", "she": "f", "her": "f", "hers": "f", "herself": "f"}
#: descriptions of a body that name no part of it ("the agency" for the FBI)
_BODY_WORDS = frozenset({"agency", "group", "organization", "organisation", "company", "firm"})
_DETERMINERS = frozenset({"the", "this", "that"})
_PERSON_WORDS = (TITLES | ROLE_WORDS | ROLE_NOUNS) - ORG_WORDS

# one candidate of a sentence: (position, entity or None for a pronoun, opens the sentence,
# a speaker, fits the pronoun: False for a name that might be a person but shows no sign of it)
_Item = tuple[int, int | None, bool, bool, bool]
_Fits = Callable[[Entity], bool]


def resolve(text: str, source_start: int, source: str) -> str | None:
    """The name a pronoun or description source stands for; None when none fits or the
    rules of the module docstring are unsure."""
    low = source.lower().strip()
    words = low.split()
    if not words or low in GROUP_PRONOUNS:
        return None
    if low in RELATIVE_PRONOUNS:
        return _relative_antecedent(text, source_start)
    art = analyse(text)
    if not art.sentences:
        return None
    if low in PERSON_PRONOUNS:
        sex = _SEX[low]
        same = frozenset(p for p, s in _SEX.items() if s == sex)
        entity = _nearest(art, source_start, SENTENCES_BACK, _person_of(sex), same, sex)
    elif low in THING_PRONOUNS:
        entity = _nearest(art, source_start, 2, _is_body, THING_PRONOUNS)
    elif words[0] in _DETERMINERS and 2 <= len(words) <= 4:
        entity = _described(art, source_start, _head(words[1:]))
    else:
        return None
    return art.shown_name(entity, source_start) if entity is not None else None


def _relative_antecedent(text: str, source_start: int) -> str | None:
    """ "Regional officials, who ...": the noun phrase just before the pronoun."""
    toks = tokenize(text, max(0, source_start - 300), source_start)
    while toks and toks[-1].text == ",":
        toks.pop()
    np = np_backward(toks, len(toks)) if toks else None
    return text[toks[np[0]].start : toks[np[1] - 1].end] if np else None


def _person_of(sex: str) -> _Fits:
    """Fits a pronoun of that sex: a person nothing says is of the other."""
    return lambda entity: entity.kind == "person" and entity.gender in (None, sex)


def _is_body(entity: Entity) -> bool:
    return entity.kind in {"organization", "publication"} and not entity.bare_acronym


def _head(words: list[str]) -> str:
    """The description's head noun: "senator" of "the senator from Ohio"."""
    for i, word in enumerate(words):
        if word in {"of", "from", "for", "at", "in"} and i:
            return words[i - 1]
    return words[-1]


def _items(art: Article, k: int, pos: int, fits: _Fits, same: frozenset[str], person: bool) -> list[_Item]:
    """Sentence ``k``'s names and ``same`` pronouns before ``pos``, outside quotations:
    the names that fit, and for a person pronoun those of unknown kind too."""
    found: list[_Item] = []
    for m in art.by_sentence.get(k, []):
        if m.start < pos and not m.quoted and not m.modifier:
            entity = art.entities[m.entity]
            if fits(entity) or (person and _may_be_person(m, entity)):
                found.append((m.start, m.entity, m.subject, m.speaker, fits(entity)))
    found += [
        (p.start, None, p.subject, False, True)
        for p in art.pronouns_by_sentence.get(k, [])
        if p.start < pos and p.word in same and not p.quoted
    ]
    return sorted(found)


def _may_be_person(mention: Mention, entity: Entity) -> bool:
    """A name of unknown kind that could be a person's: not after a preposition ("in
    Springfield") nor a lone word opening its sentence ("Turning to the budget, ...")."""
    lone_opener = mention.initial and len(entity.key) == 1
    return entity.kind == "unknown" and not mention.placed and not lone_opener


def _nearest(
    art: Article, pos: int, back: int, fits: _Fits, same: frozenset[str], sex: str | None = None
) -> int | None:
    """The entity the nearest sentence with a fitting name is about (module docstring);
    ``same`` are the pronouns that may stand for the same one, ``sex`` a person pronoun's.
    Sentences inside a quotation are passed over and not counted."""
    k = art.sentence_of(pos)
    seen = 0
    for j in range(k, -1, -1):
        if seen > back:
            break
        if j != k and j in art.quoted_sentences:
            continue
        seen += 1
        items = _items(art, j, pos, fits, same, sex is not None)
        if items and items[0][1] is None and items[0][2]:
            continue  # "He avoided criticism of Reyes", "she said of Reyes": about whom "he" is, further back
        names = [i for i in items if i[1] is not None]
        if names and not names[0][4] and names[0][2]:
            return None  # the sentence is about a name that may be a person nothing tells of
        names = [i for i in names if i[4]]
        if names:
            return _pick(names, [e for e in dict.fromkeys(i[1] for i in names) if art.entities[e].gender == sex])
    return None


def _pick(items: list[_Item], of_sex: list[int]) -> int | None:
    """One sentence's entity: the only one, else its one speaker, else its subject; None
    when several fit and nothing says which, or when the one known to be of the pronoun's
    sex (``of_sex``) is another."""
    entities = list(dict.fromkeys(i[1] for i in items))
    speakers = list(dict.fromkeys(i[1] for i in items if i[3]))
    subjects = [i[1] for i in items if i[2]]
    if len(entities) == 1:
        chosen = entities[0]
    elif len(speakers) == 1:
        chosen = speakers[0]
    else:
        chosen = subjects[0] if subjects else None
    if len(of_sex) == 1 and chosen is not None and chosen != of_sex[0]:
        return None  # "Reyes ... Ann Ortiz. She": the sentence is about him, she is the woman
    return of_sex[0] if len(of_sex) == 1 else chosen


def _described(art: Article, pos: int, head: str) -> int | None:
    """The entity a description stands for (module docstring), None when unsure."""
    recent = [m for m in art.mentions_between(pos - DESCRIPTION_LOOKBACK, pos) if not m.quoted]
    if head in ORG_WORDS:
        # a name that carries the word and more than it: "Harbor City Council", not "Police"
        bodies = [m.entity for m in recent if _is_body(art.entities[m.entity]) and head in m.key and len(m.key) > 1]
        if bodies:
            return bodies[-1]
        return _nearest(art, pos, 1, _is_body, frozenset()) if head in _BODY_WORDS else None
    if head in _PERSON_WORDS:
        people = [m.entity for m in recent if art.entities[m.entity].kind == "person" and head in m.roles]
        return people[-1] if people else None
    return None
