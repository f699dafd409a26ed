"""Splink 5 (DuckDB backend) on a CSV of person records, trained and configured the way Splink's
documentation recommends for people: name comparisons with term-frequency adjustments, a date of
birth comparison, exact or fuzzy matches on the other attributes; u from random sampling, the
prior from a deterministic rule, m by EM on blocking rules that each leave out some of the
compared columns; predictions at 0.5, connected-component clusters at 0.9.

usage: python3 splink_bench.py [--profile sightings|people] INPUT.csv OUTPUT_CLUSTERS.csv
Prints one JSON line with timings. Empty fields are nulls. Columns by profile:
- sightings (default; `resolve-splink [incidents] [seed]`): id, first_name, surname, dob, sex,
  age_band, build, marker_code;
- people (`resolve-splink --people N [seed]`): id, first_name, surname, dob, sex, postcode,
  address.
"""

import argparse
import json
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

COLUMNS = {
    "sightings": ["first_name", "surname", "dob", "sex", "age_band", "build", "marker_code"],
    "people": ["first_name", "surname", "dob", "sex", "postcode", "address"],
}


def settings(comparisons, blocking_rules):
    """Deduplication settings with the given comparisons and prediction blocking rules."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=blocking_rules,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )


def sightings_model():
    """Simulated shop-theft sightings: names, dob, and descriptive attributes.

    Returns the settings, the random pairs for u, and the EM blocking rules.
    """
    comparisons = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.ExactMatch("sex"),
        cl.ExactMatch("age_band"),
        cl.ExactMatch("build"),
        cl.ExactMatch("marker_code"),
    ]
    blocking_rules = [
        block_on("first_name", "surname"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("marker_code"),
    ]
    em_rules = [block_on("first_name", "surname"), block_on("dob")]
    return settings(comparisons, blocking_rules), 1e6, em_rules


def people_model():
    """Named person records (the generator of `resolve-link-records`): Splink's home ground.

    Blocking rules for predictions are the ones ORCA's `link-records` uses on the same records.
    """
    comparisons = [
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("surname").configure(term_frequency_adjustments=True),
        cl.DateOfBirthComparison("dob", input_is_string=True),
        cl.ExactMatch("sex"),
        # The synthetic postcodes are well formed ("LS12 3AB"), so the postcode comparison's
        # sector, district and area levels apply.
        cl.PostcodeComparison("postcode"),
        # House number and street: an edit distance catches a mistyped number or street.
        cl.LevenshteinAtThresholds("address", [1, 3]),
    ]
    blocking_rules = [
        block_on("first_name", "surname"),
        block_on("surname", "dob"),
        block_on("first_name", "dob"),
        block_on("postcode", "substr(surname, 1, 1)"),
    ]
    # Each EM rule leaves the columns it blocks on out of its estimates, so every compared
    # column is estimated by at least two of the three. On a few thousand records or fewer the
    # postcode rule's pairs are nearly all matches and EM drives an m to 0, which Splink refuses
    # (ValueError); from 5,000 records on it trains.
    em_rules = [block_on("first_name", "surname"), block_on("dob"), block_on("postcode")]
    # The docstring calls 1e7 random pairs "often adequate" (1e8-1e9 best but slow); ORCA samples 1e6.
    return settings(comparisons, blocking_rules), 1e7, em_rules


def train(linker, u_pairs, em_rules):
    """The prior from a deterministic rule, u by random sampling, m by EM on each rule."""
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=1)
    for rule in em_rules:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=sorted(COLUMNS), default="sightings")
    parser.add_argument("source")
    parser.add_argument("target")
    args = parser.parse_args()
    started = time.perf_counter()
    cpu_started = time.process_time()
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    columns = ", ".join(f"nullif({c}, '') AS {c}" for c in COLUMNS[args.profile])
    con.execute(
        f"""CREATE TABLE people AS SELECT id, {columns}
        FROM read_csv('{args.source}', all_varchar = true, header = true)"""
    )
    db_api = DuckDBAPI(connection=con)
    df = db_api.register("people")
    model = people_model if args.profile == "people" else sightings_model
    model_settings, u_pairs, em_rules = model()
    linker = Linker(df, model_settings, log_level=None)
    loaded = time.perf_counter()
    train(linker, u_pairs, em_rules)
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9)
    predicted = time.perf_counter()
    clusters.as_duckdbpyrelation().select("id, cluster_id").write_csv(args.target)
    pairs = con.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchone()[0]
    print(
        json.dumps(
            {
                "profile": args.profile,
                "load_seconds": loaded - started,
                "train_seconds": trained - loaded,
                "predict_and_cluster_seconds": predicted - trained,
                "total_seconds": predicted - started,
                "process_cpu_seconds": time.process_time() - cpu_started,
                "pairs_above_0_5": pairs,
            }
        )
    )


if __name__ == "__main__":
    main()
