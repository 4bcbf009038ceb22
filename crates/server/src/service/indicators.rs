//! Unit indicators (整改指标): a unit's liaison names figures to track (name, unit, baseline,
//! target) and records dated readings; the dashboard and the unit's report show them.

use chrono::NaiveDate;
use rectify_domain::indicator::{IndicatorSummary, IndicatorValue, NAME_MAX, NOTE_MAX, UNIT_MAX};
use rectify_storage::{IndicatorRecord, NewIndicator};

use super::editing::require_editor;
use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;

/// An indicator as typed.
#[derive(Debug, Clone, Default)]
pub struct IndicatorInput {
    pub name: String,
    pub unit_of_measure: String,
    pub baseline: String,
    pub target: Option<String>,
}

/// A reading as typed.
#[derive(Debug, Clone, Default)]
pub struct ReadingInput {
    pub date: String,
    pub value: String,
    pub note: Option<String>,
}

fn refused(en: impl Into<String>, zh: impl Into<String>) -> AppError {
    AppError::refused(en, zh)
}

/// One line of text, not blank, at most `max` characters.
fn line(what: &str, what_zh: &str, text: &str, max: usize) -> Result<String, AppError> {
    let text: String = crate::text::clean_text(text).split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(refused(format!("{what} is empty"), format!("请填写{what_zh}。")));
    }
    if text.chars().count() > max {
        return Err(refused(
            format!("{what} is longer than {max} characters"),
            format!("{what_zh}不能超过{max}个字。"),
        ));
    }
    Ok(text)
}

fn number(what: &str, what_zh: &str, text: &str) -> Result<IndicatorValue, AppError> {
    IndicatorValue::parse(text)
        .map_err(|e| refused(format!("{what}: {:?} is not a number", text.trim()), format!("{what_zh}：{}", e.0)))
}

/// The indicator's fields, checked.
pub fn checked_indicator(input: &IndicatorInput) -> Result<NewIndicator, AppError> {
    Ok(NewIndicator {
        name: line("the name", "指标名称", &input.name, NAME_MAX)?,
        unit_of_measure: line("the unit of measure", "计量单位", &input.unit_of_measure, UNIT_MAX)?,
        baseline: number("baseline", "整改前数值", &input.baseline)?,
        target: match input.target.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(t) => Some(number("target", "目标值", t)?),
        },
    })
}

/// The reading's date (not after today), value and note, checked.
pub fn checked_reading(
    input: &ReadingInput,
    today: NaiveDate,
) -> Result<(NaiveDate, IndicatorValue, Option<String>), AppError> {
    let raw = input.date.trim();
    let date = NaiveDate::parse_from_str(raw, "%Y-%m-%d").map_err(|_| {
        refused(format!("date: {raw:?} is not YYYY-MM-DD"), format!("日期“{raw}”无效，请按“2026-11-20”的格式填写。"))
    })?;
    if date > today {
        return Err(refused("the reading's date is in the future", "数据日期不能晚于今天。"));
    }
    let value = number("value", "数值", &input.value)?;
    let note = crate::text::clean_text(input.note.as_deref().unwrap_or_default()).trim().to_owned();
    if note.chars().count() > NOTE_MAX {
        return Err(refused(
            format!("the note is longer than {NOTE_MAX} characters"),
            format!("说明不能超过{NOTE_MAX}个字。"),
        ));
    }
    Ok((date, value, (!note.is_empty()).then_some(note)))
}

/// An inspection's indicators with their readings (the route has checked the caller sees it).
pub async fn of_inspection(state: &AppState, inspection: i64) -> Result<Vec<IndicatorRecord>, AppError> {
    Ok(state.store().indicators_of(inspection).await?)
}

/// What reports tell of an indicator.
pub fn summary(record: &IndicatorRecord) -> IndicatorSummary {
    IndicatorSummary {
        name: record.fields.name.clone(),
        unit_of_measure: record.fields.unit_of_measure.clone(),
        baseline: record.fields.baseline,
        target: record.fields.target,
        latest: record.readings.last().map(|r| (r.date, r.value)),
    }
}

/// What reports tell of an inspection's indicators, in the order they were added.
pub async fn summaries(state: &AppState, inspection: i64) -> Result<Vec<IndicatorSummary>, AppError> {
    Ok(of_inspection(state, inspection).await?.iter().map(summary).collect())
}

/// Adds an indicator to an inspection (its liaison: edit_ledger within the unit).
pub async fn create(
    state: &AppState,
    principal: &Principal,
    inspection: i64,
    input: &IndicatorInput,
) -> Result<i64, AppError> {
    let (_, role) = require_editor(state, principal, inspection).await?;
    let fields = checked_indicator(input)?;
    Ok(state.store().add_indicator(inspection, &fields, &principal.acting_as(role), state.now()).await?)
}

/// Records a reading of an indicator; answers the reading's id and the indicator's inspection.
pub async fn add_reading(
    state: &AppState,
    principal: &Principal,
    indicator: i64,
    input: &ReadingInput,
) -> Result<(i64, i64), AppError> {
    let inspection = state
        .store()
        .indicator_inspection(indicator)
        .await?
        .ok_or_else(|| AppError::not_found("indicator", indicator))?;
    let (_, role) = require_editor(state, principal, inspection).await?;
    let (date, value, note) = checked_reading(input, state.today())?;
    let id = state
        .store()
        .add_indicator_reading(indicator, date, value, note.as_deref(), &principal.acting_as(role), state.now())
        .await?;
    Ok((id, inspection))
}
