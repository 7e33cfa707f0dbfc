//! The product catalog and the orders agents place during a contact, attached to a ticket.
//!
//! | route | what |
//! |---|---|
//! | `GET /products?include_inactive=` | the catalog by SKU (everyone) |
//! | `POST /products`, `PUT /products/{id}` | `{"sku", "name", "unit_price_minor": 1250, "currency": "EUR", "active"}` (admin) |
//! | `POST /tickets/{id}/orders` | `{"currency": "EUR", "lines": [{"sku": "FIBRE-1G", "quantity": 2}], "status": "placed"}`: priced from the catalog by `crm::order` (201) |
//! | `GET /orders/{id}` | one order with its lines |
//!
//! Prices are integers in the currency's minor unit (cents). The order is priced from the
//! active catalog with checked arithmetic: an unknown SKU, a bad quantity, a product in another
//! currency or an overflowing total is 422 and nothing is written. The order's customer and
//! contact are the ticket's customer and the ticket's latest contact.

use axum::Json;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use store::{NewOrder, NewOrderLine, NewProduct, Order, OrderId, OrderStatus, Product, ProductId};
use utoipa::{IntoParams, ToSchema};

use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;
use super::pagination;
use super::tickets::{TimeJson, find};

/// Most lines on one order.
const MAX_LINES: usize = 200;

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusName {
    Draft,
    Placed,
    Cancelled,
    Fulfilled,
}

impl From<OrderStatus> for StatusName {
    fn from(status: OrderStatus) -> Self {
        match status {
            OrderStatus::Draft => StatusName::Draft,
            OrderStatus::Placed => StatusName::Placed,
            OrderStatus::Cancelled => StatusName::Cancelled,
            OrderStatus::Fulfilled => StatusName::Fulfilled,
        }
    }
}

/// A line of an order, as sold.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderLineJson {
    line_no: i64,
    product_id: Option<i64>,
    sku: String,
    name: String,
    quantity: i64,
    unit_price_minor: i64,
    total_minor: i64,
}

/// An order.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderJson {
    id: i64,
    ticket_id: Option<i64>,
    customer_id: Option<i64>,
    interaction_id: Option<String>,
    status: StatusName,
    /// ISO 4217.
    currency: String,
    /// The sum of the lines, in minor units.
    total_minor: i64,
    lines: Vec<OrderLineJson>,
    user_id: Option<i64>,
    created: TimeJson,
    updated: TimeJson,
}

impl From<&Order> for OrderJson {
    fn from(o: &Order) -> Self {
        OrderJson {
            id: o.id.0,
            ticket_id: o.ticket_id.map(|t| t.0),
            customer_id: o.customer_id.map(|c| c.0),
            interaction_id: o.interaction_id.map(|i| i.to_string()),
            status: o.status.into(),
            currency: o.currency.clone(),
            total_minor: o.total_minor,
            lines: o
                .lines
                .iter()
                .map(|l| OrderLineJson {
                    line_no: l.line_no,
                    product_id: l.product_id.map(|p| p.0),
                    sku: l.sku.clone(),
                    name: l.name.clone(),
                    quantity: l.quantity,
                    unit_price_minor: l.unit_price_minor,
                    total_minor: l.total_minor,
                })
                .collect(),
            user_id: o.user_id.map(|u| u.0),
            created: TimeJson::new(o.created_at_ms),
            updated: TimeJson::new(o.updated_at_ms),
        }
    }
}

/// A product of the catalog.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProductJson {
    id: i64,
    sku: String,
    name: String,
    unit_price_minor: i64,
    currency: String,
    active: bool,
}

impl From<Product> for ProductJson {
    fn from(p: Product) -> Self {
        ProductJson {
            id: p.id.0,
            sku: p.sku,
            name: p.name,
            unit_price_minor: p.unit_price_minor,
            currency: p.currency,
            active: p.active,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductList {
    products: Vec<ProductJson>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductQuery {
    /// List products no longer sold too.
    include_inactive: Option<bool>,
}

#[utoipa::path(get, path = "/products", tag = "orders", params(ProductQuery),
    responses((status = 200, description = "The catalog by SKU", body = ProductList), Errors))]
pub async fn products(
    caller: Caller,
    query: Result<Query<ProductQuery>, QueryRejection>,
) -> Result<Json<ProductList>, ApiError> {
    let Query(query) = query?;
    let products = caller
        .tenant
        .products(query.include_inactive.unwrap_or(false))
        .await?
        .into_iter()
        .map(ProductJson::from)
        .collect();
    Ok(Json(ProductList { products }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProductBody {
    /// 1 to 64 characters without spaces, unique in the tenant.
    sku: String,
    name: String,
    /// In minor units (cents), not negative.
    unit_price_minor: i64,
    /// ISO 4217 (`EUR`).
    currency: String,
    /// Orderable (`true` by default).
    active: Option<bool>,
}

fn new_product(body: ProductBody) -> Result<NewProduct, ApiError> {
    let sku = crm::Sku::new(&body.sku).map_err(|e| ApiError::BadRequest(e.to_string()))?;
    let currency: crm::Currency = body
        .currency
        .parse()
        .map_err(|e: crm::MoneyError| ApiError::BadRequest(e.to_string()))?;
    if body.unit_price_minor < 0 {
        return Err(ApiError::BadRequest(
            "unit_price_minor must not be negative".to_owned(),
        ));
    }
    Ok(NewProduct {
        sku: sku.as_str().to_owned(),
        name: pagination::text("name", &body.name, 200)?,
        unit_price_minor: body.unit_price_minor,
        currency: currency.as_str().to_owned(),
        active: body.active.unwrap_or(true),
    })
}

fn admin(caller: &Caller) -> Result<(), ApiError> {
    if caller.may_administer() {
        Ok(())
    } else {
        Err(ApiError::Forbidden("change the catalog"))
    }
}

#[utoipa::path(post, path = "/products", tag = "orders", request_body = ProductBody,
    responses((status = 201, description = "Added", body = ProductJson), Errors))]
pub async fn create_product(
    caller: Caller,
    body: Result<Json<ProductBody>, JsonRejection>,
) -> Result<(StatusCode, Json<ProductJson>), ApiError> {
    admin(&caller)?;
    let Json(body) = body?;
    let product = caller
        .tenant
        .create_product(&new_product(body)?, crate::log::now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(product.into())))
}

#[utoipa::path(put, path = "/products/{id}", tag = "orders",
    params(("id" = i64, Path, description = "The product id")),
    request_body = ProductBody,
    responses((status = 200, description = "Changed (past orders keep what they sold)", body = ProductJson), Errors))]
