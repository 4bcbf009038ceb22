//! 双随机、一公开 spot checks over the API: the registries, the rounds, the draw, the findings,
//! the 专项检查 ledger and publication.

use axum::Json;
use axum::extract::{Multipart, Path, State};
use axum::http::StatusCode;
use rectify_domain::spot_check::{Finding, InspectorInput, ObjectInput};
use rectify_storage::{SpotInspector, SpotObject, SpotRound};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::AppError;
use crate::http::error::ErrorBody;
use crate::http::extract::{JsonBody, Paging, QueryOf};
use crate::http::paged::Paged;
use crate::ids::{SpotInspectorId, SpotObjectId, SpotRoundId};
use crate::service::AppState;
use crate::service::session::Principal;
use crate::service::spot_checks::{self as spot, FindingInput, RoundInput};

/// A supervised object (监管对象).
#[derive(Debug, Serialize, ToSchema)]
pub struct SpotObjectDto {
    pub id: i64,
    pub unit: String,
    pub name: String,
    pub address: Option<String>,
    /// 产权（使用）单位.
    pub owner: Option<String>,
    /// m², e.g. "1200.5".
    pub area_m2: Option<String>,
    /// `in_use`, `under_construction`, `idle`, `disused`.
    pub status: String,
    pub status_label: String,
    pub category: Option<String>,
    pub retired: bool,
}

pub(crate) fn object_dto(o: SpotObject) -> SpotObjectDto {
    SpotObjectDto {
        id: o.id,
        unit: o.unit,
        name: o.fields.name,
        address: o.fields.address,
        owner: o.fields.owner,
        area_m2: o.fields.area.map(|a| a.to_string()),
        status: o.fields.status.as_str().to_owned(),
        status_label: o.fields.status.label_zh().to_owned(),
        category: o.fields.category,
        retired: o.retired,
    }
}

/// A number typed as JSON number or string.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub(crate) enum NumberOrText {
    Number(serde_json::Number),
    Text(String),
}

impl NumberOrText {
    fn text(&self) -> String {
        match self {
            NumberOrText::Number(n) => n.to_string(),
            NumberOrText::Text(t) => t.clone(),
        }
    }
}

/// A new object or an object's new fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SpotObjectRequest {
    /// The unit (needed only by an account that manages several).
    pub unit: Option<String>,
    pub name: String,
    pub address: Option<String>,
    pub owner: Option<String>,
    /// m², a number or a string such as "1,200㎡".
    #[schema(value_type = Option<String>)]
    pub area_m2: Option<NumberOrText>,
    /// `in_use` (default), `under_construction`, `idle`, `disused`, or the Chinese.
    pub status: Option<String>,
    pub category: Option<String>,
}

impl SpotObjectRequest {
    fn input(&self) -> ObjectInput {
        ObjectInput {
            name: self.name.clone(),
            address: self.address.clone(),
            owner: self.owner.clone(),
            area: self.area_m2.as_ref().map(NumberOrText::text),
            status: self.status.clone(),
            category: self.category.clone(),
        }
    }
}

/// An inspector (执法检查人员).
#[derive(Debug, Serialize, ToSchema)]
pub struct SpotInspectorDto {
    pub id: i64,
    pub unit: String,
    pub name: String,
    /// 单位（科室）: an inspector is not drawn for an object whose owner is written the same (回避).
    pub department: Option<String>,
    /// 执法证号.
    pub certificate: Option<String>,
    pub active: bool,
}

pub(crate) fn inspector_dto(i: SpotInspector) -> SpotInspectorDto {
    SpotInspectorDto {
        id: i.id,
        unit: i.unit,
        name: i.fields.name,
        department: i.fields.department,
        certificate: i.fields.certificate,
        active: i.fields.active,
    }
}

/// A new inspector or an inspector's new fields.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SpotInspectorRequest {
    pub unit: Option<String>,
    pub name: String,
    pub department: Option<String>,
    pub certificate: Option<String>,
    /// Default true.
    pub active: Option<bool>,
}

impl SpotInspectorRequest {
    fn input(&self) -> InspectorInput {
        InspectorInput {
            name: self.name.clone(),
            department: self.department.clone(),
            certificate: self.certificate.clone(),
            active: self.active,
        }
    }
}

