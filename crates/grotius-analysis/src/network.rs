//! The actor network held in memory (compressed adjacency), and the network questions: ego
//! network to depth N, the k shortest introduction paths from "us" to an actor (Yen's algorithm
//! over breadth-first search), brokers ranked by betweenness (Brandes; sampled on large graphs),
//! and a radial layout for pictures.

use std::collections::{HashMap, HashSet, VecDeque};

use grotius_domain::{Classification, Labels, Subject};
use serde::Serialize;

const NO_COMPARTMENT: u32 = u32::MAX;

/// An actor as the graph needs it.
#[derive(Debug, Clone)]
pub struct NodeRow {
    pub id: String,
    pub labels: Labels,
    /// One of "us": a colleague or mission of the unit, where introductions start.
    pub ours: bool,
}

/// A relationship as the graph needs it (undirected for the network questions).
#[derive(Debug, Clone)]
pub struct EdgeRow {
    pub id: String,
    pub from: String,
    pub to: String,
    pub labels: Labels,
}

/// What a subject may see, compiled against one graph's compartment table.
#[derive(Debug, Clone)]
pub struct Visibility {
    max_level: u8,
    compartments: Vec<bool>,
}

fn level(c: Classification) -> u8 {
    c.level() as u8
}

/// The network, immutable once built; rebuild it when the change feed says it changed.
#[derive(Debug, Default)]
pub struct NetworkGraph {
    node_ids: Vec<String>,
    index: HashMap<String, u32>,
    node_level: Vec<u8>,
    node_comp: Vec<u32>,
    ours: Vec<u32>,
    edge_ids: Vec<String>,
    edge_level: Vec<u8>,
    edge_comp: Vec<u32>,
    offsets: Vec<u32>,
    /// (neighbour, edge index), grouped by node through `offsets`.
    adj: Vec<(u32, u32)>,
    compartments: Vec<String>,
}

/// Reusable search state: distance and parent per node for the two search directions, valid
/// only where the stamp equals the current search (so nothing is cleared between searches).
#[derive(Default)]
struct Scratch {
    stamp: u32,
    seen: [Vec<u32>; 2],
    dist: [Vec<u32>; 2],
    parent: [Vec<u32>; 2],
}

impl Scratch {
    fn reset(&mut self, n: usize) {
        for side in 0..2 {
            if self.seen[side].len() != n {
                self.seen[side] = vec![0; n];
                self.dist[side] = vec![0; n];
                self.parent[side] = vec![u32::MAX; n];
            }
        }
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.seen
                .iter_mut()
                .for_each(|s| s.iter_mut().for_each(|x| *x = 0));
            self.stamp = 1;
        }
    }

    fn mark(&mut self, side: usize, n: u32, parent: u32, d: u32) {
        self.seen[side][n as usize] = self.stamp;
        self.parent[side][n as usize] = parent;
        self.dist[side][n as usize] = d;
    }

    fn dist(&self, side: usize, n: u32) -> Option<u32> {
        (self.seen[side][n as usize] == self.stamp).then(|| self.dist[side][n as usize])
    }

    fn parent(&self, side: usize, n: u32) -> Option<u32> {
        (self.seen[side][n as usize] == self.stamp)
            .then(|| self.parent[side][n as usize])
            .filter(|&p| p != u32::MAX)
    }
}

/// An ego network: nodes with their distance from the centre, and the edges between them.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Ego {
    pub center: String,
    /// (actor id, distance)
    pub nodes: Vec<(String, u32)>,
    /// (relationship id, from actor id, to actor id)
    pub edges: Vec<(String, String, String)>,
    /// Visible nodes within the depth that were left out because of `max_nodes`.
    pub truncated: usize,
}

