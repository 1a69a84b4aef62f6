"""Generate varied, valid JSON case-form cases for the benchmarks.

``generate(n, seed=0)`` returns ``n`` case-form dicts. The same ``(n, seed)`` always gives the same
cases, and case ``i`` does not depend on ``n`` (a larger batch starts with the smaller one).

The cases cover both policies (and an absent policy: the configured default), continuation with a
documented pump and initial requests without one, replacements and removals, trials, every bundled
drug and admixtures, doses within and above the label or guideline limits, trials with 20-90% relief
or none, psychological evaluations of every result or none, malignant, non-malignant, spasticity and
device-related diagnoses, unknown but well-formed codes (diagnoses and requested lines), the
systemic-pump code 96522, therapy histories, and findings documented true, false or absent; and the
fields of issue 17 (therapy dates, trial hours, function and acceptance, spasm-frequency score,
opioid-reduction agreement, cancer stage, specialist evaluation, abuse or neglect, compounded drugs),
drawn from a second random stream so the other fields of case ``i`` are those it had before them, with
about one case in eight moved to eviCore CMM-210.

Command line::

    python -m bench.generate_cases OUT_DIR [-n 1000] [--seed 0] [--check]

writes ``OUT_DIR/gen-00000.json`` ... and, with ``--check``, loads every case with
``reasoner.loading.load_case`` first.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path

__all__ = ["generate", "SCENARIOS"]

AETNA, CMS, EVICORE = "aetna-cpb-0161", "cms-ncd-280.14", "evicore-cmm-210"

# ---------------------------------------------------------------- codes (from ontology/codes.ttl)

PAIN_CHRONIC = ["G89.21", "G89.22", "G89.28", "G89.29", "G89.4"]
PAIN_SPINE = ["M47.816", "M47.817", "M54.5", "M54.50", "M54.51", "M54.59", "M96.1"]
MALIGNANT_NEOPLASM = ["C34.90", "C50.911", "C61", "C25.9", "C18.9", "C79.51", "C71.9", "D49.6"]
NEOPLASM_PAIN = "G89.3"
MS = ["G35", "G35.A", "G35.B0", "G35.B1", "G35.B2", "G35.C0", "G35.C1", "G35.C2", "G35.D"]
CEREBRAL_PALSY = ["G80.0", "G80.1", "G80.2", "G80.9"]
PARAPLEGIA = ["G82.20", "G82.21", "G82.22", "G82.50"]
DEVICE_ENCOUNTER = ["Z45.1", "Z45.49"]
DEVICE_COMPLICATION = ["T85.610", "T85.620", "T85.630", "T85.690", "T85.73", "T85.735"]
OTHER_KNOWN_DX = ["K50.90", "M79.7"]
UNKNOWN_DX = ["R52", "M54.16", "F41.1", "E11.9", "I10", "S32.009A"]   # well-formed, not in the ontology

IMPLANT = ["62350", "62351", "62360", "62361", "62362"]
REMOVAL = ["62355", "62365"]
REFILL = ["62369", "62370", "95990", "95991"]
ANALYSIS = ["62367", "62368"]
TRIAL_PROC = ["62311", "62319", "62322", "62323", "62326", "62327"]
NEURAXIAL = ["62310", "62318", "62320", "62321", "62324", "62325"]
PER_DIEM = ["S9325", "S9326", "S9327", "S9328"]
REFILL_KIT = "A4220"
PUMP_DEVICE = ["C1772", "C1891", "E0782", "E0783"]
PUMP_REPLACEMENT_DEVICE = "E0786"
CATHETER = ["C1755", "E0785"]
TEMPORARY_PUMP = "C2626"
COMPOUNDED = ["J7999", "J7799", "J3490"]
SYSTEMIC_REFILL = "96522"
OTHER_KNOWN_HCPCS = "J2275"
UNKNOWN_HCPCS = ["J9999", "A9270", "L8699", "Q4100"]    # well-formed, not in the ontology
UNKNOWN_CPT = ["99213", "64483", "0275T", "20610"]

# drug: (HCPCS code, unit, usual concentration, usual daily dose, limit of the daily dose)
# Doses are in the drug's usual unit: mg, or mcg for ziconotide, clonidine and baclofen.
DRUGS = {
    "morphine": ("J2274", "mg", (1, 10, 20, 25), (0.5, 15, 30)),
    "hydromorphone": ("J1170", "mg", (2, 10, 15, 20), (0.2, 10, 20)),
    "ziconotide": ("J2278", "mcg", (25, 100, 150), (0.5, 19.2, 40)),
    "baclofen": ("J0475", "mcg", (500, 1000, 2000, 3000), (50, 1000, 2000)),
    "clonidine": ("J0735", "mcg", (100, 500, 1000, 1500), (20, 600, 1200)),
    "bupivacaine": (None, "mg", (5, 15, 30, 40), (1, 10, 25)),
}
ADMIXTURES = [("morphine", "bupivacaine"), ("hydromorphone", "bupivacaine"), ("morphine", "clonidine"),
              ("hydromorphone", "clonidine"), ("morphine", "bupivacaine", "clonidine")]

THERAPIES = {
    "systemic-opioid": ["oxycodone", "hydrocodone", "tramadol", "oral morphine", "transdermal fentanyl"],
    "nsaid": ["ibuprofen", "naproxen", "celecoxib"],
    "non-opioid-analgesic": ["acetaminophen"],
    "anticonvulsant": ["gabapentin", "pregabalin"],
    "antidepressant": ["duloxetine", "amitriptyline"],
    "muscle-relaxant": ["tizanidine", "cyclobenzaprine"],
    "oral-antispasmodic": ["oral baclofen", "dantrolene"],
    "benzodiazepine": ["diazepam"],
    "topical-analgesic": ["lidocaine patch"],
    "physical-therapy": ["physical therapy"],
    "chiropractic": ["chiropractic care"],
    "massage": ["massage"],
    "behavioral-therapy": ["cognitive behavioural therapy"],
    "injection": ["epidural steroid injections", "facet injections"],
    "nerve-block": ["medial branch blocks"],
    "infusion": ["ketamine infusions"],
    "ablation": ["radiofrequency ablation"],
    "surgery": ["lumbar fusion"],
    "spinal-cord-stimulation": ["spinal cord stimulator"],
    "other": ["adjuvant medications"],
}
PAIN_CATEGORIES = [c for c in THERAPIES if c not in ("oral-antispasmodic",)]
SPASTICITY_CATEGORIES = ["oral-antispasmodic", "muscle-relaxant", "benzodiazepine", "physical-therapy",
                         "injection", "surgery", "other"]
OUTCOMES = ["failed", "intolerant", "effective", "ongoing"]
FINDINGS = ["active_infection", "injection_site_infection", "coagulopathy", "psychosis_history", "drug_allergy",
            "other_programmable_implant", "insufficient_body_size", "spinal_canal_obstruction",
            "uncontrolled_psychiatric_disorder"]
DEVICES = ["SynchroMed II", "Prometra II", "SynchroMed III"]
SCORE_CONTEXTS = ["without-intrathecal-therapy", "with-intrathecal-therapy", "before-trial", "during-trial",
                  "without-medication"]
DOCUMENTS = ["clinical note", "operative report", "trial procedure note", "letter of medical necessity",
             "psychology report", "pump refill note", "prior authorization history"]

SCENARIOS = ("pain-continuation", "pain-initial", "malignant-initial", "spasticity-initial",
             "spasticity-continuation", "trial", "replacement", "removal", "out-of-scope")
_WEIGHTS = (24, 20, 10, 10, 8, 8, 8, 5, 7)


# ---------------------------------------------------------------- helpers

def _day(rng: random.Random, start: date, span_days: int) -> str:
    return (start + timedelta(days=rng.randrange(span_days))).isoformat()


def _num(value: float) -> int | float:
    """A tidy JSON number: whole numbers as ints, others with at most 2 decimals."""
    value = round(value, 2)
    return int(value) if value == int(value) else value


def _line(code: str, system: str, rng: random.Random, units: tuple[int, int] | None = None) -> dict:
    line = {"code": code, "system": system}
    if units is not None and rng.random() < 0.7:
        line["units"] = rng.randint(*units)
    if rng.random() < 0.15:
        line["dates_of_service"] = sorted({_day(rng, date(2025, 1, 1), 300) for _ in range(rng.randint(1, 3))})
    return line


def _system(code: str) -> str:
    return "CPT" if code[0].isdigit() else "HCPCS"


def _dose(rng: random.Random, drug: str, above_rate: float) -> dict:
    """One regimen entry; the dose is in range, above the limit, or not documented."""
    _code, unit, concentrations, (low, limit, high) = DRUGS[drug]
    entry: dict = {"drug": drug}
    if rng.random() < 0.8:
        entry[f"concentration_{unit}_per_ml"] = rng.choice(concentrations)
    roll = rng.random()
    if roll < above_rate:
        entry[f"daily_dose_{unit}"] = _num(rng.uniform(limit * 1.05, high))
    elif roll < 0.9:
        entry[f"daily_dose_{unit}"] = _num(rng.uniform(low, limit))
    return entry


def _regimen(rng: random.Random, *, spasticity: bool) -> list[dict]:
    if spasticity:
        drugs: tuple[str, ...] = ("baclofen",) if rng.random() < 0.9 else ("baclofen", "clonidine")
    else:
        roll = rng.random()
        if roll < 0.25:
            drugs = rng.choice(ADMIXTURES)
        else:
            drugs = (rng.choice(["morphine", "morphine", "hydromorphone", "ziconotide", "clonidine"]),)
    return [_dose(rng, drug, above_rate=0.15) for drug in drugs]


def _drug_lines(rng: random.Random, regimen: list[dict]) -> list[dict]:
    """The billed drug lines: the drug's own code, or a compounded code for admixtures."""
    drugs = [entry["drug"] for entry in regimen]
    if len(drugs) > 1 or DRUGS[drugs[0]][0] is None or rng.random() < 0.1:
        return [_line(rng.choice(COMPOUNDED), "HCPCS", rng, (1, 30))]
    return [_line(DRUGS[drugs[0]][0], "HCPCS", rng, (1, 600))]


