//! Editing a unit's ledger (整改台账) item by item, for the API and the pages alike: who may edit
//! which ledger, reading typed input into the storage's fields with Chinese refusals, and the
//! calls that write (each under optimistic locking, audited in its transaction).
//!
//! Who: the unit's liaison (`edit_ledger`) edits the inspections of its own unit; the inspection
//! office (`create_inspection`) creates an inspection for any unit of its scope, and a liaison for
//! its own unit. The check is made per grant: an account's other grants (a department elsewhere,
//! reading another unit) never lend it the right to edit.

use rectify_auth::{Grant, InspectionRef, Permission, allows_any};
use rectify_domain::roles::Role;
use rectify_domain::{Disclosure, MeasureKind, NonEmptyText, PartialDate, ProblemScope, Responsibility};
use rectify_storage::{
    AspectFields, AspectRecord, Created, InspectionSummary, ItemKind, MeasureFields, MeasureRecord, NewInspection,
    ProblemFields, ProblemRecord, RetiredItem,
};
use serde::{Deserialize, Deserializer};

use super::scope;
use super::session::Principal;
use super::state::AppState;
use crate::error::AppError;
use crate::ids::{AspectId, InspectionId, MeasureId, ProblemId};

/// A key that may be absent (leave the field as it is), null (clear it) or a value.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A new inspection as typed.
#[derive(Debug, Default, Clone, Deserialize)]
pub struct InspectionInput {
    pub unit: String,
    #[serde(default)]
    pub round: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    /// 巡察组.
    #[serde(default)]
    pub inspector: Option<String>,
    #[serde(default)]
    pub start: Option<String>,
    #[serde(default)]
    pub end: Option<String>,
    #[serde(default)]
    pub feedback_date: Option<String>,
    #[serde(default)]
    pub feedback_document: Option<String>,
}

/// Changes to an aspect, a problem or a measure as typed: a field left out stays as it is.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItemPatch {
    /// The version the change was made on (required for a change, ignored for a creation).
    #[serde(default)]
    pub version: Option<i64>,
    /// The new 0-based place among the parent's live items.
    #[serde(default)]
    pub position: Option<usize>,
    #[serde(default, deserialize_with = "present")]
    pub number: Option<Option<String>>,
    /// Aspect or problem title.
    #[serde(default, deserialize_with = "present")]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub category: Option<Option<String>>,
    /// `general` (面上) or `specific` (具体).
    #[serde(default, deserialize_with = "present")]
    pub scope: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub description: Option<Option<String>>,
    /// `public`, `withheld_secret`, `withheld_pending_case`, `withheld_other`.
    #[serde(default, deserialize_with = "present")]
    pub disclosure: Option<Option<String>>,
    /// Measure text.
    #[serde(default, deserialize_with = "present")]
    pub text: Option<Option<String>>,
    /// `immediate` (立行立改), `time_limited` (限期整改), `long_term` (长期坚持), or the Chinese.
    #[serde(default, deserialize_with = "present")]
    pub kind: Option<Option<String>>,
    /// 完成时限: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    #[serde(default, deserialize_with = "present")]
    pub deadline: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub documents: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    pub first_responsible: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub leader: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    pub departments: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "present")]
    pub liaison: Option<Option<String>>,
}

impl ItemPatch {
    /// Whether the patch changes any field (not only the place).
    fn changes_fields(&self) -> bool {
        let ItemPatch {
            version: _,
            position: _,
            number,
            title,
            category,
            scope,
            description,
            disclosure,
            text,
            kind,
            deadline,
            documents,
            first_responsible,
            leader,
            departments,
            liaison,
        } = self;
        [
            number,
            title,
            category,
            scope,
            description,
            disclosure,
            text,
            kind,
            deadline,
            first_responsible,
            leader,
            liaison,
        ]
        .iter()
        .any(|f| f.is_some())
            || documents.is_some()
            || departments.is_some()
    }
}

fn refused(en: impl Into<String>, zh: impl Into<String>) -> AppError {
    AppError::refused(en, zh)
}

/// Trimmed text, `None` when blank.
fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

fn clean_list(list: Vec<String>) -> Vec<String> {
    list.into_iter().filter_map(|t| clean(Some(t))).collect()
}

