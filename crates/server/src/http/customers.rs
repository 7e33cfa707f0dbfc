//! `/api/v1/customers`: who contacts the center, and screen pop.
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /customers?q=&consent_recording=&consent_marketing=&updated_since_ms=&include_merged=&after=&offset=&limit=` | everyone | by id, `next` is the next page's `after`; with `q`, a full-text search (names, external id, emails, phone digits; a number in national format is searched as E.164) paged by `offset` |
//! | `GET /customers/lookup?number=&region=` | everyone | screen pop: the customers with this number (several when it is shared), merged duplicates answered by their survivor |
//! | `GET /calls/{id}/screen-pop` | everyone | the same for a call's caller (the desktop asks when the call is offered), with the customer's open tickets |
//! | `POST /customers`, `PUT /customers/{id}` | everyone | `{"external_id", "first_name", "last_name", "phones", "emails", "fields", "consent_recording", "consent_marketing"}` |
//! | `GET /customers/{id}` | everyone | the customer with identities, fields and contact history (tickets, orders, recent calls from their numbers) |
//! | `POST /customers/{id}/merge` | everyone | `{"other": 12}`: 12 becomes a duplicate of `{id}` |
//! | `GET`/`PUT /customer-fields` | everyone / admin | the tenant's custom field definitions |
//!
//! Phone numbers are normalised to E.164 by `crm::normalize_phone` in the tenant's region: the
//! `region` given (`FR`), else the country of the tenant's first phone number, so a French
//! center's agents may type `01 23 45 67 89`. Custom field values are checked against the
//! tenant's definitions by `crm::custom_field` (422 listing every problem) and stored typed.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use store::{
    Customer, CustomerFilter, CustomerId, CustomerRecord, CustomerSummary, SearchPage, TicketQuery,
};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::error::ApiError;
use super::json::rfc3339;
use super::openapi::Errors;
use super::orders::OrderJson;
use super::pagination;
use super::tickets::{TicketJson, TimeJson};

/// Most calls shown with a customer.
const CUSTOMER_CALLS: u32 = 100;
/// Most phones and emails on one customer.
const MAX_IDENTITIES: usize = 20;
/// Longest names and external id.
const MAX_NAME: usize = 200;

/// What a list, a search or a screen pop shows of a customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerSummaryJson {
    id: i64,
    external_id: Option<String>,
    first_name: String,
    last_name: String,
    /// May calls be recorded (`null`: not asked).
    consent_recording: Option<bool>,
    /// May the customer be contacted for marketing (`null`: not asked).
    consent_marketing: Option<bool>,
    /// Set on a merged duplicate.
    merged_into: Option<i64>,
}

impl From<&CustomerSummary> for CustomerSummaryJson {
    fn from(c: &CustomerSummary) -> Self {
        CustomerSummaryJson {
            id: c.id.0,
            external_id: c.external_id.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            consent_recording: c.consent_recording,
            consent_marketing: c.consent_marketing,
            merged_into: c.merged_into.map(|m| m.0),
        }
    }
}

/// A customer.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerJson {
    id: i64,
    external_id: Option<String>,
    first_name: String,
    last_name: String,
    /// E.164, the main one first (the merged duplicates' after).
    phones: Vec<String>,
    emails: Vec<String>,
    /// Typed values by key: `{"plan": {"type": "choice", "value": "gold"}}`.
    #[schema(value_type = Object)]
    fields: Map<String, Value>,
    consent_recording: Option<bool>,
    consent_marketing: Option<bool>,
    merged_into: Option<i64>,
    /// The duplicates merged into this customer.
    merged: Vec<i64>,
    created: TimeJson,
    updated: TimeJson,
}

impl From<&Customer> for CustomerJson {
    fn from(c: &Customer) -> Self {
        CustomerJson {
            id: c.id.0,
            external_id: c.external_id.clone(),
            first_name: c.first_name.clone(),
            last_name: c.last_name.clone(),
            phones: c.phones.clone(),
            emails: c.emails.clone(),
            fields: c.fields.clone(),
            consent_recording: c.consent_recording,
            consent_marketing: c.consent_marketing,
            merged_into: c.merged_into.map(|m| m.0),
            merged: c.merged.iter().map(|m| m.0).collect(),
            created: TimeJson::new(c.created_at_ms),
            updated: TimeJson::new(c.updated_at_ms),
        }
    }
}

/// A call from one of the customer's numbers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ContactJson {
    interaction_id: String,
    caller: String,
    dialed: String,
    started_at: String,
    started_at_ms: i64,
    ended_at_ms: Option<i64>,
}

/// A customer with their contact history.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerDetailJson {
    customer: CustomerJson,
    /// Their tickets (and their duplicates'), newest first, at most 100.
    tickets: Vec<TicketJson>,
    /// Their orders, oldest first.
    orders: Vec<OrderJson>,
    /// Calls from their numbers, newest first, at most 100.
    calls: Vec<ContactJson>,
}

/// A page of customers.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerList {
    customers: Vec<CustomerSummaryJson>,
    /// Pass as `after` for the next page; `null` on the last page and for searches.
    next: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Words to search (names, external id, emails, phone digits); all must match.
    q: Option<String>,
    consent_recording: Option<bool>,
    consent_marketing: Option<bool>,
    /// Changed at or after this time (unix ms).
    updated_since_ms: Option<i64>,
    /// List merged duplicates too.
    include_merged: Option<bool>,
    /// The previous page's `next`.
    after: Option<i64>,
    /// Results to skip (searches only).
    offset: Option<u32>,
    /// 1 to 1000; 50 by default.
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/customers", tag = "customers", params(ListQuery),
    responses((status = 200, description = "Customers by id, or search results", body = CustomerList), Errors))]
pub async fn list(
    caller: Caller,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<CustomerList>, ApiError> {
    let Query(query) = query?;
    let limit = pagination::limit(query.limit, store::customer::MAX_PAGE)?;
    if let Some(q) = query.q.as_deref().filter(|q| !q.trim().is_empty()) {
        if q.len() > 200 {
            return Err(ApiError::BadRequest("q is at most 200 bytes".to_owned()));
        }
        let offset = query.offset.unwrap_or(0);
        if offset > 100_000 {
            return Err(ApiError::BadRequest("offset is at most 100000".to_owned()));
        }
        // A number typed as the agent sees it (`06 12 34 56 78`) is searched by its E.164
        // digits, which is how the store indexes phones.
        let looks_like_phone = q.chars().filter(char::is_ascii_digit).count() >= 6
            && q.chars()
                .all(|c| c.is_ascii_digit() || " +.-()/".contains(c));
        let phone = if looks_like_phone {
            normalize(&caller, q, None).await.ok()
        } else {
            None
        };
        let q = phone.map_or_else(
            || q.to_owned(),
            |e164| e164.trim_start_matches('+').to_owned(),
        );
        let found = caller
            .tenant
            .search_customers(&q, SearchPage { offset, limit })
            .await?;
        return Ok(Json(CustomerList {
            customers: found.iter().map(CustomerSummaryJson::from).collect(),
            next: None,
        }));
    }
    let filter = CustomerFilter {
        consent_recording: query.consent_recording,
        consent_marketing: query.consent_marketing,
        updated_since_ms: query.updated_since_ms,
        include_merged: query.include_merged.unwrap_or(false),
    };
    let page = caller
        .tenant
        .list_customers(&filter, query.after.map(CustomerId), limit)
        .await?;
    Ok(Json(CustomerList {
        customers: page
            .customers
            .iter()
            .map(CustomerSummaryJson::from)
            .collect(),
        next: page.next.map(|c| c.0),
    }))
}

/// The region national numbers are read in: `given`, else the country of the tenant's first
/// phone number; `None` when neither says.
async fn region(caller: &Caller, given: Option<&str>) -> Result<Option<crm::Region>, ApiError> {
    if let Some(given) = given {
        return given
            .parse()
            .map(Some)
            .map_err(|e: crm::PhoneError| ApiError::BadRequest(format!("region: {e}")));
    }
    let numbers = caller.tenant.numbers().await?;
    Ok(numbers.iter().find_map(|n| {
        let parsed = phonenumber::parse(None, &n.e164).ok()?;
        let country = parsed.country().id()?;
        country.as_ref().parse().ok()
    }))
}

/// `raw` in E.164, read in the tenant's region.
async fn normalize(caller: &Caller, raw: &str, given: Option<&str>) -> Result<String, ApiError> {
    let region = match region(caller, given).await? {
        Some(region) => region,
        // An international number needs no region; any one reads it.
        None if raw.trim_start().starts_with('+') => {
            "US".parse().map_err(|_| ApiError::Internal)?
        }
        None => {
            return Err(ApiError::BadRequest(
                "a national number needs region= (the tenant has no number to take it from)"
                    .to_owned(),
            ));
        }
    };
    crm::normalize_phone(raw, region)
        .map(|e164| e164.as_str().to_owned())
        .map_err(|e| {
            ApiError::BadRequest(format!(
                "{:?}: {e}",
                raw.chars().take(40).collect::<String>()
            ))
        })
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The caller's number, in any format (`+33 1 23 45 67 89`, `01 23 45 67 89`).
    number: String,
    /// The region a national number is written in (`FR`); the tenant's by default.
    region: Option<String>,
}

/// Screen pop's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct LookupJson {
    /// The number, in E.164.
    number: String,
    /// The customers with this number, by id (none, one, or the candidates).
    customers: Vec<CustomerSummaryJson>,
}

#[utoipa::path(get, path = "/customers/lookup", tag = "customers", params(LookupQuery),
    responses((status = 200, description = "Who has this number", body = LookupJson), Errors))]
pub async fn lookup(
    caller: Caller,
    query: Result<Query<LookupQuery>, QueryRejection>,
) -> Result<Json<LookupJson>, ApiError> {
    let Query(query) = query?;
    let number = normalize(&caller, &query.number, query.region.as_deref()).await?;
    let customers = caller.tenant.customers_by_phone(&number).await?;
    Ok(Json(LookupJson {
        number,
        customers: customers.iter().map(CustomerSummaryJson::from).collect(),
    }))
}

/// Screen pop for a call: who the caller is, and their open tickets when there is one.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScreenPopJson {
    /// The caller's number, in E.164 (`null` when it is not a phone number: anonymous).
    number: Option<String>,
    /// The customers with this number (none, one, or the candidates).
    customers: Vec<CustomerSummaryJson>,
    /// With exactly one customer: their open tickets, newest first.
    open_tickets: Vec<TicketJson>,
    /// The keys the caller pressed in the IVR, in order.
    ivr_digits: String,
    /// When the call entered its first queue (unix ms): what the offer's waiting time counts from.
    queued_at_ms: Option<i64>,
}

#[utoipa::path(get, path = "/calls/{id}/screen-pop", tag = "customers",
    params(("id" = String, Path, description = "The interaction id (from the offer)")),
    responses((status = 200, description = "The caller's customer record(s)", body = ScreenPopJson), Errors))]
pub async fn screen_pop(
    caller: Caller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<ScreenPopJson>, ApiError> {
    let Path(id) = id?;
    let id = super::calls::parse_id(&id)?;
    let interaction = caller
        .tenant
        .interaction(id)
        .await?
        .ok_or(ApiError::NotFound("call"))?;
    let cdr = caller.tenant.cdr(id).await?;
    let ivr_digits = cdr.as_ref().map(|c| c.digits.clone()).unwrap_or_default();
    let queued_at_ms = cdr.as_ref().and_then(|c| c.queued_at_ms);
    // The caller id may be anonymous or a SIP user: that is "nobody", not a bad request.
    let Ok(number) = normalize(&caller, &interaction.caller, None).await else {
        return Ok(Json(ScreenPopJson {
            number: None,
            customers: Vec::new(),
            open_tickets: Vec::new(),
            ivr_digits,
            queued_at_ms,
        }));
    };
    let customers = caller.tenant.customers_by_phone(&number).await?;
    let open_tickets = match customers.as_slice() {
        [only] => {
            caller
                .tenant
                .open_tickets_for_customer(only.id, None)
                .await?
        }
        _ => Vec::new(),
    };
    Ok(Json(ScreenPopJson {
        number: Some(number),
        customers: customers.iter().map(CustomerSummaryJson::from).collect(),
        open_tickets: open_tickets.iter().map(TicketJson::from).collect(),
        ivr_digits,
        queued_at_ms,
    }))
}

fn customer_id(id: Result<Path<i64>, PathRejection>) -> Result<CustomerId, ApiError> {
    let Path(id) = id?;
    Ok(CustomerId(id))
}

#[utoipa::path(get, path = "/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "The customer id")),
    responses((status = 200, description = "The customer with their history", body = CustomerDetailJson), Errors))]
pub async fn detail(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<CustomerDetailJson>, ApiError> {
    let id = customer_id(id)?;
    let customer = caller
        .tenant
        .customer(id)
        .await?
        .ok_or(ApiError::NotFound("customer"))?;
    let tickets = caller
        .tenant
        .tickets(&TicketQuery {
            customer_id: Some(customer.id),
            limit: 100,
            ..TicketQuery::default()
        })
        .await?;
    let orders = caller.tenant.customer_orders(customer.id).await?;
    let calls = caller
        .tenant
        .interactions_from(&customer.phones, CUSTOMER_CALLS)
        .await?
        .into_iter()
        .map(|i| ContactJson {
            interaction_id: i.id.to_string(),
            caller: i.caller,
            dialed: i.dialed,
            started_at: rfc3339(i.created_at_ms),
            started_at_ms: i.created_at_ms,
            ended_at_ms: i.ended_at_ms,
        })
        .collect();
    Ok(Json(CustomerDetailJson {
        customer: CustomerJson::from(&customer),
        tickets: tickets.tickets.iter().map(TicketJson::from).collect(),
        orders: orders.iter().map(OrderJson::from).collect(),
        calls,
    }))
}

/// A customer as written.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerBody {
    /// The id in the tenant's own systems, unique in the tenant.
    external_id: Option<String>,
    first_name: String,
    last_name: String,
    /// In any format; stored in E.164. The main one first.
    #[serde(default)]
    phones: Vec<String>,
    #[serde(default)]
    emails: Vec<String>,
    /// Values by key, as text or numbers (`{"plan": "gold", "credit": "12.50"}`).
    #[serde(default)]
    #[schema(value_type = Object)]
    fields: Map<String, Value>,
    consent_recording: Option<bool>,
    consent_marketing: Option<bool>,
    /// The region national numbers are written in (`FR`); the tenant's by default.
    region: Option<String>,
}

/// The tenant's custom fields as `crm` checks values against them.
async fn tenant_field_defs(caller: &Caller) -> Result<crm::FieldDefs, ApiError> {
    crate::custom_fields::tenant_field_defs(&caller.tenant)
        .await
        .map_err(|e| match e {
            crate::custom_fields::FieldDefsError::Store(e) => ApiError::from(e),
            corrupt => {
                tracing::error!(error = %corrupt, "stored custom fields do not load");
                ApiError::Internal
            }
        })
}

async fn record(caller: &Caller, body: CustomerBody) -> Result<CustomerRecord, ApiError> {
    if body.phones.len() > MAX_IDENTITIES || body.emails.len() > MAX_IDENTITIES {
        return Err(ApiError::BadRequest(format!(
            "at most {MAX_IDENTITIES} phones and {MAX_IDENTITIES} emails"
        )));
    }
    let mut phones: Vec<String> = Vec::new();
    for raw in &body.phones {
        let e164 = normalize(caller, raw, body.region.as_deref()).await?;
        if !phones.contains(&e164) {
            phones.push(e164);
        }
    }
    let mut emails: Vec<String> = Vec::new();
    for raw in &body.emails {
        let email =
            crm::Email::parse(raw).map_err(|e| ApiError::BadRequest(format!("email: {e}")))?;
        if !emails.iter().any(|e| e == email.as_str()) {
            emails.push(email.as_str().to_owned());
        }
    }
    let typed = tenant_field_defs(caller)
        .await?
        .validate(&body.fields)
        .map_err(|errors| {
            let listed: Vec<Value> = errors
                .iter()
                .map(|e| Value::String(e.to_string()))
                .collect();
            let mut details = Map::new();
            details.insert("errors".to_owned(), listed.into());
            ApiError::Unprocessable {
                code: "invalid_fields",
                message: format!("{} custom field problem(s)", errors.len()),
                details,
            }
        })?;
    let mut fields = Map::new();
    for (key, value) in typed {
        fields.insert(
            key,
            serde_json::to_value(&value).map_err(|_| ApiError::Internal)?,
        );
    }
    let name = |what: &str, text: &str| -> Result<String, ApiError> {
        let text = text.trim();
        if text.chars().count() > MAX_NAME || text.chars().any(char::is_control) {
            return Err(ApiError::BadRequest(format!(
                "{what} is at most {MAX_NAME} printable characters"
            )));
        }
        Ok(text.to_owned())
    };
    Ok(CustomerRecord {
        external_id: body
            .external_id
            .as_deref()
            .map(|x| pagination::text("external_id", x, MAX_NAME))
            .transpose()?,
        first_name: name("first_name", &body.first_name)?,
        last_name: name("last_name", &body.last_name)?,
        phones,
        emails,
        fields,
        consent_recording: body.consent_recording,
        consent_marketing: body.consent_marketing,
    })
}

#[utoipa::path(post, path = "/customers", tag = "customers", request_body = CustomerBody,
    responses((status = 201, description = "Created", body = CustomerJson), Errors))]
pub async fn create(
    caller: Caller,
    body: Result<Json<CustomerBody>, JsonRejection>,
) -> Result<(StatusCode, Json<CustomerJson>), ApiError> {
    let Json(body) = body?;
    let record = record(&caller, body).await?;
    let customer = caller
        .tenant
        .create_customer(&record, crate::log::now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(CustomerJson::from(&customer))))
}

#[utoipa::path(put, path = "/customers/{id}", tag = "customers",
    params(("id" = i64, Path, description = "The customer id")),
    request_body = CustomerBody,
    responses((status = 200, description = "Replaced", body = CustomerJson), Errors))]
pub async fn update(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<CustomerBody>, JsonRejection>,
) -> Result<Json<CustomerJson>, ApiError> {
    let id = customer_id(id)?;
    let Json(body) = body?;
    let record = record(&caller, body).await?;
    let customer = caller
        .tenant
        .update_customer(id, &record, crate::log::now_ms())
        .await?;
    Ok(Json(CustomerJson::from(&customer)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MergeBody {
    /// The duplicate: from now on it points at this customer.
    other: i64,
}

#[utoipa::path(post, path = "/customers/{id}/merge", tag = "customers",
    params(("id" = i64, Path, description = "The customer kept")),
    request_body = MergeBody,
    responses((status = 200, description = "The customer kept, with the duplicate's identities", body = CustomerJson), Errors))]
pub async fn merge(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<MergeBody>, JsonRejection>,
) -> Result<Json<CustomerJson>, ApiError> {
    let keep = customer_id(id)?;
    let Json(body) = body?;
    let customer = caller
        .tenant
        .merge_customers(keep, CustomerId(body.other), crate::log::now_ms())
        .await?;
    Ok(Json(CustomerJson::from(&customer)))
}

/// A custom field of the tenant's customers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDefJson {
    /// `[a-z][a-z0-9_]*`, at most 63.
    key: String,
    label: String,
    /// `{"type": "text", "max_len": 80}`, `{"type": "number"}`, `{"type": "money",
    /// "currency": "EUR"}`, `{"type": "date"}`, `{"type": "choice", "options": ["gold"]}`.
    #[schema(value_type = Object)]
    kind: Value,
    #[serde(default)]
    required: bool,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDefList {
    /// In display order.
    fields: Vec<FieldDefJson>,
}

#[utoipa::path(get, path = "/customer-fields", tag = "customers",
    responses((status = 200, description = "The tenant's custom fields", body = FieldDefList), Errors))]
