"""Word lists used by the rule baseline, the type features and the sourcing score.

Written for claimcheck from the codebook's definitions; they are hints for
rules and features, not a gazetteer.
"""

from __future__ import annotations

import re

PERSON_PRONOUNS = frozenset({"he", "she", "him", "her", "his", "hers", "himself", "herself"})
GROUP_PRONOUNS = frozenset({"they", "them", "their", "themselves"})
THING_PRONOUNS = frozenset({"it", "its", "itself"})
WRITER_PRONOUNS = frozenset({"we", "us", "our", "i", "me", "my", "you", "your"})
RELATIVE_PRONOUNS = frozenset({"who", "which", "that", "whom", "whose"})
PRONOUNS = PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS | WRITER_PRONOUNS | RELATIVE_PRONOUNS
#: Words before a noun that make no name of it: a capitalised "The" or "His" is no name word.
DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "our"})
#: A word of a source mention, as the typing rules read it ("U.S.", "AT&T", "O'Neill", "al-Assad").
MENTION_WORD = re.compile(r"[\w.&’'-]+")

TITLES = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "miss",
        "dr",
        "sen",
        "senator",
        "rep",
        "representative",
        "gov",
        "governor",
        "president",
        "vice",
        "secretary",
        "gen",
        "general",
        "judge",
        "justice",
        "mayor",
        "speaker",
        "chairman",
        "chairwoman",
        "chair",
        "director",
        "lt",
        "col",
        "prof",
        "professor",
        "attorney",
        "ambassador",
        "minister",
        "premier",
        "chancellor",
        "commissioner",
        "sheriff",
        "chief",
        "councilman",
        "councilwoman",
        "congressman",
        "congresswoman",
        "lawmaker",
        "nominee",
        "candidate",
    ]
)
ROLE_WORDS = frozenset(
    [
        "analyst",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "adviser",
        "advisor",
        "aide",
        "strategist",
        "economist",
        "lawyer",
        "pollster",
        "researcher",
        "scientist",
        "expert",
        "official",
        "manager",
        "chairman",
        "director",
        "founder",
        "ceo",
        "president",
        "executive",
        "leader",
        "head",
        "member",
        "author",
        "writer",
        "host",
        "anchor",
        "reporter",
        "correspondent",
        "editor",
        "columnist",
        "historian",
        "professor",
        "consultant",
        "campaign",
    ]
)
ORG_WORDS = frozenset(
    [
        "campaign",
        "committee",
        "department",
        "ministry",
        "agency",
        "administration",
        "party",
        "court",
        "police",
        "government",
        "office",
        "commission",
        "council",
        "senate",
        "house",
        "congress",
        "union",
        "company",
        "corporation",
        "bank",
        "board",
        "bureau",
        "institute",
        "foundation",
        "association",
        "center",
        "centre",
        "fund",
        "group",
        "coalition",
        "organization",
        "organisation",
        "city",
        "county",
        "town",
        "village",
        "district",
        "municipality",
        "fbi",
        "cia",
        "nsa",
        "irs",
        "epa",
        "dnc",
        "rnc",
        "gop",
        "pentagon",
        "kremlin",
        "white",
        "university",
        "college",
        "army",
        "military",
        "navy",
        "service",
        "network",
        "inc",
        "corp",
        "team",
        "caucus",
        "parliament",
        "state",
        "states",
        "embassy",
        "republic",
        "federation",
        "league",
        "alliance",
        "authority",
        "prosecutors",
    ]
)
GROUP_WORDS = frozenset(
    [
        "experts",
        "critics",
        "analysts",
        "observers",
        "protesters",
        "voters",
        "supporters",
        "opponents",
        "residents",
        "people",
        "americans",
        "democrats",
        "republicans",
        "conservatives",
        "liberals",
        "progressives",
        "activists",
        "economists",
        "scientists",
        "researchers",
        "lawmakers",
        "politicians",
        "leaders",
        "members",
        "observers",
        "many",
        "some",
        "others",
        "most",
        "few",
        "several",
        "advocates",
        "skeptics",
        "detractors",
        "fans",
        "evangelicals",
        "investors",
        "women",
        "men",
        "students",
        "parents",
        "doctors",
        "officials",
        "sources",
        "insiders",
    ]
)
DOCUMENT_WORDS = frozenset(
    [
        "poll",
        "polls",
        "survey",
        "study",
        "studies",
        "report",
        "reports",
        "data",
        "analysis",
        "memo",
        "letter",
        "email",
        "emails",
        "tweet",
        "tweets",
        "post",
        "statement",
        "transcript",
        "filing",
        "filings",
        "documents",
        "document",
        "record",
        "records",
        "indictment",
        "lawsuit",
        "complaint",
        "ruling",
        "order",
        "bill",
        "platform",
        "estimate",
        "estimates",
        "figures",
        "census",
        "index",
        "budget",
        "review",
        "audit",
        "investigation",
        "paper",
        "article",
        "book",
        "video",
        "ad",
        "ads",
        "speech",
        "release",
    ]
)
PUBLICATION_NAMES = frozenset(
    [
        "times",
        "post",
        "journal",
        "reuters",
        "ap",
        "afp",
        "bloomberg",
        "cnn",
        "msnbc",
        "fox",
        "nbc",
        "cbs",
        "abc",
        "npr",
        "pbs",
        "bbc",
        "politico",
        "breitbart",
        "huffpost",
        "huffington",
        "axios",
        "guardian",
        "telegraph",
        "economist",
        "newsweek",
        "tribune",
        "herald",
        "gazette",
        "chronicle",
        "politifact",
        "factcheck.org",
        "snopes",
        "associated",
        "press",
        "usa",
        "today",
        "wire",
        "magazine",
        "newspaper",
        "news",
        "daily",
    ]
)
ANONYMOUS_HEADS = frozenset(
    [
        "official",
        "officials",
        "source",
        "sources",
        "aide",
        "aides",
        "adviser",
        "advisers",
        "advisor",
        "advisors",
        "person",
        "people",
        "staffer",
        "staffers",
        "insider",
        "insiders",
        "diplomat",
        "diplomats",
        "member",
        "members",
        "operative",
        "operatives",
        "spokesman",
        "spokeswoman",
        "spokesperson",
        "individual",
        "individuals",
        "who",
    ]
)
WEASEL_SOURCES = frozenset(
    {"some", "many", "others", "it", "people", "some people", "many people", "most people", "they say", "one"}
)
DISTANCING_CUES = frozenset(
    {
        "claimed",
        "claims",
        "claim",
        "claiming",
        "alleged",
        "alleges",
        "allege",
        "alleging",
        "reportedly",
        "purportedly",
        "supposedly",
        "insisted",
        "insists",
        "asserted",
        "asserts",
    }
)
NEUTRAL_CUES = frozenset({"said", "says", "say", "told", "tells", "stated", "according"})
#: words that mark speech or a written statement: an attribution's sentence without any of them
#: and without a quotation mark gives no sign of one
SPEECH_VERBS = (
    NEUTRAL_CUES
    | DISTANCING_CUES
    | frozenset(
        {
            "acknowledged",
            "added",
            "adds",
            "admitted",
            "announced",
            "announces",
            "argued",
            "argues",
            "asked",
            "asks",
            "believe",
            "believes",
            "cautioned",
            "cited",
            "concluded",
            "confirmed",
            "confirms",
            "contended",
            "countered",
            "criticized",
            "declared",
            "denied",
            "denies",
            "described",
            "disclosed",
            "emphasized",
            "estimated",
            "estimates",
            "explained",
            "explains",
            "found",
            "finds",
            "indicated",
            "noted",
            "notes",
            "posted",
            "predicted",
            "predicts",
            "promised",
            "recalled",
            "replied",
            "reported",
            "reports",
            "responded",
            "revealed",
            "saying",
            "showed",
            "shows",
            "stressed",
            "suggested",
            "suggests",
            "telling",
            "testified",
            "think",
            "thinks",
            "tweeted",
            "urged",
            "vowed",
            "warned",
            "warns",
            "wrote",
            "writes",
        }
    )
)

