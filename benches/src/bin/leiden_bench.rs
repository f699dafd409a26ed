//! Runs ORCA's Leiden on one edge-list file for `benches/leiden/bench.py`.
//!
//! `leiden-bench --edges FILE [--quality cpm|modularity] [--resolution R] [--seed S] [--min-gain G]
//! [--max-iterations N] [--refinement global|per-community] [--moving seeded|async] [--output FILE]`
//! reads the analysts' edge-list format, runs Leiden, writes `node community` lines to `--output`,
//! and prints one JSON line with the load and Leiden wall times in seconds and the peak memory.

use std::process::ExitCode;
use std::time::Instant;

use std::io::BufRead;

use orca_network::edgelist::{EdgeList, EdgeListBuilder, format_communities};
use orca_network::leiden::{LeidenConfig, Moving, Quality, Refinement, leiden};

struct Args {
    edges: String,
    output: Option<String>,
    config: LeidenConfig,
}

fn parse_args() -> Result<Args, String> {
    let mut edges = None;
    let mut output = None;
    let mut config = LeidenConfig::default();
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("`{flag}` needs a value"));
        match flag.as_str() {
            "--edges" => edges = Some(value()?),
            "--output" => output = Some(value()?),
            "--quality" => {
                config.quality = match value()?.as_str() {
                    "cpm" => Quality::Cpm,
                    "modularity" => Quality::Modularity,
                    other => return Err(format!("unknown quality `{other}`, expected `cpm` or `modularity`")),
                }
            }
            "--resolution" => config.resolution = value()?.parse().map_err(|e| format!("`--resolution`: {e}"))?,
            "--seed" => config.seed = value()?.parse().map_err(|e| format!("`--seed`: {e}"))?,
            "--min-gain" => config.min_gain = value()?.parse().map_err(|e| format!("`--min-gain`: {e}"))?,
            "--moving" => {
                config.moving = match value()?.as_str() {
                    "seeded" => Moving::Seeded,
                    "async" => Moving::Asynchronous,
                    other => return Err(format!("unknown moving `{other}`, expected `seeded` or `async`")),
                };
            }
            "--refinement" => {
                config.refinement = match value()?.as_str() {
                    "global" => Refinement::Global,
                    "per-community" => Refinement::PerCommunity,
                    other => {
                        return Err(format!("unknown refinement `{other}`, expected `global` or `per-community`"));
                    }
                }
            }
            "--max-iterations" => {
                config.max_iterations = Some(value()?.parse().map_err(|e| format!("`--max-iterations`: {e}"))?)
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Args { edges: edges.ok_or("`--edges FILE` is required")?, output, config })
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let load_start = Instant::now();
    let network = read_edge_list(&args.edges)?;
    let load_seconds = load_start.elapsed().as_secs_f64();

    let leiden_start = Instant::now();
    let cpu_start = cpu_seconds()?;
    let partition = leiden(&network.graph, &args.config, None);
    let leiden_cpu_seconds = cpu_seconds()? - cpu_start;
    let leiden_seconds = leiden_start.elapsed().as_secs_f64();

    if let Some(output) = &args.output {
        std::fs::write(output, format_communities(&network.labels, &partition.membership))
            .map_err(|e| format!("cannot write `{output}`: {e}"))?;
    }
    println!(
        "{{\"peak_kib\": {}, \"load_seconds\": {load_seconds:.4}, \"leiden_seconds\": {leiden_seconds:.4}, \
         \"leiden_cpu_seconds\": {leiden_cpu_seconds:.2}, \"nodes\": {}, \"edges\": {}, \
         \"communities\": {}, \"quality\": {}, \"iterations\": {}}}",
        peak_kib()?,
        network.graph.node_count(),
        network.graph.edge_count(),
        partition.community_count(),
        partition.quality,
        partition.iterations
    );
    Ok(())
}

/// Streams the file through the edge-list builder, one line at a time.
fn read_edge_list(path: &str) -> Result<EdgeList, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("cannot open `{path}`: {e}"))?;
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let mut builder = EdgeListBuilder::default();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line).map_err(|e| format!("cannot read `{path}`: {e}"))? == 0 {
            break;
        }
        builder.push_line(line.trim_end_matches(['\n', '\r'])).map_err(|e| format!("{path}: {e}"))?;
    }
    builder.finish().map_err(|e| format!("{path}: {e}"))
}

/// CPU time (user and system, all threads) this process has used, from `/proc/self/stat` (in clock
/// ticks of 10 ms).
fn cpu_seconds() -> Result<f64, String> {
    let stat = std::fs::read_to_string("/proc/self/stat").map_err(|e| format!("cannot read `/proc/self/stat`: {e}"))?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |index: usize| fields.get(index).and_then(|field| field.parse::<f64>().ok());
    // utime and stime are fields 14 and 15 of the line: indices 11 and 12 counting from the state field.
    match (ticks(11), ticks(12)) {
        (Some(user), Some(system)) => Ok((user + system) / 100.0),
        _ => Err("cannot parse `/proc/self/stat`".to_owned()),
    }
}

/// This process's peak resident memory in KiB (`VmHWM` in `/proc/self/status`).
fn peak_kib() -> Result<u64, String> {
    let status =
        std::fs::read_to_string("/proc/self/status").map_err(|e| format!("cannot read `/proc/self/status`: {e}"))?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .ok_or_else(|| "no `VmHWM` in `/proc/self/status`".to_owned())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("leiden-bench: {message}");
            ExitCode::FAILURE
        }
    }
}