pub async fn field_defs(caller: Caller) -> Result<Json<FieldDefList>, ApiError> {
    let fields = caller
        .tenant
        .custom_field_defs()
        .await?
        .into_iter()
        .map(|d| FieldDefJson {
            key: d.key,
            label: d.label,
            kind: d.kind,
            required: d.required,
        })
        .collect();
    Ok(Json(FieldDefList { fields }))
}

#[utoipa::path(put, path = "/customer-fields", tag = "customers", request_body = FieldDefList,
    responses((status = 200, description = "Replaced", body = FieldDefList), Errors))]
pub async fn set_field_defs(
    caller: Caller,
    body: Result<Json<FieldDefList>, JsonRejection>,
) -> Result<Json<FieldDefList>, ApiError> {
    if !caller.may_administer() {
        return Err(ApiError::Forbidden("define custom fields"));
    }
    let Json(body) = body?;
    if body.fields.len() > 200 {
        return Err(ApiError::BadRequest("at most 200 custom fields".to_owned()));
    }
    let invalid = |message: String| ApiError::Unprocessable {
        code: "invalid_field_definition",
        message,
        details: Map::new(),
    };
    let mut checked = Vec::new();
    for def in &body.fields {
        checked.push(crm::FieldDef {
            key: crm::FieldKey::new(&def.key).map_err(|e| invalid(e.to_string()))?,
            label: pagination::text("label", &def.label, MAX_NAME)?,
            kind: serde_json::from_value(def.kind.clone())
                .map_err(|e| invalid(format!("{}: {e}", def.key)))?,
            required: def.required,
        });
    }
    crm::FieldDefs::new(checked.clone()).map_err(|e| invalid(e.to_string()))?;
    let stored: Vec<store::CustomFieldDef> = checked
        .into_iter()
        .map(|d| {
            Ok(store::CustomFieldDef {
                key: d.key.as_str().to_owned(),
                label: d.label,
                kind: serde_json::to_value(&d.kind).map_err(|_| ApiError::Internal)?,
                required: d.required,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    caller.tenant.set_custom_field_defs(&stored).await?;
    field_defs(caller).await
}
