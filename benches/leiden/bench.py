#!/usr/bin/env python3
"""Leiden side by side: ORCA's Rust Leiden against python-igraph's (and optionally leidenalg's).

LFR benchmark graphs (networkx's generator, fixed seeds) are generated once and cached under
benches/out/leiden/. Every tool runs in its own child process on the same edge-list file with the
same quality function and resolution; the script records the algorithm's wall time (reported by
the child, loading excluded), the child's peak resident memory (its own VmHWM, loading
included), the number of communities, and NMI and ARI against the planted communities. It writes
a markdown table to benches/leiden/RESULTS.md and prints it.

Usage: see run.sh, which builds the Rust binary and calls `bench.py --orca-bin PATH [options]`.
"""

import argparse
import json
import math
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "out" / "leiden"
LFR_PARAMS = dict(tau1=3.0, tau2=1.5, average_degree=20, max_degree=50, min_community=20, max_community=100)
LFR_SEED = 42


# ---------------------------------------------------------------------------------------------
# LFR graphs
# ---------------------------------------------------------------------------------------------


def graph_file(nodes, mixing, suffix):
    """Cached LFR files: `.edges` (`u v` lines), `.truth` (`node community`), `.json` (parameters)."""
    return OUT / f"lfr_n{nodes}_mu{round(mixing * 100):02d}{suffix}"


def generate(nodes, mixing):
    """Child process: generate one LFR graph and write `.edges`, `.truth` and `.json` beside it."""
    import networkx as nx

    OUT.mkdir(parents=True, exist_ok=True)

    started = time.perf_counter()
    last_error = None
    for attempt in range(20):
        seed = LFR_SEED + attempt
        try:
            graph = nx.LFR_benchmark_graph(
                nodes,
                LFR_PARAMS["tau1"],
                LFR_PARAMS["tau2"],
                mixing,
                average_degree=LFR_PARAMS["average_degree"],
                max_degree=LFR_PARAMS["max_degree"],
                min_community=LFR_PARAMS["min_community"],
                max_community=LFR_PARAMS["max_community"],
                seed=seed,
            )
            break
        except nx.ExceededMaxIterations as error:
            last_error = error
    else:
        raise SystemExit(f"lfr generation failed for n={nodes} mu={mixing}: {last_error}")
    graph.remove_edges_from(list(nx.selfloop_edges(graph)))

    # Number communities by their smallest node, deterministically.
    community_of = {}
    next_id = 0
    for node in sorted(graph.nodes()):
        if node in community_of:
            continue
        for member in graph.nodes[node]["community"]:
            community_of[member] = next_id
        next_id += 1

    tmp_edges = graph_file(nodes, mixing, ".edges.tmp")
    with open(tmp_edges, "w") as out:
        out.writelines(f"{u} {v}\n" for u, v in graph.edges())
    with open(graph_file(nodes, mixing, ".truth"), "w") as out:
        out.writelines(f"{node} {community_of[node]}\n" for node in sorted(graph.nodes()))
    meta = dict(
        nodes=graph.number_of_nodes(),
        edges=graph.number_of_edges(),
        mixing=mixing,
        seed=seed,
        communities=next_id,
        generation_seconds=round(time.perf_counter() - started, 1),
        generator=f"networkx {nx.__version__} LFR_benchmark_graph",
        params=LFR_PARAMS,
    )
    graph_file(nodes, mixing, ".json").write_text(json.dumps(meta, indent=1))
    os.replace(tmp_edges, graph_file(nodes, mixing, ".edges"))


