//! Full-text search (全文检索) over problems, measures, progress entries, evidence names and
//! public feedback (migration `0010_search`).
//!
//! The application segments each text (crates/segment) and stores its words space-joined in
//! `search_index.tokens`; SQLite indexes them with FTS5, PostgreSQL with
//! `to_tsvector('simple', tokens)` and GIN. Both backends split only at the spaces (the tokens
//! hold letters and digits alone), so they find the same rows, and the order of hits is by kind
//! and id rather than by either engine's ranking.
//!
//! The index is kept in step in the transaction of every write that creates or changes one of
//! these texts, through ONE function: [`index_item`]. An import indexes its inspection at once
//! ([`index_inspection`]); a database filled before the index existed is indexed by
//! [`Store::ensure_search_index`].

use sqlx::{AnyConnection, Row};

use crate::audit::AuditRecord;
use crate::{Acting, Backend, InspectionId, StorageError, Store};

/// What a searchable text belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    /// A problem's title and description (问题).
    Problem,
    /// A measure's text (整改措施).
    Measure,
    /// A progress entry's text (整改进展).
    Progress,
    /// The name and kind of an evidence file (佐证材料).
    Evidence,
    /// A citizen's feedback: subject, text and answer (意见建议).
    Feedback,
}

impl SearchKind {
    pub const ALL: [SearchKind; 5] =
        [SearchKind::Problem, SearchKind::Measure, SearchKind::Progress, SearchKind::Evidence, SearchKind::Feedback];

    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::Problem => "problem",
            SearchKind::Measure => "measure",
            SearchKind::Progress => "progress",
            SearchKind::Evidence => "evidence",
            SearchKind::Feedback => "feedback",
        }
    }

    pub fn parse(text: &str) -> Option<SearchKind> {
        SearchKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// The rows of this kind to index, with `condition` (on the alias the kind's query gives
    /// its own table: p, m, e, v or f) and a stable order by id.
    fn source(self, condition: &str) -> String {
        let (select, alias) = match self {
            SearchKind::Problem => (
                "SELECT p.id AS item_id, p.inspection_id, p.id AS problem_id, CAST(NULL AS BIGINT) AS measure_id, \
                 CAST(NULL AS TEXT) AS unit, CAST(NULL AS TEXT) AS title, p.title AS t1, p.description AS t2, \
                 CAST(NULL AS TEXT) AS t3 FROM problems p",
                "p",
            ),
            SearchKind::Measure => (
                "SELECT m.id AS item_id, m.inspection_id, m.problem_id, m.id AS measure_id, CAST(NULL AS TEXT) AS unit, \
                 CAST(NULL AS TEXT) AS title, m.text AS t1, CAST(NULL AS TEXT) AS t2, CAST(NULL AS TEXT) AS t3 \
                 FROM measures m",
                "m",
            ),
            SearchKind::Progress => (
                "SELECT e.id AS item_id, m.inspection_id, m.problem_id, m.id AS measure_id, CAST(NULL AS TEXT) AS unit, \
                 CAST(NULL AS TEXT) AS title, e.text AS t1, CAST(NULL AS TEXT) AS t2, CAST(NULL AS TEXT) AS t3 \
                 FROM progress_entries e JOIN measures m ON m.id = e.measure_id",
                "e",
            ),
            SearchKind::Evidence => (
                "SELECT v.id AS item_id, m.inspection_id, m.problem_id, m.id AS measure_id, CAST(NULL AS TEXT) AS unit, \
                 v.title AS title, v.title AS t1, v.kind AS t2, CAST(NULL AS TEXT) AS t3 \
                 FROM evidence v LEFT JOIN progress_entries e ON e.id = v.progress_entry_id \
                 JOIN measures m ON m.id = COALESCE(v.measure_id, e.measure_id)",
                "v",
            ),
            SearchKind::Feedback => (
                "SELECT f.id AS item_id, f.inspection_id, CAST(NULL AS BIGINT) AS problem_id, \
                 CAST(NULL AS BIGINT) AS measure_id, f.unit AS unit, f.subject AS title, f.subject AS t1, \
                 f.body AS t2, f.answer AS t3 FROM feedback f",
                "f",
            ),
        };
        let condition = condition.replace("{x}", alias);
        // A retired (作废) problem or measure is out of the ledger, and so out of search: with
        // its measures, their progress and evidence (each is read through its live measure).
        let live = match self {
            SearchKind::Problem => "p.retired_at IS NULL AND ",
            SearchKind::Measure | SearchKind::Progress | SearchKind::Evidence => "m.retired_at IS NULL AND ",
            SearchKind::Feedback => "",
        };
        format!("{select} WHERE {live}({condition}) ORDER BY {alias}.id")
    }
}

