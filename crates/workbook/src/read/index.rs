//! The problems of a ledger by their printed numbers, for the sheets that point at them.

use rectify_domain::ProblemRef;

use super::sheets::KeyedAspect;

/// Locates problems by the 序号 the workbook gives them.
pub(super) struct Index {
    pub(super) seqs: Vec<(Option<String>, ProblemRef)>,
}

impl Index {
    pub(super) fn new(aspects: &[KeyedAspect]) -> Self {
        let seqs = aspects
            .iter()
            .enumerate()
            .flat_map(|(ai, a)| {
                a.problems
                    .iter()
                    .enumerate()
                    .map(move |(pi, k)| (k.seq.clone(), ProblemRef { aspect: ai, problem: pi }))
            })
            .collect();
        Index { seqs }
    }

    pub(super) fn find(&self, seq: &str) -> Option<ProblemRef> {
        self.seqs.iter().find(|(s, _)| s.as_deref() == Some(seq)).map(|(_, r)| *r)
    }
}