/// `new` when the patch names the field, else `old`.
fn pick<T>(new: Option<Option<T>>, old: Option<T>) -> Option<T> {
    match new {
        Some(value) => value,
        None => old,
    }
}

fn date(what_zh: &str, text: Option<String>) -> Result<Option<PartialDate>, AppError> {
    clean(text)
        .map(|t| {
            t.parse::<PartialDate>().map_err(|e| {
                refused(
                    format!("invalid date {t:?}: {e}"),
                    format!("{what_zh}“{t}”格式有误，应为 2024-06-30、2024-06 或 2024"),
                )
            })
        })
        .transpose()
}

fn required(what: &str, what_zh: &str, text: Option<String>) -> Result<NonEmptyText, AppError> {
    clean(text)
        .and_then(|t| NonEmptyText::new(t).ok())
        .ok_or_else(|| refused(format!("the {what} must not be empty"), format!("请填写{what_zh}")))
}

fn measure_kind(text: Option<String>) -> Result<Option<MeasureKind>, AppError> {
    clean(text)
        .map(|t| {
            MeasureKind::from_name(&t).or_else(|| MeasureKind::from_chinese(&t)).ok_or_else(|| {
                refused(
                    format!("unknown measure kind {t:?}"),
                    format!("整改类型“{t}”无效，应为立行立改、限期整改或长期坚持"),
                )
            })
        })
        .transpose()
}

fn disclosure(text: Option<String>) -> Result<Disclosure, AppError> {
    match clean(text).as_deref() {
        None | Some("public") => Ok(Disclosure::Public),
        Some("withheld_secret") => Ok(Disclosure::WithheldSecret),
        Some("withheld_pending_case") => Ok(Disclosure::WithheldPendingCase),
        Some("withheld_other") => Ok(Disclosure::WithheldOther),
        Some(other) => Err(refused(format!("unknown disclosure {other:?}"), format!("公开方式“{other}”无效"))),
    }
}

fn problem_scope(text: Option<String>) -> Result<Option<ProblemScope>, AppError> {
    match clean(text).as_deref() {
        None => Ok(None),
        Some("general" | "面上") => Ok(Some(ProblemScope::General)),
        Some("specific" | "具体") => Ok(Some(ProblemScope::Specific)),
        Some(other) => Err(refused(format!("unknown problem scope {other:?}"), format!("问题范围“{other}”无效"))),
    }
}

fn responsibility(patch: &ItemPatch, old: Responsibility) -> Responsibility {
    Responsibility {
        first_responsible: clean(pick(patch.first_responsible.clone(), old.first_responsible)),
        leader: clean(pick(patch.leader.clone(), old.leader)),
        departments: match patch.departments.clone() {
            Some(list) => clean_list(list.unwrap_or_default()),
            None => old.departments,
        },
        liaison: clean(pick(patch.liaison.clone(), old.liaison)),
    }
}

/// The problem's fields after `patch`, from `old` (a new problem: `None`).
fn problem_fields(patch: &ItemPatch, old: Option<&ProblemRecord>) -> Result<ProblemFields, AppError> {
    let old_problem = old.map(|r| &r.problem);
    let title = match &patch.title {
        Some(title) => required("problem title", "问题标题", title.clone())?,
        None => match old_problem {
            Some(p) => p.title.clone(),
            None => required("problem title", "问题标题", None)?,
        },
    };
    Ok(ProblemFields {
        number: clean(pick(patch.number.clone(), old_problem.and_then(|p| p.number.clone()))),
        title,
        category: clean(pick(patch.category.clone(), old_problem.and_then(|p| p.category.clone()))),
        scope: match &patch.scope {
            Some(s) => problem_scope(s.clone())?,
            None => old_problem.and_then(|p| p.scope),
        },
        description: clean(pick(patch.description.clone(), old_problem.and_then(|p| p.description.clone()))),
        disclosure: match &patch.disclosure {
            Some(d) => disclosure(d.clone())?,
            None => old_problem.map(|p| p.disclosure).unwrap_or_default(),
        },
        responsibility: responsibility(patch, old_problem.map(|p| p.responsibility.clone()).unwrap_or_default()),
    })
}