/// One text to index, as read from its table.
struct Source {
    kind: SearchKind,
    item_id: i64,
    inspection_id: Option<i64>,
    problem_id: Option<i64>,
    measure_id: Option<i64>,
    unit: Option<String>,
    title: Option<String>,
    body: String,
}

impl Source {
    /// The words of the body, then the marks that let a query narrow by kind and data scope
    /// inside the full-text index itself (see [`Mark`]).
    fn tokens(&self) -> String {
        let mut tokens = rectify_segment::index_text(&self.body);
        let mut mark = |m: Mark| {
            if !tokens.is_empty() {
                tokens.push(' ');
            }
            tokens.push_str(&m.token());
        };
        mark(Mark::Kind(self.kind));
        match (self.kind, self.inspection_id) {
            (SearchKind::Feedback, Some(i)) => mark(Mark::FeedbackOf(i)),
            (_, Some(i)) => mark(Mark::Inspection(i)),
            (_, None) => {}
        }
        match (self.kind, self.problem_id, self.measure_id) {
            (SearchKind::Problem, Some(p), _) => mark(Mark::Problem(p)),
            (SearchKind::Measure | SearchKind::Progress | SearchKind::Evidence, _, Some(m)) => mark(Mark::Measure(m)),
            _ => {}
        }
        tokens
    }

    fn read(kind: SearchKind, row: &sqlx::any::AnyRow) -> Result<Source, StorageError> {
        let parts: [Option<String>; 3] = [row.try_get("t1")?, row.try_get("t2")?, row.try_get("t3")?];
        let body = parts.into_iter().flatten().filter(|t| !t.trim().is_empty()).collect::<Vec<_>>().join("\n");
        Ok(Source {
            kind,
            item_id: row.try_get("item_id")?,
            inspection_id: row.try_get("inspection_id")?,
            problem_id: row.try_get("problem_id")?,
            measure_id: row.try_get("measure_id")?,
            unit: row.try_get("unit")?,
            title: row.try_get("title")?,
            body,
        })
    }
}

const INDEX_COLUMNS: [&str; 9] =
    ["kind", "item_id", "inspection_id", "problem_id", "measure_id", "unit", "title", "body", "tokens"];

