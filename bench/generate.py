"""A seeded generator of realistic evidence graphs that pass the SHACL shapes.

Sized by the number of publications (about 50 triples each: 10k publications is about 0.5M
triples, 100k about 5M). Everything is written as it is generated, so memory stays small, and
the same seed gives the same bytes.

What is in it:

* publications (mostly ``fabio:JournalArticle``, some ``fabio:Abstract`` and ``fabio:NewsItem``)
  with title, issued date (increasing with the index: a lower index is older), lower-case DOI,
  PMID for most, authors from a shared pool of ``foaf:Person`` and a ``fabio:Journal``;
* citations: each paper cites 20 to 40 older papers (all of them for the first ones), picked by
  preferential attachment so that the in-degree follows a power law; a share is stated as
  ``cito:citesAsEvidence`` as well as ``cito:cites``;
* about 30% of papers report an ``ev:Study`` with 1 to 4 ``ev:Finding``, each with PICO concepts
  from shared pools and one effect estimate (hazard, odds or risk ratio, or mean difference)
  with its confidence interval and p-value;
* ``ev:Hypothesis`` nodes (publications / 50, at least 10), ``ev:Claim`` nodes read in
  publications, and ``ev:supports`` / ``ev:challenges`` links from claims and findings.

Usage::

    python -m bench.generate --publications 10000 --seed 1 --output bench/out/pubs-10k.nt
"""

from __future__ import annotations

import argparse
import math
import random
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from graph.namespaces import PREFIXES as NAMESPACES

__all__ = ["BASE_IRI", "Stats", "default_output", "generate", "main", "triples"]

BASE_IRI = "http://127.0.0.1:8000/id/"
OUT_DIR = Path(__file__).parent / "out"

# ---------------------------------------------------------------------------------------------
# Namespaces and terms, pre-rendered in N-Triples syntax
# ---------------------------------------------------------------------------------------------

PREFIXES = {
    name: str(namespace)
    for name, namespace in NAMESPACES.items()
    if name
    in (
        "rdf",
        "rdfs",
        "xsd",
        "ev",
        "bibo",
        "cito",
        "dcterms",
        "fabio",
        "foaf",
        "obo",
        "prov",
        "skos",
    )
}
RDF, RDFS, XSD, EV = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["xsd"], PREFIXES["ev"]
BIBO, CITO, DCTERMS = PREFIXES["bibo"], PREFIXES["cito"], PREFIXES["dcterms"]
FABIO, FOAF, OBO = PREFIXES["fabio"], PREFIXES["foaf"], PREFIXES["obo"]
PROV, SKOS = PREFIXES["prov"], PREFIXES["skos"]


def _u(iri: str) -> str:
    return f"<{iri}>"


A = _u(RDF + "type")
LABEL = _u(RDFS + "label")
TITLE = _u(DCTERMS + "title")
ISSUED = _u(DCTERMS + "issued")
CREATOR = _u(DCTERMS + "creator")
IS_PART_OF = _u(DCTERMS + "isPartOf")
DOI = _u(BIBO + "doi")
PMID = _u(BIBO + "pmid")
CITES = _u(CITO + "cites")
CITES_AS_EVIDENCE = _u(CITO + "citesAsEvidence")
FOAF_NAME = _u(FOAF + "name")
PREF_LABEL = _u(SKOS + "prefLabel")
WAS_ATTRIBUTED_TO = _u(PROV + "wasAttributedTo")
HAD_PRIMARY_SOURCE = _u(PROV + "hadPrimarySource")
GENERATED_AT_TIME = _u(PROV + "generatedAtTime")
WAS_DERIVED_FROM = _u(PROV + "wasDerivedFrom")

JOURNAL_ARTICLE = _u(FABIO + "JournalArticle")
ABSTRACT = _u(FABIO + "Abstract")
NEWS_ITEM = _u(FABIO + "NewsItem")
JOURNAL = _u(FABIO + "Journal")
PERSON = _u(FOAF + "Person")