def _history(rng: random.Random, categories: list[str], *, fail_rate: float) -> list[dict]:
    entries = []
    for category in rng.sample(categories, k=rng.randint(1, min(8, len(categories)))):
        entry: dict = {"therapy": rng.choice(THERAPIES[category]), "category": category}
        entry["outcome"] = ("failed" if rng.random() < fail_rate * 0.75 else "intolerant") \
            if rng.random() < fail_rate else rng.choice(OUTCOMES)
        if category in ("physical-therapy", "behavioral-therapy", "oral-antispasmodic") and rng.random() < 0.6:
            entry["duration_weeks"] = rng.choice([2, 4, 6, 8, 12, 26])
        entries.append(entry)
    return entries


def _findings(rng: random.Random, *, positive_rate: float) -> dict | None:
    if rng.random() < 0.2:
        return None
    keys = rng.sample(FINDINGS, k=rng.randint(1, len(FINDINGS)))
    return {key: rng.random() < positive_rate for key in keys}


def _pain_trial(rng: random.Random, regimen: list[dict], *, present: float) -> dict | None:
    if rng.random() >= present:
        return None
    agent = regimen[0]["drug"]
    unit = DRUGS[agent][1]
    trial: dict = {"date": _day(rng, date(2024, 6, 1), 400),
                   "method": rng.choice(["temporary-intrathecal-catheter", "temporary-epidural-catheter",
                                         "single-bolus"])}
    if rng.random() < 0.8:
        trial["agent"] = agent
        if rng.random() < 0.7:
            trial[f"dose_{unit}"] = _num(rng.uniform(*DRUGS[agent][3][:2]) / 4)
    if rng.random() < 0.9:
        trial["pain_reduction_percent"] = rng.randrange(20, 91, 5)
    if rng.random() < 0.8:
        trial["side_effects_acceptable"] = rng.random() < 0.85
    return trial