/// Inserts index entries, thousands per statement (see `batch.rs`).
async fn insert(conn: &mut AnyConnection, sources: &[Source]) -> Result<(), StorageError> {
    for chunk in sources.chunks(crate::batch::rows_per_statement(INDEX_COLUMNS.len())) {
        let sql = crate::batch::insert_sql(&*conn, "search_index", &INDEX_COLUMNS, chunk.len(), None);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
        for s in chunk {
            query = query
                .bind(s.kind.as_str())
                .bind(s.item_id)
                .bind(s.inspection_id)
                .bind(s.problem_id)
                .bind(s.measure_id)
                .bind(s.unit.clone())
                .bind(s.title.clone())
                .bind(s.body.clone())
                .bind(s.tokens());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// Brings the index entry of one item up to date with its table, inside the caller's write
/// transaction: written anew if the item exists, removed if not. THE function every write of a
/// searchable text calls (after writing the text, before committing).
pub(crate) async fn index_item(conn: &mut AnyConnection, kind: SearchKind, id: i64) -> Result<(), StorageError> {
    sqlx::query("DELETE FROM search_index WHERE kind = $1 AND item_id = $2")
        .bind(kind.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?;
    let row = sqlx::query(sqlx::AssertSqlSafe(kind.source("{x}.id = $1"))).bind(id).fetch_optional(&mut *conn).await?;
    if let Some(row) = row {
        insert(conn, &[Source::read(kind, &row)?]).await?;
    }
    Ok(())
}

/// One statement that inserts a progress entry (`$1` measure, `$2` position, `$3` date, `$4`
/// text) and its index entry (`$5` the words of the text, to which the marks of `Source::tokens`
/// are added here), for a progress report without evidence, whose statement goes to SQLite
/// together with the audit entry and COMMIT (see `WriteTx::commit_after`). Writes what
/// [`index_item`] would.
pub(crate) fn insert_progress_indexed(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "INSERT INTO progress_entries (measure_id, position, entry_date, text) VALUES ($1, $2, $3, $4); \
             INSERT INTO search_index (kind, item_id, inspection_id, problem_id, measure_id, body, tokens) \
             SELECT 'progress', last_insert_rowid(), m.inspection_id, m.problem_id, m.id, $4, \
             $5 || ' zzkprogress zzi' || m.inspection_id || ' zzm' || m.id FROM measures m WHERE m.id = $1"
        }
        Backend::Postgres => {
            "WITH e AS (INSERT INTO progress_entries (measure_id, position, entry_date, text) \
             VALUES ($1, $2, $3, $4) RETURNING id) \
             INSERT INTO search_index (kind, item_id, inspection_id, problem_id, measure_id, body, tokens) \
             SELECT 'progress', e.id, m.inspection_id, m.problem_id, m.id, $4, \
             $5 || ' zzkprogress zzi' || m.inspection_id || ' zzm' || m.id FROM e, measures m WHERE m.id = $1"
        }
    }
}

/// A progress entry and the evidence hung on it (a progress report writes them together).
pub(crate) async fn index_progress_entry(conn: &mut AnyConnection, entry_id: i64) -> Result<(), StorageError> {
    index_item(conn, SearchKind::Progress, entry_id).await?;
    let evidence: Vec<i64> = sqlx::query_scalar("SELECT id FROM evidence WHERE progress_entry_id = $1")
        .bind(entry_id)
        .fetch_all(&mut *conn)
        .await?;
    for id in evidence {
        index_item(conn, SearchKind::Evidence, id).await?;
    }
    Ok(())
}

/// A measure and everything searchable under it (progress, evidence), after an edit that may
/// have changed, moved or retired it.
pub(crate) async fn index_measure_tree(conn: &mut AnyConnection, measure: i64) -> Result<(), StorageError> {
    index_item(conn, SearchKind::Measure, measure).await?;
    let entries: Vec<i64> = sqlx::query_scalar("SELECT id FROM progress_entries WHERE measure_id = $1")
        .bind(measure)
        .fetch_all(&mut *conn)
        .await?;
    for entry in entries {
        index_progress_entry(conn, entry).await?;
    }
    let evidence: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM evidence WHERE measure_id = $1").bind(measure).fetch_all(&mut *conn).await?;
    for id in evidence {
        index_item(conn, SearchKind::Evidence, id).await?;
    }
    Ok(())
}

/// A problem and every measure under it, after an edit that may have retired or merged it.
pub(crate) async fn index_problem_tree(conn: &mut AnyConnection, problem: i64) -> Result<(), StorageError> {
    index_item(conn, SearchKind::Problem, problem).await?;
    let measures: Vec<i64> =
        sqlx::query_scalar("SELECT id FROM measures WHERE problem_id = $1").bind(problem).fetch_all(&mut *conn).await?;
    for measure in measures {
        index_measure_tree(conn, measure).await?;
    }
    Ok(())
}

/// Every text of a newly imported inspection, in the import's transaction.
pub(crate) async fn index_inspection(conn: &mut AnyConnection, id: InspectionId) -> Result<(), StorageError> {
    for kind in [SearchKind::Problem, SearchKind::Measure, SearchKind::Progress, SearchKind::Evidence] {
        // Measures, progress and evidence are read through their measure (alias m).
        let condition = if kind == SearchKind::Problem { "p.inspection_id = $1" } else { "m.inspection_id = $1" };
        let rows = sqlx::query(sqlx::AssertSqlSafe(kind.source(condition))).bind(id).fetch_all(&mut *conn).await?;
        let sources = rows.iter().map(|r| Source::read(kind, r)).collect::<Result<Vec<_>, _>>()?;
        insert(conn, &sources).await?;
    }
    Ok(())
}

/// Hits are counted up to one more than this.
pub const COUNT_CAP: u64 = 10_000;

/// Source rows read per round trip while rebuilding.
const REBUILD_PAGE: i64 = 5_000;

/// Whose data a search may return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchScope {
    /// Every ledger (the inspection office, the command line); all feedback too if `feedback`.
    Everything { feedback: bool },
    /// Only these: whole inspections, single problems and measures (with their progress and
    /// evidence) of inspections seen in part (e.g. by a department), and the feedback sent about
    /// `feedback_of` inspections.
    Within { inspections: Vec<i64>, problems: Vec<i64>, measures: Vec<i64>, feedback_of: Vec<i64> },
}

/// A search: the words to find (all of them), the scope, filters and the page.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    /// The query's words as [`rectify_segment::query_words`] gives them.
    pub words: Vec<String>,
    pub scope: SearchScope,
    /// Only the hits of these inspections (a round's, or one unit's), if given.
    pub inspections: Option<Vec<InspectionId>>,
    pub kind: Option<SearchKind>,
    /// The status of the problem a hit belongs to (feedback has none).
    pub problem_status: Option<String>,
    pub limit: u32,
    pub offset: u64,
}