# -- names for coreference: who speaks, and whether a name is a man's or a woman's ----------

#: verbs that make the name before them a speaker ("Bolton said", "Tenney tells"); after
#: "said" or "added" the name after them is one ("said Bolton")
SPEECH_VERBS = frozenset(
    {
        "said",
        "says",
        "say",
        "told",
        "tells",
        "added",
        "adds",
        "asked",
        "asks",
        "wrote",
        "writes",
        "tweeted",
        "noted",
        "notes",
        "explained",
        "argued",
        "argues",
        "continued",
        "replied",
        "responded",
        "insisted",
        "declared",
        "stated",
        "warned",
        "warns",
        "recalled",
        "remarked",
        "acknowledged",
        "contended",
        "predicted",
        "announced",
        "claimed",
        "charged",
        "complained",
        "conceded",
        "joked",
        "spoke",
    }
)
#: words that make the person they describe a woman or a man ("spokeswoman Ann Ortiz",
#: "Ms. Ortiz", "Ann Ortiz, his wife"); with honorifics, the only sign of sex besides the
#: article's own pronouns
FEMALE_WORDS = frozenset(
    {
        "mrs",
        "ms",
        "miss",
        "spokeswoman",
        "chairwoman",
        "congresswoman",
        "councilwoman",
        "assemblywoman",
        "businesswoman",
        "actress",
        "wife",
        "mother",
        "daughter",
        "sister",
        "grandmother",
        "widow",
        "queen",
        "princess",
        "lady",
    }
)
MALE_WORDS = frozenset(
    {
        "mr",
        "spokesman",
        "congressman",
        "councilman",
        "assemblyman",
        "businessman",
        "husband",
        "father",
        "son",
        "brother",
        "grandfather",
        "widower",
        "king",
        "prince",
    }
)