pub async fn update_product(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<ProductBody>, JsonRejection>,
) -> Result<Json<ProductJson>, ApiError> {
    admin(&caller)?;
    let Path(id) = id?;
    let Json(body) = body?;
    let product = caller
        .tenant
        .update_product(ProductId(id), &new_product(body)?, crate::log::now_ms())
        .await?;
    Ok(Json(product.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineBody {
    sku: String,
    /// 1 to 100,000.
    quantity: u32,
}

/// The status an order is created in.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum NewStatus {
    Draft,
    Placed,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrderBody {
    /// ISO 4217; every product ordered must be priced in it.
    currency: String,
    /// At most 200.
    lines: Vec<LineBody>,
    /// `placed` by default.
    status: Option<NewStatus>,
}

fn refused(message: String) -> ApiError {
    ApiError::Unprocessable {
        code: "invalid_order",
        message,
        details: serde_json::Map::new(),
    }
}

#[utoipa::path(post, path = "/tickets/{id}/orders", tag = "orders",
    params(("id" = i64, Path, description = "The ticket id")),
    request_body = OrderBody,
    responses((status = 201, description = "Placed, priced from the catalog", body = OrderJson), Errors))]
pub async fn create(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
    body: Result<Json<OrderBody>, JsonRejection>,
) -> Result<(StatusCode, Json<OrderJson>), ApiError> {
    let Path(id) = id?;
    let Json(body) = body?;
    if body.lines.len() > MAX_LINES {
        return Err(ApiError::BadRequest(format!("at most {MAX_LINES} lines")));
    }
    let currency: crm::Currency = body
        .currency
        .parse()
        .map_err(|e: crm::MoneyError| ApiError::BadRequest(e.to_string()))?;
    let status = body.status.unwrap_or(NewStatus::Placed);
    if matches!(status, NewStatus::Placed) && body.lines.is_empty() {
        return Err(refused(crm::OrderError::Empty.to_string()));
    }
    let lines = body
        .lines
        .iter()
        .map(|l| {
            Ok(crm::OrderLine {
                sku: crm::Sku::new(&l.sku).map_err(|e| refused(e.to_string()))?,
                quantity: l.quantity,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    let ticket = find(&caller, store::TicketId(id)).await?;
    let stored = caller.tenant.products(false).await?;
    // Catalog rows that `crm` would refuse (a SKU or currency written by an older version)
    // are left out: ordering them answers "unknown SKU".
    let catalog_products: Vec<crm::Product> = stored
        .iter()
        .filter_map(|p| {
            Some(crm::Product {
                sku: crm::Sku::new(&p.sku).ok()?,
                name: p.name.clone(),
                unit_price: crm::Money {
                    minor: p.unit_price_minor,
                    currency: p.currency.parse().ok()?,
                },
            })
        })
        .collect();
    let catalog = crm::Catalog::new(catalog_products).map_err(|e| refused(e.to_string()))?;
    let priced =
        crm::price_order(&catalog, currency, &lines).map_err(|e| refused(e.to_string()))?;
    let product_ids = |sku: &crm::Sku| stored.iter().find(|p| p.sku == sku.as_str()).map(|p| p.id);
    let contacts = caller.tenant.ticket_contacts(ticket.id).await?;
    let order = NewOrder {
        ticket_id: Some(ticket.id),
        customer_id: ticket.customer_id,
        interaction_id: contacts.last().map(|c| c.interaction_id),
        status: match status {
            NewStatus::Draft => OrderStatus::Draft,
            NewStatus::Placed => OrderStatus::Placed,
        },
        currency: currency.as_str().to_owned(),
        total_minor: priced.total.minor,
        lines: priced
            .lines
            .iter()
            .map(|l| NewOrderLine {
                product_id: product_ids(&l.sku),
                sku: l.sku.as_str().to_owned(),
                name: l.name.clone(),
                quantity: i64::from(l.quantity),
                unit_price_minor: l.unit_price.minor,
                total_minor: l.line_total.minor,
            })
            .collect(),
        user_id: Some(caller.user_id),
    };
    let order = caller
        .tenant
        .create_order(&order, crate::log::now_ms())
        .await?;
    Ok((StatusCode::CREATED, Json(OrderJson::from(&order))))
}

#[utoipa::path(get, path = "/orders/{id}", tag = "orders",
    params(("id" = i64, Path, description = "The order id")),
    responses((status = 200, description = "The order with its lines", body = OrderJson), Errors))]
pub async fn detail(
    caller: Caller,
    id: Result<Path<i64>, PathRejection>,
) -> Result<Json<OrderJson>, ApiError> {
    let Path(id) = id?;
    let order = caller
        .tenant
        .order(OrderId(id))
        .await?
        .ok_or(ApiError::NotFound("order"))?;
    Ok(Json(OrderJson::from(&order)))
}