/// One hazard found at an object.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct HazardDto {
    pub text: String,
    /// 整改期限, YYYY-MM-DD, not before the check.
    pub deadline: String,
}

/// A drawn object, its inspectors (names as at the draw) and what its check found.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpotItemDto {
    pub id: i64,
    pub object_id: i64,
    pub object_name: String,
    pub object_address: Option<String>,
    pub object_owner: Option<String>,
    pub object_category: Option<String>,
    pub inspector_ids: Vec<i64>,
    pub inspectors: Vec<String>,
    /// `pending`, `clear` (未发现问题) or `hazards`.
    pub outcome: String,
    pub hazards: Vec<HazardDto>,
}

/// The counts of a round's findings.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpotFiguresDto {
    pub drawn: usize,
    pub recorded: usize,
    pub clear: usize,
    pub with_hazards: usize,
    pub hazards: usize,
}

/// A check round (抽查批次). `seed` and `candidates` let anyone re-run the draw.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpotRoundDto {
    pub id: i64,
    pub unit: String,
    pub name: String,
    pub check_date: String,
    pub objects: u32,
    pub inspectors_per_object: u32,
    pub seed: Option<String>,
    /// `{"objects":[{"id","owner"}],"inspectors":[{"id","department"}]}` as at the draw.
    #[schema(value_type = Option<Object>)]
    pub candidates: Option<serde_json::Value>,
    pub drawn_at: Option<String>,
    /// The 专项检查 inspection made from the hazards.
    pub inspection_id: Option<i64>,
    pub published: bool,
    pub figures: SpotFiguresDto,
    /// The drawn objects (empty in lists).
    pub items: Vec<SpotItemDto>,
}

pub(crate) fn outcome(finding: Option<&Finding>) -> &'static str {
    match finding {
        None => "pending",
        Some(Finding::Clear) => "clear",
        Some(Finding::Hazards { .. }) => "hazards",
    }
}

pub(crate) fn round_dto(round: SpotRound, with_items: bool) -> SpotRoundDto {
    let f = spot::figures(&round);
    let items = if with_items {
        round
            .items
            .into_iter()
            .map(|i| SpotItemDto {
                outcome: outcome(i.finding.as_ref()).to_owned(),
                hazards: i
                    .finding
                    .as_ref()
                    .map(Finding::hazards)
                    .unwrap_or_default()
                    .iter()
                    .map(|h| HazardDto { text: h.text.clone(), deadline: h.deadline.to_string() })
                    .collect(),
                id: i.id,
                object_id: i.object_id,
                object_name: i.object_name,
                object_address: i.object_address,
                object_owner: i.object_owner,
                object_category: i.object_category,
                inspector_ids: i.inspector_ids,
                inspectors: i.inspector_names,
            })
            .collect()
    } else {
        Vec::new()
    };
    SpotRoundDto {
        id: round.id,
        unit: round.unit,
        name: round.name,
        check_date: round.check_date.to_string(),
        objects: round.size.objects,
        inspectors_per_object: round.size.inspectors_per_object,
        seed: round.draw.as_ref().map(|d| d.seed.clone()),
        candidates: round.draw.as_ref().and_then(|d| serde_json::to_value(&d.candidates).ok()),
        drawn_at: round.draw.as_ref().map(|d| d.drawn_at.clone()),
        inspection_id: round.inspection_id,
        published: round.published_at.is_some(),
        figures: SpotFiguresDto {
            drawn: f.drawn,
            recorded: f.recorded,
            clear: f.clear,
            with_hazards: f.with_hazards,
            hazards: f.hazards,
        },
        items,
    }
}

/// A new round.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SpotRoundRequest {
    pub unit: Option<String>,
    pub name: String,
    /// YYYY-MM-DD.
    pub check_date: String,
    /// How many objects to draw (1–500; all if the registry holds fewer).
    pub objects: u32,
    /// How many inspectors per object (1–10).
    pub inspectors_per_object: u32,
}

/// The draw's seed; absent: a fresh random one. Published with the draw.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct DrawRequest {
    pub seed: Option<String>,
}

/// The finding of one drawn object: no hazards means 未发现问题.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SpotResultRequest {
    pub item_id: i64,
    #[serde(default)]
    pub hazards: Vec<HazardDto>,
}

