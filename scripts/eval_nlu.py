"""Held-out NLU evaluation: our pipeline vs. two baselines trained on the same data.

    PYTHONPATH=. .venv/bot/bin/python scripts/eval_nlu.py            # what `make eval` runs
    PYTHONPATH=. .venv/bot/bin/python scripts/eval_nlu.py --systems ours,tfidf

Systems (all trained on data/, evaluated on tests/nlu/test_set.yml):
  * ours     config.yml's pipeline;
  * default  the pipeline `rasa init` writes (DIET 100 epochs, ResponseSelector 100
             epochs, FallbackClassifier 0.3), with JiebaTokenizer in place of
             WhitespaceTokenizer, which refuses Chinese;
  * tfidf    scikit-learn: TF-IDF character 1–3-grams of the raw text + logistic
             regression (intents only; no entities).

Intent metrics use the top intent before the fallback (the FallbackClassifier would turn
low-confidence ones into a clarifying question; that rate is reported separately). A
retrieval intent counts as ``faq``; the FAQ topic accuracy is reported on its own.
Entities are compared as (entity, canonical value) pairs per message, so a span boundary
difference does not matter but a wrong canonical value does.

Writes reports/nlu_eval.{md,html,json} and reports/confusion_matrix.png. A system that
is not run this time (``--systems ours,tfidf`` skips the ~10-minute ``default``) is
carried over from the previous reports/nlu_eval.json with the time it was measured, so
the report keeps all three columns; ``--no-carry-over`` drops it instead.

The Markdown report (below the summary) and the console output show the change against
the last committed report (``git show HEAD:reports/nlu_eval.json``, else the file on
disk): overall and per-intent F1 up/down and new confusions (trainer/checks/eval_diff.py).
"""

from __future__ import annotations

import argparse
import asyncio
import html
import json
import logging
import os
import re
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from trainer.project import DOMAIN  # noqa: E402

TEST_SET = ROOT / "tests/nlu/test_set.yml"
REPORTS = ROOT / "reports"
ENTITY_TYPES = {
    "account_type", "amount", "phone_number", "card_number", "card_tail", "verification_code",
    "product_type", "time_period", "complaint_category", "rating",
}  # fmt: skip

DEFAULT_PIPELINE = """
recipe: default.v1
language: zh
pipeline:
  - name: JiebaTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: {epochs}
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies: []
"""


# ------------------------------------------------------------------------ data


def load_training_data() -> Any:
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        domain_path=str(ROOT / DOMAIN),
        training_data_paths=[str(ROOT / "data/nlu"), str(ROOT / "data/faq")],
    )
    return importer.get_nlu_data()


def load_test_examples() -> list[dict[str, Any]]:
    """Held-out examples: text, gold intent (top level), FAQ topic, gold entities."""
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    data = RasaYAMLReader().read(str(TEST_SET))
    examples = []
    for message in data.intent_examples:
        examples.append(
            {
                "text": message.get("text"),
                "intent": message.get("intent"),
                "topic": message.get("intent_response_key"),
                "entities": [
                    (e["entity"], canonical_value(e["entity"], e["value"]))
                    for e in message.get("entities") or []
                ],
            }
        )
    return examples


def canonical_value(entity: str, value: Any) -> str:
    """A comparable string: numbers as numbers (5 == 5.0 == '5'), text as it is."""
    if entity in {"amount", "rating"}:
        try:
            number = float(str(value).replace(",", ""))
            return str(int(number)) if number.is_integer() else str(number)
        except ValueError:
            return str(value)
    return str(value)


def normalised(text: str) -> str:
    from bankkit.text import normalise_text

    return normalise_text(text).replace(" ", "")


def leaked_utterances(training_data: Any, examples: list[dict[str, Any]]) -> list[str]:
    """Test utterances that also occur in the training data (after normalisation)."""
    trained = {normalised(m.get("text")) for m in training_data.training_examples if m.get("text")}
    return [e["text"] for e in examples if normalised(e["text"]) in trained]