/// The measure's fields after `patch`, from `old` (a new measure: `None`).
fn measure_fields(patch: &ItemPatch, old: Option<&MeasureRecord>) -> Result<MeasureFields, AppError> {
    let old_measure = old.map(|r| &r.measure);
    let text = match &patch.text {
        Some(text) => required("measure text", "整改措施内容", text.clone())?,
        None => match old_measure {
            Some(m) => m.text.clone(),
            None => required("measure text", "整改措施内容", None)?,
        },
    };
    Ok(MeasureFields {
        text,
        kind: match &patch.kind {
            Some(k) => measure_kind(k.clone())?,
            None => old_measure.and_then(|m| m.kind),
        },
        deadline: match &patch.deadline {
            Some(d) => date("完成时限", d.clone())?,
            None => old_measure.and_then(|m| m.deadline),
        },
        documents: match &patch.documents {
            Some(list) => clean_list(list.clone().unwrap_or_default()),
            None => old_measure.map(|m| m.documents.clone()).unwrap_or_default(),
        },
        responsibility: responsibility(patch, old_measure.map(|m| m.responsibility.clone()).unwrap_or_default()),
    })
}

fn aspect_fields(patch: &ItemPatch, old: Option<&AspectRecord>) -> AspectFields {
    AspectFields {
        number: clean(pick(patch.number.clone(), old.and_then(|a| a.number.clone()))),
        title: clean(pick(patch.title.clone(), old.and_then(|a| a.title.clone()))),
    }
}

fn version_of(patch: &ItemPatch) -> Result<i64, AppError> {
    patch
        .version
        .ok_or_else(|| refused("a change must carry the item's version", "缺少版本号（version），请刷新页面后重新提交"))
}

/// The grant of the principal that may edit the inspection, and the role to act in; 403 otherwise.
fn editor_role(principal: &Principal, summary: &InspectionSummary) -> Result<Role, AppError> {
    let inspection = InspectionRef { id: summary.id, unit: summary.unit.as_deref() };
    principal
        .grants
        .iter()
        .find(|g| allows_any(&[g.role], Permission::EditLedger) && g.sees_inspection(inspection))
        .map(|g| g.role)
        .ok_or_else(AppError::out_of_scope)
}

/// The inspection, if the principal may edit it.
pub async fn require_editor(
    state: &AppState,
    principal: &Principal,
    inspection: i64,
) -> Result<(InspectionSummary, Role), AppError> {
    let id = InspectionId::new(inspection).ok_or_else(|| AppError::not_found("inspection", inspection))?;
    let summary = scope::require_inspection(state, id).await?;
    let role = editor_role(principal, &summary)?;
    Ok((summary, role))
}

/// Whether the principal may edit the inspection (for showing the forms).
pub fn may_edit(principal: &Principal, summary: &InspectionSummary) -> bool {
    editor_role(principal, summary).is_ok()
}

/// The grant that lets the principal create an inspection for `unit`, if any.
fn creator_grant<'a>(principal: &'a Principal, unit: &str) -> Option<&'a Grant> {
    // Not yet stored: no id, so a grant limited to listed inspections cannot reach it.
    let new = InspectionRef { id: -1, unit: Some(unit) };
    principal.grants.iter().find(|g| {
        (allows_any(&[g.role], Permission::CreateInspection)
            || (allows_any(&[g.role], Permission::EditLedger) && g.scope.unit.is_some()))
            && g.sees_inspection(new)
    })
}

/// The role in which the principal may create an inspection for `unit`, if any (for other
/// services that create one, e.g. the 专项检查 ledger of a spot-check round).
pub fn creator_role(principal: &Principal, unit: &str) -> Option<Role> {
    creator_grant(principal, unit).map(|g| g.role)
}

/// Whether the principal may create an inspection for some unit (for showing the form).
pub fn may_create(principal: &Principal) -> bool {
    principal.grants.iter().any(|g| {
        allows_any(&[g.role], Permission::CreateInspection)
            || (allows_any(&[g.role], Permission::EditLedger) && g.scope.unit.is_some())
    })
}