STUDY, FINDING = _u(EV + "Study"), _u(EV + "Finding")
CLAIM, HYPOTHESIS = _u(EV + "Claim"), _u(EV + "Hypothesis")
POPULATION, INTERVENTION, OUTCOME = (_u(EV + c) for c in ("Population", "Intervention", "Outcome"))
STUDY_DESIGN = _u(EV + "studyDesign")
SAMPLE_SIZE = _u(EV + "sampleSize")
REPORTED_IN = _u(EV + "reportedIn")
NCT_ID = _u(EV + "nctId")
FOLLOW_UP = _u(EV + "followUpDuration")
EV_STUDY = _u(EV + "study")
EV_POPULATION = _u(EV + "population")
EV_INTERVENTION = _u(EV + "intervention")
EV_COMPARATOR = _u(EV + "comparator")
REFERENCE_ARM = _u(EV + "referenceArm")
EV_OUTCOME = _u(EV + "outcome")
TIMEPOINT = _u(EV + "timepoint")
CERTAINTY = _u(EV + "certainty")
ESTIMATE = _u(EV + "estimate")
POINT = _u(EV + "pointEstimate")
CI_LOWER = _u(EV + "ciLower")
CI_UPPER = _u(EV + "ciUpper")
CI_LEVEL = _u(EV + "ciLevel")
P_VALUE = _u(EV + "pValue")
P_COMPARATOR = _u(EV + "pValueComparator")
STATEMENT = _u(EV + "statement")
SUPPORTS = _u(EV + "supports")
CHALLENGES = _u(EV + "challenges")

T_DATE = f"^^<{XSD}date>"
T_YEAR = f"^^<{XSD}gYear>"
T_DECIMAL = f"^^<{XSD}decimal>"
T_INTEGER = f"^^<{XSD}integer>"
T_DURATION = f"^^<{XSD}duration>"

RCT = _u(OBO + "OBCS_0000107")
COHORT = _u(OBO + "OBCS_0000106")
ANIMAL = _u(OBO + "OBI_0001199")
CASE_CONTROL = _u(OBO + "OBI_0002624")
DESIGNS = [  # (design, weight, label, sample size range)
    (RCT, 45, "a randomised controlled trial", (40, 3000)),
    (COHORT, 30, "a prospective cohort study", (200, 80000)),
    (CASE_CONTROL, 15, "a case-control study", (60, 6000)),
    (ANIMAL, 10, "an in vivo study in mice", (8, 240)),
]
CERTAINTIES = [
    _u(EV + c) for c in ("HighCertainty", "ModerateCertainty", "LowCertainty", "VeryLowCertainty")
]
# (class, short name, on the ratio scale)
MEASURES = [
    (_u(EV + "HazardRatio"), "HR", True),
    (_u(EV + "OddsRatio"), "OR", True),
    (_u(EV + "RiskRatio"), "RR", True),
    (_u(EV + "MeanDifference"), "MD", False),
]
MEASURE_WEIGHTS = [40, 25, 20, 15]