impl NetworkGraph {
    pub fn build(nodes: Vec<NodeRow>, edges: Vec<EdgeRow>) -> NetworkGraph {
        let mut g = NetworkGraph::default();
        let mut comp_index: HashMap<String, u32> = HashMap::new();
        let mut comp = |labels: &Labels, table: &mut Vec<String>| -> u32 {
            match &labels.compartment {
                None => NO_COMPARTMENT,
                Some(c) => *comp_index.entry(c.to_string()).or_insert_with(|| {
                    table.push(c.to_string());
                    (table.len() - 1) as u32
                }),
            }
        };
        let mut compartments = Vec::new();
        for n in nodes {
            let i = g.node_ids.len() as u32;
            g.index.insert(n.id.clone(), i);
            g.node_level.push(level(n.labels.classification));
            g.node_comp.push(comp(&n.labels, &mut compartments));
            if n.ours {
                g.ours.push(i);
            }
            g.node_ids.push(n.id);
        }
        let mut pairs: Vec<(u32, u32, u32)> = Vec::with_capacity(edges.len() * 2);
        for e in edges {
            let (Some(&a), Some(&b)) = (g.index.get(&e.from), g.index.get(&e.to)) else {
                continue;
            };
            if a == b {
                continue;
            }
            let ei = g.edge_ids.len() as u32;
            g.edge_ids.push(e.id);
            g.edge_level.push(level(e.labels.classification));
            g.edge_comp.push(comp(&e.labels, &mut compartments));
            pairs.push((a, b, ei));
            pairs.push((b, a, ei));
        }
        pairs.sort_unstable();
        let n = g.node_ids.len();
        g.offsets = vec![0; n + 1];
        for &(a, _, _) in &pairs {
            g.offsets[a as usize + 1] += 1;
        }
        for i in 0..n {
            g.offsets[i + 1] += g.offsets[i];
        }
        g.adj = pairs.into_iter().map(|(_, b, e)| (b, e)).collect();
        g.compartments = compartments;
        g
    }

    pub fn node_count(&self) -> usize {
        self.node_ids.len()
    }

    pub fn edge_count(&self) -> usize {
        self.edge_ids.len()
    }

    /// Compiles a subject's clearance and memberships against this graph.
    /// A key that is equal for subjects who see the same graph (for caching answers).
    pub fn visibility_key(s: &Subject) -> String {
        let comps: Vec<&str> = s.compartments.iter().map(|c| c.as_str()).collect();
        format!("{}:{}", s.clearance.as_str(), comps.join(","))
    }

    pub fn visibility(&self, s: &Subject) -> Visibility {
        Visibility {
            max_level: level(s.clearance),
            compartments: self
                .compartments
                .iter()
                .map(|c| s.compartments.iter().any(|m| m.as_str() == c))
                .collect(),
        }
    }

    fn sees(&self, v: &Visibility, lvl: u8, comp: u32) -> bool {
        lvl <= v.max_level
            && (comp == NO_COMPARTMENT
                || v.compartments.get(comp as usize).copied().unwrap_or(false))
    }

    fn node_visible(&self, v: &Visibility, n: u32) -> bool {
        self.sees(v, self.node_level[n as usize], self.node_comp[n as usize])
    }

    fn edge_visible(&self, v: &Visibility, e: u32) -> bool {
        self.sees(v, self.edge_level[e as usize], self.edge_comp[e as usize])
    }