def _psych(rng: random.Random) -> dict | None:
    roll = rng.random()
    if roll < 0.3:
        return None
    result = "favorable" if roll < 0.7 else "unfavorable" if roll < 0.85 else "conditional"
    evaluation = {"result": result}
    if rng.random() < 0.8:
        evaluation["date"] = _day(rng, date(2024, 1, 1), 500)
    return evaluation


def _pump(rng: random.Random, *, replacement: bool = False) -> dict:
    pump: dict = {}
    if rng.random() < 0.85:
        pump["implanted"] = True
    if rng.random() < 0.6:
        pump["implant_date"] = _day(rng, date(2012, 1, 1), 4500)
    if rng.random() < 0.6:
        pump["device"] = rng.choice(DEVICES)
    if rng.random() < 0.35:
        pump["prior_authorizations"] = [str(rng.randrange(1000000, 9999999)) for _ in range(rng.randint(1, 3))]
    if replacement and rng.random() < 0.7:
        pump["replacement_reason"] = rng.choice(["battery-end-of-life", "malfunction", "irreparable",
                                                 "wireless-monitoring-only"])
    if not pump:
        pump["implanted"] = True
    return pump


def _response(rng: random.Random) -> dict | None:
    roll = rng.random()
    if roll < 0.2:
        return None
    response: dict = {}
    if rng.random() < 0.7:
        response["pain_reduction_percent"] = rng.randrange(0, 91, 5)
    if rng.random() < 0.5:
        response["functional_improvement"] = rng.random() < 0.8
    if not response or rng.random() < 0.3:
        response["effective"] = rng.random() < 0.85
    return response