/// One hit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub item_id: i64,
    pub inspection_id: Option<i64>,
    pub problem_id: Option<i64>,
    pub measure_id: Option<i64>,
    pub unit: Option<String>,
    /// The problem's title, an evidence file's name or a feedback's subject.
    pub title: String,
    /// The text that was indexed (for snippets).
    pub body: String,
}

/// What a row's tokens say besides its words, so that the kind and the data scope narrow a
/// query inside the full-text index (a unit's few hundred rows, not every match of a common
/// word in 2,000 units, and the same on both backends). They cannot be confused with words: a
/// query's words never start with the marks' prefix followed by digits only… and even if one
/// did, it would only find rows already within the caller's scope.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Kind(SearchKind),
    /// A ledger row of an inspection.
    Inspection(i64),
    /// A feedback about an inspection.
    FeedbackOf(i64),
    /// A problem's own row.
    Problem(i64),
    /// A measure's row, or a progress entry's or evidence's of the measure.
    Measure(i64),
}

impl Mark {
    fn token(self) -> String {
        match self {
            Mark::Kind(k) => format!("zzk{}", k.as_str()),
            Mark::Inspection(i) => format!("zzi{i}"),
            Mark::FeedbackOf(i) => format!("zzf{i}"),
            Mark::Problem(p) => format!("zzp{p}"),
            Mark::Measure(m) => format!("zzm{m}"),
        }
    }
}

/// A full-text query over tokens.
#[derive(Debug, Clone)]
enum Expr {
    Token(String),
    All(Vec<Expr>),
    Any(Vec<Expr>),
    /// The first without the second.
    Without(Box<Expr>, Box<Expr>),
}

impl Expr {
    fn any(tokens: impl IntoIterator<Item = Mark>) -> Option<Expr> {
        let list: Vec<Expr> = tokens.into_iter().map(|m| Expr::Token(m.token())).collect();
        (!list.is_empty()).then_some(Expr::Any(list))
    }

    /// FTS5's query syntax or PostgreSQL's `to_tsquery`. Tokens hold letters and digits only,
    /// and are quoted all the same (FTS5 would read a bare AND, OR or NEAR as an operator).
    fn render(&self, backend: Backend) -> String {
        let join = |list: &[Expr], op: &str| {
            let parts: Vec<String> = list.iter().map(|e| e.render(backend)).collect();
            format!("({})", parts.join(op))
        };
        match (self, backend) {
            (Expr::Token(t), Backend::Sqlite) => format!("\"{t}\""),
            (Expr::Token(t), Backend::Postgres) => format!("'{t}'"),
            (Expr::All(list), Backend::Sqlite) => join(list, " AND "),
            (Expr::All(list), Backend::Postgres) => join(list, " & "),
            (Expr::Any(list), Backend::Sqlite) => join(list, " OR "),
            (Expr::Any(list), Backend::Postgres) => join(list, " | "),
            (Expr::Without(a, b), Backend::Sqlite) => format!("({} NOT {})", a.render(backend), b.render(backend)),
            (Expr::Without(a, b), Backend::Postgres) => format!("({} & !{})", a.render(backend), b.render(backend)),
        }
    }
}

