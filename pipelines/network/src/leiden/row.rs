//! One node's row of a compressed sparse row graph: its neighbours and the weights of the edges to
//! them, kept in two arrays (a `(u32, f64)` pair would take 16 bytes with padding, the two 12).

use std::iter::{Copied, Zip};
use std::slice::Iter;

#[derive(Debug, Clone, Copy)]
pub(super) struct Row<'a> {
    pub(super) neighbours: &'a [u32],
    pub(super) weights: &'a [f64],
}

impl<'a> Row<'a> {
    /// Row `node` of arrays where row `v` spans `offsets[v]..offsets[v + 1]`. With `unit_weights`
    /// every edge weighs 1 and `weights` is a run of ones at least as long as the longest row, shared
    /// by every row; otherwise it holds one weight per entry, spanned like `neighbours`.
    #[inline]
    pub(super) fn of(
        offsets: &[usize],
        neighbours: &'a [u32],
        weights: &'a [f64],
        unit_weights: bool,
        node: u32,
    ) -> Self {
        let range = offsets[node as usize]..offsets[node as usize + 1];
        let weights = if unit_weights { &weights[..range.len()] } else { &weights[range.clone()] };
        Self { neighbours: &neighbours[range], weights }
    }

    pub(super) fn len(&self) -> usize {
        self.neighbours.len()
    }

    /// `(neighbour, weight)` pairs in row order.
    pub(super) fn iter(&self) -> Zip<Copied<Iter<'a, u32>>, Copied<Iter<'a, f64>>> {
        self.neighbours.iter().copied().zip(self.weights.iter().copied())
    }
}

impl<'a> IntoIterator for Row<'a> {
    type Item = (u32, f64);
    type IntoIter = Zip<Copied<Iter<'a, u32>>, Copied<Iter<'a, f64>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}