/// Creates an inspection (a draft) for a unit.
pub async fn create_inspection(
    state: &AppState,
    principal: &Principal,
    input: InspectionInput,
) -> Result<Created, AppError> {
    let unit = required("unit", "被巡察单位", Some(input.unit))?;
    let grant = creator_grant(principal, unit.as_str()).ok_or_else(|| {
        refused(
            "the account may not create an inspection for this unit",
            format!("您不能为“{}”新建巡察台账（超出本账号的数据范围）", unit.as_str()),
        )
    })?;
    let header = NewInspection {
        unit,
        round: clean(input.round),
        kind: match clean(input.kind) {
            Some(text) => rectify_domain::InspectionKind::parse_text(&text)
                .map_err(|e| refused(format!("unknown inspection kind {text:?}"), e.to_string()))?,
            None => None,
        },
        inspector: clean(input.inspector),
        start: date("巡察开始日期", input.start)?,
        end: date("巡察结束日期", input.end)?,
        feedback_date: date("反馈日期", input.feedback_date)?,
        feedback_document: clean(input.feedback_document),
    };
    if let (Some(start), Some(end)) = (header.start, header.end)
        && end < start
    {
        return Err(refused("the inspection ends before it starts", "巡察结束日期早于开始日期"));
    }
    Ok(state.store().create_inspection(&header, &principal.acting_as(grant.role), state.now()).await?)
}

/// Adds an aspect to an inspection.
pub async fn add_aspect(
    state: &AppState,
    principal: &Principal,
    inspection: InspectionId,
    patch: &ItemPatch,
) -> Result<Created, AppError> {
    let (_, role) = require_editor(state, principal, inspection.get()).await?;
    let fields = aspect_fields(patch, None);
    if fields.title.is_none() {
        return Err(refused("the aspect needs a title", "请填写方面标题"));
    }
    Ok(state.store().add_aspect(inspection.get(), &fields, &principal.acting_as(role), state.now()).await?)
}

async fn aspect(state: &AppState, id: AspectId) -> Result<AspectRecord, AppError> {
    let inspection =
        state.store().aspect_inspection(id.get()).await?.ok_or_else(|| AppError::not_found("aspect", id))?;
    state
        .store()
        .list_aspects(inspection)
        .await?
        .into_iter()
        .find(|a| a.id == id.get())
        .ok_or_else(|| AppError::not_found("aspect", id))
}

/// Changes an aspect's number or title, or moves it; answers the new version.
pub async fn update_aspect(
    state: &AppState,
    principal: &Principal,
    id: AspectId,
    patch: &ItemPatch,
) -> Result<i64, AppError> {
    let current = aspect(state, id).await?;
    let (_, role) = require_editor(state, principal, current.inspection_id).await?;
    let actor = principal.acting_as(role);
    let mut version = version_of(patch)?;
    if patch.changes_fields() {
        let fields = aspect_fields(patch, Some(&current));
        version = state.store().update_aspect(id.get(), version, &fields, &actor, state.now()).await?;
    }
    if let Some(to) = patch.position {
        version = state.store().move_item(ItemKind::Aspect, id.get(), version, to, &actor, state.now()).await?;
    }
    Ok(version)
}

/// Deletes an aspect that holds no problem.
pub async fn delete_aspect(
    state: &AppState,
    principal: &Principal,
    id: AspectId,
    version: i64,
) -> Result<(), AppError> {
    let current = aspect(state, id).await?;
    let (_, role) = require_editor(state, principal, current.inspection_id).await?;
    Ok(state.store().delete_item(ItemKind::Aspect, id.get(), version, &principal.acting_as(role), state.now()).await?)
}

/// Adds a problem to an aspect.
pub async fn add_problem(
    state: &AppState,
    principal: &Principal,
    aspect_id: AspectId,
    patch: &ItemPatch,
) -> Result<Created, AppError> {
    let current = aspect(state, aspect_id).await?;
    let (_, role) = require_editor(state, principal, current.inspection_id).await?;
    let fields = problem_fields(patch, None)?;
    Ok(state.store().add_problem(aspect_id.get(), &fields, &principal.acting_as(role), state.now()).await?)
}

