//! The figures of a round's aggregate report (汇总报告), counted by the database: a handful of
//! grouped queries over the round's inspections, whatever the number of units.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rectify_domain::stats::{AccountabilityTotal, FundTotal, MeetingTotal};
use rectify_domain::{FundKind, InspectionKind, RoundReport, RoundUnitFigures, WanYuan};
use sqlx::Row;

use crate::rounds::RoundUnit;
use crate::{StorageError, Store};

/// What one inspection's outcome tables hold, summed.
#[derive(Default)]
struct Outcomes {
    rules_made: u32,
    rules_revised: u32,
    /// Per fund kind: (分, decimals).
    funds: BTreeMap<&'static str, (i64, u8)>,
    /// Per (kind, counted in person-times).
    accountability: BTreeMap<(String, bool), u32>,
    meetings: BTreeMap<String, u32>,
}

fn count(column: &str, value: i64) -> Result<u32, StorageError> {
    crate::codec::unsigned(column, value)
}

impl Store {
    /// The aggregate report of round `round` on `today` over the units `keep` accepts (the
    /// caller's data scope); `None` when there is no such round.
    pub async fn round_report(
        &self,
        round: i64,
        today: NaiveDate,
        keep: impl Fn(&RoundUnit) -> bool,
    ) -> Result<Option<RoundReport>, StorageError> {
        let Some(record) = self.round_record(round).await? else { return Ok(None) };
        let units = self.round_units(round, today).await?;
        let mut reader = self.readers.acquire().await?;
        let mut tx = reader.begin_read().await?;
        let mut outcomes: HashMap<i64, Outcomes> = HashMap::new();

        let rows = sqlx::query(
            "SELECT r.inspection_id, r.action, COUNT(*) AS n FROM rules r JOIN inspections i ON i.id = r.inspection_id \
             WHERE i.round_id = $1 GROUP BY r.inspection_id, r.action",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let o = outcomes.entry(row.try_get("inspection_id")?).or_default();
            let n = count("n", row.try_get("n")?)?;
            let action: String = row.try_get("action")?;
            if action == "made" {
                o.rules_made += n;
            } else {
                o.rules_revised += n;
            }
        }

        let rows = sqlx::query(
            "SELECT f.inspection_id, f.kind, CAST(SUM(f.amount_fen) AS BIGINT) AS fen, \
             CAST(MAX(f.amount_decimals) AS BIGINT) AS decimals FROM funds f JOIN inspections i ON i.id = f.inspection_id \
             WHERE i.round_id = $1 GROUP BY f.inspection_id, f.kind",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let kind: String = row.try_get("kind")?;
            let kind = FundKind::from_name(&kind)
                .ok_or_else(|| StorageError::Invalid(format!("funds.kind: unknown kind {kind:?}")))?;
            let decimals = u8::try_from(row.try_get::<i64, _>("decimals")?).unwrap_or(u8::MAX);
            let o = outcomes.entry(row.try_get("inspection_id")?).or_default();
            o.funds.insert(kind.as_str(), (row.try_get("fen")?, decimals));
        }

        let rows = sqlx::query(
            "SELECT a.inspection_id, a.kind, a.counting, CAST(SUM(a.count) AS BIGINT) AS n FROM accountability a \
             JOIN inspections i ON i.id = a.inspection_id WHERE i.round_id = $1 \
             GROUP BY a.inspection_id, a.kind, a.counting",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let o = outcomes.entry(row.try_get("inspection_id")?).or_default();
            let counting: String = row.try_get("counting")?;
            let n = count("n", row.try_get("n")?)?;
            *o.accountability.entry((row.try_get("kind")?, counting == "person_times")).or_default() += n;
        }

        let rows = sqlx::query(
            "SELECT m.inspection_id, m.kind, COUNT(*) AS n FROM meetings m JOIN inspections i ON i.id = m.inspection_id \
             WHERE i.round_id = $1 GROUP BY m.inspection_id, m.kind",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        for row in &rows {
            let o = outcomes.entry(row.try_get("inspection_id")?).or_default();
            *o.meetings.entry(row.try_get("kind")?).or_default() += count("n", row.try_get("n")?)?;
        }

        // The round's kind: the one most of its inspections name (巡察 when none does).
        let rows = sqlx::query(
            "SELECT inspection_kind AS kind, COUNT(*) AS n FROM inspections WHERE round_id = $1 GROUP BY inspection_kind",
        )
        .bind(round)
        .fetch_all(&mut *tx)
        .await?;
        let mut kinds: BTreeMap<InspectionKind, u32> = BTreeMap::new();
        for row in &rows {
            let text: Option<String> = row.try_get("kind")?;
            if let Some(kind) = text.and_then(|t| InspectionKind::parse_text(&t).ok().flatten()) {
                *kinds.entry(kind).or_default() += count("n", row.try_get("n")?)?;
            }
        }
        tx.commit().await?;
        let kind = kinds.iter().max_by_key(|(k, n)| (**n, std::cmp::Reverse(**k))).map(|(k, _)| *k).unwrap_or_default();

        let empty = Outcomes::default();
        let mut report = RoundReport {
            name: record.name,
            kind,
            details: record.details,
            as_of: today,
            units: Vec::new(),
            rules_made: 0,
            rules_revised: 0,
            funds: Vec::new(),
            accountability: Vec::new(),
            meetings: Vec::new(),
        };
        let mut funds: BTreeMap<&'static str, WanYuan> = BTreeMap::new();
        let mut accountability: BTreeMap<String, (u32, u32)> = BTreeMap::new();
        let mut meetings: BTreeMap<String, u32> = BTreeMap::new();
        for u in units.iter().filter(|u| keep(u)) {
            let o = outcomes.get(&u.inspection_id).unwrap_or(&empty);
            let mut unit_funds = WanYuan::ZERO;
            for (kind, (fen, decimals)) in &o.funds {
                let amount = WanYuan::from_fen(*fen, *decimals).map_err(|e| StorageError::Invalid(e.to_string()))?;
                unit_funds = unit_funds.checked_add(amount).unwrap_or(unit_funds);
                let total = funds.entry(kind).or_insert(WanYuan::ZERO);
                *total = total.checked_add(amount).unwrap_or(*total);
            }
            for ((kind, times), n) in &o.accountability {
                let t = accountability.entry(kind.clone()).or_default();
                if *times { t.1 += n } else { t.0 += n }
            }
            for (kind, n) in &o.meetings {
                *meetings.entry(kind.clone()).or_default() += n;
            }
            report.rules_made += o.rules_made;
            report.rules_revised += o.rules_revised;
            report.units.push(RoundUnitFigures {
                inspection_id: u.inspection_id,
                unit: u.unit.clone().or_else(|| u.title.clone()).unwrap_or_else(|| format!("台账{}", u.inspection_id)),
                problems: u.problems,
                closed: u.closed,
                overdue_measures: u.red,
                awaiting_verification: u.awaiting_verification,
                rules: o.rules_made + o.rules_revised,
                funds: unit_funds,
                accountability: o.accountability.values().sum(),
                meetings: o.meetings.values().sum(),
            });
        }
        report.funds = FundKind::ALL
            .into_iter()
            .map(|kind| FundTotal { kind, amount: funds.get(kind.as_str()).copied().unwrap_or(WanYuan::ZERO) })
            .collect();
        // The most frequent measures first, as bulletins list them.
        let mut accountability: Vec<AccountabilityTotal> = accountability
            .into_iter()
            .map(|(kind, (persons, person_times))| AccountabilityTotal { kind, persons, person_times })
            .collect();
        accountability.sort_by_key(|a| std::cmp::Reverse(a.persons + a.person_times));
        report.accountability = accountability;
        let mut meetings: Vec<MeetingTotal> =
            meetings.into_iter().map(|(kind, count)| MeetingTotal { kind, count }).collect();
        meetings.sort_by_key(|m| std::cmp::Reverse(m.count));
        report.meetings = meetings;
        report.rank_units();
        Ok(Some(report))
    }
}