def ensure_graph(nodes, mixing):
    if not graph_file(nodes, mixing, ".edges").exists():
        print(f"generating LFR n={nodes} mu={mixing} (cached in {OUT}) ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, __file__, "generate", str(nodes), str(mixing)], check=True)
    return json.loads(graph_file(nodes, mixing, ".json").read_text())


# ---------------------------------------------------------------------------------------------
# Tools, each run in a child process
# ---------------------------------------------------------------------------------------------


def run_networkit(edges, resolution, seed, iterations):
    """NetworKit's `ParallelLeiden` (modularity only) on 2 threads, stopping after `iterations`
    iterations (3 is its default) or once one changes nothing. Returns the membership, the load and
    Leiden wall times, the Leiden CPU time, the node and edge counts."""
    import networkit as nk

    nk.setNumberOfThreads(2)
    nk.engineering.setSeed(seed, True)
    started = time.perf_counter()
    graph = nk.graphio.EdgeListReader(" ", 0, directed=False, continuous=True).read(str(edges))
    load_seconds = time.perf_counter() - started
    started = time.perf_counter()
    cpu_started = time.process_time()
    leiden = nk.community.ParallelLeiden(graph, iterations=iterations, randomize=True, gamma=resolution)
    leiden.run()
    membership = leiden.getPartition().getVector()
    return (membership, load_seconds, time.perf_counter() - started, time.process_time() - cpu_started,
            graph.numberOfNodes(), graph.numberOfEdges())


def run_python_tool(tool, edges, quality, resolution, seed, output, networkit_iterations):
    """Child process: run igraph's, leidenalg's or NetworKit's Leiden and print a JSON line like
    leiden-bench."""
    import random

    if tool == "networkit":
        membership, load_seconds, leiden_seconds, leiden_cpu_seconds, nodes, edge_count = run_networkit(
            edges, resolution, seed, networkit_iterations)
        write_tool_result(output, membership, load_seconds, leiden_seconds, leiden_cpu_seconds, nodes, edge_count)
        return

    import igraph as ig

    started = time.perf_counter()
    graph = ig.Graph.Read_Edgelist(str(edges), directed=False)
    load_seconds = time.perf_counter() - started
    random.seed(seed)  # python-igraph draws from Python's `random`
    started = time.perf_counter()
    cpu_started = time.process_time()
    if tool == "igraph":
        clustering = graph.community_leiden(
            objective_function="CPM" if quality == "cpm" else "modularity",
            resolution=resolution,
            beta=0.01,
            n_iterations=-1,
        )
        membership = clustering.membership
    else:
        import leidenalg

        kind = leidenalg.CPMVertexPartition if quality == "cpm" else leidenalg.RBConfigurationVertexPartition
        partition = leidenalg.find_partition(
            graph, kind, resolution_parameter=resolution, n_iterations=-1, seed=seed
        )
        membership = partition.membership
    leiden_seconds = time.perf_counter() - started
    leiden_cpu_seconds = time.process_time() - cpu_started
    write_tool_result(output, membership, load_seconds, leiden_seconds, leiden_cpu_seconds, graph.vcount(),
                      graph.ecount())


def write_tool_result(output, membership, load_seconds, leiden_seconds, leiden_cpu_seconds, nodes, edges):
    """Writes the membership as `node community` lines and prints leiden-bench's JSON line."""
    membership = [int(community) for community in membership]
    with open(output, "w") as out:
        out.writelines(f"{node} {community}\n" for node, community in enumerate(membership))
    print(
        json.dumps(
            dict(
                peak_kib=peak_kib(),
                load_seconds=load_seconds,
                leiden_seconds=leiden_seconds,
                leiden_cpu_seconds=leiden_cpu_seconds,
                nodes=nodes,
                edges=edges,
                communities=len(set(membership)),
            )
        )
    )


def peak_kib():
    """This process's peak resident memory (VmHWM). Unlike ru_maxrss it does not inherit the
    forking parent's peak across exec."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def run_child(command):
    """Runs `command` and returns its JSON line (with `peak_kib`, its own VmHWM) plus `peak_mib`."""
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    if completed.returncode != 0:
        raise SystemExit(f"{command[0]} failed with exit code {completed.returncode}")
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    result["peak_mib"] = result["peak_kib"] / 1024
    return result


def read_membership(path, nodes):
    membership = [-1] * nodes
    with open(path) as lines:
        for line in lines:
            node, community = line.split()
            membership[int(node)] = int(community)
    # A node a tool never saw (isolated) is a community of its own.
    next_id = max(membership, default=-1) + 1
    for node, community in enumerate(membership):
        if community < 0:
            membership[node] = next_id
            next_id += 1
    return membership


def partition_quality(edges, membership, quality, resolution):
    """The partition's quality as ORCA and igraph define it (unit edge weights):
    CPM `Σ_c w_c − γ n_c (n_c − 1) / 2`, modularity `Σ_c w_c / m − γ (K_c / 2m)²`."""
    import numpy as np

    membership = np.asarray(membership)
    communities = membership.max() + 1
    left, right = membership[edges[:, 0]], membership[edges[:, 1]]
    inside = np.bincount(left[left == right], minlength=communities).astype(float)
    if quality == "cpm":
        sizes = np.bincount(membership, minlength=communities).astype(float)
        return float(inside.sum() - resolution * (sizes * (sizes - 1) / 2).sum())
    total = len(edges)
    strengths = np.bincount(left, minlength=communities) + np.bincount(right, minlength=communities)
    return float(inside.sum() / total - resolution * ((strengths / (2 * total)) ** 2).sum())


# ---------------------------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------------------------


# `orca communities --moving async` stops after this many iterations unless told otherwise.
ORCA_ASYNC_MAX_ITERATIONS = 3


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orca-bin", required=True, help="path to the release `leiden-bench` binary")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated node counts")
    parser.add_argument("--mixings", default="0.1,0.3,0.5", help="comma-separated LFR mixing parameters")
    parser.add_argument("--qualities", default="cpm,modularity", help="cpm and/or modularity")
    parser.add_argument("--modularity-max-nodes", type=int, default=100000,
                        help="run modularity only on graphs up to this size (igraph needs minutes beyond)")
    parser.add_argument("--large-mixings", default="0.1,0.3",
                        help="mixings for graphs of 1M nodes and more (mixing 0.5 costs igraph many minutes there)")
    parser.add_argument("--cpm-resolution", type=float, default=0.05)
    parser.add_argument("--modularity-resolution", type=float, default=1.0)
    parser.add_argument("--tools", default="orca,igraph",
                        help="orca, orca-async (ORCA with asynchronous moving, at most 3 iterations unless "
                             "--orca-max-iterations says otherwise, as `orca communities --moving async`), "
                             "igraph, leidenalg, networkit (ParallelLeiden on 2 threads; modularity only)")
    parser.add_argument("--large-tools", default=None,
                        help="tools on graphs of 1M nodes and more (default: --tools); igraph needs minutes "
                             "per run there")
    parser.add_argument("--seeds", default="1,2,3",
                        help="Leiden seeds, as a list (1,2,3) or a range (1-20); every tool runs once per seed")
    parser.add_argument("--large-seeds", default="1", help="seeds for graphs of 1M nodes and more")
    parser.add_argument("--results", default=str(HERE / "RESULTS.md"))
    parser.add_argument("--orca-min-gain", type=float, default=0.0,
                        help="ORCA stops once an iteration gains less than this share of the edge weight "
                             "(0: until nothing changes, as igraph with n_iterations=-1)")
    parser.add_argument("--orca-refinement", default="global", choices=["global", "per-community"],
                        help="ORCA's refinement: the linker's level-wide one, or community by community on "
                             "all threads")
    parser.add_argument("--orca-max-iterations", type=int, default=None,
                        help="ORCA stops after this many iterations at most (default: no limit)")
    parser.add_argument("--networkit-iterations", type=int, default=3,
                        help="NetworKit's ParallelLeiden stops after this many iterations (3, its default)")
    parser.add_argument("--orca-modularity-min-gain", type=float, default=None,
                        help="the same under modularity only (default: --orca-min-gain); "
                             "1e-4 is `orca communities`' default for modularity")
    args = parser.parse_args()
    for flag, value in [("--orca-max-iterations", args.orca_max_iterations),
                        ("--networkit-iterations", args.networkit_iterations)]:
        if value is not None and value < 1:
            parser.error(f"{flag} must be at least 1, got {value}")
    if args.orca_modularity_min_gain is None:
        args.orca_modularity_min_gain = args.orca_min_gain

    import numpy as np

    OUT.mkdir(parents=True, exist_ok=True)
    rows = []
    for nodes in [int(size) for size in args.sizes.split(",")]:
        mixings = args.large_mixings if nodes >= 1_000_000 else args.mixings
        for mixing in [float(mu) for mu in mixings.split(",")]:
            meta = ensure_graph(nodes, mixing)
            edges = graph_file(nodes, mixing, ".edges")
            truth = read_membership(graph_file(nodes, mixing, ".truth"), meta["nodes"])
            edge_array = np.fromfile(edges, dtype=np.int64, sep=" ").reshape(-1, 2)
            for quality in args.qualities.split(","):
                if quality == "modularity" and nodes > args.modularity_max_nodes:
                    continue
                resolution = args.cpm_resolution if quality == "cpm" else args.modularity_resolution
                seeds = seed_list(args.large_seeds if nodes >= 1_000_000 else args.seeds)
                tools = args.large_tools if nodes >= 1_000_000 and args.large_tools else args.tools
                for tool in tools.split(","):
                    if tool == "networkit" and quality != "modularity":
                        continue  # ParallelLeiden optimises modularity only
                    for seed in seeds:
                        rows.append(run_once(args, meta, edges, edge_array, truth, quality, resolution, tool, seed))
                        print(json.dumps(rows[-1]), file=sys.stderr, flush=True)
                        # Keep what has been measured so far, should a long run be cut short.
                        (OUT / "results.json").write_text(json.dumps(rows, indent=1))
                        Path(args.results).write_text(render(rows, args))

    (OUT / "results.json").write_text(json.dumps(rows, indent=1))
    report = render(rows, args)
    Path(args.results).write_text(report)
    print(report)


def seed_list(text):
    """Seeds from `1,2,3` or `1-20` (inclusive), or a mix of both (`1-10,42`), as strings."""
    seeds = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        seeds += [str(seed) for seed in range(int(first), int(last or first) + 1)]
    return seeds


def run_once(args, meta, edges, edge_array, truth, quality, resolution, tool, seed):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    nodes, mixing = meta["nodes"], meta["mixing"]
    output = graph_file(nodes, mixing, f".{quality}.{tool}.seed{seed}.membership")
    common = ["--edges", str(edges), "--quality", quality, "--resolution", str(resolution),
              "--seed", seed, "--output", str(output)]
    if tool in ("orca", "orca-async"):
        command = [args.orca_bin, *common]
        min_gain = args.orca_modularity_min_gain if quality == "modularity" else args.orca_min_gain
        if min_gain > 0:
            command += ["--min-gain", str(min_gain)]
        if args.orca_refinement != "global":
            command += ["--refinement", args.orca_refinement]
        max_iterations = args.orca_max_iterations
        if tool == "orca-async":
            command += ["--moving", "async"]
            max_iterations = max_iterations or ORCA_ASYNC_MAX_ITERATIONS
        if max_iterations is not None:
            command += ["--max-iterations", str(max_iterations)]
    else:
        command = [sys.executable, __file__, "tool", tool, *common]
        if tool == "networkit":
            command += ["--networkit-iterations", str(args.networkit_iterations)]
    print(f"n={nodes} mu={mixing} {quality} {tool} seed {seed} ...", file=sys.stderr, flush=True)
    load = os.getloadavg()[0]  # other work on the machine, just before this run
    result = run_child(command)
    found = read_membership(output, nodes)
    return dict(
        nodes=nodes,
        edges=meta["edges"],
        mixing=mixing,
        quality=quality,
        resolution=resolution,
        tool=tool,
        seed=int(seed),
        seconds=result["leiden_seconds"],
        cpu_seconds=result["leiden_cpu_seconds"],
        load=load,
        peak_mib=result["peak_mib"],
        communities=result["communities"],
        planted=meta["communities"],
        quality_value=partition_quality(edge_array, found, quality, resolution),
        nmi=normalized_mutual_info_score(truth, found),
        ari=adjusted_rand_score(truth, found),
    )


def command_line():
    """This run as typed through run.sh (the binary path that run.sh adds left out)."""
    arguments = sys.argv[1:]
    if "--orca-bin" in arguments:
        index = arguments.index("--orca-bin")
        del arguments[index:index + 2]
    return " ".join(["benches/leiden/run.sh", *arguments])


def summarise(rows):
    """One entry per graph, quality and tool: means over seeds, NMI range."""
    groups = {}
    for row in rows:
        groups.setdefault((row["nodes"], row["mixing"], row["quality"], row["tool"]), []).append(row)
    summary = {}
    for key, runs in groups.items():
        mean = lambda field: sum(run[field] for run in runs) / len(runs)  # noqa: E731
        summary[key] = dict(
            runs[0],
            seeds=len(runs),
            seconds=mean("seconds"),
            cpu_seconds=mean("cpu_seconds"),
            peak_mib=max(run["peak_mib"] for run in runs),
            communities=mean("communities"),
            quality_value=mean("quality_value"),
            nmi=mean("nmi"),
            nmi_se=standard_error([run["nmi"] for run in runs]),
            nmi_min=min(run["nmi"] for run in runs),
            nmi_max=max(run["nmi"] for run in runs),
            ari=mean("ari"),
        )
    return summary


def standard_error(values):
    """Standard error of the mean (sample standard deviation / √n); 0 for a single value."""
    if len(values) < 2:
        return 0.0
    mean = sum(values) / len(values)
    variance = sum((value - mean) ** 2 for value in values) / (len(values) - 1)
    return (variance / len(values)) ** 0.5


def load_note(rows):
    """The 1-minute load average seen before the runs, as a range (older results lack it)."""
    loads = [row["load"] for row in rows if "load" in row]
    if not loads:
        return "load not recorded"
    return f"1-minute load average {min(loads):.1f}-{max(loads):.1f} before the runs"


def render(rows, args):
    cpu = platform.processor() or platform.machine()
    summary = summarise(rows)
    def orca_stops(min_gain):
        return "until an iteration changes nothing" if min_gain <= 0 else \
            f"until an iteration gains less than {min_gain:g} of the edge weight"
    if args.orca_min_gain <= 0 and args.orca_modularity_min_gain <= 0:
        stopping = "ORCA and igraph iterate until an iteration changes nothing"
    else:
        stopping = (f"igraph iterates until an iteration changes nothing; ORCA under CPM "
                    f"{orca_stops(args.orca_min_gain)}, under modularity {orca_stops(args.orca_modularity_min_gain)}")
    if args.orca_refinement == "per-community":
        stopping += "; ORCA refines community by community on all threads"
    if args.orca_max_iterations is not None:
        stopping += f"; ORCA stops after at most {args.orca_max_iterations} iteration(s)"
    if "orca-async" in (args.tools + "," + (args.large_tools or "")).split(","):
        stopping += (f"; orca-async is ORCA with asynchronous moving (`--moving async`), stopping after at most "
                     f"{args.orca_max_iterations or ORCA_ASYNC_MAX_ITERATIONS} iteration(s)")
    if "networkit" in (args.tools + "," + (args.large_tools or "")).split(","):
        default = " its default" if args.networkit_iterations == 3 else ""
        stopping += (f"; NetworKit's ParallelLeiden (2 threads) stops after{default} "
                     f"{args.networkit_iterations} iteration(s)")
    lines = [
        "# Leiden: ORCA against python-igraph on LFR graphs",
        "",
        f"Command: `{command_line()}` (CPM resolution {args.cpm_resolution}, modularity resolution "
        f"{args.modularity_resolution}; Leiden seeds {args.seeds}, {args.large_seeds} at 1M nodes and up; "
        f"{stopping}, refinement randomness 0.01). Machine: "
        f"{os.cpu_count()} cores ({cpu}), shared with other work while this ran: {load_note(rows)}.",
        "",
        "LFR (networkx `LFR_benchmark_graph`): tau1 3, tau2 1.5, average degree 20, max degree 50, "
        "communities of 20-100 nodes, generator seed 42. Each row is the mean over the seeds (NMI with "
        "the standard error of its mean, and its range in brackets). Time is the Leiden call only "
        "(loading excluded), as wall time and as CPU time of the process (the machine is shared, so "
        "CPU time is the steadier measure); peak memory is the largest VmHWM of the child process "
        "(loading included). Quality is recomputed for every partition with one definition (higher is "
        "better).",
        "",
        "| nodes | edges | mixing | quality (resolution) | tool | time (s) | CPU (s) | peak memory (MiB) "
        "| communities (planted) | quality | NMI ± s.e. [min-max] | ARI |",
        "|---:|---:|---:|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in summary.values():
        lines.append(
            f"| {row['nodes']:,} | {row['edges']:,} | {row['mixing']} | {row['quality']} ({row['resolution']}) "
            f"| {row['tool']} | {row['seconds']:.2f} | {row['cpu_seconds']:.2f} | {row['peak_mib']:.0f} "
            f"| {row['communities']:,.1f} ({row['planted']:,}) | {row['quality_value']:.6g} "
            f"| {row['nmi']:.4f} ± {row['nmi_se']:.4f} [{row['nmi_min']:.4f}-{row['nmi_max']:.4f}] "
            f"| {row['ari']:.4f} |"
        )
    lines += ["", "## ORCA against igraph (means over seeds)", "",
              "| nodes | mixing | quality | NMI ORCA − igraph (± s.e.) | quality ORCA − igraph "
              "| igraph time / ORCA time | igraph CPU / ORCA CPU | igraph memory / ORCA memory |",
              "|---:|---:|---|---:|---:|---:|---:|---:|"]
    for (nodes, mixing, quality, tool), orca in summary.items():
        igraph = summary.get((nodes, mixing, quality, "igraph"))
        if tool != "orca" or igraph is None:
            continue
        lines.append(
            f"| {nodes:,} | {mixing} | {quality} | {orca['nmi'] - igraph['nmi']:+.5f} "
            f"(± {math.hypot(orca['nmi_se'], igraph['nmi_se']):.5f}) "
            f"| {orca['quality_value'] - igraph['quality_value']:+.4g} "
            f"| {igraph['seconds'] / max(orca['seconds'], 1e-9):.2f}× "
            f"| {igraph['cpu_seconds'] / max(orca['cpu_seconds'], 0.01):.2f}× "
            f"| {igraph['peak_mib'] / max(orca['peak_mib'], 1e-9):.2f}× |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "generate":
        generate(int(sys.argv[2]), float(sys.argv[3]))
    elif len(sys.argv) > 1 and sys.argv[1] == "tool":
        tool_parser = argparse.ArgumentParser()
        tool_parser.add_argument("tool", choices=["igraph", "leidenalg", "networkit"])
        for flag in ["--edges", "--quality", "--output"]:
            tool_parser.add_argument(flag, required=True)
        tool_parser.add_argument("--resolution", type=float, required=True)
        tool_parser.add_argument("--seed", type=int, required=True)
        tool_parser.add_argument("--networkit-iterations", type=int, default=3)
        tool_args = tool_parser.parse_args(sys.argv[2:])
        run_python_tool(tool_args.tool, tool_args.edges, tool_args.quality, tool_args.resolution, tool_args.seed,
                        tool_args.output, tool_args.networkit_iterations)
    else:
        main()
