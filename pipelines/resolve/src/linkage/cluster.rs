//! Clusters from scored pairs: union-find over pairs at or above the link threshold, strongest
//! first, refusing a merge that would join two records whose own comparison strongly says they
//! differ, so one false link cannot chain two people together.

pub struct Clusters {
    parent: Vec<u32>,
    size: Vec<u32>,
    /// Per record, records it must not share a cluster with.
    cannot: Vec<Vec<u32>>,
}

impl Clusters {
    pub fn new(records: usize) -> Self {
        Self { parent: (0..records as u32).collect(), size: vec![1; records], cannot: vec![Vec::new(); records] }
    }

    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    pub fn forbid(&mut self, a: u32, b: u32) {
        self.cannot[a as usize].push(b);
        self.cannot[b as usize].push(a);
    }

    /// Merges the clusters of `a` and `b` unless a forbidden pair would end up together.
    pub fn union(&mut self, a: u32, b: u32, members: &mut [Vec<u32>]) -> bool {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return true;
        }
        let (small, large) = if self.size[ra as usize] <= self.size[rb as usize] { (ra, rb) } else { (rb, ra) };
        let small_members = std::mem::take(&mut members[small as usize]);
        let conflict =
            small_members.iter().any(|&m| self.cannot[m as usize].clone().into_iter().any(|c| self.find(c) == large));
        if conflict {
            members[small as usize] = small_members;
            return false;
        }
        self.parent[small as usize] = large;
        self.size[large as usize] += self.size[small as usize];
        members[large as usize].extend(small_members);
        true
    }
}