def _pain_diagnoses(rng: random.Random, *, malignant: bool) -> list[dict]:
    codes: list[str] = []
    if malignant:
        codes.append(rng.choice(MALIGNANT_NEOPLASM))
        if rng.random() < 0.7:
            codes.append(NEOPLASM_PAIN)
    else:
        codes.append(rng.choice(PAIN_CHRONIC))
        if rng.random() < 0.6:
            codes.append(rng.choice(PAIN_SPINE))
    if rng.random() < 0.15:
        codes.append(rng.choice(OTHER_KNOWN_DX))
    if rng.random() < 0.15:
        codes.append(rng.choice(UNKNOWN_DX))
    if rng.random() < 0.1:
        codes.append(rng.choice(DEVICE_ENCOUNTER))
    return [{"code": c, "system": "ICD-10-CM"} for c in dict.fromkeys(codes)]


def _spasticity_diagnoses(rng: random.Random) -> list[dict]:
    codes = [rng.choice(rng.choice([MS, MS, CEREBRAL_PALSY, PARAPLEGIA]))]
    if rng.random() < 0.15:
        codes.append(rng.choice(UNKNOWN_DX))
    return [{"code": c, "system": "ICD-10-CM"} for c in dict.fromkeys(codes)]


def _baclofen_trial(rng: random.Random) -> dict | None:
    if rng.random() < 0.2:
        return None
    trial: dict = {"date": _day(rng, date(2024, 6, 1), 400), "method": "single-bolus", "agent": "baclofen"}
    if rng.random() < 0.85:
        trial["dose_mcg"] = rng.choice([25, 50, 75, 100, 150])   # 100 is the label screening maximum
    if rng.random() < 0.9:
        trial["response"] = "positive" if rng.random() < 0.75 else "negative"
    if rng.random() < 0.6:
        trial["ashworth_reduction"] = rng.choice([0, 1, 1.5, 2, 3])
    if rng.random() < 0.8:
        trial["side_effects_acceptable"] = rng.random() < 0.9
    return trial


# ---------------------------------------------------------------- one case

