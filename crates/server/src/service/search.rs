//! Full-text search (全文检索) across problems, measures, progress, evidence names and public
//! feedback, always within the caller's data scope, with snippets around the words found.

use rectify_domain::Status;
use rectify_storage::{Page, SearchHit, SearchKind, SearchQuery, SearchScope};

use super::scope::{Visibility, sees_every_unit, visible_inspections};
use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;

/// The longest query read, in characters (a search box, not a document).
pub const MAX_QUERY_CHARS: usize = 200;
/// About how many characters a snippet shows.
const SNIPPET_CHARS: usize = 80;
/// How many characters of context a snippet keeps before the first word found.
const SNIPPET_LEAD: usize = 20;

/// What to search for, with its filters.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub text: String,
    pub round: Option<i64>,
    pub inspection: Option<i64>,
    pub kind: Option<SearchKind>,
    /// The status of the problem a hit belongs to.
    pub status: Option<Status>,
    pub page: Page,
}

/// A piece of a snippet, found (to highlight) or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub text: String,
    pub found: bool,
}

/// One hit with its snippet.
#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: SearchKind,
    pub id: i64,
    pub inspection_id: Option<i64>,
    pub problem_id: Option<i64>,
    pub measure_id: Option<i64>,
    pub unit: Option<String>,
    pub title: String,
    pub snippet: Vec<Piece>,
}

impl Hit {
    /// The snippet as plain text.
    pub fn snippet_text(&self) -> String {
        self.snippet.iter().map(|p| p.text.as_str()).collect()
    }

    /// The found pieces as `[start, end)` character offsets into [`Hit::snippet_text`].
    pub fn highlights(&self) -> Vec<[usize; 2]> {
        let mut at = 0;
        let mut out = Vec::new();
        for piece in &self.snippet {
            let len = piece.text.chars().count();
            if piece.found {
                out.push([at, at + len]);
            }
            at += len;
        }
        out
    }

    /// The page a hit opens: its problem, its measure, or the feedback.
    pub fn href(&self) -> Option<String> {
        match (self.kind, self.problem_id, self.measure_id) {
            (SearchKind::Feedback, _, _) => Some(format!("/feedback/{}", self.id)),
            (SearchKind::Problem, Some(p), _) => Some(format!("/problems/{p}")),
            (_, _, Some(m)) => Some(format!("/measures/{m}")),
            _ => None,
        }
    }
}

/// The total to show and whether it is exact: counting stops past the cap.
pub fn shown_total(counted: u64) -> (u64, bool) {
    let cap = rectify_storage::SEARCH_COUNT_CAP;
    if counted > cap { (cap, false) } else { (counted, true) }
}

/// Checks a query's text: trimmed, not longer than [`MAX_QUERY_CHARS`].
pub fn checked_text(text: &str) -> Result<String, AppError> {
    let text = text.trim();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(AppError::Invalid(format!("q: the query is longer than {MAX_QUERY_CHARS} characters")));
    }
    Ok(text.to_owned())
}

/// The hits of a request within the principal's data scope, and how many there are.
pub async fn search(state: &AppState, principal: &Principal, request: &Request) -> Result<(Vec<Hit>, u64), AppError> {
    let scope = scope_of(state, principal).await?;
    run(state, scope, request).await
}

/// Loads the segmenter and indexes a database filled before the search index existed (or
/// restored from a backup); at start, before requests are served.
pub async fn ensure_index(state: &AppState) -> Result<(), AppError> {
    tokio::task::spawn_blocking(rectify_segment::warm_up).await.map_err(|e| AppError::Internal(e.to_string()))?;
    state.store().ensure_search_index().await?;
    Ok(())
}

/// The hits over everything stored (the command line).
pub async fn search_everything(state: &AppState, request: &Request) -> Result<(Vec<Hit>, u64), AppError> {
    run(state, SearchScope::Everything { feedback: true }, request).await
}

async fn run(state: &AppState, scope: SearchScope, request: &Request) -> Result<(Vec<Hit>, u64), AppError> {
    let words = rectify_segment::query_words(&request.text);
    let query = SearchQuery {
        words: words.clone(),
        scope,
        inspections: filtered_inspections(state, request).await?,
        kind: request.kind,
        problem_status: request.status.map(status_text),
        limit: request.page.limit,
        offset: request.page.offset,
    };
    let (hits, total) = state.store().search(&query).await?;
    Ok((hits.into_iter().map(|h| hit(h, &words)).collect(), total))
}

/// The inspections the round and unit filters leave, if any filter is set.
async fn filtered_inspections(state: &AppState, request: &Request) -> Result<Option<Vec<i64>>, AppError> {
    match (request.round, request.inspection) {
        (None, None) => Ok(None),
        (None, Some(one)) => Ok(Some(vec![one])),
        (Some(round), one) => {
            let all = state.store().inspections_shared().await?;
            Ok(Some(
                all.iter()
                    .filter(|s| s.round_id == Some(round) && one.is_none_or(|id| id == s.id))
                    .map(|s| s.id)
                    .collect(),
            ))
        }
    }
}