/// Publish (default) or withdraw.
#[derive(Debug, Default, Deserialize, ToSchema)]
pub struct PublishRequest {
    pub published: Option<bool>,
}

/// The 专项检查 ledger of a round.
#[derive(Debug, Serialize, ToSchema)]
pub struct SpotLedgerDto {
    pub inspection_id: i64,
    /// False when the round had its ledger already (nothing was written).
    pub created: bool,
}

/// How many rows an import stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedDto {
    pub imported: usize,
}

/// Filters of the registry lists.
#[derive(Debug, Default, Deserialize, IntoParams)]
pub(crate) struct ListQuery {
    /// Only this unit.
    unit: Option<String>,
    /// Include retired objects.
    retired: Option<bool>,
    limit: Option<u64>,
    offset: Option<u64>,
}

impl ListQuery {
    fn paging(&self) -> Paging {
        Paging { limit: self.limit, offset: self.offset }
    }
}

/// The objects of the caller's units.
#[utoipa::path(get, path = "/api/spot-checks/objects", tag = "spot-checks", params(ListQuery),
    responses((status = 200, description = "`{\"items\": [SpotObjectDto], \"total\": N}`", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn objects(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(q): QueryOf<ListQuery>,
) -> Result<Json<Paged<SpotObjectDto>>, AppError> {
    let (items, total) =
        spot::objects(&state, &principal, q.unit.as_deref(), q.retired.unwrap_or(false), q.paging().page()).await?;
    Ok(Json(Paged { items: items.into_iter().map(object_dto).collect(), total }))
}

/// Registers an object (audited as `spot_object.create`).
#[utoipa::path(post, path = "/api/spot-checks/objects", tag = "spot-checks", request_body = SpotObjectRequest,
    responses((status = 201, body = SpotObjectDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn add_object(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody<SpotObjectRequest>,
) -> Result<(StatusCode, Json<SpotObjectDto>), AppError> {
    let id = spot::add_object(&state, &principal, body.unit.as_deref(), &body.input()).await?;
    Ok((StatusCode::CREATED, Json(object_dto(spot::object(&state, &principal, id).await?))))
}

/// Changes an object (audited as `spot_object.update`).
#[utoipa::path(put, path = "/api/spot-checks/objects/{id}", tag = "spot-checks", request_body = SpotObjectRequest,
    params(("id" = i64, Path, description = "Object id")),
    responses((status = 200, body = SpotObjectDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn update_object(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SpotObjectRequest>,
) -> Result<Json<SpotObjectDto>, AppError> {
    let id = SpotObjectId::parse(&id)?.get();
    spot::update_object(&state, &principal, id, &body.input()).await?;
    Ok(Json(object_dto(spot::object(&state, &principal, id).await?)))
}

/// Retires an object: kept for past draws, never drawn again (audited as `spot_object.retire`).
#[utoipa::path(post, path = "/api/spot-checks/objects/{id}/retire", tag = "spot-checks",
    params(("id" = i64, Path, description = "Object id")),
    responses((status = 200, body = SpotObjectDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn retire_object(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<SpotObjectDto>, AppError> {
    let id = SpotObjectId::parse(&id)?.get();
    spot::retire_object(&state, &principal, id).await?;
    Ok(Json(object_dto(spot::object(&state, &principal, id).await?)))
}

/// The `unit` and `file` fields of an import form.
pub(crate) async fn read_import(multipart: Multipart) -> Result<(Option<String>, Vec<u8>), AppError> {
    let mut multipart = multipart;
    let (mut unit, mut file) = (None, None);
    let bad = |_| AppError::BadRequest { message: "unreadable form".into(), message_zh: "表单无法读取".into() };
    while let Some(field) = multipart.next_field().await.map_err(bad)? {
        match field.name() {
            Some("unit") => unit = Some(field.text().await.map_err(bad)?),
            Some("file") => {
                let bytes = field.bytes().await.map_err(bad)?;
                if bytes.len() > crate::service::UPLOAD_LIMIT_BYTES {
                    return Err(AppError::TooLarge("the workbook is too large".into()));
                }
                file = Some(bytes.to_vec());
            }
            _ => {}
        }
    }
    let file = file.filter(|f| !f.is_empty()).ok_or_else(|| AppError::BadRequest {
        message: "no file".into(),
        message_zh: "请选择要导入的Excel文件".into(),
    })?;
    Ok((unit.filter(|u| !u.trim().is_empty()), file))
}

/// Imports objects from an .xlsx (multipart: `file`, optional `unit`); all rows or none, each
/// bad row named with its row number (audited as `spot_object.import`).
#[utoipa::path(post, path = "/api/spot-checks/objects/import", tag = "spot-checks",
    request_body(content_type = "multipart/form-data", content = Object),
    responses((status = 201, body = ImportedDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn import_objects(
    State(state): State<AppState>,
    principal: Principal,
    multipart: Multipart,
) -> Result<(StatusCode, Json<ImportedDto>), AppError> {
    let (unit, bytes) = read_import(multipart).await?;
    let imported = spot::import_objects(&state, &principal, unit.as_deref(), &bytes).await?;
    Ok((StatusCode::CREATED, Json(ImportedDto { imported })))
}

/// The inspectors of the caller's units.
#[utoipa::path(get, path = "/api/spot-checks/inspectors", tag = "spot-checks", params(ListQuery),
    responses((status = 200, description = "`{\"items\": [SpotInspectorDto], \"total\": N}`", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn inspectors(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(q): QueryOf<ListQuery>,
) -> Result<Json<Paged<SpotInspectorDto>>, AppError> {
    let (items, total) = spot::inspectors(&state, &principal, q.unit.as_deref(), q.paging().page()).await?;
    Ok(Json(Paged { items: items.into_iter().map(inspector_dto).collect(), total }))
}

/// Registers an inspector (audited as `spot_inspector.create`).
#[utoipa::path(post, path = "/api/spot-checks/inspectors", tag = "spot-checks", request_body = SpotInspectorRequest,
    responses((status = 201, body = SpotInspectorDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn add_inspector(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody<SpotInspectorRequest>,
) -> Result<(StatusCode, Json<SpotInspectorDto>), AppError> {
    let id = spot::add_inspector(&state, &principal, body.unit.as_deref(), &body.input()).await?;
    Ok((StatusCode::CREATED, Json(inspector_dto(spot::inspector(&state, &principal, id).await?))))
}

/// Changes an inspector, the active flag included (audited as `spot_inspector.update`).
#[utoipa::path(put, path = "/api/spot-checks/inspectors/{id}", tag = "spot-checks", request_body = SpotInspectorRequest,
    params(("id" = i64, Path, description = "Inspector id")),
    responses((status = 200, body = SpotInspectorDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn update_inspector(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SpotInspectorRequest>,
) -> Result<Json<SpotInspectorDto>, AppError> {
    let id = SpotInspectorId::parse(&id)?.get();
    spot::update_inspector(&state, &principal, id, &body.input()).await?;
    Ok(Json(inspector_dto(spot::inspector(&state, &principal, id).await?)))
}

/// Imports inspectors from an .xlsx (multipart: `file`, optional `unit`); all rows or none
/// (audited as `spot_inspector.import`).
#[utoipa::path(post, path = "/api/spot-checks/inspectors/import", tag = "spot-checks",
    request_body(content_type = "multipart/form-data", content = Object),
    responses((status = 201, body = ImportedDto), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn import_inspectors(
    State(state): State<AppState>,
    principal: Principal,
    multipart: Multipart,
) -> Result<(StatusCode, Json<ImportedDto>), AppError> {
    let (unit, bytes) = read_import(multipart).await?;
    let imported = spot::import_inspectors(&state, &principal, unit.as_deref(), &bytes).await?;
    Ok((StatusCode::CREATED, Json(ImportedDto { imported })))
}

/// The rounds of the caller's units, newest first (without their items).
#[utoipa::path(get, path = "/api/spot-checks/rounds", tag = "spot-checks", params(ListQuery),
    responses((status = 200, description = "`{\"items\": [SpotRoundDto], \"total\": N}`", body = Object),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn rounds(
    State(state): State<AppState>,
    principal: Principal,
    QueryOf(q): QueryOf<ListQuery>,
) -> Result<Json<Paged<SpotRoundDto>>, AppError> {
    let (items, total) = spot::rounds(&state, &principal, q.unit.as_deref(), q.paging().page()).await?;
    Ok(Json(Paged { items: items.into_iter().map(|r| round_dto(r, false)).collect(), total }))
}

/// Creates a round, not yet drawn (audited as `spot_round.create`).
#[utoipa::path(post, path = "/api/spot-checks/rounds", tag = "spot-checks", request_body = SpotRoundRequest,
    responses((status = 201, body = SpotRoundDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn create_round(
    State(state): State<AppState>,
    principal: Principal,
    JsonBody(body): JsonBody<SpotRoundRequest>,
) -> Result<(StatusCode, Json<SpotRoundDto>), AppError> {
    let input = RoundInput {
        unit: body.unit,
        name: body.name,
        check_date: body.check_date,
        objects: body.objects.to_string(),
        inspectors_per_object: body.inspectors_per_object.to_string(),
    };
    let id = spot::create_round(&state, &principal, &input).await?;
    Ok((StatusCode::CREATED, Json(round_dto(spot::round(&state, &principal, id).await?, true))))
}

fn round_id(id: &str) -> Result<i64, AppError> {
    Ok(SpotRoundId::parse(id)?.get())
}

/// A round with its drawn objects, inspectors and findings.
#[utoipa::path(get, path = "/api/spot-checks/rounds/{id}", tag = "spot-checks",
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = SpotRoundDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody)))]
pub(crate) async fn round(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<Json<SpotRoundDto>, AppError> {
    Ok(Json(round_dto(spot::round(&state, &principal, round_id(&id)?).await?, true)))
}

/// Draws the round from the unit's registry with the seed (or a random one): objects by
/// SM3(seed ‖ id), inspectors per object by SM3(seed/object ‖ id), 回避 applied; once only
/// (audited as `spot_round.draw`).
#[utoipa::path(post, path = "/api/spot-checks/rounds/{id}/draw", tag = "spot-checks", request_body = DrawRequest,
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = SpotRoundDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn draw(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<DrawRequest>,
) -> Result<Json<SpotRoundDto>, AppError> {
    Ok(Json(round_dto(spot::draw(&state, &principal, round_id(&id)?, body.seed.as_deref()).await?, true)))
}

/// Records what the check of one drawn object found (audited as `spot_item.record`).
#[utoipa::path(post, path = "/api/spot-checks/rounds/{id}/results", tag = "spot-checks", request_body = SpotResultRequest,
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = SpotRoundDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub(crate) async fn record(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<SpotResultRequest>,
) -> Result<Json<SpotRoundDto>, AppError> {
    let id = round_id(&id)?;
    let input =
        FindingInput { item: body.item_id, hazards: body.hazards.into_iter().map(|h| (h.text, h.deadline)).collect() };
    spot::record(&state, &principal, id, &input).await?;
    Ok(Json(round_dto(spot::round(&state, &principal, id).await?, true)))
}

/// Makes the round's hazards an inspection of kind 专项检查 in the unit's ledgers (one aspect,
/// one problem and one measure per hazard); a second call answers the same inspection
/// (audited as `spot_round.ledger`).
#[utoipa::path(post, path = "/api/spot-checks/rounds/{id}/ledger", tag = "spot-checks",
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 201, body = SpotLedgerDto), (status = 200, description = "Made before", body = SpotLedgerDto),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
pub(crate) async fn ledger(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<SpotLedgerDto>), AppError> {
    let (inspection_id, created) = spot::make_ledger(&state, &principal, round_id(&id)?).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    Ok((status, Json(SpotLedgerDto { inspection_id, created })))
}

/// Publishes the drawn round and its results on the portal, or withdraws it (audited as
/// `spot_round.publish` / `spot_round.withdraw`). Publishing waits until every drawn object has
/// its result (422 with the number still open in `message_zh`); withdrawing is always allowed.
#[utoipa::path(post, path = "/api/spot-checks/rounds/{id}/publish", tag = "spot-checks", request_body = PublishRequest,
    params(("id" = i64, Path, description = "Round id")),
    responses((status = 200, body = SpotRoundDto), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody),
        (status = 422, description = "Not drawn yet, or results of drawn objects still to record", body = ErrorBody)))]
pub(crate) async fn publish(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<PublishRequest>,
) -> Result<Json<SpotRoundDto>, AppError> {
    let id = round_id(&id)?;
    spot::publish(&state, &principal, id, body.published.unwrap_or(true)).await?;
    Ok(Json(round_dto(spot::round(&state, &principal, id).await?, true)))
}
