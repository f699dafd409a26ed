//! Agreement between two partitions of the same items, from their contingency table.
//!
//! - Adjusted Rand index (Hubert and Arabie): pair-counting agreement corrected for chance; 1.0 for
//!   identical partitions, about 0.0 for independent ones, negative when worse than chance.
//! - Normalised mutual information with the arithmetic-mean normalisation,
//!   `I(U; V) / ((H(U) + H(V)) / 2)` (scikit-learn's default), natural logarithms.
//! - Adjusted mutual information with the same normalisation,
//!   `(I - E[I]) / ((H(U) + H(V)) / 2 - E[I])`, where `E[I]` is the expected mutual information of
//!   two random partitions with the same cluster sizes (Vinh, Epps and Bailey 2010). NMI is not
//!   corrected for chance and rewards fragmentation: a partition into singletons has
//!   `I = H(U)`, so predicting every item alone earns `2 H(U) / (H(U) + ln n)`, well above zero.
//!   AMI scores that 0.0, which is why it is reported beside NMI.
//!
//! Degenerate cases follow scikit-learn: when both partitions are the same trivial partition (one
//! cluster, or all singletons, or fewer than two items) the indices are 1.0.

use crate::contingency::Contingency;
use crate::scores::pairs;

/// Adjusted Rand index.
pub fn adjusted_rand_index(table: &Contingency) -> f64 {
    let all_pairs = pairs(table.items()) as f64;
    let row_pairs: f64 = table.row_sums().iter().map(|&size| pairs(size) as f64).sum();
    let column_pairs: f64 = table.column_sums().iter().map(|&size| pairs(size) as f64).sum();
    let index: f64 = table.cells().iter().map(|cell| pairs(cell.count) as f64).sum();
    if all_pairs == 0.0 {
        return 1.0;
    }
    let expected = row_pairs * column_pairs / all_pairs;
    let maximum = (row_pairs + column_pairs) / 2.0;
    // The denominator is zero only when both partitions are one cluster or both all singletons.
    if maximum == expected {
        return 1.0;
    }
    (index - expected) / (maximum - expected)
}

/// Entropy of cluster sizes, natural logarithm.
fn entropy(sizes: &[u64], items: f64) -> f64 {
    sizes
        .iter()
        .filter(|&&size| size > 0)
        .map(|&size| {
            let share = size as f64 / items;
            -share * share.ln()
        })
        .sum()
}

/// Mutual information I(U; V), natural logarithm, clamped at zero against rounding.
fn mutual_information(table: &Contingency) -> f64 {
    let items = table.items() as f64;
    let information: f64 = table
        .cells()
        .iter()
        .map(|cell| {
            let count = cell.count as f64;
            let margins = table.row_sums()[cell.row] as f64 * table.column_sums()[cell.column] as f64;
            count / items * (items * count / margins).ln()
        })
        .sum();
    information.max(0.0)
}

/// Normalised mutual information, arithmetic-mean normalisation.
pub fn normalized_mutual_information(table: &Contingency) -> f64 {
    let items = table.items() as f64;
    let (row_entropy, column_entropy) = (entropy(table.row_sums(), items), entropy(table.column_sums(), items));
    let mean_entropy = (row_entropy + column_entropy) / 2.0;
    if mean_entropy == 0.0 {
        // Both are a single cluster (or there are no items): the same partition.
        return 1.0;
    }
    (mutual_information(table) / mean_entropy).clamp(0.0, 1.0)
}

/// Adjusted mutual information, arithmetic-mean normalisation.
pub fn adjusted_mutual_information(table: &Contingency) -> f64 {
    if table.items() < 2 || is_trivial(table) {
        return 1.0;
    }
    let items = table.items() as f64;
    let mean_entropy = (entropy(table.row_sums(), items) + entropy(table.column_sums(), items)) / 2.0;
    let expected = expected_mutual_information(table);
    let denominator = mean_entropy - expected;
    if denominator.abs() < 1e-12 {
        return if table.is_same_partition() { 1.0 } else { 0.0 };
    }
    (mutual_information(table) - expected) / denominator
}

/// One cluster on both sides, or singletons on both sides: the same partition, but one that carries
/// no information, where the expected mutual information equals the observed one.
fn is_trivial(table: &Contingency) -> bool {
    let single = table.row_sums().len() == 1 && table.column_sums().len() == 1;
    let singletons =
        table.row_sums().len() as u64 == table.items() && table.column_sums().len() as u64 == table.items();
    single || singletons
}

/// Expected mutual information of two random partitions with the table's cluster sizes, under the
/// hypergeometric model. Clusters of equal size contribute equally, so the sum runs over distinct
/// sizes weighted by how many clusters have them: O(distinct row sizes x distinct column sizes x
/// smaller size) rather than O(rows x columns x size).
fn expected_mutual_information(table: &Contingency) -> f64 {
    let n = table.items();
    let items = n as f64;
    let log_factorial = log_factorials(n);
    let lf = |k: u64| log_factorial[k as usize];
    let row_sizes = size_multiplicities(table.row_sums());
    let column_sizes = size_multiplicities(table.column_sums());
    let mut expected = 0.0;
    for &(a, rows_of_size) in &row_sizes {
        for &(b, columns_of_size) in &column_sizes {
            let weight = (rows_of_size * columns_of_size) as f64;
            let fixed = lf(a) + lf(b) + lf(n - a) + lf(n - b) - lf(n);
            let lowest = (a + b).saturating_sub(n).max(1);
            for overlap in lowest..=a.min(b) {
                let log_probability = fixed - lf(overlap) - lf(a - overlap) - lf(b - overlap) - lf(n + overlap - a - b);
                let count = overlap as f64;
                let information = count / items * (items * count / (a as f64 * b as f64)).ln();
                expected += weight * information * log_probability.exp();
            }
        }
    }
    expected
}

/// `ln(k!)` for k in 0..=n.
fn log_factorials(n: u64) -> Vec<f64> {
    let mut table = Vec::with_capacity(n as usize + 1);
    let mut sum = 0.0;
    table.push(0.0);
    for k in 1..=n {
        sum += (k as f64).ln();
        table.push(sum);
    }
    table
}

/// Distinct cluster sizes with the number of clusters of each size, sorted by size.
fn size_multiplicities(sizes: &[u64]) -> Vec<(u64, u64)> {
    let mut sorted = sizes.to_vec();
    sorted.sort_unstable();
    let mut multiplicities: Vec<(u64, u64)> = Vec::new();
    for size in sorted {
        match multiplicities.last_mut() {
            Some((last, count)) if *last == size => *count += 1,
            _ => multiplicities.push((size, 1)),
        }
    }
    multiplicities
}

#[cfg(test)]
mod tests;
