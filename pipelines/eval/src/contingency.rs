//! The contingency table of two labelings of the same items: how many items carry each pair of
//! (row label, column label). Rows are the true clusters, columns the predicted ones. Every metric in
//! this crate is a sum over its cells and margins, which is what makes them O(n) rather than O(n²).

use rustc_hash::FxHashMap;
use std::hash::Hash;

/// A non-empty cell: `count` items carry row label `row` and column label `column`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cell {
    pub row: usize,
    pub column: usize,
    pub count: u64,
}

/// A sparse contingency table. Labels are renumbered densely in order of first appearance, so only
/// labels carried by at least one item have a row or column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Contingency {
    items: u64,
    row_sums: Vec<u64>,
    column_sums: Vec<u64>,
    /// Non-empty cells sorted by (row, column), so sums over them are in a deterministic order.
    cells: Vec<Cell>,
}

impl Contingency {
    /// Builds the table from one `(row label, column label)` pair per item.
    pub fn from_label_pairs<A, B>(pairs: impl IntoIterator<Item = (A, B)>) -> Self
    where
        A: Hash + Eq,
        B: Hash + Eq,
    {
        let mut row_ids: FxHashMap<A, usize> = FxHashMap::default();
        let mut column_ids: FxHashMap<B, usize> = FxHashMap::default();
        let mut counts: FxHashMap<(usize, usize), u64> = FxHashMap::default();
        let mut items = 0;
        for (row_label, column_label) in pairs {
            let next_row = row_ids.len();
            let row = *row_ids.entry(row_label).or_insert(next_row);
            let next_column = column_ids.len();
            let column = *column_ids.entry(column_label).or_insert(next_column);
            *counts.entry((row, column)).or_insert(0) += 1;
            items += 1;
        }
        let mut row_sums = vec![0; row_ids.len()];
        let mut column_sums = vec![0; column_ids.len()];
        let mut cells: Vec<Cell> = counts
            .into_iter()
            .map(|((row, column), count)| {
                row_sums[row] += count;
                column_sums[column] += count;
                Cell { row, column, count }
            })
            .collect();
        cells.sort_unstable_by_key(|cell| (cell.row, cell.column));
        Self { items, row_sums, column_sums, cells }
    }

    /// The number of items.
    pub fn items(&self) -> u64 {
        self.items
    }

    /// The size of each true cluster (row).
    pub fn row_sums(&self) -> &[u64] {
        &self.row_sums
    }

    /// The size of each predicted cluster (column).
    pub fn column_sums(&self) -> &[u64] {
        &self.column_sums
    }

    /// The non-empty cells, sorted by (row, column).
    pub fn cells(&self) -> &[Cell] {
        &self.cells
    }

    /// Whether both labelings make the same partition (up to renaming of labels): every row meets
    /// exactly one column and every column exactly one row.
    pub fn is_same_partition(&self) -> bool {
        self.cells.len() == self.row_sums.len() && self.cells.len() == self.column_sums.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_items_per_pair_of_labels_and_margins() {
        // rows a, b; columns x, y: a-x twice, a-y once, b-y once
        let table = Contingency::from_label_pairs([("a", "x"), ("a", "y"), ("b", "y"), ("a", "x")]);
        assert_eq!(table.items(), 4);
        assert_eq!(table.row_sums(), &[3, 1]);
        assert_eq!(table.column_sums(), &[2, 2]);
        let cells: Vec<(usize, usize, u64)> = table.cells().iter().map(|c| (c.row, c.column, c.count)).collect();
        assert_eq!(cells, vec![(0, 0, 2), (0, 1, 1), (1, 1, 1)]);
        assert!(!table.is_same_partition());
    }

    #[test]
    fn renamed_labels_are_the_same_partition() {
        let table = Contingency::from_label_pairs([(1, "p"), (1, "p"), (2, "q"), (3, "r")]);
        assert!(table.is_same_partition());
    }
}