def _case(i: int, seed: int) -> dict:
    rng = random.Random(f"necessity-bench-{seed}-{i}")
    scenario = rng.choices(SCENARIOS, weights=_WEIGHTS)[0]
    case: dict = {"id": f"gen-{seed}-{i:05d}-{scenario}"}
    roll = rng.random()
    if roll < 0.47:
        case["policy"] = AETNA
    elif roll < 0.94:
        case["policy"] = CMS
    if rng.random() < 0.8:
        patient: dict = {"age": rng.randint(8, 90) if rng.random() < 0.9 else rng.randint(18, 85)}
        if rng.random() < 0.8:
            patient["sex"] = rng.choice(["female", "male"])
        case["patient"] = patient

    spasticity = scenario.startswith("spasticity")
    malignant = scenario == "malignant-initial" or (scenario == "pain-continuation" and rng.random() < 0.15)
    if spasticity:
        case["diagnoses"] = _spasticity_diagnoses(rng)
    elif scenario == "out-of-scope" and rng.random() < 0.5:
        case["diagnoses"] = [{"code": rng.choice(UNKNOWN_DX), "system": "ICD-10-CM"}]
    else:
        case["diagnoses"] = _pain_diagnoses(rng, malignant=malignant)
    if scenario in ("replacement", "removal") and rng.random() < 0.5:
        case["diagnoses"].append({"code": rng.choice(DEVICE_COMPLICATION), "system": "ICD-10-CM"})
    if rng.random() < 0.05:
        del case["diagnoses"]            # diagnoses not documented at all

    regimen = _regimen(rng, spasticity=spasticity)
    requested: list[dict] = []
    has_pump = scenario in ("pain-continuation", "spasticity-continuation", "replacement", "removal")
    if scenario in ("pain-continuation", "spasticity-continuation"):
        requested += _drug_lines(rng, regimen)
        requested.append(_line(rng.choice(REFILL + ANALYSIS), "CPT", rng, (1, 4)))
        if rng.random() < 0.3:
            requested.append(_line(rng.choice(PER_DIEM + [REFILL_KIT]), "HCPCS", rng, (1, 365)))
        has_pump = rng.random() < 0.85       # some refills arrive without pump documentation
    elif scenario in ("pain-initial", "malignant-initial", "spasticity-initial"):
        requested.append(_line(rng.choice(IMPLANT), "CPT", rng, (1, 1)))
        if rng.random() < 0.4:
            requested.append(_line(rng.choice(PUMP_DEVICE + CATHETER), "HCPCS", rng, (1, 1)))
        if rng.random() < 0.7:
            requested += _drug_lines(rng, regimen)
        has_pump = rng.random() < 0.05
    elif scenario == "trial":
        requested.append(_line(rng.choice(TRIAL_PROC), "CPT", rng, (1, 3)))
        if rng.random() < 0.5:
            requested.append(_line("J0476" if spasticity or regimen[0]["drug"] == "baclofen"
                                   else rng.choice(["J0476", "J2274", TEMPORARY_PUMP]), "HCPCS", rng, (1, 3)))
        if rng.random() < 0.2:
            requested.append(_line(rng.choice(NEURAXIAL), "CPT", rng, (1, 2)))
        has_pump = rng.random() < 0.1
    elif scenario == "replacement":
        requested.append(_line(rng.choice(IMPLANT + [PUMP_REPLACEMENT_DEVICE] + PUMP_DEVICE + CATHETER),
                               "CPT", rng, (1, 1)))   # the system is fixed below
        if rng.random() < 0.5:
            requested += _drug_lines(rng, regimen)
        has_pump = rng.random() < 0.8
    elif scenario == "removal":
        requested.append(_line(rng.choice(REMOVAL), "CPT", rng, (1, 1)))
        has_pump = rng.random() < 0.8
    else:  # out of scope: the systemic pump code, unknown codes, a code in no group
        choices = [SYSTEMIC_REFILL, OTHER_KNOWN_HCPCS] + UNKNOWN_HCPCS + UNKNOWN_CPT
        for code in rng.sample(choices, k=rng.randint(1, 2)):
            requested.append(_line(code, _system(code), rng, (1, 10)))
        if rng.random() < 0.5:
            requested += _drug_lines(rng, regimen)
        has_pump = rng.random() < 0.5
    if rng.random() < 0.08 and scenario != "out-of-scope":
        code = rng.choice([SYSTEMIC_REFILL] + UNKNOWN_HCPCS + UNKNOWN_CPT)
        requested.append(_line(code, _system(code), rng, (1, 4)))
    # fix the systems of lines chosen from mixed lists, and drop duplicate codes
    seen: set[str] = set()
    lines = []
    for line in requested:
        line["system"] = _system(line["code"])
        if line["code"] not in seen:
            seen.add(line["code"])
            lines.append(line)
    case["requested"] = lines

    if has_pump:
        case["pump"] = _pump(rng, replacement=scenario == "replacement")
    if rng.random() < 0.9:
        if rng.random() < 0.1:               # a regimen without dose or concentration
            regimen = [{"drug": entry["drug"]} for entry in regimen]
        case["regimen"] = regimen
    if has_pump:
        response = _response(rng)
        if response is not None:
            case["response"] = response

    if rng.random() < 0.85:
        categories = SPASTICITY_CATEGORIES if spasticity else PAIN_CATEGORIES
        case["therapy_history"] = _history(rng, categories, fail_rate=0.75)

    if spasticity:
        trial = _baclofen_trial(rng)
    else:
        trial = _pain_trial(rng, regimen, present=0.75 if not has_pump else 0.3)
    if trial is not None:
        case["intrathecal_trial"] = trial

    if not spasticity or rng.random() < 0.3:
        evaluation = _psych(rng)
        if evaluation is not None:
            case["psychological_evaluation"] = evaluation

    if rng.random() < 0.5:
        case["pain_scores"] = [{"score": rng.randint(0, 10), "context": rng.choice(SCORE_CONTEXTS),
                                **({"date": _day(rng, date(2024, 6, 1), 500)} if rng.random() < 0.7 else {})}
                               for _ in range(rng.randint(1, 3))]
    findings = _findings(rng, positive_rate=0.12)
    if findings is not None:
        case["findings"] = findings
    if rng.random() < 0.5:
        case["life_expectancy_months"] = rng.choice([3, 6, 9, 12, 24, 60, 120, 240]) if malignant \
            else rng.choice([12, 60, 120, 240, 360])
    if rng.random() < 0.3:
        case["monitoring_plan"] = rng.random() < 0.85
    if rng.random() < 0.6:
        fields = [key for key in case if key not in ("id", "policy")]
        case["evidence"] = [
            {"field": rng.choice(fields), "document": rng.choice(DOCUMENTS),
             **({"page": rng.randint(1, 40)} if rng.random() < 0.6 else {})}
            for _ in range(rng.randint(1, 4))]
    _issue17_fields(case, random.Random(f"necessity-bench-{seed}-{i}-issue17"), malignant=malignant)
    return case


