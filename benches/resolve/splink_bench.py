"""Splink 5 (DuckDB backend) on a CSV of person records, trained and configured the way Splink's
documentation recommends for people: name comparisons with term-frequency adjustments, a date of
birth comparison, exact matches on the other attributes; u from random sampling, the prior from a
deterministic rule, m by EM on two blocking rules; connected-component clusters at 0.9.

usage: python3 splink_bench.py INPUT.csv OUTPUT_CLUSTERS.csv
Prints one JSON line with timings. Columns: id, first_name, surname, dob, sex, age_band, build,
marker_code (empty = null).
"""

import json
import sys
import time

import duckdb
import splink.comparison_library as cl
from splink import DuckDBAPI, Linker, SettingsCreator, block_on


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    con.execute(
        f"""CREATE TABLE people AS SELECT id, nullif(first_name, '') AS first_name,
        nullif(surname, '') AS surname, nullif(dob, '') AS dob, nullif(sex, '') AS sex,
        nullif(age_band, '') AS age_band, nullif(build, '') AS build,
        nullif(marker_code, '') AS marker_code
        FROM read_csv('{source}', all_varchar = true, header = true)"""
    )
    db_api = DuckDBAPI(connection=con)
    df = db_api.register("people")
    settings = SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="id",
        comparisons=[
            cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.ExactMatch("sex"),
            cl.ExactMatch("age_band"),
            cl.ExactMatch("build"),
            cl.ExactMatch("marker_code"),
        ],
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "surname"),
            block_on("surname", "dob"),
            block_on("first_name", "dob"),
            block_on("marker_code"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(df, settings, log_level=None)
    loaded = time.perf_counter()
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("first_name", "surname"))
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    trained = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9)
    predicted = time.perf_counter()
    clusters.as_duckdbpyrelation().select("id, cluster_id").write_csv(target)
    pairs = con.execute(f"SELECT count(*) FROM {predictions.physical_name}").fetchone()[0]
    print(
        json.dumps(
            {
                "load_seconds": loaded - started,
                "train_seconds": trained - loaded,
                "predict_and_cluster_seconds": predicted - trained,
                "total_seconds": predicted - started,
                "pairs_above_0_5": pairs,
            }
        )
    )


if __name__ == "__main__":
    main()