# --------------------------------------------------------------------- systems


async def _parse_all(agent: Any, texts: list[str]) -> list[dict[str, Any]]:
    return [await agent.parse_message(text) for text in texts]


def run_rasa_system(config_path: Path, texts: list[str], out_dir: Path) -> dict[str, Any]:
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    started = time.perf_counter()
    model = train_nlu(
        config=str(config_path),
        nlu_data=str(ROOT / "data"),
        output=str(out_dir),
        fixed_model_name=config_path.stem,
        domain=str(ROOT / DOMAIN),
    )
    train_seconds = time.perf_counter() - started
    agent = Agent.load(model)
    started = time.perf_counter()
    parses = asyncio.run(_parse_all(agent, texts))
    parse_ms = (time.perf_counter() - started) * 1000 / max(len(texts), 1)
    predictions = []
    for parse in parses:
        ranking = [r for r in parse.get("intent_ranking") or [] if r["name"] != "nlu_fallback"]
        top = ranking[0] if ranking else {"name": None, "confidence": 0.0}
        selector = parse.get("response_selector") or {}
        faq = selector.get("faq") or selector.get("default") or {}
        topic = (faq.get("response") or {}).get("intent_response_key")
        predictions.append(
            {
                "intent": top["name"],
                "confidence": top.get("confidence", 0.0),
                "fallback": (parse.get("intent") or {}).get("name") == "nlu_fallback",
                "topic": topic,
                "entities": [
                    (e["entity"], canonical_value(e["entity"], e.get("value")))
                    for e in parse.get("entities") or []
                    if e["entity"] in ENTITY_TYPES
                ],
            }
        )
    return {"predictions": predictions, "train_seconds": train_seconds, "parse_ms": parse_ms}


def run_tfidf(training_data: Any, texts: list[str]) -> dict[str, Any]:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    train = [m for m in training_data.intent_examples if m.get("text")]
    started = time.perf_counter()
    model = make_pipeline(
        TfidfVectorizer(analyzer="char", ngram_range=(1, 3)),
        LogisticRegression(C=10, max_iter=3000),
    )
    model.fit([m.get("text") for m in train], [m.get("intent") for m in train])
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    probabilities = model.predict_proba(texts)
    parse_ms = (time.perf_counter() - started) * 1000 / max(len(texts), 1)
    classes = model.classes_
    predictions = [
        {
            "intent": str(classes[p.argmax()]),
            "confidence": float(p.max()),
            "fallback": False,
            "topic": None,
            "entities": None,
        }
        for p in probabilities
    ]
    return {"predictions": predictions, "train_seconds": train_seconds, "parse_ms": parse_ms}


# --------------------------------------------------------------------- metrics


def intent_metrics(gold: list[str], predicted: list[str | None]) -> dict[str, Any]:
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    labels = sorted(set(gold))
    pred = [p or "None" for p in predicted]
    precision, recall, f1, support = precision_recall_fscore_support(
        gold, pred, labels=labels, zero_division=0
    )
    per_intent = {
        label: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
        for label, p, r, f, s in zip(labels, precision, recall, f1, support)
    }
    confused = Counter((g, p) for g, p in zip(gold, pred) if g != p)
    return {
        "accuracy": float(accuracy_score(gold, pred)),
        "macro_f1": float(sum(f1) / len(f1)),
        "per_intent": per_intent,
        "confused": [[g, p, n] for (g, p), n in confused.most_common(10)],
    }


def entity_metrics(
    gold: list[list[tuple[str, str]]], predicted: list[list[tuple[str, str]]]
) -> dict[str, Any]:
    per_type: dict[str, Counter] = {}
    for g, p in zip(gold, predicted):
        g_count, p_count = Counter(g), Counter(p)
        for key in set(g_count) | set(p_count):
            stats = per_type.setdefault(key[0], Counter())
            tp = min(g_count[key], p_count[key])
            stats["tp"] += tp
            stats["fp"] += p_count[key] - tp
            stats["fn"] += g_count[key] - tp

    def prf(stats: Counter) -> dict[str, float]:
        p = stats["tp"] / (stats["tp"] + stats["fp"]) if stats["tp"] + stats["fp"] else 0.0
        r = stats["tp"] / (stats["tp"] + stats["fn"]) if stats["tp"] + stats["fn"] else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": p, "recall": r, "f1": f, "support": stats["tp"] + stats["fn"]}

    total = sum(per_type.values(), Counter())
    return {**prf(total), "per_entity": {k: prf(v) for k, v in sorted(per_type.items())}}