def _maybe(rng: random.Random, rate: float) -> bool:
    return rng.random() < rate


def _issue17_fields(case: dict, rng: random.Random, *, malignant: bool) -> None:
    """The fields added for the clauses of issue 17, each documented, contradicting or absent."""
    if _maybe(rng, 0.12):
        case["policy"] = EVICORE
    for entry in case.get("therapy_history", []):
        if _maybe(rng, 0.5):
            start = date(2023, 1, 1) + timedelta(days=rng.randrange(700))
            entry["start_date"] = start.isoformat()
            if _maybe(rng, 0.75):
                entry["end_date"] = (start + timedelta(days=rng.choice([14, 30, 41, 42, 60, 120, 183, 300]))).isoformat()
    trial = case.get("intrathecal_trial")
    if trial is not None:
        if trial.get("agent") == "baclofen":
            if _maybe(rng, 0.3):
                trial["spasm_frequency_reduction"] = rng.choice([0, 1, 2, 3])
            if _maybe(rng, 0.6):
                trial["response_hours"] = rng.choice([2, 4, 6, 8])
        else:
            if _maybe(rng, 0.5):
                trial["relief_hours"] = rng.choice([2, 6, 8, 12, 24])
            if _maybe(rng, 0.5):
                trial["functional_improvement"] = _maybe(rng, 0.8)
            if _maybe(rng, 0.5):
                trial["patient_acceptance"] = _maybe(rng, 0.9)
            if _maybe(rng, 0.2):
                trial["route"] = rng.choice(["intrathecal", "epidural"])
    if "pump" in case and _maybe(rng, 0.4):
        case["pump"]["abuse_or_neglect"] = _maybe(rng, 0.15)
    for entry in case.get("regimen", []):
        if _maybe(rng, 0.25):
            entry["compounded"] = _maybe(rng, 0.6)
    if _maybe(rng, 0.4):
        case["opioid_reduction_agreed"] = _maybe(rng, 0.85)
        if _maybe(rng, 0.7):
            case["opioid_reduction_percent"] = rng.choice([25, 50, 75])
    if malignant and _maybe(rng, 0.6):
        cancer: dict = {}
        if _maybe(rng, 0.8):
            cancer["stage"] = rng.choice(["localized", "locally-advanced", "metastatic", "advanced", "remission"])
        if _maybe(rng, 0.7):
            cancer["limited_survival"] = _maybe(rng, 0.6)
        case["cancer"] = cancer
    if _maybe(rng, 0.1):
        case["high_procedural_risk"] = _maybe(rng, 0.5)
    if _maybe(rng, 0.4):
        evaluation: dict = {"specialty": rng.choice(["neurology", "neurosurgery", "oncology", "pain-medicine", "other"])}
        if _maybe(rng, 0.8):
            evaluation["other_treatments_failed"] = _maybe(rng, 0.9)
        case["specialist_evaluation"] = evaluation
    if _maybe(rng, 0.2):
        case["planned_route"] = rng.choice(["intrathecal", "epidural"])


def generate(n: int, *, seed: int = 0) -> list[dict]:
    """``n`` varied, valid JSON case-form dicts, the same for the same ``(n, seed)``."""
    return [_case(i, seed) for i in range(n)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write gen-NNNNN.json files into")
    parser.add_argument("-n", type=int, default=1000, help="number of cases (default 1000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--check", action="store_true", help="load every case with reasoner.loading first")
    args = parser.parse_args(argv)
    cases = generate(args.n, seed=args.seed)
    if args.check:
        from reasoner.loading import load_case

        for case in cases:
            load_case(json.dumps(case).encode(), source=case["id"])
    args.out.mkdir(parents=True, exist_ok=True)
    for i, case in enumerate(cases):
        (args.out / f"gen-{i:05d}.json").write_text(json.dumps(case, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(cases)} cases to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