impl SearchQuery {
    /// The query as a full-text expression: every word, within the scope and the filters;
    /// `None` when nothing can match (no words, an empty scope or filter).
    fn expression(&self) -> Option<Expr> {
        let words: Vec<Expr> = self
            .words
            .iter()
            .filter(|w| !w.is_empty() && w.chars().all(char::is_alphanumeric))
            .map(|w| Expr::Token(w.clone()))
            .collect();
        if words.is_empty() {
            return None;
        }
        let mut all = words;
        match &self.scope {
            SearchScope::Everything { feedback: true } => {}
            SearchScope::Everything { feedback: false } => {
                let inner = Expr::All(all);
                all = vec![Expr::Without(
                    Box::new(inner),
                    Box::new(Expr::Token(Mark::Kind(SearchKind::Feedback).token())),
                )];
            }
            SearchScope::Within { inspections, problems, measures, feedback_of } => {
                let marks = inspections
                    .iter()
                    .map(|&i| Mark::Inspection(i))
                    .chain(problems.iter().map(|&p| Mark::Problem(p)))
                    .chain(measures.iter().map(|&m| Mark::Measure(m)))
                    .chain(feedback_of.iter().map(|&i| Mark::FeedbackOf(i)));
                all.push(Expr::any(marks)?);
            }
        }
        if let Some(inspections) = &self.inspections {
            let marks = inspections.iter().flat_map(|&i| [Mark::Inspection(i), Mark::FeedbackOf(i)]);
            all.push(Expr::any(marks)?);
        }
        if let Some(kind) = self.kind {
            all.push(Expr::Token(Mark::Kind(kind).token()));
        }
        Some(Expr::All(all))
    }
}

/// The columns of a hit, and the tables they come from beside `search_index s`.
const HIT_COLUMNS: &str = "SELECT s.kind, s.item_id, s.inspection_id, s.problem_id, s.measure_id, \
     COALESCE(i.unit, s.unit) AS unit, COALESCE(s.title, p.title) AS title, s.body";
const HIT_JOINS: &str = "LEFT JOIN inspections i ON i.id = s.inspection_id LEFT JOIN problems p ON p.id = s.problem_id";