    /// Visible neighbours of a visible node, through visible edges.
    fn neighbours<'a>(
        &'a self,
        v: &'a Visibility,
        n: u32,
    ) -> impl Iterator<Item = (u32, u32)> + 'a {
        let (a, b) = (
            self.offsets[n as usize] as usize,
            self.offsets[n as usize + 1] as usize,
        );
        self.adj[a..b]
            .iter()
            .copied()
            .filter(move |&(m, e)| self.edge_visible(v, e) && self.node_visible(v, m))
    }

    fn lookup(&self, v: &Visibility, id: &str) -> Option<u32> {
        self.index
            .get(id)
            .copied()
            .filter(|&n| self.node_visible(v, n))
    }

    /// The ego network of `center` to `depth` hops, at most `max_nodes` nodes (nearest first).
    /// `None` when the centre is unknown or not visible.
    pub fn ego(&self, v: &Visibility, center: &str, depth: u32, max_nodes: usize) -> Option<Ego> {
        let c = self.lookup(v, center)?;
        let mut dist: HashMap<u32, u32> = HashMap::from([(c, 0)]);
        let mut order = vec![c];
        let mut queue = VecDeque::from([c]);
        while let Some(n) = queue.pop_front() {
            let d = dist[&n];
            if d == depth {
                continue;
            }
            let mut next: Vec<u32> = self
                .neighbours(v, n)
                .map(|(m, _)| m)
                .filter(|m| !dist.contains_key(m))
                .collect();
            next.sort_unstable_by(|a, b| {
                self.node_ids[*a as usize].cmp(&self.node_ids[*b as usize])
            });
            next.dedup();
            for m in next {
                dist.insert(m, d + 1);
                order.push(m);
                queue.push_back(m);
            }
        }
        let truncated = order.len().saturating_sub(max_nodes.max(1));
        order.truncate(max_nodes.max(1));
        let kept: HashSet<u32> = order.iter().copied().collect();
        let mut edges = Vec::new();
        let mut seen = HashSet::new();
        for &n in &order {
            for (m, e) in self.neighbours(v, n) {
                if kept.contains(&m) && seen.insert(e) {
                    edges.push((
                        self.edge_ids[e as usize].clone(),
                        self.node_ids[n as usize].clone(),
                        self.node_ids[m as usize].clone(),
                    ));
                }
            }
        }
        edges.sort();
        Some(Ego {
            center: center.to_string(),
            nodes: order
                .iter()
                .map(|&n| (self.node_ids[n as usize].clone(), dist[&n]))
                .collect(),
            edges,
            truncated,
        })
    }

    /// Shortest path (fewest hops) from `from` — or, when `None`, from every visible node of
    /// "us" — to `to`, avoiding blocked nodes and edges: a bidirectional, level-synchronous
    /// breadth-first search that always expands the smaller frontier. Returns node indices,
    /// source first.
    fn shortest(
        &self,
        v: &Visibility,
        scratch: &mut Scratch,
        from: Option<u32>,
        to: u32,
        blocked_nodes: &[u32],
        blocked_edges: &[u32],
    ) -> Option<Vec<u32>> {
        scratch.reset(self.node_ids.len());
        let starts: Vec<u32> = match from {
            Some(f) => vec![f],
            None => self
                .ours
                .iter()
                .copied()
                .filter(|&o| self.node_visible(v, o) && !blocked_nodes.contains(&o))
                .collect(),
        };
        if starts.is_empty() || blocked_nodes.contains(&to) {
            return None;
        }
        let mut fwd: Vec<u32> = Vec::new();
        for s in starts {
            if s == to {
                return Some(vec![s]);
            }
            scratch.mark(0, s, u32::MAX, 0);
            fwd.push(s);
        }
        scratch.mark(1, to, u32::MAX, 0);
        let mut bwd = vec![to];
        let (mut df, mut db) = (0u32, 0u32);
        while !fwd.is_empty() && !bwd.is_empty() {
            let side = usize::from(bwd.len() < fwd.len());
            let frontier = if side == 0 {
                std::mem::take(&mut fwd)
            } else {
                std::mem::take(&mut bwd)
            };
            let mut next = Vec::new();
            let mut best: Option<(u32, u32, u32)> = None; // (total length, node on this side, node on the other side)
            for &n in &frontier {
                for (m, e) in self.neighbours(v, n) {
                    if blocked_edges.contains(&e) || blocked_nodes.contains(&m) {
                        continue;
                    }
                    if let Some(dm) = scratch.dist(1 - side, m) {
                        let d_here = if side == 0 { df } else { db };
                        let total = d_here + 1 + dm;
                        if best.is_none_or(|b| total < b.0) {
                            best = Some((total, n, m));
                        }
                    }
                    if scratch.dist(side, m).is_none() {
                        let d_here = if side == 0 { df } else { db };
                        scratch.mark(side, m, n, d_here + 1);
                        next.push(m);
                    }
                }
            }
            if let Some((_, here, there)) = best {
                // Walk back on both sides from the meeting edge.
                let (f_end, b_start) = if side == 0 {
                    (here, there)
                } else {
                    (there, here)
                };
                let mut path = vec![f_end];
                let mut cur = f_end;
                while let Some(p) = scratch.parent(0, cur) {
                    path.push(p);
                    cur = p;
                }
                path.reverse();
                let mut cur = b_start;
                path.push(cur);
                while let Some(p) = scratch.parent(1, cur) {
                    path.push(p);
                    cur = p;
                }
                return Some(path);
            }
            if side == 0 {
                df += 1;
                fwd = next;
            } else {
                db += 1;
                bwd = next;
            }
        }
        None
    }

    fn edge_between(&self, v: &Visibility, a: u32, b: u32) -> Option<u32> {
        self.neighbours(v, a)
            .filter(|&(m, _)| m == b)
            .map(|(_, e)| e)
            .min()
    }

    /// "Who can introduce us to X": up to `k` shortest loopless paths (actor ids) from one of
    /// "us" to `target`, shortest first (Yen's algorithm). Empty when none exists or the target is
    /// not visible.
    pub fn introductions(&self, v: &Visibility, target: &str, k: usize) -> Vec<Vec<String>> {
        let Some(t) = self.lookup(v, target) else {
            return Vec::new();
        };
        let mut scratch = Scratch::default();
        let Some(first) = self.shortest(v, &mut scratch, None, t, &[], &[]) else {
            return Vec::new();
        };
        let mut found: Vec<Vec<u32>> = vec![first];
        let mut candidates: Vec<Vec<u32>> = Vec::new();
        while found.len() < k {
            let last = found[found.len() - 1].clone();
            // Spur from each node of the last path; index 0 spurs from "us" as a whole.
            for i in 0..last.len().saturating_sub(1) {
                let root = &last[..=i];
                let mut blocked_edges = Vec::new();
                let mut blocked_start = Vec::new();
                for p in &found {
                    if p.len() > i && &p[..=i] == root {
                        if let Some(e) = self.edge_between(v, p[i], p[i + 1]) {
                            blocked_edges.push(e);
                        }
                        if i == 0 {
                            blocked_start.push(p[0]);
                        }
                    }
                }
                let blocked_nodes: Vec<u32> = root[..i].to_vec();
                let push = |p: Vec<u32>, candidates: &mut Vec<Vec<u32>>| {
                    if !found.contains(&p) && !candidates.contains(&p) {
                        candidates.push(p);
                    }
                };
                if i == 0 {
                    // Alternative starting colleagues, or the same one through another first edge.
                    let mut b = blocked_nodes.clone();
                    b.extend(blocked_start.iter().copied());
                    if let Some(p) = self.shortest(v, &mut scratch, None, t, &b, &[]) {
                        push(p, &mut candidates);
                    }
                    if let Some(p) = self.shortest(
                        v,
                        &mut scratch,
                        Some(root[0]),
                        t,
                        &blocked_nodes,
                        &blocked_edges,
                    ) {
                        push(p, &mut candidates);
                    }
                    continue;
                }
                if let Some(s) = self.shortest(
                    v,
                    &mut scratch,
                    Some(root[i]),
                    t,
                    &blocked_nodes,
                    &blocked_edges,
                ) {
                    let mut p = root[..i].to_vec();
                    p.extend(s);
                    push(p, &mut candidates);
                }
            }
            if candidates.is_empty() {
                break;
            }
            // Shortest candidate; ties broken by the ids along the path, for determinism.
            candidates.sort_by(|a, b| {
                a.len().cmp(&b.len()).then_with(|| {
                    let ia = a.iter().map(|&n| self.node_ids[n as usize].as_str());
                    let ib = b.iter().map(|&n| self.node_ids[n as usize].as_str());
                    ia.cmp(ib)
                })
            });
            found.push(candidates.remove(0));
        }
        found
            .into_iter()
            .map(|p| {
                p.into_iter()
                    .map(|n| self.node_ids[n as usize].clone())
                    .collect()
            })
            .collect()
    }

    /// Brokers: visible actors ranked by betweenness centrality in the visible graph (exact
    /// Brandes up to `exact_limit` visible nodes; beyond, from `samples` evenly spaced sources,
    /// scaled). Returns (actor id, score), highest first, at most `top`.
    pub fn brokers(
        &self,
        v: &Visibility,
        top: usize,
        exact_limit: usize,
        samples: usize,
    ) -> Vec<(String, f64)> {
        let visible: Vec<u32> = (0..self.node_ids.len() as u32)
            .filter(|&n| self.node_visible(v, n))
            .collect();
        if visible.is_empty() {
            return Vec::new();
        }
        let sources: Vec<u32> = if visible.len() <= exact_limit {
            visible.clone()
        } else {
            let samples = samples.clamp(1, visible.len());
            let step = visible.len() as f64 / samples as f64;
            (0..samples)
                .map(|i| visible[(i as f64 * step) as usize])
                .collect()
        };
        let scale = visible.len() as f64 / sources.len() as f64;
        let n = self.node_ids.len();
        let mut cb = vec![0.0f64; n];
        let mut sigma = vec![0.0f64; n];
        let mut delta = vec![0.0f64; n];
        let mut dist = vec![u32::MAX; n];
        let mut stack: Vec<u32> = Vec::new();
        let mut queue = VecDeque::new();
        for &s in &sources {
            for &w in &stack {
                let w = w as usize;
                sigma[w] = 0.0;
                delta[w] = 0.0;
                dist[w] = u32::MAX;
            }
            stack.clear();
            sigma[s as usize] = 1.0;
            dist[s as usize] = 0;
            queue.push_back(s);
            while let Some(x) = queue.pop_front() {
                stack.push(x);
                let dx = dist[x as usize];
                for (m, _) in self.neighbours(v, x) {
                    let mu = m as usize;
                    if dist[mu] == u32::MAX {
                        dist[mu] = dx + 1;
                        queue.push_back(m);
                    }
                    if dist[mu] == dx + 1 {
                        sigma[mu] += sigma[x as usize];
                    }
                }
            }
            // Predecessors are the neighbours one step closer; no lists needed.
            for &w in stack.iter().rev() {
                let wu = w as usize;
                for (p, _) in self.neighbours(v, w) {
                    let pu = p as usize;
                    if dist[pu] != u32::MAX && dist[pu] + 1 == dist[wu] {
                        delta[pu] += sigma[pu] / sigma[wu] * (1.0 + delta[wu]);
                    }
                }
                if w != s {
                    cb[wu] += delta[wu];
                }
            }
        }
        let cb: HashMap<u32, f64> = cb
            .into_iter()
            .enumerate()
            .filter(|(_, c)| *c > 0.0)
            .map(|(i, c)| (i as u32, c))
            .collect();
        // Undirected graph: every pair was counted from both ends.
        let mut out: Vec<(String, f64)> = cb
            .into_iter()
            .filter(|(_, c)| *c > 0.0)
            .map(|(n, c)| (self.node_ids[n as usize].clone(), c * scale / 2.0))
            .collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out.truncate(top);
        out
    }
}

