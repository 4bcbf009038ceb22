//! Common problems (共性问题): problems found in several units of a round that say the same
//! thing, so that the office can have them fixed everywhere (举一反三).
//!
//! Each problem's title is segmented with the domain dictionary and weighed by TF-IDF over the
//! round; two problems are alike when the cosine of their vectors reaches the threshold, and
//! alike problems are joined into clusters (single linkage). Only pairs sharing a word are ever
//! compared (an inverted index), so a round of a few hundred units × 30 problems is clustered in
//! milliseconds. A cluster must span at least two units: a problem repeated inside one unit is
//! not common to the round.

use std::collections::{BTreeSet, HashMap};

use rectify_auth::InspectionRef;
use rectify_auth::scope::any_sees_inspection;
use rectify_storage::RoundProblem;

use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;

/// The cosine at which two problems count as alike, unless the request names another.
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// A cluster of alike problems.
#[derive(Debug, Clone, PartialEq)]
pub struct Cluster {
    /// The most typical member's title.
    pub title: String,
    /// The members, by unit.
    pub problems: Vec<RoundProblem>,
    /// How many distinct units (inspections) the members come from.
    pub units: usize,
}

/// The clusters of a round's problems the principal sees (the units it sees), largest first.
pub async fn of_round(
    state: &AppState,
    principal: &Principal,
    round: i64,
    threshold: f64,
) -> Result<Vec<Cluster>, AppError> {
    super::rounds::round(state, round).await?;
    let problems: Vec<RoundProblem> = state
        .store()
        .round_problems(round)
        .await?
        .into_iter()
        .filter(|p| {
            any_sees_inspection(&principal.grants, InspectionRef { id: p.inspection_id, unit: p.unit.as_deref() })
        })
        .collect();
    Ok(cluster(problems, threshold))
}

/// Clusters problems whose titles' TF-IDF cosine reaches `threshold`; clusters of one unit only
/// are left out. Largest first: by units, then by problems, then by title.
pub fn cluster(problems: Vec<RoundProblem>, threshold: f64) -> Vec<Cluster> {
    let vectors = tf_idf(&problems);
    // Which problems hold each word.
    let mut postings: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, v) in vectors.iter().enumerate() {
        for word in v.keys() {
            postings.entry(word.as_str()).or_default().push(i);
        }
    }
    let mut sets = DisjointSets::new(problems.len());
    for (i, v) in vectors.iter().enumerate() {
        let mut candidates = BTreeSet::new();
        for word in v.keys() {
            candidates.extend(postings[word.as_str()].iter().copied().filter(|&j| j > i));
        }
        for j in candidates {
            // The tolerance keeps identical titles alike at 1 despite rounding.
            if sets.find(i) != sets.find(j) && cosine(v, &vectors[j]) >= threshold - 1e-9 {
                sets.union(i, j);
            }
        }
    }
    let mut groups: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..problems.len() {
        groups.entry(sets.find(i)).or_default().push(i);
    }
    let mut clusters: Vec<Cluster> = groups
        .into_values()
        .filter_map(|members| {
            let units: BTreeSet<i64> = members.iter().map(|&i| problems[i].inspection_id).collect();
            if units.len() < 2 {
                return None;
            }
            // The member most like all the others names the cluster.
            let typical = members
                .iter()
                .copied()
                .max_by(|&a, &b| {
                    let score = |x: usize| members.iter().map(|&y| cosine(&vectors[x], &vectors[y])).sum::<f64>();
                    score(a).total_cmp(&score(b)).then(b.cmp(&a))
                })
                .unwrap_or(members[0]);
            let mut list: Vec<RoundProblem> = members.iter().map(|&i| problems[i].clone()).collect();
            list.sort_by(|a, b| (&a.unit, a.problem_id).cmp(&(&b.unit, b.problem_id)));
            Some(Cluster { title: problems[typical].title.clone(), problems: list, units: units.len() })
        })
        .collect();
    clusters.sort_by(|a, b| {
        b.units.cmp(&a.units).then(b.problems.len().cmp(&a.problems.len())).then_with(|| a.title.cmp(&b.title))
    });
    clusters
}

/// Each title's words weighed by term frequency × smoothed inverse document frequency, scaled
/// to length 1 (so that the cosine is a dot product).
fn tf_idf(problems: &[RoundProblem]) -> Vec<HashMap<String, f64>> {
    let counts: Vec<HashMap<String, f64>> = problems
        .iter()
        .map(|p| {
            let mut tf = HashMap::new();
            for word in rectify_segment::similarity_words(&p.title) {
                *tf.entry(word).or_insert(0.0) += 1.0;
            }
            tf
        })
        .collect();
    let mut df: HashMap<&str, f64> = HashMap::new();
    for tf in &counts {
        for word in tf.keys() {
            *df.entry(word.as_str()).or_insert(0.0) += 1.0;
        }
    }
    let n = problems.len() as f64;
    counts
        .iter()
        .map(|tf| {
            let mut v: HashMap<String, f64> =
                tf.iter().map(|(w, c)| (w.clone(), c * (((1.0 + n) / (1.0 + df[w.as_str()])).ln() + 1.0))).collect();
            let norm = v.values().map(|x| x * x).sum::<f64>().sqrt();
            if norm > 0.0 {
                v.values_mut().for_each(|x| *x /= norm);
            }
            v
        })
        .collect()
}

fn cosine(a: &HashMap<String, f64>, b: &HashMap<String, f64>) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().filter_map(|(w, x)| large.get(w).map(|y| x * y)).sum()
}

/// Union-find over problem indices.
struct DisjointSets {
    parent: Vec<usize>,
}

impl DisjointSets {
    fn new(n: usize) -> Self {
        DisjointSets { parent: (0..n).collect() }
    }

    fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(id: i64, inspection: i64, title: &str) -> RoundProblem {
        RoundProblem {
            problem_id: id,
            inspection_id: inspection,
            unit: Some(format!("单位{inspection}")),
            title: title.to_owned(),
            status: "in_progress".to_owned(),
        }
    }

    #[test]
    fn alike_titles_of_several_units_form_a_cluster_and_one_unit_alone_does_not() {
        let problems = vec![
            problem(1, 1, "落实中央八项规定精神不严格，违规发放津贴补贴"),
            problem(2, 2, "违规发放津贴补贴，落实中央八项规定精神不严格"),
            problem(3, 3, "落实中央八项规定精神不严格"),
            problem(4, 1, "三重一大决策制度执行不到位"),
            problem(5, 2, "三重一大决策制度执行不到位"),
            problem(6, 3, "意识形态工作责任制落实不力"),
            problem(7, 3, "意识形态工作责任制落实不力，阵地管理薄弱"),
        ];
        let clusters = cluster(problems, DEFAULT_THRESHOLD);
        let ids: Vec<Vec<i64>> = clusters.iter().map(|c| c.problems.iter().map(|p| p.problem_id).collect()).collect();
        assert_eq!(ids, vec![vec![1, 2, 3], vec![4, 5]]);
        assert_eq!(clusters[0].units, 3);
        assert_eq!(clusters[1].title, "三重一大决策制度执行不到位");
    }

    #[test]
    fn a_higher_threshold_splits_what_a_lower_one_joins() {
        let problems = vec![problem(1, 1, "违规发放津贴补贴"), problem(2, 2, "违规发放津贴补贴问题突出，财务管理混乱")];
        assert_eq!(cluster(problems.clone(), 0.3).len(), 1);
        assert!(cluster(problems, 0.95).is_empty());
    }
}
