#!/usr/bin/env python3
"""Score `coach understand` output against the learner-understanding gold file.

usage: python3 score_understand.py GOLD.jsonl PRED.jsonl [--errors]

GOLD.jsonl  one object per line: {"id", "text", "asked", "intents", "gold": {target_soc, target_esco,
            current_role_keywords, experience_years, budget, hours_per_week, deadline_weeks, credentials, traps}}
PRED.jsonl  the lines `coach understand` writes: {"id", "intents", "target_role", "current_role",
            "experience_years", "budget", "hours_per_week", "deadline_weeks", "credentials", "skills"}
--errors    also print every wrong or missed fact and intent, one line each, before the summary.

Facts scored (seven): target_role, current_role, experience_years, budget, hours_per_week, deadline_weeks,
credentials.
  target_role      gold = target_soc + target_esco (empty = none stated). A prediction is the target_role object;
                   it is right when its onet_soc is in target_soc or its uri is in target_esco.
  current_role     gold = current_role_keywords (empty = none stated); right when any keyword (lower case)
                   appears in current_role.text, lower-cased.
  experience_years right within +-0.5 years.    hours_per_week  right within +-0.5 hours.
  deadline_weeks   right within +-2 weeks.      budget          amount within +-1 and the same currency code.
  credentials      scored per knowledge-base id: a predicted id in the gold list is a true positive, a predicted
                   id not in it a false positive, a gold id not predicted a false negative (status is not scored).
Per fact: gold stated and prediction right = TP; gold stated and prediction wrong = FP + FN (a wrong value counts
as both); gold stated and nothing predicted = FN; nothing stated in gold but something predicted = FP; null where
gold is null = nothing. An id missing from PRED counts as predicting nothing (and no intents).
Intents: micro over (utterance, intent) pairs. all_right: share of utterances whose seven facts are all right
(credentials right = the same set of ids; a fact right when both gold and prediction are empty).
The last line printed is one JSON object: {"micro_f1", "intent_f1", "all_right", "per_fact": {fact: f1}}.
Python 3 standard library only.
"""

import argparse
import json
import sys

FACTS = [
    "target_role",
    "current_role",
    "experience_years",
    "budget",
    "hours_per_week",
    "deadline_weeks",
    "credentials",
]
TOL = {"experience_years": 0.5, "hours_per_week": 0.5, "deadline_weeks": 2.0}
BUDGET_TOL = 1.0


def read_jsonl(path, what):
    out, bad, dup = {}, 0, 0
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
                key = str(obj["id"])
            except (ValueError, KeyError, TypeError) as e:
                bad += 1
                print(f"warning: {path}:{n}: bad {what} line ({e})", file=sys.stderr)
                continue
            if key in out:
                dup += 1
                print(f"warning: {path}:{n}: duplicate id {key} (first one kept)", file=sys.stderr)
                continue
            out[key] = obj
    return out, bad, dup


def num(v):
    """A number, or None when absent; a value that is present but not a number becomes NaN (always wrong)."""
    if v is None:
        return None
    if isinstance(v, bool):
        return float("nan")
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        if not v.strip():
            return None
        try:
            return float(v.strip())
        except ValueError:
            return float("nan")
    return float("nan")


def text_of(v):
    return v.strip() if isinstance(v, str) else ""


def judge(fact, gold, pred):
    """(gold_stated, predicted, right) for one single-valued fact."""
    if fact == "target_role":
        socs, uris = set(gold.get("target_soc") or []), set(gold.get("target_esco") or [])
        stated = bool(socs or uris)
        tr = pred.get("target_role")
        if isinstance(tr, dict):
            soc, uri = text_of(tr.get("onet_soc")), text_of(tr.get("uri"))
            predicted = bool(soc or uri or text_of(tr.get("label")) or text_of(tr.get("text")))
            right = (soc in socs and soc != "") or (uri in uris and uri != "")
        else:
            predicted = tr is not None and tr != "" and tr != {}
            right = False
        return stated, predicted, right
    if fact == "current_role":
        kws = [
            k.lower() for k in (gold.get("current_role_keywords") or []) if isinstance(k, str) and k.strip()
        ]
        stated = bool(kws)
        cr = pred.get("current_role")
        if isinstance(cr, dict):
            txt = text_of(cr.get("text")).lower()
            predicted = bool(txt or text_of(cr.get("onet_soc")))
        elif isinstance(cr, str):
            txt = cr.strip().lower()
            predicted = bool(txt)
        else:
            txt, predicted = "", cr is not None
        return stated, predicted, any(k in txt for k in kws)
    if fact == "budget":
        gb = gold.get("budget")
        stated = gb is not None
        pb = pred.get("budget")
        if pb is None:
            return stated, False, False
        if not isinstance(pb, dict):
            return stated, True, False
        amount = num(pb.get("amount"))
        if amount is None:
            return stated, False, False
        cur = text_of(pb.get("currency")).upper()
        right = (
            stated and abs(amount - float(gb["amount"])) <= BUDGET_TOL and cur == str(gb["currency"]).upper()
        )
        return stated, True, bool(right)
    # numeric facts
    g = gold.get(fact)
    stated = g is not None
    p = num(pred.get(fact))
    if p is None:
        return stated, False, False
    right = stated and abs(p - float(g)) <= TOL[fact]
    return stated, True, bool(right)