_ANON_MARKER = re.compile(
    r"anonymity|anonymously|not (?:be )?(?:named|identified)|declined to be (?:named|identified)|"
    r"unnamed|familiar with|insiders?|people close to|sources?\b|who spoke on|"
    r"not authori[sz]ed|asked not to",
    re.IGNORECASE,
)
_ANON_REASON = re.compile(
    r"because|due to|sensitiv|not authori[sz]ed|to discuss|fear(?:ing)? (?:of )?|"
    r"not permitted|was not allowed|were not allowed|private (?:talks|deliberations|conversations)|"
    r"ongoing investigation|retaliation|reprisal",
    re.IGNORECASE,
)
_ANON_SOURCE_HEAD = re.compile(
    r"\b(?:an?|one|two|three|several|some|a few|senior|top|former|current)\b.*\b"
    r"(?:officials?|aides?|sources?|advisers?|advisors?|person|people|staffers?|insiders?|"
    r"diplomats?|members?|operatives?|spokesman|spokeswoman|spokesperson|individuals?)\b",
    re.IGNORECASE,
)


def anonymity_marker(text: str) -> bool:
    """Does the text present a source as withheld ("who requested anonymity")?"""
    return bool(_ANON_MARKER.search(text))


def anonymity_reason(text: str) -> bool:
    """Does the text say why the source is withheld ("due to the sensitive nature")?"""
    return bool(_ANON_REASON.search(text))


def looks_anonymous(source: str) -> bool:
    """A described but unnamed individual or set ("a senior official", "two aides")."""
    return bool(_ANON_SOURCE_HEAD.search(source))


_WITHHOLDING_REQUEST = re.compile(
    r"^(?:requested|request(?:ing)?|asked(?: for)?|asking(?: for)?|demanded|insisted on|were granted|was granted|"
    r"granted|spoke|speaking|talked|talking)\b[^.;]{0,40}?\b(?:anonymity|not to be (?:named|identified)|"
    r"on (?:the )?condition (?:of|that)|names? (?:be )?withheld)",
    re.IGNORECASE,
)