def _lit(text: str) -> str:
    """A plain string literal (xsd:string)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------------------------------------
# Word pools for names, titles and concepts (ASCII, no quotes: literals need no escaping)
# ---------------------------------------------------------------------------------------------


def _words(text: str, sep: str | None = None) -> list[str]:
    return text.split(sep)


SURNAMES = _words(
    "Smith Jones Garcia Patel Nguyen Kim Chen Wang Li Zhang Muller Schmidt Rossi Russo Martin "
    "Bernard Dubois Silva Santos Costa Kowalski Nowak Novak Horvath Nagy Ivanov Petrov Hansen "
    "Jensen Nielsen Larsen Johansson Andersson Virtanen Korhonen Murphy Kelly OBrien Walsh Byrne "
    "Tanaka Suzuki Sato Takahashi Watanabe Yamamoto Park Lee Choi Singh Kumar Sharma Gupta Shah "
    "Mehta Iyer Rao Reddy Das Khan Ahmed Ali Hassan Cohen Levi Mizrahi Friedman Okafor Adeyemi "
    "Mensah Owusu Kamau Otieno Mwangi Haddad Nasser Yilmaz Kaya Demir Sahin Papadopoulos "
    "Georgiou Lopez Hernandez Gonzalez Perez Sanchez Ramirez Torres Flores Rivera Gomez Diaz "
    "Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch Richter Klein Wolf Brown Taylor "
    "Wilson Davies Evans Thomas Roberts Walker Wright Thompson White Hughes Edwards Green Hall"
)
INITIALS = _words("A B C D E F G H J K L M N P R S T V W Y")

DRUGS = _words(
    "metformin atorvastatin rosuvastatin aspirin clopidogrel ticagrelor apixaban rivaroxaban "
    "dabigatran warfarin empagliflozin dapagliflozin semaglutide liraglutide sitagliptin "
    "insulin-glargine lisinopril ramipril losartan valsartan amlodipine bisoprolol carvedilol "
    "spironolactone sacubitril-valsartan tamoxifen letrozole anastrozole trastuzumab "
    "pertuzumab pembrolizumab nivolumab atezolizumab durvalumab ipilimumab bevacizumab "
    "cetuximab docetaxel paclitaxel carboplatin cisplatin oxaliplatin capecitabine gemcitabine "
    "olaparib palbociclib ribociclib abemaciclib osimertinib imatinib rituximab adalimumab "
    "infliximab etanercept tocilizumab methotrexate hydroxychloroquine dexamethasone "
    "prednisolone budesonide salbutamol tiotropium vitamin-D omega-3 folic-acid iron "
    "zinc probiotics melatonin sertraline escitalopram fluoxetine lithium ketamine"
)
THERAPIES = _words(
    "surgery radiotherapy stereotactic-radiotherapy chemotherapy exercise-training "
    "dietary-counselling cognitive-behavioural-therapy physiotherapy acupuncture "
    "smoking-cessation-support bariatric-surgery percutaneous-coronary-intervention "
    "catheter-ablation telemonitoring screening vaccination"
)
CONTROLS = [
    "placebo",
    "usual care",
    "no treatment",
    "standard chemotherapy",
    "observation",
    "best supportive care",
    "active surveillance",
    "waiting list",
    "sham procedure",
]
CONDITIONS = _words(
    "type 2 diabetes|heart failure|atrial fibrillation|hypertension|coronary artery disease|"
    "stroke|chronic kidney disease|COPD|asthma|rheumatoid arthritis|psoriasis|Crohn disease|"
    "ulcerative colitis|major depression|bipolar disorder|schizophrenia|Alzheimer disease|"
    "Parkinson disease|multiple sclerosis|epilepsy|migraine|obesity|osteoporosis|osteoarthritis|"
    "breast cancer|metastatic breast cancer|prostate cancer|lung cancer|colorectal cancer|"
    "pancreatic cancer|ovarian cancer|melanoma|lymphoma|leukaemia|HIV infection|hepatitis C|"
    "tuberculosis|malaria|sepsis|COVID-19|influenza|chronic pain|insomnia|anaemia|"
    "gestational diabetes|preterm birth|neonatal jaundice|cystic fibrosis|sickle cell disease",
    "|",
)
GROUPS = [
    "adults",
    "older adults",
    "women",
    "men",
    "children",
    "adolescents",
    "postmenopausal women",
    "pregnant women",
    "outpatients",
    "hospitalised patients",
    "patients",
    "mice",
    "rats",
]
OUTCOMES = _words(
    "overall survival|progression-free survival|distant progression-free survival|"
    "local progression-free survival|disease-free survival|all-cause mortality|"
    "cardiovascular mortality|major adverse cardiovascular events|hospitalisation|"
    "hospitalisation for heart failure|myocardial infarction|stroke|major bleeding|"
    "HbA1c change|systolic blood pressure change|body weight change|LDL cholesterol change|"
    "quality of life|pain score|depression score|relapse|remission|response rate|"
    "pathological complete response|time to progression|time to treatment failure|"
    "incidence of fracture|incidence of infection|serious adverse events|"
    "treatment discontinuation|length of stay|readmission at 30 days|tumour volume|"
    "metastatic burden|exacerbations|lung function change|cognitive decline|"
    "functional independence|return to work|symptom-free days",
    "|",
)
TIMEPOINTS = ["P6M", "P12M", "P24M", "P36M", "P5Y", "P72M", "P10Y", "P30D", "P90D"]
TOPIC_WORDS = _words(
    "outcomes|trends|risk factors|burden|management|determinants|costs|patterns of care|"
    "long-term follow-up|biomarkers|prognosis|adherence|guidelines|disparities|epidemiology|"
    "mechanisms|screening|diagnosis|treatment strategies|implementation",
    "|",
)
TOPIC_FORMS = [
    "{w} of {c}: a review",
    "{w} in {c}",
    "{W} and {w2} in {c}",
    "Rethinking {w} in {c}",
    "New evidence on {w} in {c}",
    "{W} of {c} in routine practice",
]
NEWS_FORMS = [
    "Experts debate {w} in {c}",
    "What the latest data say about {c}",
    "Meeting report: {w} in {c}",
    "Trial results challenge {w} in {c}",
]
STUDY_TITLE_FORMS = [
    "{i} versus {k} for {o} in {p}: {d}",
    "Effect of {i} on {o} in {p}: {d}",
    "{i} and {o} in {p}: {d}",
    "Association of {i} with {o} among {p}: {d}",
]
VERBS_SUPPORT = ["improves", "reduces the risk of poor", "prolongs", "protects", "benefits"]
JOURNAL_WORDS = _words(
    "Clinical|Medical|Translational|Experimental|International|European|American|Asian|"
    "Global|Applied|Preventive|Comparative|Evidence-Based|Integrative",
    "|",
)
JOURNAL_FIELDS = _words(
    "Oncology|Cardiology|Medicine|Endocrinology|Neurology|Psychiatry|Epidemiology|"
    "Pharmacology|Surgery|Paediatrics|Rheumatology|Gastroenterology|Pulmonology|"
    "Infectious Diseases|Haematology|Nephrology|Public Health|Therapeutics",
    "|",
)


@dataclass
class Stats:
    """What a run produced."""

    publications: int
    triples: int
    citations: int
    studies: int
    findings: int
    hypotheses: int
    claims: int
    persons: int
    journals: int
    seconds: float


def _dec(hundredths: int) -> str:
    """An xsd:decimal literal with two decimals from an integer number of hundredths."""
    sign = "-" if hundredths < 0 else ""
    v = abs(hundredths)
    return f'"{sign}{v // 100}.{v % 100:02d}"{T_DECIMAL}'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class _Generator:
    """Holds the pools and the running state; ``run`` yields (subject, [(p, o), ...]) groups."""

    def __init__(self, publications: int, seed: int, base_iri: str = BASE_IRI) -> None:
        if publications < 1:
            raise ValueError("need at least one publication")
        self.n = publications
        self.rng = random.Random(seed)
        self.base = base_iri
        self.width = max(6, len(str(publications - 1)))
        self.counts = dict.fromkeys(("triples", "citations", "studies", "findings", "claims"), 0)
        self.n_hypotheses = max(10, publications // 50)
        self.n_persons = max(50, publications // 2)
        self.n_journals = max(20, min(2000, publications // 400))
        self.start = date(1980, 1, 1)
        self.span_days = (date(2024, 12, 31) - self.start).days

    # -- IRIs --------------------------------------------------------------------------------

    def pub(self, i: int) -> str:
        return f"<{self.base}publication/p{i:0{self.width}d}>"

    def person(self, i: int) -> str:
        return f"<{self.base}person/a{i:0{self.width}d}>"

    def journal(self, i: int) -> str:
        return f"<{self.base}venue/j{i:04d}>"

    def concept(self, kind: str, i: int) -> str:
        return f"<{self.base}concept/{kind}/c{i:04d}>"

    def hypothesis(self, i: int) -> str:
        return f"<{self.base}hypothesis/h{i:0{self.width}d}>"

    # -- pools -------------------------------------------------------------------------------

    def _pools(self) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        rng = self.rng
        # journals: (title, abbreviation, DOI registrant prefix)
        self.journals = []
        for j in range(self.n_journals):
            word = JOURNAL_WORDS[j % len(JOURNAL_WORDS)]
            fld = JOURNAL_FIELDS[(j // len(JOURNAL_WORDS)) % len(JOURNAL_FIELDS)]
            series = j // (len(JOURNAL_WORDS) * len(JOURNAL_FIELDS))
            title = f"Journal of {word} {fld}" + (f" {_roman(series + 1)}" if series else "")
            abbrev = f"J {word[:4]} {fld[:5]}".replace("-", "")
            abbrev += f" {series + 1}" if series else ""
            slug = "".join(w[0] for w in title.lower().replace("-", " ").split())
            self.journals.append((title, abbrev, 1000 + 17 * j, slug))
            yield (
                self.journal(j),
                [
                    (A, JOURNAL),
                    (TITLE, _lit(title)),
                    (LABEL, _lit(abbrev)),
                ],
            )
        # authors: foaf:name as printed ("Garcia MJ")
        self.surnames = []
        for a in range(self.n_persons):
            surname = SURNAMES[int(len(SURNAMES) * rng.random())]
            initials = "".join(rng.choice(INITIALS) for _ in range(1 + (rng.random() < 0.4)))
            self.surnames.append(surname)
            yield self.person(a), [(A, PERSON), (FOAF_NAME, _lit(f"{surname} {initials}"))]
        # PICO concepts
        self.populations = []
        for c in range(len(CONDITIONS) * 3):
            cond = CONDITIONS[c % len(CONDITIONS)]
            group = GROUPS[(c * 7 + c // len(CONDITIONS)) % len(GROUPS)]
            name = f"{group} with {cond}"
            self.populations.append(name)
            yield (
                self.concept("population", c),
                [
                    (A, POPULATION),
                    (LABEL, _lit(name)),
                    (PREF_LABEL, _lit(name) + "@en"),
                ],
            )
        self.interventions = []
        names = [d.replace("-", " ") for d in DRUGS] + [t.replace("-", " ") for t in THERAPIES]
        names += [
            f"{d.replace('-', ' ')} plus {t.replace('-', ' ')}"
            for d in DRUGS[:20]
            for t in THERAPIES[:5]
        ]
        self.n_active = len(names)
        names += CONTROLS
        for c, name in enumerate(names):
            self.interventions.append(name)
            yield (
                self.concept("intervention", c),
                [
                    (A, INTERVENTION),
                    (LABEL, _lit(name)),
                    (PREF_LABEL, _lit(name) + "@en"),
                ],
            )
        self.outcomes = list(OUTCOMES)
        for c, name in enumerate(self.outcomes):
            yield (
                self.concept("outcome", c),
                [
                    (A, OUTCOME),
                    (LABEL, _lit(name)),
                    (PREF_LABEL, _lit(name) + "@en"),
                ],
            )
        # hypotheses
        for h in range(self.n_hypotheses):
            i = int(self.n_active * rng.random())
            o = int(len(self.outcomes) * rng.random())
            p = int(len(self.populations) * rng.random())
            verb = VERBS_SUPPORT[h % len(VERBS_SUPPORT)]
            text = f"{self.interventions[i]} {verb} {self.outcomes[o]} in {self.populations[p]}"
            yield (
                self.hypothesis(h),
                [
                    (A, HYPOTHESIS),
                    (LABEL, _lit(f"H{h}: {text[:60]}")),
                    (STATEMENT, _lit(text[0].upper() + text[1:] + ".")),
                ],
            )

    # -- publications ------------------------------------------------------------------------

    def run(self) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        yield from self._pools()
        rng = self.rng
        n = self.n
        cited_pool: list[int] = []  # one entry per citation received: preferential attachment
        claims: list[str] = []
        for i in range(n):
            pub = self.pub(i)
            day = self.start + timedelta(days=i * self.span_days // n)
            r = rng.random()
            kind = JOURNAL_ARTICLE if r < 0.85 else ABSTRACT if r < 0.95 else NEWS_ITEM
            if rng.random() < 0.12:
                issued = f'"{day.year}"{T_YEAR}'
            else:
                issued = f'"{day.isoformat()}"{T_DATE}'
            j = int(self.n_journals * rng.random() ** 1.5)  # some journals are much bigger
            _, abbrev, prefix, jslug = self.journals[j]
            n_authors = 1 + int(rng.random() ** 1.6 * 8) if kind != NEWS_ITEM else 1
            authors = sorted({int(self.n_persons * rng.random() ** 1.3) for _ in range(n_authors)})
            has_study = kind != NEWS_ITEM and rng.random() < 0.316
            study_design = None
            if has_study:
                study_design = _weighted(rng, DESIGNS, [d[1] for d in DESIGNS])
                i_c = int(self.n_active * rng.random())
                k_c = self.n_active + int(len(CONTROLS) * rng.random())
                o_c = int(len(self.outcomes) * rng.random())
                p_c = int(len(self.populations) * rng.random())
                form = STUDY_TITLE_FORMS[int(len(STUDY_TITLE_FORMS) * rng.random())]
                title = form.format(
                    i=self.interventions[i_c].capitalize(),
                    k=self.interventions[k_c],
                    o=self.outcomes[o_c],
                    p=self.populations[p_c],
                    d=study_design[2],
                )
                if not title[0].isupper():
                    title = title[0].upper() + title[1:]
            else:
                forms = NEWS_FORMS if kind == NEWS_ITEM else TOPIC_FORMS
                form = forms[int(len(forms) * rng.random())]
                w = TOPIC_WORDS[int(len(TOPIC_WORDS) * rng.random())]
                w2 = TOPIC_WORDS[int(len(TOPIC_WORDS) * rng.random())]
                c = CONDITIONS[int(len(CONDITIONS) * rng.random())]
                title = form.format(w=w, W=w.capitalize(), w2=w2, c=c)
            po = [
                (A, kind),
                (TITLE, _lit(title)),
                (LABEL, _lit(f"{self.surnames[authors[0]]} {day.year} ({abbrev})")),
                (ISSUED, issued),
                (DOI, _lit(f"10.{prefix}/{jslug}.{day.year}.{i:0{self.width}d}")),
                (IS_PART_OF, self.journal(j)),
            ]
            if kind != NEWS_ITEM and rng.random() < 0.92:
                po.append((PMID, _lit(str(1_000_000 + 5 * i + int(5 * rng.random())))))
            po += [(CREATOR, self.person(a)) for a in authors]
            # citations: 20-40 older papers (all of them while there are fewer), skewed low
            k = 20 + int(21 * rng.random() ** 3)
            if kind == NEWS_ITEM:
                k = 1 + int(4 * rng.random())
            if k >= i:
                cited = list(range(i))
            elif 2 * k > i:
                cited = sorted(rng.sample(range(i), k))
            else:
                chosen: set[int] = set()
                pool_len = len(cited_pool)
                while len(chosen) < k:
                    if pool_len == 0 or rng.random() < 0.3:
                        # uniform, leaning to recent papers
                        chosen.add(i - 1 - int(i * rng.random() ** 1.5))
                    else:
                        chosen.add(cited_pool[int(pool_len * rng.random())])
                cited = sorted(chosen)
            cited_pool.extend(cited)
            self.counts["citations"] += len(cited)
            evidence_share = 0.5 if kind == NEWS_ITEM else 0.06
            for c in cited:
                target = self.pub(c)
                po.append((CITES, target))
                if rng.random() < evidence_share:
                    po.append((CITES_AS_EVIDENCE, target))
            yield pub, po

            if has_study:
                yield from self._study(i, pub, day, study_design, (i_c, k_c, o_c, p_c))

            # claims read in this paper, by one of its authors
            if rng.random() < 0.09:
                claim = f"<{self.base}claim/c{i:0{self.width}d}>"
                h = int(self.n_hypotheses * rng.random() ** 2)
                stance = "supports" if rng.random() < 0.7 else "challenges"
                when = day + timedelta(days=int(60 * rng.random()))
                text = (
                    f"Our results indicate that the hypothesis H{h} "
                    f"{'holds' if stance == 'supports' else 'does not hold'} "
                    f"in {self.populations[int(len(self.populations) * rng.random())]}."
                )
                cpo = [
                    (A, CLAIM),
                    (STATEMENT, _lit(text)),
                    (WAS_ATTRIBUTED_TO, self.person(authors[int(len(authors) * rng.random())])),
                    (HAD_PRIMARY_SOURCE, pub),
                    (GENERATED_AT_TIME, f'"{when.isoformat()}"{T_DATE}'),
                    (SUPPORTS if stance == "supports" else CHALLENGES, self.hypothesis(h)),
                ]
                if claims and rng.random() < 0.15:  # agreeing with or disputing an earlier claim
                    other = claims[int(len(claims) * rng.random())]
                    cpo.append((SUPPORTS if rng.random() < 0.6 else CHALLENGES, other))
                claims.append(claim)
                self.counts["claims"] += 1
                yield claim, cpo

    def _study(self, i, pub, day, design, pico) -> Iterator[tuple[str, list[tuple[str, str]]]]:
        rng = self.rng
        s_idx = self.counts["studies"]
        self.counts["studies"] += 1
        study = f"<{self.base}study/s{i:0{self.width}d}>"
        i_c, k_c, o_c, p_c = pico
        design_iri, _, design_label, (lo, hi) = design
        size = int(math.exp(math.log(lo) + (math.log(hi) - math.log(lo)) * rng.random()))
        po = [
            (A, STUDY),
            (
                LABEL,
                _lit(
                    f"{design_label[0].upper()}{design_label[1:]} of "
                    f"{self.interventions[i_c]} ({day.year})"
                ),
            ),
            (STUDY_DESIGN, design_iri),
            (SAMPLE_SIZE, f'"{max(1, size)}"{T_INTEGER}'),
            (REPORTED_IN, pub),
        ]
        if design_iri == RCT:
            po.append((NCT_ID, _lit(f"NCT0{1_000_000 + 3 * s_idx + int(3 * rng.random()):07d}")))
        if design_iri != ANIMAL and rng.random() < 0.4:
            po.append((FOLLOW_UP, f'"P{6 + int(90 * rng.random())}M"{T_DURATION}'))
        yield study, po

        n_findings = _weighted(rng, (1, 2, 3, 4), (30, 30, 25, 15))
        population = self.concept("population", p_c)
        intervention = self.concept("intervention", i_c)
        comparator = self.concept("intervention", k_c)
        for f in range(1, n_findings + 1):
            self.counts["findings"] += 1
            finding = f"<{self.base}finding/s{i:0{self.width}d}-f{f}>"
            estimate = f"<{self.base}estimate/s{i:0{self.width}d}-f{f}>"
            outcome = o_c if f == 1 else int(len(self.outcomes) * rng.random())
            fpo = [
                (A, FINDING),
                (EV_STUDY, study),
                (WAS_DERIVED_FROM, pub),
                (EV_POPULATION, population),
                (EV_INTERVENTION, intervention),
                (EV_COMPARATOR, comparator),
                (REFERENCE_ARM, comparator),
                (EV_OUTCOME, self.concept("outcome", outcome)),
                (ESTIMATE, estimate),
            ]
            if rng.random() < 0.3:
                fpo.append((TIMEPOINT, f'"{rng.choice(TIMEPOINTS)}"{T_DURATION}'))
            if rng.random() < 0.2:
                fpo.append((CERTAINTY, CERTAINTIES[int(4 * rng.random())]))
            if rng.random() < 0.2:
                h = int(self.n_hypotheses * rng.random() ** 2)
                fpo.append((SUPPORTS if rng.random() < 0.65 else CHALLENGES, self.hypothesis(h)))
            yield finding, fpo
            yield estimate, self._estimate(rng)

    @staticmethod
    def _estimate(rng: random.Random) -> list[tuple[str, str]]:
        measure, _, ratio = _weighted(rng, MEASURES, MEASURE_WEIGHTS)
        level90 = rng.random() < 0.1
        z = 1.645 if level90 else 1.96
        if ratio:
            log_point = rng.gauss(0.0, 0.35)
            se = 0.05 + 0.35 * rng.random()
            point = max(1, round(100 * math.exp(log_point)))
            lower = max(1, min(point, math.floor(100 * math.exp(log_point - z * se))))
            upper = max(point, math.ceil(100 * math.exp(log_point + z * se)))
        else:
            log_point = rng.gauss(0.0, 4.0)  # a mean difference, in the outcome's unit
            se = 0.3 + 2.5 * rng.random()
            point = round(100 * log_point)
            lower = min(point, math.floor(100 * (log_point - z * se)))
            upper = max(point, math.ceil(100 * (log_point + z * se)))
        p = math.erfc(abs(log_point / se) / math.sqrt(2))
        if p < 0.001:
            p_value, comparator = '"0.001"', '"<"'
        else:
            p_value, comparator = f'"{min(p, 1.0):.3f}"', '"="'
        return [
            (A, measure),
            (POINT, _dec(point)),
            (CI_LOWER, _dec(lower)),
            (CI_UPPER, _dec(upper)),
            (CI_LEVEL, f'"{"0.90" if level90 else "0.95"}"{T_DECIMAL}'),
            (P_VALUE, p_value + T_DECIMAL),
            (P_COMPARATOR, comparator),
        ]


def _weighted(rng: random.Random, items, weights):
    total = sum(weights)
    r = rng.random() * total
    for item, weight in zip(items, weights, strict=True):
        r -= weight
        if r < 0:
            return item
    return items[-1]


def _roman(n: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, numeral in numerals:
        while n >= value:
            out += numeral
            n -= value
    return out


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def triples(
    publications: int, seed: int = 1, base_iri: str = BASE_IRI
) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """The generated graph as (subject, [(predicate, object), ...]) in N-Triples term syntax."""
    return _Generator(publications, seed, base_iri).run()


_LOCAL = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class _TurtleTerms:
    """Compacts N-Triples terms into prefixed names where the local part is plainly safe."""

    def __init__(self, base_iri: str) -> None:
        self.prefixes = dict(PREFIXES)
        for kind in (
            "publication",
            "person",
            "venue",
            "study",
            "finding",
            "estimate",
            "claim",
            "hypothesis",
        ):
            self.prefixes[kind] = f"{base_iri}{kind}/"
        for kind in ("population", "intervention", "outcome"):
            self.prefixes[kind] = f"{base_iri}concept/{kind}/"
        # longest namespace first, so that concept/x/ wins over a shorter one
        self._by_length = sorted(self.prefixes.items(), key=lambda kv: -len(kv[1]))
        self._cache: dict[str, str] = {}

    def iri(self, term: str) -> str:
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        iri = term[1:-1]
        out = term
        for prefix, ns in self._by_length:
            if iri.startswith(ns) and _LOCAL.match(iri[len(ns) :]):
                out = f"{prefix}:{iri[len(ns) :]}"
                break
        if len(self._cache) < 50_000:
            self._cache[term] = out
        return out

    def term(self, term: str) -> str:
        if term[0] == "<":
            return self.iri(term)
        if term.endswith(">") and "^^<" in term:
            lexical, datatype = term.rsplit("^^", 1)
            return f"{lexical}^^{self.iri(datatype)}"
        return term

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in self.prefixes.items()) + "\n"


def generate(
    publications: int,
    seed: int,
    out: TextIO,
    fmt: str = "ntriples",
    base_iri: str = BASE_IRI,
) -> Stats:
    """Write the graph for ``publications`` papers to ``out``; returns what was written."""
    started = time.perf_counter()
    gen = _Generator(publications, seed, base_iri)
    count = 0
    buffer: list[str] = []
    write = out.write
    if fmt == "ntriples":
        for subject, po in gen.run():
            count += len(po)
            buffer.append("".join([f"{subject} {p} {o} .\n" for p, o in po]))
            if len(buffer) >= 2000:
                write("".join(buffer))
                buffer.clear()
    elif fmt == "turtle":
        terms = _TurtleTerms(base_iri)
        write(terms.header())
        t = terms.term
        for subject, po in gen.run():
            count += len(po)
            body = " ;\n    ".join(f"{'a' if p == A else t(p)} {t(o)}" for p, o in po)
            buffer.append(f"{t(subject)}\n    {body} .\n\n")
            if len(buffer) >= 2000:
                write("".join(buffer))
                buffer.clear()
    else:
        raise ValueError(f"unknown format {fmt!r}: use ntriples or turtle")
    write("".join(buffer))
    c = gen.counts
    return Stats(
        publications=publications,
        triples=count,
        citations=c["citations"],
        studies=c["studies"],
        findings=c["findings"],
        hypotheses=gen.n_hypotheses,
        claims=c["claims"],
        persons=gen.n_persons,
        journals=gen.n_journals,
        seconds=time.perf_counter() - started,
    )


def _size_label(publications: int) -> str:
    if publications >= 1000 and publications % 1000 == 0:
        return f"{publications // 1000}k"
    return str(publications)


def default_output(publications: int, seed: int = 1, fmt: str = "ntriples") -> Path:
    """``bench/out/pubs-10k.nt`` for 10,000 publications and seed 1 (seed in the name otherwise)."""
    suffix = ".nt" if fmt == "ntriples" else ".ttl"
    seed_part = "" if seed == 1 else f"-seed{seed}"
    return OUT_DIR / f"pubs-{_size_label(publications)}{seed_part}{suffix}"


def write_file(
    publications: int, seed: int, path: Path, fmt: str = "ntriples", base_iri: str = BASE_IRI
) -> Stats:
    """Generate into ``path`` (written to a temporary name, then renamed: never half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as out:
        stats = generate(publications, seed, out, fmt, base_iri)
    partial.replace(path)
    return stats


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.generate", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument(
        "--publications",
        "-n",
        type=int,
        required=True,
        help="number of publications (about 50 triples each)",
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--output",
        "-o",
        type=Path,
        help="output file, '-' for stdout (default bench/out/pubs-<n>.nt)",
    )
    parser.add_argument(
        "--format",
        choices=("ntriples", "turtle"),
        default="ntriples",
        help="output syntax (default ntriples)",
    )
    parser.add_argument("--base", default=BASE_IRI, help=f"base of the IRIs (default {BASE_IRI})")
    args = parser.parse_args(argv)

    if str(args.output) == "-":
        stats = generate(args.publications, args.seed, sys.stdout, args.format, args.base)
        where = "stdout"
    else:
        path = args.output or default_output(args.publications, args.seed, args.format)
        stats = write_file(args.publications, args.seed, path, args.format, args.base)
        where = f"{path} ({path.stat().st_size / 2**20:.1f} MiB)"
    print(
        f"{stats.triples:,} triples ({stats.triples / stats.publications:.1f} per publication) "
        f"in {stats.seconds:.1f} s -> {where}\n"
        f"  {stats.publications:,} publications, {stats.citations:,} citations, "
        f"{stats.studies:,} studies, {stats.findings:,} findings, {stats.hypotheses:,} hypotheses, "
        f"{stats.claims:,} claims, {stats.persons:,} persons, {stats.journals:,} journals",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