fn status_text(status: Status) -> String {
    match serde_json::to_value(status) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn hit(h: SearchHit, words: &[String]) -> Hit {
    Hit {
        kind: h.kind,
        id: h.item_id,
        inspection_id: h.inspection_id,
        problem_id: h.problem_id,
        measure_id: h.measure_id,
        unit: h.unit,
        title: h.title,
        snippet: snippet(&h.body, words),
    }
}

/// What the principal may find: everything for an account that sees every unit; otherwise the
/// inspections it sees whole, the problems and measures it sees of the others (read one unit at
/// a time, so the cost is that of the account's own units), and the feedback about the
/// inspections it sees, if it may read feedback.
async fn scope_of(state: &AppState, principal: &Principal) -> Result<SearchScope, AppError> {
    // A department reads only the feedback forwarded to it (转办), not the unit's: none in search.
    let feedback = super::portal::reads_whole_units(principal);
    if sees_every_unit(principal) {
        return Ok(SearchScope::Everything { feedback });
    }
    let visibility = Visibility::new(&principal.grants);
    let (mut inspections, mut problems, mut measures, mut feedback_of) = (vec![], vec![], vec![], vec![]);
    for summary in visible_inspections(state, &principal.grants).await? {
        if feedback {
            feedback_of.push(summary.id);
        }
        if visibility.sees_everything_of(&summary) {
            inspections.push(summary.id);
            continue;
        }
        let store = state.store();
        let (ps, ms) = visibility.records(
            &summary,
            store.list_problems(summary.id).await?,
            store.list_measures(summary.id, None).await?,
        );
        problems.extend(ps.iter().map(|p| p.id));
        measures.extend(ms.iter().map(|m| m.id));
    }
    Ok(SearchScope::Within { inspections, problems, measures, feedback_of })
}

/// The part of `body` around the first word found, split into found and plain pieces. Words
/// are matched as typed, ASCII without regard to case; the longest word wins where several
/// start at the same place.
pub fn snippet(body: &str, words: &[String]) -> Vec<Piece> {
    let chars: Vec<char> = body.chars().map(|c| c.to_ascii_lowercase()).collect();
    let original: Vec<char> = body.chars().collect();
    let mut words: Vec<Vec<char>> =
        words.iter().map(|w| w.chars().collect()).filter(|w: &Vec<char>| !w.is_empty()).collect();
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    let match_at = |i: usize| words.iter().find(|w| chars[i..].starts_with(w)).map(Vec::len);
    let first = (0..chars.len()).find(|&i| match_at(i).is_some()).unwrap_or(0);
    let start = first.saturating_sub(SNIPPET_LEAD);
    let end = (start + SNIPPET_CHARS).min(chars.len());
    let mut pieces: Vec<Piece> = Vec::new();
    let mut push = |text: String, found: bool| match pieces.last_mut() {
        Some(last) if last.found == found => last.text.push_str(&text),
        _ => pieces.push(Piece { text, found }),
    };
    if start > 0 {
        push("…".to_owned(), false);
    }
    let mut i = start;
    while i < end {
        match match_at(i) {
            Some(len) => {
                let to = (i + len).min(end);
                push(original[i..to].iter().collect(), true);
                i = to;
            }
            None => {
                push(clean(original[i]).to_string(), false);
                i += 1;
            }
        }
    }
    if end < chars.len() {
        push("…".to_owned(), false);
    }
    pieces
}

/// Line breaks and tabs read as spaces in a one-line snippet.
fn clean(c: char) -> char {
    if c.is_whitespace() { ' ' } else { c }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(w: &[&str]) -> Vec<String> {
        w.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn snippets_mark_every_word_found_and_cut_long_texts() {
        let body = format!("{}落实两个责任不到位，销号后又反弹{}", "甲".repeat(30), "乙".repeat(100));
        let pieces = snippet(&body, &words(&["两个责任", "销号"]));
        let found: Vec<&str> = pieces.iter().filter(|p| p.found).map(|p| p.text.as_str()).collect();
        assert_eq!(found, ["两个责任", "销号"]);
        let text: String = pieces.iter().map(|p| p.text.as_str()).collect();
        assert!(text.starts_with('…') && text.ends_with('…'), "{text}");
        assert!(text.chars().count() <= SNIPPET_CHARS + 2);
    }

    #[test]
    fn ascii_is_matched_without_regard_to_case_and_kept_as_written() {
        let pieces = snippet("升级OA系统", &words(&["oa"]));
        assert_eq!(pieces[1], Piece { text: "OA".to_owned(), found: true });
    }
}