def evaluate(system: dict[str, Any], examples: list[dict[str, Any]]) -> dict[str, Any]:
    predictions = system["predictions"]
    result = intent_metrics([e["intent"] for e in examples], [p["intent"] for p in predictions])
    result["fallback_rate"] = sum(p["fallback"] for p in predictions) / len(predictions)
    faq = [(e, p) for e, p in zip(examples, predictions) if e["topic"]]
    topics = [p["topic"] for _, p in faq]
    result["faq_topic_accuracy"] = (
        sum(e["topic"] == p["topic"] for e, p in faq) / len(faq) if any(topics) else None
    )
    if predictions[0]["entities"] is not None:
        result["entities"] = entity_metrics(
            [e["entities"] for e in examples], [p["entities"] for p in predictions]
        )
    else:
        result["entities"] = None
    result["measured_at"] = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    result["train_seconds"] = system["train_seconds"]
    result["parse_ms"] = system["parse_ms"]
    result["errors"] = [
        {
            "text": e["text"],
            "gold": e["intent"],
            "predicted": p["intent"],
            "confidence": round(p["confidence"], 3),
        }
        for e, p in zip(examples, predictions)
        if e["intent"] != p["intent"]
    ]
    return result


# ---------------------------------------------------------------------- report


NAMES = {
    "ours": "ours (config.yml)",
    "default": "Rasa default (rasa init)",
    "tfidf": "char TF-IDF + LogReg",
}


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def summary_rows(results: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, r in results.items():
        ents = r["entities"]
        rows.append([
            NAMES[name], _fmt(r["accuracy"]), _fmt(r["macro_f1"]),
            _fmt(ents["precision"]) if ents else "—", _fmt(ents["recall"]) if ents else "—",
            _fmt(ents["f1"]) if ents else "—", _fmt(r["faq_topic_accuracy"]),
            f"{r['fallback_rate']:.1%}", f"{r['train_seconds']:.0f}", f"{r['parse_ms']:.1f}",
        ])  # fmt: skip
    return rows


SUMMARY_HEADER = [
    "system", "intent acc", "intent macro-F1", "entity P", "entity R", "entity F1",
    "FAQ topic acc", "fallback rate", "train s (NLU)", "parse ms/msg",
]  # fmt: skip


def confusion_png(results: dict[str, Any], examples: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import confusion_matrix

    fresh = [n for n, r in results.items() if "_predicted" in r]  # not carried over
    name = "ours" if "ours" in fresh else fresh[0]
    gold = [e["intent"] for e in examples]
    pred = [p or "None" for p in results[name]["_predicted"]]
    labels = sorted(set(gold) | set(pred))
    matrix = confusion_matrix(gold, pred, labels=labels)
    fig, ax = plt.subplots(figsize=(11, 10))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for i in range(len(labels)):
        for j in range(len(labels)):
            if matrix[i, j]:
                ax.text(
                    j,
                    i,
                    matrix[i, j],
                    ha="center",
                    va="center",
                    fontsize=7,
                    color="white" if matrix[i, j] > matrix.max() / 2 else "black",
                )
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"Intent confusion on the held-out set — {NAMES[name]}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def carried_over_note(results: dict[str, Any]) -> str:
    """A line naming the systems whose numbers come from an earlier run."""
    old = [
        f"{NAMES[name]} (measured {r.get('measured_at') or 'in an earlier run'}, "
        f"{r.get('training_examples', '?')} training examples then)"
        for name, r in results.items()
        if r.get("carried_over")
    ]
    if not old:
        return ""
    return (
        "Not re-run this time, carried over from the previous report: "
        + "; ".join(old)
        + ". Run `scripts/eval_nlu.py` with all systems to refresh."
    )


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def carry_over(results: dict[str, Any], previous_path: Path) -> dict[str, Any]:
    """``results`` plus the systems it lacks from the previous JSON report, in NAMES order."""
    try:
        previous = json.loads(previous_path.read_text())
    except (OSError, ValueError):
        previous = {}
    if previous:
        when = datetime.fromtimestamp(previous_path.stat().st_mtime, timezone.utc)
    merged: dict[str, Any] = {}
    for name in NAMES:
        if name in results:
            merged[name] = results[name]
        elif name in previous:
            old = dict(previous[name])
            old.setdefault("measured_at", when.strftime("%Y-%m-%d %H:%M UTC"))
            if "training_examples" not in old:  # reports written before this field
                found = re.search(
                    r"Training data: `data/`, (\d+) examples",
                    _read(previous_path.with_suffix(".md")),
                )
                old["training_examples"] = int(found.group(1)) if found else "?"
            old["carried_over"] = True
            merged[name] = old
    return merged


def write_reports(
    results: dict[str, Any],
    examples: list[dict[str, Any]],
    train_size: int,
    change: list[str] | None = None,
) -> None:
    REPORTS.mkdir(exist_ok=True)
    confusion_png(results, examples, REPORTS / "confusion_matrix.png")
    public = {
        k: {kk: vv for kk, vv in v.items() if not kk.startswith("_")} for k, v in results.items()
    }
    (REPORTS / "nlu_eval.json").write_text(json.dumps(public, ensure_ascii=False, indent=1))

    intents = sorted({e["intent"] for e in examples})
    md = [
        "# NLU evaluation on the held-out set",
        "",
        f"Held-out: `tests/nlu/test_set.yml`, {len(examples)} utterances, {len(intents)} intents "
        f"(FAQ topics count as `faq`). Training data: `data/`, {train_size} examples. "
        "Generated by `make eval` (`scripts/eval_nlu.py`).",
        "",
        "| " + " | ".join(SUMMARY_HEADER) + " |",
        "|" + "---|" * len(SUMMARY_HEADER),
    ]
    md += ["| " + " | ".join(row) + " |" for row in summary_rows(results)]
    md += ["", note] if (note := carried_over_note(results)) else []
    md += ["", *change] if change else []
    md += ["", "## Per intent (F1)", "", "| intent | support | " + " | ".join(NAMES[n] for n in results) + " |",
           "|---|---|" + "---|" * len(results)]  # fmt: skip
    for intent in intents:
        support = next(iter(results.values()))["per_intent"][intent]["support"]
        md.append(
            f"| {intent} | {support} | "
            + " | ".join(_fmt(r["per_intent"][intent]["f1"]) for r in results.values())
            + " |"
        )
    for name, r in results.items():
        md += ["", f"## Most confused pairs — {NAMES[name]}", ""]
        md += [f"- {g} → {p}: {n}" for g, p, n in r["confused"]] or ["- none"]
        if r["entities"]:
            md += [
                "",
                f"### Entities — {NAMES[name]}",
                "",
                "| entity | P | R | F1 | support |",
                "|---|---|---|---|---|",
            ]
            md += [f"| {k} | {_fmt(v['precision'])} | {_fmt(v['recall'])} | {_fmt(v['f1'])} | {v['support']} |"
                   for k, v in r["entities"]["per_entity"].items()]  # fmt: skip
    md += ["", "![confusion matrix](confusion_matrix.png)", ""]
    if "ours" in results:
        md += ["## Errors of ours", ""] + [
            f"- {e['text']} — gold {e['gold']}, predicted {e['predicted']} ({e['confidence']})"
            for e in results["ours"]["errors"]
        ]
    (REPORTS / "nlu_eval.md").write_text("\n".join(md) + "\n")

    def table(header: list[str], rows: list[list[str]]) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    per_intent_rows = [
        [i, next(iter(results.values()))["per_intent"][i]["support"]]
        + [_fmt(r["per_intent"][i]["f1"]) for r in results.values()]
        for i in intents
    ]
    parts = [
        "<!doctype html><meta charset='utf-8'><title>NLU evaluation</title>",
        "<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px}"
        "th{background:#eef}</style>",
        "<h1>NLU evaluation on the held-out set</h1>",
        f"<p>{len(examples)} held-out utterances (<code>tests/nlu/test_set.yml</code>), "
        f"{len(intents)} intents; {train_size} training examples.</p>",
        table(SUMMARY_HEADER, summary_rows(results)),
        f"<p>{html.escape(carried_over_note(results))}</p>" if carried_over_note(results) else "",
        f"<pre>{html.escape(chr(10).join(change))}</pre>" if change else "",
        "<h2>Per intent (F1)</h2>",
        table(["intent", "support"] + [NAMES[n] for n in results], per_intent_rows),
    ]
    for name, r in results.items():
        parts.append(f"<h2>Most confused pairs — {html.escape(NAMES[name])}</h2>")
        parts.append(table(["gold", "predicted", "count"], r["confused"]))
        if r["entities"]:
            parts.append(f"<h3>Entities — {html.escape(NAMES[name])}</h3>")
            parts.append(table(["entity", "P", "R", "F1", "support"], [
                [k, _fmt(v["precision"]), _fmt(v["recall"]), _fmt(v["f1"]), v["support"]]
                for k, v in r["entities"]["per_entity"].items()]))  # fmt: skip
    parts.append("<h2>Confusion matrix</h2><img src='confusion_matrix.png' width='900'>")
    if "ours" in results:
        parts.append("<h2>Errors of ours</h2>")
        parts.append(
            table(
                ["text", "gold", "predicted", "confidence"],
                [
                    [e["text"], e["gold"], e["predicted"], e["confidence"]]
                    for e in results["ours"]["errors"]
                ],
            )
        )
    (REPORTS / "nlu_eval.html").write_text("\n".join(parts))


# ------------------------------------------------------------------------ main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", default="ours,default,tfidf")
    parser.add_argument("--default-epochs", type=int, default=100)
    parser.add_argument(
        "--no-carry-over",
        action="store_true",
        help="report only the systems run now (default: keep the others' last numbers)",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)

    from trainer.checks.eval_diff import format_change, load_previous_report

    # read before anything is overwritten (the fallback is the file on disk)
    previous = load_previous_report(ROOT)
    training_data = load_training_data()
    examples = load_test_examples()
    leaked = leaked_utterances(training_data, examples)
    if leaked:
        print("held-out utterances found in the training data:", *leaked, sep="\n  ")
        return 1
    texts = [e["text"] for e in examples]
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name in args.systems.split(","):
            print(f">> {NAMES[name]}: training and parsing", flush=True)
            if name == "ours":
                system = run_rasa_system(ROOT / "config.yml", texts, out)
            elif name == "default":
                config = out / "default_config.yml"
                config.write_text(DEFAULT_PIPELINE.format(epochs=args.default_epochs))
                system = run_rasa_system(config, texts, out)
            elif name == "tfidf":
                system = run_tfidf(training_data, texts)
            else:
                raise SystemExit(f"unknown system {name}")
            results[name] = evaluate(system, examples)
            results[name]["_predicted"] = [p["intent"] for p in system["predictions"]]
            results[name]["training_examples"] = len(training_data.training_examples)
    if not args.no_carry_over:
        results = carry_over(results, REPORTS / "nlu_eval.json")
    change = format_change(previous, results, NAMES)
    write_reports(results, examples, len(training_data.training_examples), change)
    print("| " + " | ".join(SUMMARY_HEADER) + " |")
    for row in summary_rows(results):
        print("| " + " | ".join(row) + " |")
    print("", *change, sep="\n")
    print(f"report: {REPORTS / 'nlu_eval.html'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