def withholding_request(text: str) -> bool:
    """Is ``text`` (read from a cue on) a source asking to stay unnamed ("requested anonymity
    due to ...") rather than a claim of its own?"""
    return bool(_WITHHOLDING_REQUEST.search(text))


# -- sourcing-score helpers: roles, vague groups, outlet descriptors -------------------------

#: courtesy titles: they name no role ("Ms. Brenn" is a bare name)
HONORIFICS = frozenset({"mr", "mrs", "ms", "miss", "mx"})
#: lower-case words that are part of a name, not a role ("Omar al-Farsi", "Ursula von der Leyen")
NAME_PARTICLES = frozenset(
    {"al", "el", "bin", "ibn", "abu", "de", "da", "di", "du", "del", "della", "der", "den", "van", "von", "la", "le"}
)
#: more job and position nouns, for the sourcing score only (ROLE_WORDS and TITLES feed the
#: type model's features, which a change would shift): a role that opens a sentence is
#: capitalised ("Prosecutor Russ Megan said"), so it is known by the word, not its case
ROLE_NOUNS = frozenset(
    [
        "prosecutor",
        "engineer",
        "master",
        "inspector",
        "detective",
        "officer",
        "sergeant",
        "lieutenant",
        "captain",
        "commander",
        "trooper",
        "ranger",
        "firefighter",
        "paramedic",
        "doctor",
        "physician",
        "surgeon",
        "nurse",
        "teacher",
        "principal",
        "dean",
        "provost",
        "coach",
        "pastor",
        "priest",
        "bishop",
        "rabbi",
        "imam",
        "treasurer",
        "auditor",
        "accountant",
        "clerk",
        "registrar",
        "curator",
        "librarian",
        "magistrate",
        "juror",
        "plaintiff",
        "defendant",
        "counsel",
        "solicitor",
        "barrister",
        "advocate",
        "ombudsman",
        "regulator",
        "diplomat",
        "envoy",
        "negotiator",
        "mediator",
        "planner",
        "architect",
        "designer",
        "technician",
        "pilot",
        "driver",
        "farmer",
        "owner",
        "worker",
        "activist",
        "organizer",
        "organiser",
        "coordinator",
        "superintendent",
        "councillor",
        "councilor",
        "trustee",
        "banker",
        "trader",
        "broker",
        "investor",
        "partner",
        "witness",
        "resident",
        "king",
        "queen",
        "prince",
        "princess",
        "pope",
        "cardinal",
        "sheikh",
        "emir",
        # a party is an affiliation: "Republican Donald Trump", "Democrat Hillary Clinton"
        "democrat",
        "democratic",
        "republican",
        "libertarian",
    ]
)
#: words in a source that describe neither a role nor a name
FUNCTION_WORDS = frozenset(
    {
        "the",
        "a",
        "an",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "at",
        "from",
        "for",
        "in",
        "on",
        "to",
        "with",
        "by",
        "as",
        "both",
        "all",
        "each",
        "either",
        "neither",
        "also",
        "too",
        "then",
        "later",
        "earlier",
        "said",
        "says",
        "told",
        "according",
    }
)
#: plural heads of vague, commentator-like groups: with no named qualifier ("experts at
#: Harvard") they are a weasel attribution; a group the story pins down ("jurors",
#: "prosecutors", "residents of Lakeview") is not
VAGUE_GROUP_HEADS = frozenset(
    {
        "experts",
        "critics",
        "analysts",
        "observers",
        "commentators",
        "pundits",
        "skeptics",
        "sceptics",
        "detractors",
        "opponents",
        "supporters",
        "insiders",
        "people",
        "folks",
        "scientists",
        "researchers",
        "scholars",
        "academics",
        "economists",
        "historians",
        "watchers",
        "onlookers",
        "others",
        "voices",
    }
)
#: quantifiers that leave a group unidentifiable ("some residents", "many voters")
VAGUE_QUANTIFIERS = frozenset(
    {"some", "many", "most", "several", "few", "various", "numerous", "countless", "certain", "other", "others"}
)
#: nouns that describe an outlet around its name ("the news agency Associated Press")
OUTLET_NOUNS = frozenset(
    {
        "agency",
        "newspaper",
        "paper",
        "daily",
        "weekly",
        "tabloid",
        "broadcaster",
        "network",
        "channel",
        "station",
        "radio",
        "television",
        "tv",
        "outlet",
        "site",
        "website",
        "magazine",
        "wire",
        "newswire",
        "service",
        "news",
        "publication",
        "journal",
    }
)