/// Positions for drawing an ego network: the centre in the middle, each ring one hop further,
/// nodes spread by angle and placed near the node that brought them in. Coordinates in [0, 1].
pub fn radial_layout(ego: &Ego) -> Vec<(String, f64, f64)> {
    let max_depth = ego.nodes.iter().map(|(_, d)| *d).max().unwrap_or(0).max(1) as f64;
    let mut angle: HashMap<&str, f64> = HashMap::new();
    let mut out = Vec::new();
    let adjacency: HashMap<&str, Vec<&str>> =
        ego.edges.iter().fold(HashMap::new(), |mut m, (_, a, b)| {
            m.entry(a.as_str()).or_default().push(b.as_str());
            m.entry(b.as_str()).or_default().push(a.as_str());
            m
        });
    let by_depth = |d: u32| {
        ego.nodes
            .iter()
            .filter(move |(_, nd)| *nd == d)
            .map(|(id, _)| id.as_str())
    };
    for d in 0..=max_depth as u32 {
        let mut ring: Vec<(&str, f64)> = by_depth(d)
            .map(|id| {
                // Mean angle of already placed neighbours (the parents), or 0.
                let parents: Vec<f64> = adjacency
                    .get(id)
                    .into_iter()
                    .flatten()
                    .filter_map(|p| angle.get(p).copied())
                    .collect();
                let a = if parents.is_empty() {
                    0.0
                } else {
                    parents.iter().sum::<f64>() / parents.len() as f64
                };
                (id, a)
            })
            .collect();
        ring.sort_by(|a, b| a.1.total_cmp(&b.1).then_with(|| a.0.cmp(b.0)));
        let n = ring.len().max(1) as f64;
        for (i, (id, _)) in ring.into_iter().enumerate() {
            let a = if d == 0 {
                0.0
            } else {
                (i as f64 + 0.5) / n * std::f64::consts::TAU
            };
            angle.insert(id, a);
            let r = 0.45 * d as f64 / max_depth;
            out.push((id.to_string(), 0.5 + r * a.cos(), 0.5 + r * a.sin()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use grotius_domain::{CompartmentId, Role};

    use super::*;

    fn labels(c: Classification, comp: Option<&str>) -> Labels {
        Labels {
            classification: c,
            compartment: comp.map(|c| CompartmentId::parse(c).unwrap()),
        }
    }

    fn subject(c: Classification, comps: &[&str]) -> Subject {
        Subject {
            user_id: "u".into(),
            username: "u".into(),
            roles: vec![Role::Analyst],
            clearance: c,
            compartments: comps
                .iter()
                .map(|c| CompartmentId::parse(c).unwrap())
                .collect::<BTreeSet<_>>(),
            organisation: None,
            read_only: false,
        }
    }

    /// us — a — b — x, us — c — x (c in compartment "yemen"), a — d (secret)
    fn graph() -> NetworkGraph {
        let node = |id: &str, ours: bool, l: Labels| NodeRow {
            id: id.into(),
            labels: l,
            ours,
        };
        let int = || labels(Classification::Internal, None);
        let edge = |id: &str, a: &str, b: &str, l: Labels| EdgeRow {
            id: id.into(),
            from: a.into(),
            to: b.into(),
            labels: l,
        };
        NetworkGraph::build(
            vec![
                node("us", true, int()),
                node("a", false, int()),
                node("b", false, int()),
                node("c", false, labels(Classification::Internal, Some("yemen"))),
                node("d", false, labels(Classification::Secret, None)),
                node("x", false, int()),
            ],
            vec![
                edge("e1", "us", "a", int()),
                edge("e2", "a", "b", int()),
                edge("e3", "b", "x", int()),
                edge("e4", "us", "c", int()),
                edge("e5", "c", "x", int()),
                edge("e6", "a", "d", int()),
            ],
        )
    }

    #[test]
    fn paths_never_pass_through_what_cannot_be_seen() {
        let g = graph();
        let insider = g.visibility(&subject(Classification::Secret, &["yemen"]));
        let outsider = g.visibility(&subject(Classification::Confidential, &[]));
        assert_eq!(
            g.introductions(&insider, "x", 3),
            vec![vec!["us", "c", "x"], vec!["us", "a", "b", "x"]]
        );
        assert_eq!(
            g.introductions(&outsider, "x", 3),
            vec![vec!["us", "a", "b", "x"]]
        );
        assert!(
            g.introductions(&outsider, "c", 3).is_empty(),
            "hidden target: nothing"
        );
        assert!(g.introductions(&outsider, "nobody", 3).is_empty());
    }

    #[test]
    fn ego_networks_respect_visibility_and_depth() {
        let g = graph();
        let insider = g.visibility(&subject(Classification::Secret, &["yemen"]));
        let outsider = g.visibility(&subject(Classification::Confidential, &[]));
        let e = g.ego(&insider, "a", 1, 100).unwrap();
        assert_eq!(
            e.nodes,
            vec![
                ("a".into(), 0),
                ("b".into(), 1),
                ("d".into(), 1),
                ("us".into(), 1)
            ]
        );
        let e = g.ego(&outsider, "us", 2, 100).unwrap();
        let ids: Vec<&str> = e.nodes.iter().map(|(i, _)| i.as_str()).collect();
        assert_eq!(
            ids,
            vec!["us", "a", "b"],
            "no c (compartment), no d (secret)"
        );
        assert!(e.edges.iter().all(|(id, _, _)| id != "e4" && id != "e6"));
        assert!(g.ego(&outsider, "c", 1, 100).is_none());
        let capped = g.ego(&insider, "us", 3, 3).unwrap();
        assert_eq!((capped.nodes.len(), capped.truncated), (3, 3));
    }

    #[test]
    fn brokers_are_computed_on_the_visible_graph() {
        let g = graph();
        let insider = g.visibility(&subject(Classification::Secret, &["yemen"]));
        let outsider = g.visibility(&subject(Classification::Confidential, &[]));
        let b = g.brokers(&insider, 10, 1000, 0);
        assert_eq!(b[0].0, "a", "a bridges us, b, d: {b:?}");
        let ob = g.brokers(&outsider, 10, 1000, 0);
        assert!(ob.iter().all(|(id, _)| id != "c" && id != "d"));
        // In the outsider's graph us—a—b—x is a line: a and b each carry 2 of the 6 pairs.
        assert_eq!(ob, vec![("a".to_string(), 2.0), ("b".to_string(), 2.0)]);
        // Sampling gives the same ranking on this small graph.
        assert_eq!(g.brokers(&insider, 1, 2, 2)[0].0, "a");
    }

    #[test]
    fn layout_puts_the_centre_in_the_middle() {
        let g = graph();
        let v = g.visibility(&subject(Classification::Secret, &["yemen"]));
        let e = g.ego(&v, "us", 2, 100).unwrap();
        let pos = radial_layout(&e);
        assert_eq!(pos[0], ("us".to_string(), 0.5, 0.5));
        assert!(
            pos.iter()
                .all(|(_, x, y)| (0.0..=1.0).contains(x) && (0.0..=1.0).contains(y))
        );
        assert_eq!(pos.len(), e.nodes.len());
    }
}
