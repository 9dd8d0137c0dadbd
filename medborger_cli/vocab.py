"""The codes of DOMAIN.md with their Danish and English labels and the aliases users type.

Each vocabulary maps a code to a `Term`. `parse(vocabulary, value, field)` accepts the code,
the English or Danish label, or an alias, case-insensitively, and raises `BadInput` naming the
field and the valid codes otherwise. This module is imported at start-up: keep it light.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import BadInput
from .i18n import _, is_danish, ngettext


@dataclass(frozen=True)
class Term:
    code: str
    da: str
    en: str
    aliases: tuple[str, ...] = ()

    @property
    def word(self) -> str:
        """The label a reader sees: Danish, or English in the English interface."""
        return self.da if is_danish() else self.en

    @property
    def choice(self) -> str:
        """The word with its code, for a list to choose from: `læring (learning)`."""
        word = self.word
        return word if word == self.code else f"{word} ({self.code})"


def _vocab(*terms: Term) -> dict[str, Term]:
    return {t.code: t for t in terms}


CENTRE_TYPES = _vocab(
    Term("housing", "boligområdebaseret", "housing-area based", ("bolig", "beboerhus", "boligsocial")),
    Term("library", "biblioteksbaseret", "library based", ("bibliotek",)),
    Term("association", "foreningsbaseret", "association based", ("forening", "foreninger", "foreningshus")),
    Term("health", "sundhedshus", "health house", ("sundhed",)),
    Term("other", "andet", "other"),
)

SECTORS = _vocab(
    Term("housing-social", "boligsocial", "housing-social programme", ("helhedsplan", "boligsocial helhedsplan")),
    Term("housing-org", "boligorganisation", "housing organisation", ("afdelingsbestyrelse", "boligforening")),
    Term("municipal", "kommunal", "municipal", ("kommune", "jobcenter", "ssp", "sundhedspleje", "bibliotek", "borgerservice")),
    Term("volunteer", "frivillig", "volunteer", ("forening", "frivillige")),
    Term("resident", "beboer", "resident", ("beboergruppe", "beboere")),
    Term("health", "sundhed", "health", ("region", "læge")),
    Term("education", "uddannelse", "education", ("folkeoplysning", "vuc")),
    Term("police", "politi", "police"),
    Term("private", "privat", "private", ("erhverv", "fond")),
    Term("other", "andet", "other"),
)

CATEGORIES = _vocab(
    Term("advice", "rådgivning", "advice"),
    Term("learning", "læring", "learning", ("lektiehjælp", "sprog", "it")),
    Term("culture", "kultur og fritid", "culture and leisure", ("kultur", "fritid")),
    Term("health", "sundhed", "health"),
    Term("employment", "beskæftigelse", "employment", ("jobcafé", "job")),
    Term("community", "fællesskab", "community", ("fællesspisning", "klub", "klubber")),
    Term("prevention", "forebyggelse", "prevention", ("ungeindsats", "ssp")),
    Term("democracy", "beboerdemokrati", "residents' democracy", ("møder", "demokrati")),
    Term("other", "andet", "other"),
)

# Who an activity is for, kept apart as Open Referral HSDS and OpenActive keep it: an age range,
# a gender, and life situations (DOMAIN.md, "Who an activity is for").

# Life situations (`--target`). `everyone` says the activity is open to all: it adds no limit.
TARGET_GROUPS = _vocab(
    Term("parents", "forældre", "parents", ("foraeldre",)),
    Term("families", "familier", "families", ("familie",)),
    Term("job-seekers", "ledige", "job seekers", ("jobsøgende", "arbejdsløse")),
    Term("newcomers", "nytilkomne", "newcomers", ("nyankomne", "flygtninge")),
    Term("everyone", "alle", "everyone", ("all", "åben for alle", "open")),
)
EVERYONE = "everyone"


@dataclass(frozen=True)
class AgeBand(Term):
    """A named age range, in whole years; `high` None means no upper limit."""

    low: int = 0
    high: int | None = None


AGE_BANDS = _vocab(
    AgeBand("small-children", "småbørn", "small children (0–5)", ("smaabørn", "smabørn", "toddlers", "babyer"), 0, 5),
    AgeBand("children", "børn", "children (6–12)", ("born",), 6, 12),
    AgeBand("youth", "unge", "youth (13–17)", ("teenagere",), 13, 17),
    AgeBand("young-adults", "unge voksne", "young adults (18–29)", ("unge-voksne",), 18, 29),
    AgeBand("seniors", "ældre", "seniors (65+)", ("seniorer", "pensionister"), 65, None),
)

GENDERS = _vocab(
    Term("all", "alle", "all", ("begge", "begge køn", "alle køn", "both", "mixed", "blandet")),
    Term("female", "piger/kvinder", "female", ("piger", "pige", "kvinder", "kvinde", "girls", "women", "f", "k")),
    Term("male", "drenge/mænd", "male", ("drenge", "dreng", "mænd", "mand", "boys", "men", "m", "d")),
)

# The target codes before audiences were split (m001–m004), still accepted in `--target` and in
# files: each means an age range or a gender. `everyone` stays a target group (open to all).
LEGACY_TARGETS: dict[str, tuple[str, object]] = {
    "children": ("age", (6, 12)),
    "youth": ("age", (13, 17)),
    "young-adults": ("age", (18, 29)),
    "seniors": ("age", (65, None)),
    "women": ("gender", "female"),
    "men": ("gender", "male"),
}
# What `--target` accepts: the life situations first (so that `alle` is everyone), then the age
# bands and genders under their old target names (children, unge, kvinder, ...).
TARGET_WORDS = _vocab(
    *TARGET_GROUPS.values(),
    *AGE_BANDS.values(),
    Term("women", "kvinder", "women", ("piger", "pige", "kvinde", "girls", "female")),
    Term("men", "mænd", "men", ("drenge", "dreng", "mand", "boys", "male")),
)


@dataclass(frozen=True)
class ActivityType(Term):
    """A kind of offer: its code is its Danish name (what users type), under one category.
    An `internal` type is a meeting of the actors themselves, not an offer to residents."""

    category: str = "other"
    internal: bool = False


def _types(category: str, *rows: tuple) -> list[ActivityType]:
    found = []
    for row in rows:
        name, en, *rest = row
        aliases = rest[0] if rest else ()
        internal = bool(rest[1]) if len(rest) > 1 else False
        found.append(ActivityType(name, name, en, tuple(aliases), category, internal))
    return found


ACTIVITY_TYPES: dict[str, ActivityType] = {
    t.code: t
    for t in (
        *_types("learning",
                ("lektiehjælp", "homework help", ("lektiecafé", "lektiecafe", "homework-help")),
                ("sprogundervisning", "language teaching", ("sprogcafé", "sprogcafe", "danskundervisning", "modersmålsundervisning", "language")),
                ("IT-hjælp", "IT help", ("it hjælp", "it-help", "digital hjælp")),
                ("voksenundervisning", "adult education", ("adult-education", "9. klasse for voksne"))),
        *_types("employment",
                ("jobcafé", "job café", ("jobcafe", "jobklub", "cv-værksted", "job-cafe")),
                ("jobvejledning", "job counselling", ("uddannelsesvejledning", "job-counselling")),
                ("lommepengejob", "pocket-money jobs", ("fritidsjob", "pocket-money-jobs")),
                ("virksomhedsbesøg", "company visits", ("company-visits",))),
        *_types("advice",
                ("åben rådgivning", "open advice", ("anonym rådgivning", "open-advice", "social rådgivning")),
                ("gældsrådgivning", "debt advice", ("debt-advice", "økonomisk rådgivning")),
                ("boligrådgivning", "housing advice", ("beboerrådgivning", "housing-advice")),
                ("sundhedsrådgivning", "health advice", ("sundhedstjek", "health-advice"))),
        *_types("community",
                ("fællesspisning", "communal dining", ("spisning", "communal-dining")),
                ("klub", "club", ("club", "klubber")),
                ("café", "café", ("cafe",)),
                ("værested", "drop-in", ("drop-in",)),
                ("frivilligforening", "volunteer association", ("forening", "volunteer-association")),
                ("netværksgruppe", "peer group", ("peer-group", "selvhjælpsgruppe"))),
        *_types("health",
                ("motion", "exercise", ("træning", "gymnastik", "idræt", "exercise")),
                ("sundhedsforløb", "health course", ("kol-hold", "diabeteshold", "health-course")),
                ("rygestop", "stop smoking", ("rygestopkursus", "stop-smoking")),
                ("forældreforløb", "parenting course", ("forældrekursus", "parenting-course"))),
        *_types("culture",
                ("kulturtilbud", "cultural event", ("kultur", "cultural-event")),
                ("kreativt værksted", "creative workshop", ("kreaværksted", "creative-workshop")),
                ("fortælling og læsning", "storytelling and reading", ("læseklub", "fortællestund", "storytelling"))),
        *_types("prevention",
                ("gadeplan", "street work", ("gadeplansarbejde", "street-work")),
                ("ungeåbent", "youth drop-in", ("ungeaabent", "youth-drop-in")),
                ("mentorordning", "mentoring", ("mentor", "mentoring"))),
        *_types("democracy",
                ("beboermøde", "residents' meeting", ("afdelingsmøde", "borgermøde", "residents-meeting")),
                ("husmøde", "house meeting", ("husrådsmøde", "house-meeting"), True),
                ("styregruppe", "steering group", ("styregruppemøde", "steering-group"), True),
                ("netværksmøde", "network meeting", ("network-meeting",), True),
                ("bestyrelsesmøde", "board meeting", ("board-meeting",), True)),
    )
}

FOCUS_AREAS = _vocab(
    # LBF 2019–2026
    Term("education", "Uddannelse og livschancer", "Education and life chances", ("uddannelse",)),
    Term("employment", "Beskæftigelse", "Employment", ("beskæftigelse",)),
    Term("crime-prevention", "Kriminalitetsforebyggelse", "Crime prevention",
         ("kriminalitetsforebyggelse", "kriminalpræventiv indsats", "kriminalpræventiv", "crime prevention work")),
    Term("cohesion", "Sammenhængskraft og medborgerskab", "Cohesion and citizenship", ("sammenhængskraft", "medborgerskab")),
    # LBF 2015–2018 (crime-prevention is shared: "Kriminalpræventiv indsats")
    Term("safety-wellbeing", "Tryghed og trivsel", "Safety and well-being", ("tryghed", "trivsel")),
    Term("education-employment", "Uddannelse og beskæftigelse", "Education and employment", ("uddannelse og job",)),
    Term("prevention-parenting", "Forebyggelse og forældreansvar", "Prevention and parental responsibility",
         ("forældreansvar", "forebyggelse og forældre")),
)

# The funding periods of the Landsbyggefonden (LBF) housing-social programmes, and the focus
# areas (indsatsområder) of each. A centre can be given its plan's period; its activities then
# take that period's areas.
FUNDING_PERIODS = _vocab(
    Term("2019-26", "LBF 2019–2026", "LBF 2019–2026", ("2019-2026", "2019–26", "2019–2026", "lbf 2019-26", "2019")),
    Term("2015-18", "LBF 2015–2018", "LBF 2015–2018", ("2015-2018", "2015–18", "2015–2018", "lbf 2015-18", "2015")),
)
FOCUS_BY_PERIOD: dict[str, tuple[str, ...]] = {
    "2019-26": ("education", "employment", "crime-prevention", "cohesion"),
    "2015-18": ("safety-wellbeing", "crime-prevention", "education-employment", "prevention-parenting"),
}
PERIOD_LABELS = {("2015-18", "crime-prevention"): "Kriminalpræventiv indsats"}


def focus_label(code: str | None, period: str | None = None) -> str:
    """A focus area's name: in Danish as its funding period calls it (the programme's own name),
    in English by its English label."""
    if not code:
        return ""
    term = FOCUS_AREAS.get(code)
    if not is_danish():
        return term.en if term else code
    return PERIOD_LABELS.get((period or "", code)) or (term.da if term else code)

# Weekdays: Monday is 0, as in datetime.weekday() and dateutil's MO..SU.
WEEKDAYS = _vocab(
    Term("mon", "mandag", "Monday", ("man", "ma", "mo")),
    Term("tue", "tirsdag", "Tuesday", ("tir", "ti", "tu", "tues")),
    Term("wed", "onsdag", "Wednesday", ("ons", "on", "we")),
    Term("thu", "torsdag", "Thursday", ("tor", "to", "th", "thur", "thurs")),
    Term("fri", "fredag", "Friday", ("fre", "fr")),
    Term("sat", "lørdag", "Saturday", ("lør", "lo", "sa", "lordag")),
    Term("sun", "søndag", "Sunday", ("søn", "sø", "su", "sondag")),
)
WEEKDAY_INDEX = {code: i for i, code in enumerate(WEEKDAYS)}

MONTHLY_POSITIONS = _vocab(
    Term("first", "første", "first", ("1", "1st", "1.")),
    Term("second", "anden", "second", ("2", "2nd", "2.")),
    Term("third", "tredje", "third", ("3", "3rd", "3.")),
    Term("fourth", "fjerde", "fourth", ("4", "4th", "4.")),
    Term("last", "sidste", "last", ("-1",)),
)
MONTHLY_NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}

VOCABULARIES: dict[str, dict[str, Term]] = {
    "centre type": CENTRE_TYPES,
    "sector": SECTORS,
    "category": CATEGORIES,
    "target group": TARGET_GROUPS,
    "gender": GENDERS,
    "activity type": ACTIVITY_TYPES,
    "focus area": FOCUS_AREAS,
    "funding period": FUNDING_PERIODS,
    "weekday": WEEKDAYS,
    "monthly position": MONTHLY_POSITIONS,
}


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("_", "-").split())


def _index(vocabulary: dict[str, Term]) -> dict[str, str]:
    index: dict[str, str] = {}
    for term in vocabulary.values():
        for word in (term.code, term.en, term.da, *term.aliases):
            index.setdefault(_key(word), term.code)
    return index


_INDEXES: dict[int, dict[str, str]] = {}


def parse(vocabulary: dict[str, Term], value: str, field: str) -> str:
    """Return the code for `value` (code, label or alias), or raise BadInput naming `field`."""
    index = _INDEXES.setdefault(id(vocabulary), _index(vocabulary))
    code = index.get(_key(value or ""))
    if code is None:
        valid = ", ".join(f"{t.code} ({t.da})" for t in vocabulary.values())  # either word is accepted
        shown = value.strip() if value and value.strip() else _("(empty)")
        raise BadInput(_("unknown value '{value}'; use one of {valid}").format(value=shown, valid=valid), field=field, value=value)
    return code


def parse_or_none(vocabulary: dict[str, Term], value: str) -> str | None:
    """The code for `value` (code, label or alias), or None."""
    index = _INDEXES.setdefault(id(vocabulary), _index(vocabulary))
    return index.get(_key(value or ""))


def parse_many(vocabulary: dict[str, Term], values: list[str], field: str) -> list[str]:
    """Parse repeated or comma-separated values; keep the first occurrence of each code."""
    codes: list[str] = []
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            code = parse(vocabulary, part, field)
            if code not in codes:
                codes.append(code)
    return codes


def label(vocabulary: dict[str, Term], code: str) -> str:
    """The word a reader sees for a code: Danish, or English in the English interface."""
    term = vocabulary.get(code)
    return term.word if term else code


def counted(kind: str, n: int) -> str:
    """`1 booking`, `3 bookings` for the tables and kinds of record that messages count."""
    words = {
        "centres": lambda: ngettext("{count} centre", "{count} centres", n),
        "rooms": lambda: ngettext("{count} room", "{count} rooms", n),
        "actors": lambda: ngettext("{count} actor", "{count} actors", n),
        "activities": lambda: ngettext("{count} activity", "{count} activities", n),
        "bookings": lambda: ngettext("{count} booking", "{count} bookings", n),
        "closures": lambda: ngettext("{count} closure", "{count} closures", n),
        "attendance": lambda: ngettext("{count} attendance count", "{count} attendance counts", n),
        "acknowledgements": lambda: ngettext("{count} acknowledgement", "{count} acknowledgements", n),
        "partnerships": lambda: ngettext("{count} partnership", "{count} partnerships", n),
        "partners": lambda: ngettext("{count} partner", "{count} partners", n),
        "rows": lambda: ngettext("{count} row", "{count} rows", n),
        "events": lambda: ngettext("{count} event", "{count} events", n),
    }
    word = words.get(kind) or words.get(kind + "s")
    return word().format(count=n) if word else f"{n} {kind}"


def kind_word(kind: str) -> str:
    """A kind of record as a word of the sentence (`aktør`)."""
    return {"centre": _("centre"), "room": _("room"), "actor": _("actor"), "activity": _("activity"),
            "booking": _("booking"), "closure": _("closure"), "finding": _("finding"), "person": _("person"),
            # the tables an import writes (the change log names them)
            "centres": _("centres"), "rooms": _("rooms"), "actors": _("actors"), "activities": _("activities"),
            "bookings": _("bookings"), "closures": _("closures"), "attendance": _("attendance")}.get(kind, kind)
