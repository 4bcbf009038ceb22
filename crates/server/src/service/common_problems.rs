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
use rectify_domain::NonEmptyText;
use rectify_domain::roles::Role;
use rectify_storage::{AspectFields, CascadeTarget, ProblemFields, RoundProblem};

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

/// The aspect (方面) of each unit's ledger that holds the tasks sent from common problems.
pub const CASCADE_ASPECT: &str = "举一反三";

/// What sending a cluster to the units of a round would do, or did.
#[derive(Debug, Clone, PartialEq)]
pub struct CascadePlan {
    pub cluster: Cluster,
    /// Every live inspection of the round the principal sees.
    pub targets: Vec<CascadeTarget>,
}

/// How a send went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CascadeOutcome {
    /// Units of the round the office sees.
    pub units: usize,
    /// Units that received the task now.
    pub sent: usize,
    /// Units that held it already (sent before).
    pub already: usize,
}

/// The cluster titled `title` at `threshold` and the round's units it would go to.
pub async fn cascade_plan(
    state: &AppState,
    principal: &Principal,
    round: i64,
    threshold: f64,
    title: &str,
) -> Result<CascadePlan, AppError> {
    let title = title.trim();
    let cluster =
        of_round(state, principal, round, threshold).await?.into_iter().find(|c| c.title == title).ok_or_else(
            || {
                AppError::refused(
                    format!("no common problem of this round is titled {title:?} at threshold {threshold}"),
                    "本轮次在当前相似度阈值下没有这一共性问题（问题或阈值可能已变化），请刷新共性问题页面后重试。",
                )
            },
        )?;
    let targets = state
        .store()
        .cascade_targets(round, CASCADE_ASPECT, &cluster.title)
        .await?
        .into_iter()
        .filter(|t| {
            any_sees_inspection(&principal.grants, InspectionRef { id: t.inspection_id, unit: t.unit.as_deref() })
        })
        .collect();
    Ok(CascadePlan { cluster, targets })
}

/// Sends a cluster to every unit of the round as a 举一反三 task: each unit's ledger gets, in
/// its aspect 举一反三 (added when missing), a problem titled after the cluster with a note of
/// where it came from. A unit that has the task already is left alone, so sending twice adds
/// nothing; each aspect and problem is written (and audited) in its own transaction, so a send
/// cut short is completed by sending again.
pub async fn cascade(
    state: &AppState,
    principal: &Principal,
    round: i64,
    threshold: f64,
    title: &str,
) -> Result<CascadeOutcome, AppError> {
    let round_name = super::rounds::round(state, round).await?.name;
    let plan = cascade_plan(state, principal, round, threshold, title).await?;
    let actor = principal.acting_as(Role::InspectionOffice);
    let problem_title = NonEmptyText::new(plan.cluster.title.clone())
        .map_err(|_| AppError::refused("the cluster has no title", "共性问题没有标题。"))?;
    let note = format!(
        "举一反三：源自{round_name}共性问题“{}”（{}家单位存在同类问题，共{}个），请对照自查、举一反三抓好整改。",
        plan.cluster.title,
        plan.cluster.units,
        plan.cluster.problems.len()
    );
    let fields = ProblemFields {
        number: None,
        title: problem_title,
        category: Some(CASCADE_ASPECT.to_owned()),
        scope: None,
        description: Some(note),
        disclosure: Default::default(),
        responsibility: Default::default(),
    };
    let aspect = AspectFields { number: None, title: Some(CASCADE_ASPECT.to_owned()) };
    let mut sent = 0;
    for target in plan.targets.iter().filter(|t| !t.has_problem) {
        let aspect_id = match target.aspect_id {
            Some(id) => id,
            None => state.store().add_aspect(target.inspection_id, &aspect, &actor, state.now()).await?.id,
        };
        state.store().add_problem(aspect_id, &fields, &actor, state.now()).await?;
        sent += 1;
    }
    Ok(CascadeOutcome { units: plan.targets.len(), sent, already: plan.targets.len() - sent })
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