/// Changes a problem or moves it; answers the new version.
pub async fn update_problem(
    state: &AppState,
    principal: &Principal,
    id: ProblemId,
    patch: &ItemPatch,
) -> Result<i64, AppError> {
    let current = super::ledger::problem(state, id).await?;
    let (_, role) = require_editor(state, principal, current.inspection_id).await?;
    let actor = principal.acting_as(role);
    let mut version = version_of(patch)?;
    if patch.changes_fields() {
        let fields = problem_fields(patch, Some(&current))?;
        version = state.store().update_problem(id.get(), version, &fields, &actor, state.now()).await?;
    }
    if let Some(to) = patch.position {
        version = state.store().move_item(ItemKind::Problem, id.get(), version, to, &actor, state.now()).await?;
    }
    Ok(version)
}

/// Adds a measure to a problem.
pub async fn add_measure(
    state: &AppState,
    principal: &Principal,
    problem: ProblemId,
    patch: &ItemPatch,
) -> Result<Created, AppError> {
    let current = super::ledger::problem(state, problem).await?;
    let (_, role) = require_editor(state, principal, current.inspection_id).await?;
    let fields = measure_fields(patch, None)?;
    Ok(state.store().add_measure(problem.get(), &fields, &principal.acting_as(role), state.now()).await?)
}

/// Changes a measure or moves it; answers the new version.
pub async fn update_measure(
    state: &AppState,
    principal: &Principal,
    id: MeasureId,
    patch: &ItemPatch,
) -> Result<i64, AppError> {
    let current = super::ledger::measure(state, id).await?;
    let (_, role) = require_editor(state, principal, current.inspection_id).await?;
    let actor = principal.acting_as(role);
    let mut version = version_of(patch)?;
    if patch.changes_fields() {
        let fields = measure_fields(patch, Some(&current))?;
        version = state.store().update_measure(id.get(), version, &fields, &actor, state.now()).await?;
    }
    if let Some(to) = patch.position {
        version = state.store().move_item(ItemKind::Measure, id.get(), version, to, &actor, state.now()).await?;
    }
    Ok(version)
}

/// The inspection a problem or measure belongs to.
async fn inspection_of(state: &AppState, kind: ItemKind, id: i64) -> Result<i64, AppError> {
    match kind {
        ItemKind::Problem => {
            let id = ProblemId::new(id).ok_or_else(|| AppError::not_found("problem", id))?;
            Ok(super::ledger::problem(state, id).await?.inspection_id)
        }
        ItemKind::Measure => {
            let id = MeasureId::new(id).ok_or_else(|| AppError::not_found("measure", id))?;
            Ok(super::ledger::measure(state, id).await?.inspection_id)
        }
        ItemKind::Aspect => {
            let id = AspectId::new(id).ok_or_else(|| AppError::not_found("aspect", id))?;
            Ok(aspect(state, id).await?.inspection_id)
        }
    }
}

/// Deletes a problem or measure on which no work has started.
pub async fn delete_item(
    state: &AppState,
    principal: &Principal,
    kind: ItemKind,
    id: i64,
    version: i64,
) -> Result<(), AppError> {
    let inspection = inspection_of(state, kind, id).await?;
    let (_, role) = require_editor(state, principal, inspection).await?;
    Ok(state.store().delete_item(kind, id, version, &principal.acting_as(role), state.now()).await?)
}

/// Retires (作废) a problem or measure with a reason.
pub async fn retire_item(
    state: &AppState,
    principal: &Principal,
    kind: ItemKind,
    id: i64,
    version: i64,
    reason: &str,
) -> Result<(), AppError> {
    if reason.trim().is_empty() {
        return Err(refused("retiring needs a reason", "请填写作废理由"));
    }
    let inspection = inspection_of(state, kind, id).await?;
    let (_, role) = require_editor(state, principal, inspection).await?;
    Ok(state.store().retire_item(kind, id, version, reason, &principal.acting_as(role), state.now()).await?)
}