def cred_ids(pred):
    out = set()
    for c in pred.get("credentials") or []:
        cid = c.get("id") if isinstance(c, dict) else c
        if isinstance(cid, str) and cid.strip():
            out.add(cid.strip())
    return out


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else (1.0 if fn == 0 else 0.0)
    r = tp / (tp + fn) if tp + fn else (1.0 if fp == 0 else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold_jsonl")
    ap.add_argument("pred_jsonl")
    ap.add_argument("--errors", action="store_true", help="print every wrong or missed fact and intent")
    a = ap.parse_args()

    gold, gbad, gdup = read_jsonl(a.gold_jsonl, "gold")
    if gbad or gdup:
        sys.exit(f"error: the gold file has {gbad} bad and {gdup} duplicate lines")
    if not gold:
        sys.exit("error: no gold utterances")
    preds, pbad, pdup = read_jsonl(a.pred_jsonl, "prediction")

    counts = {f: [0, 0, 0] for f in FACTS}  # tp, fp, fn
    itp = ifp = ifn = 0
    all_right = missing = 0
    errors = []
    for uid, g in gold.items():
        gg = g.get("gold") or {}
        p = preds.get(uid)
        if p is None:
            missing += 1
            p = {}
        ok_all = True
        for fact in FACTS:
            c = counts[fact]
            if fact == "credentials":
                gs, ps = set(gg.get("credentials") or []), cred_ids(p)
                c[0] += len(gs & ps)
                c[1] += len(ps - gs)
                c[2] += len(gs - ps)
                if gs != ps:
                    ok_all = False
                    errors.append(f"{uid} credentials: gold {sorted(gs)} pred {sorted(ps)}")
                continue
            stated, predicted, right = judge(fact, gg, p)
            if stated and predicted and right:
                c[0] += 1
                continue
            if not stated and not predicted:
                continue
            ok_all = False
            if predicted:
                c[1] += 1
            if stated:
                c[2] += 1
            errors.append(
                f"{uid} {fact}: gold {show_gold(fact, gg)} pred {json.dumps(p.get(fact), ensure_ascii=False)}"
            )
        all_right += ok_all
        gi = set(g.get("intents") or [])
        pi = p.get("intents") or []
        pi = {x for x in pi if isinstance(x, str)} if isinstance(pi, list) else set()
        itp += len(gi & pi)
        ifp += len(pi - gi)
        ifn += len(gi - pi)
        if gi != pi:
            errors.append(f"{uid} intents: gold {sorted(gi)} pred {sorted(pi)}")

    n = len(gold)
    if a.errors:
        for e in errors:
            print(e)
        print()
    print(
        f"utterances {n}; predictions matched {n - missing}; missing {missing}; "
        f"unknown ids {len(set(preds) - set(gold))}; bad lines {pbad}; duplicate ids {pdup}"
    )
    print(f"{'fact':<18}{'tp':>5}{'fp':>5}{'fn':>5}{'precision':>11}{'recall':>8}{'f1':>8}")
    per_fact = {}
    T = [0, 0, 0]
    for fact in FACTS:
        tp, fp, fn = counts[fact]
        T = [T[0] + tp, T[1] + fp, T[2] + fn]
        pr, rc, f1 = prf(tp, fp, fn)
        per_fact[fact] = round(f1, 4)
        print(f"{fact:<18}{tp:>5}{fp:>5}{fn:>5}{pr:>11.4f}{rc:>8.4f}{f1:>8.4f}")
    mp, mr, mf = prf(*T)
    print(f"{'micro (facts)':<18}{T[0]:>5}{T[1]:>5}{T[2]:>5}{mp:>11.4f}{mr:>8.4f}{mf:>8.4f}")
    ip, ir, i_f = prf(itp, ifp, ifn)
    print(f"{'intents (micro)':<18}{itp:>5}{ifp:>5}{ifn:>5}{ip:>11.4f}{ir:>8.4f}{i_f:>8.4f}")
    print(f"utterances with every fact right: {all_right}/{n} = {all_right / n:.4f}")
    print(
        json.dumps(
            {
                "micro_f1": round(mf, 4),
                "intent_f1": round(i_f, 4),
                "all_right": round(all_right / n, 4),
                "per_fact": per_fact,
            }
        )
    )


def show_gold(fact, gg):
    if fact == "target_role":
        return json.dumps(
            {"target_soc": gg.get("target_soc") or [], "target_esco": gg.get("target_esco") or []}
        )
    if fact == "current_role":
        return json.dumps(gg.get("current_role_keywords") or [])
    return json.dumps(gg.get(fact), ensure_ascii=False)


if __name__ == "__main__":
    main()
