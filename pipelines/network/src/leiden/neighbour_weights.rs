//! A sparse accumulator of edge weight by community (or cluster), cleared in time proportional to
//! what was added.

/// Sparse accumulator of edge weight from one node to each community it touches.
pub(super) struct NeighbourWeights {
    weights: Vec<f64>,
    seen: Vec<bool>,
    touched: Vec<u32>,
}

impl NeighbourWeights {
    pub(super) fn new(community_capacity: usize) -> Self {
        Self { weights: vec![0.0; community_capacity], seen: vec![false; community_capacity], touched: Vec::new() }
    }

    #[inline]
    pub(super) fn add(&mut self, community: u32, weight: f64) {
        let index = community as usize;
        if !self.seen[index] {
            self.seen[index] = true;
            self.touched.push(community);
        }
        self.weights[index] += weight;
    }

    /// How many communities it can hold.
    pub(super) fn capacity(&self) -> usize {
        self.weights.len()
    }

    #[inline]
    pub(super) fn weight(&self, community: u32) -> f64 {
        self.weights[community as usize]
    }

    /// Communities touched since the last clear, in the order they were first touched.
    pub(super) fn touched(&self) -> &[u32] {
        &self.touched
    }

    pub(super) fn clear(&mut self) {
        for &community in &self.touched {
            self.weights[community as usize] = 0.0;
            self.seen[community as usize] = false;
        }
        self.touched.clear();
    }

    /// Appends `(community, weight)` for every community touched, in the order first touched, and
    /// clears the accumulator.
    pub(super) fn drain_into(&mut self, out: &mut Vec<(u32, f64)>) {
        out.extend(self.touched.iter().map(|&community| (community, self.weights[community as usize])));
        self.clear();
    }
}