/// Merges a duplicate problem into another of the same inspection; answers the kept one's version.
pub async fn merge_problems(
    state: &AppState,
    principal: &Principal,
    target: ProblemId,
    version: i64,
    duplicate: ProblemId,
    duplicate_version: i64,
) -> Result<i64, AppError> {
    let kept = super::ledger::problem(state, target).await?;
    let gone = super::ledger::problem(state, duplicate).await?;
    if kept.inspection_id != gone.inspection_id {
        return Err(refused("the problems belong to different inspections", "只能合并同一台账中的问题"));
    }
    let (_, role) = require_editor(state, principal, kept.inspection_id).await?;
    Ok(state
        .store()
        .merge_problems(
            target.get(),
            version,
            duplicate.get(),
            duplicate_version,
            &principal.acting_as(role),
            state.now(),
        )
        .await?)
}

/// Splits a measure in two; answers its new version and the new measure.
pub async fn split_measure(
    state: &AppState,
    principal: &Principal,
    id: MeasureId,
    version: i64,
    first: Option<String>,
    second: Option<String>,
) -> Result<(i64, Created), AppError> {
    let current = super::ledger::measure(state, id).await?;
    let (_, role) = require_editor(state, principal, current.inspection_id).await?;
    let first = required("first part", "拆分后的第一项措施", first)?;
    let second = required("second part", "拆分后的第二项措施", second)?;
    Ok(state.store().split_measure(id.get(), version, &first, &second, &principal.acting_as(role), state.now()).await?)
}

/// What a draft still lacks before it can go live, in Chinese, one line per kind of gap: a
/// problem without measures; a measure without a kind, without a deadline (unless long-term) or
/// without a responsible department (its own or its problem's).
pub fn ledger_gaps(ledger: &rectify_domain::Ledger) -> Vec<String> {
    let mut gaps = Vec::new();
    let problems: Vec<_> = ledger.problems().collect();
    if problems.is_empty() {
        gaps.push("尚未录入问题".to_owned());
    }
    let no_measures = problems.iter().filter(|p| p.measures.is_empty()).count();
    if no_measures > 0 {
        gaps.push(format!("{no_measures}个问题尚无整改措施"));
    }
    let (mut no_deadline, mut no_department, mut no_kind) = (0, 0, 0);
    for p in &problems {
        for m in &p.measures {
            if m.deadline.is_none() && m.kind != Some(MeasureKind::LongTerm) {
                no_deadline += 1;
            }
            if m.responsibility.or_inherited(&p.responsibility).departments.is_empty() {
                no_department += 1;
            }
            if m.kind.is_none() {
                no_kind += 1;
            }
        }
    }
    if no_deadline > 0 {
        gaps.push(format!("{no_deadline}项措施未填写完成时限"));
    }
    if no_department > 0 {
        gaps.push(format!("{no_department}项措施未明确责任部门"));
    }
    if no_kind > 0 {
        gaps.push(format!("{no_kind}项措施未选择整改类型"));
    }
    gaps
}

/// [`ledger_gaps`] of a stored inspection.
pub async fn draft_gaps(state: &AppState, inspection: InspectionId) -> Result<Vec<String>, AppError> {
    Ok(ledger_gaps(&state.store().export_ledger(inspection.get()).await?))
}

/// Takes a draft live once nothing is missing.
pub async fn go_live(state: &AppState, principal: &Principal, inspection: InspectionId) -> Result<(), AppError> {
    let (summary, role) = require_editor(state, principal, inspection.get()).await?;
    if !summary.draft {
        return Err(refused("the inspection is already live", "该台账已上线"));
    }
    let gaps = draft_gaps(state, inspection).await?;
    if !gaps.is_empty() {
        return Err(refused("the draft is not complete yet", format!("台账尚未完善，不能上线：{}", gaps.join("；"))));
    }
    state.store().go_live(inspection.get(), &principal.acting_as(role), state.now()).await?;
    Ok(())
}

/// The aspects of an inspection, for the editing forms.
pub async fn aspects(state: &AppState, inspection: InspectionId) -> Result<Vec<AspectRecord>, AppError> {
    Ok(state.store().list_aspects(inspection.get()).await?)
}

/// The retired problems and measures of an inspection, for the struck-through list.
pub async fn retired(state: &AppState, inspection: InspectionId) -> Result<Vec<RetiredItem>, AppError> {
    Ok(state.store().retired_items(inspection.get()).await?)
}