impl Store {
    /// The hits of `query` on one page, in the order indexed (each ledger's problems, then its
    /// measures, progress and evidence; later writes after), and how many there are in all, up
    /// to [`COUNT_CAP`] + 1 (more than the cap: the total is not exact, and pages stop at the
    /// cap). No words: no hits.
    pub async fn search(&self, query: &SearchQuery) -> Result<(Vec<SearchHit>, u64), StorageError> {
        let Some(expr) = query.expression() else { return Ok((Vec::new(), 0)) };
        let backend = self.backend;
        let matched = expr.render(backend);
        let status = query.problem_status.clone();
        let (count_sql, page_sql) = match (backend, &status) {
            (Backend::Sqlite, None) => (
                "SELECT rowid FROM search_fts WHERE search_fts MATCH $1".to_owned(),
                format!(
                    "{HIT_COLUMNS} FROM (SELECT rowid AS id FROM search_fts WHERE search_fts MATCH $1 \
                     ORDER BY rowid LIMIT {} OFFSET {}) f JOIN search_index s ON s.id = f.id {HIT_JOINS} ORDER BY s.id",
                    query.limit, query.offset
                ),
            ),
            (Backend::Sqlite, Some(_)) => (
                "SELECT f.rowid FROM search_fts f JOIN search_index s ON s.id = f.rowid \
                 JOIN problems p ON p.id = s.problem_id WHERE search_fts MATCH $1 AND p.status = $2"
                    .to_owned(),
                format!(
                    "{HIT_COLUMNS} FROM search_fts f JOIN search_index s ON s.id = f.rowid {HIT_JOINS} \
                     WHERE search_fts MATCH $1 AND p.status = $2 ORDER BY f.rowid LIMIT {} OFFSET {}",
                    query.limit, query.offset
                ),
            ),
            (Backend::Postgres, None) => (
                "SELECT s.id FROM search_index s WHERE s.words @@ to_tsquery('simple', $1)".to_owned(),
                format!(
                    "{HIT_COLUMNS} FROM search_index s {HIT_JOINS} WHERE s.words @@ to_tsquery('simple', $1) \
                     ORDER BY s.id LIMIT {} OFFSET {}",
                    query.limit, query.offset
                ),
            ),
            (Backend::Postgres, Some(_)) => (
                "SELECT s.id FROM search_index s JOIN problems p ON p.id = s.problem_id \
                 WHERE s.words @@ to_tsquery('simple', $1) AND p.status = $2"
                    .to_owned(),
                format!(
                    "{HIT_COLUMNS} FROM search_index s {HIT_JOINS} WHERE s.words @@ to_tsquery('simple', $1) \
                     AND p.status = $2 ORDER BY s.id LIMIT {} OFFSET {}",
                    query.limit, query.offset
                ),
            ),
        };
        let mut conn = self.readers.acquire().await?;
        // Counting every match of a word found almost everywhere (整改: 1.2 million texts at 2,000
        // units) would cost more than the page itself; past the cap the total says "more".
        let count_sql = format!("SELECT COUNT(*) FROM ({count_sql} LIMIT {}) c", COUNT_CAP + 1);
        let mut count = sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql)).bind(matched.clone());
        if let Some(status) = &status {
            count = count.bind(status.clone());
        }
        let total = u64::try_from(count.fetch_one(&mut *conn).await?).unwrap_or(0);
        if total == 0 || query.offset >= total {
            return Ok((Vec::new(), total));
        }
        let mut page = sqlx::query(sqlx::AssertSqlSafe(page_sql)).bind(matched);
        if let Some(status) = status {
            page = page.bind(status);
        }
        let rows = page.fetch_all(&mut *conn).await?;
        let hits = rows
            .iter()
            .map(|row| {
                let kind: String = row.try_get("kind")?;
                Ok(SearchHit {
                    kind: SearchKind::parse(&kind).ok_or_else(|| StorageError::corrupt("search_index.kind", kind))?,
                    item_id: row.try_get("item_id")?,
                    inspection_id: row.try_get("inspection_id")?,
                    problem_id: row.try_get("problem_id")?,
                    measure_id: row.try_get("measure_id")?,
                    unit: row.try_get("unit")?,
                    title: row.try_get::<Option<String>, _>("title")?.unwrap_or_default(),
                    body: row.try_get("body")?,
                })
            })
            .collect::<Result<Vec<_>, StorageError>>()?;
        Ok((hits, total))
    }

    /// Indexes everything anew, in one transaction (writers wait meanwhile); returns the number
    /// of texts indexed.
    pub async fn rebuild_search_index(
        &self,
        actor: &Acting,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<u64, StorageError> {
        let mut tx = self.begin_long_write().await?;
        sqlx::query("DELETE FROM search_index").execute(&mut *tx).await?;
        let mut indexed = 0u64;
        for kind in SearchKind::ALL {
            let sql = format!("{} LIMIT {REBUILD_PAGE}", kind.source("{x}.id > $1"));
            let mut after = 0i64;
            loop {
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone())).bind(after).fetch_all(&mut *tx).await?;
                let sources = rows.iter().map(|r| Source::read(kind, r)).collect::<Result<Vec<_>, _>>()?;
                let Some(last) = sources.last() else { break };
                after = last.item_id;
                insert(&mut tx, &sources).await?;
                indexed += sources.len() as u64;
            }
        }
        let record = AuditRecord::new(actor, "search.reindex", "search_index", None, now)
            .after(serde_json::json!({ "texts": indexed }));
        tx.commit(&record).await?;
        Ok(indexed)
    }

    /// Builds the index if it is empty while there is something to index (a database filled
    /// before the index existed, or restored from a backup, which leaves the index out). Returns
    /// the number of texts indexed, `None` if nothing needed doing.
    pub async fn ensure_search_index(&self) -> Result<Option<u64>, StorageError> {
        let indexed: Option<i64> =
            sqlx::query_scalar("SELECT id FROM search_index LIMIT 1").fetch_optional(&self.readers).await?;
        if indexed.is_some() {
            return Ok(None);
        }
        let something: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM problems WHERE id = (SELECT MIN(id) FROM problems) \
             UNION ALL SELECT id FROM feedback WHERE id = (SELECT MIN(id) FROM feedback)",
        )
        .fetch_optional(&self.readers)
        .await?;
        if something.is_none() {
            return Ok(None);
        }
        let started = std::time::Instant::now();
        tracing::info!("the search index is empty: indexing the stored ledgers and feedback");
        let texts = self.rebuild_search_index(&Acting::system(), chrono::Utc::now()).await?;
        tracing::info!(texts, seconds = started.elapsed().as_secs_f64(), "search index built");
        Ok(Some(texts))
    }
}