_QUALIFIER = re.compile(r",|\(|\b(?:of|at|from|in|on|for|with|who|which|that|across|inside|outside)\b", re.IGNORECASE)


def is_vague_group(source: str) -> bool:
    """Is ``source`` a vague or weasel group ("some say", "critics", "experts", "many people")?

    Not a group the story pins down: "jurors in Virginia", "prosecutors", "residents of
    Lakeview", "experts at Harvard", nor a place ("the US").
    """
    words = re.findall(r"[A-Za-z’'-]+", source)
    low = [w.lower() for w in words]
    if not low or " ".join(low) in WEASEL_SOURCES or any(w in VAGUE_QUANTIFIERS for w in low):
        return True
    m = _QUALIFIER.search(source)
    head_part, qualifier = (source[: m.start()], source[m.start() :]) if m else (source, "")
    heads = re.findall(r"[A-Za-z’'-]+", head_part)
    if not heads or heads[-1].lower() not in VAGUE_GROUP_HEADS:
        return False
    # "critics of the plan" stays vague; "experts at Harvard" names who they are
    return not re.search(r"\b[A-Z]", qualifier)


# -- names for coreference: what is no part of a name --------------------------------------

#: days and months: a name does not end in one ("CNN Tuesday")
DATE_WORDS = frozenset(
    [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
#: ordinary words a capitalised run may start with ("The", "But", "Although"): no part of a name
NOT_NAME_WORDS = (
    FUNCTION_WORDS
    | DATE_WORDS
    | frozenset(
        [
            "this",
            "these",
            "those",
            "it",
            "he",
            "she",
            "they",
            "we",
            "i",
            "his",
            "her",
            "their",
            "its",
            "our",
            "your",
            "my",
            "if",
            "when",
            "while",
            "after",
            "before",
            "although",
            "though",
            "because",
            "since",
            "like",
            "unlike",
            "now",
            "still",
            "yet",
            "so",
            "then",
            "there",
            "here",
            "what",
            "why",
            "how",
            "who",
            "where",
            "which",
            "was",
            "were",
            "is",
            "are",
            "does",
            "did",
            "do",
            "has",
            "have",
            "had",
            "will",
            "would",
            "can",
            "could",
            "should",
            "may",
            "might",
            "even",
            "meanwhile",
            "instead",
            "however",
            "during",
            "despite",
            "under",
            "over",
            "among",
            "about",
            "until",
            "unless",
            "once",
            "whether",
            "every",
            "some",
            "many",
            "most",
            "no",
            "not",
            "only",
            "just",
            "asked",
            "dear",
        ]
    )
)
#: capitalised inside a run, these make it a title-case headline, not a name
HEADLINE_WORDS = frozenset(
    [
        "to",
        "a",
        "an",
        "the",
        "of",
        "and",
        "or",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "is",
        "are",
        "was",
        "were",
        "be",
        "not",
        "just",
        "how",
        "why",
        "what",
        "who",
        "this",
        "that",
        "it",
        "its",
        "his",
        "her",
        "their",
        "says",
        "said",
        "will",
        "has",
        "have",
        "from",
        "into",
        "over",
        "after",
        "before",
        "about",
        "as",
        "up",
        "out",
    ]
)
