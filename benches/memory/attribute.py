#!/usr/bin/env python3
"""Attributes a heaptrack flame-graph stack file (`heaptrack_print --flamegraph-cost-type leaked
-F STACKS`) to the code that allocated: each stack is named by its last three frames in ORCA's or a
library's own source files (standard-library and collection frames skipped), and the bytes still
allocated when the trace ended are summed per name.

    attribute.py STACKS [TOP]
"""
import collections
import re
import sys

# Frames in these files say how, not what: skip them to reach the code that owns the allocation.
GENERIC = set("""
mod.rs alloc.rs raw_vec.rs spec_extend.rs spec_from_iter.rs spec_from_iter_nested.rs spec_from_elem.rs
map.rs boxed.rs function.rs option.rs result.rs string.rs vec.rs iterator.rs set.rs cell.rs unsafe_cell.rs
clone.rs slice.rs hash.rs arc.rs rc.rs macros.rs cmp.rs node.rs navigate.rs entry.rs fold.rs impls.rs
de.rs ser.rs borrow.rs str.rs convert.rs default.rs mem.rs ptr.rs try_trait.rs ops.rs traits.rs
collect.rs extend.rs into_iter.rs map_fold.rs adapters.rs fmt.rs write.rs panicking.rs panic.rs
lazy_lock.rs once.rs sync.rs lib.rs core.rs harness.rs task.rs poll_fn.rs rt.rs join.rs maybe_done.rs
runtime.rs raw.rs table.rs rustc_entry.rs owned.rs cow.rs unwind_safe.rs in_place_collect.rs
""".split())


def owner(frames):
    named = []
    for frame in frames:
        match = re.search(r"\(([^()]*\.rs)\)$", frame)
        if match and match.group(1) not in GENERIC:
            named.append(match.group(1) + ":" + frame.rsplit(" (", 1)[0][:60])
    return " > ".join(named[-3:]) if named else frames[-1][:100]


def main():
    totals = collections.Counter()
    for line in open(sys.argv[1]):
        stack, _, cost = line.rstrip().rpartition(" ")
        if cost.lstrip("-").isdigit() and int(cost) > 0:
            totals[owner(stack.split(";"))] += int(cost)
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 15
    print(f"{sum(totals.values()) / 1e6:8.1f} MB in all")
    for name, cost in totals.most_common(top):
        print(f"{cost / 1e6:8.1f} MB  {name}")


if __name__ == "__main__":
    main()
