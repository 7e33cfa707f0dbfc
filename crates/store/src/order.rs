//! The tenant's product catalog and the orders agents place during a contact, attached to the
//! ticket (and the customer and the interaction). Prices are integers in the currency's minor
//! unit (cents). Totals are computed by the caller (`crm::order`, with checked arithmetic); the
//! store only refuses negative amounts and mixed currencies, and copies each line's SKU, name
//! and price as sold, so a later catalog change does not rewrite past orders.

use serde::{Deserialize, Serialize};
use sqlx::AnyConnection;
use sqlx::any::AnyRow;

use crate::db::{get, get_flag, get_parsed, insert_chunked};
use crate::error::{Entity, Error, Result, found};
use crate::ids::{CustomerId, InteractionId, OrderId, ProductId, TicketId, UserId};
use crate::tenant::TenantStore;
use crate::text_enum::text_enum;
use crate::ticket::customer_and_duplicates;

/// A product of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Product {
    /// Its id.
    pub id: ProductId,
    /// Stock-keeping unit, unique in the tenant.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Price of one unit, in minor units.
    pub unit_price_minor: i64,
    /// ISO 4217 code (`EUR`).
    pub currency: String,
    /// Whether it can be ordered.
    pub active: bool,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
    /// When it last changed.
    pub updated_at_ms: i64,
}

/// A product to create or the new values of one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProduct {
    /// Stock-keeping unit.
    pub sku: String,
    /// Display name.
    pub name: String,
    /// Price of one unit, in minor units (>= 0).
    pub unit_price_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
    /// Whether it can be ordered.
    pub active: bool,
}

/// Where an order stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Being put together.
    Draft,
    /// Confirmed by the customer.
    Placed,
    /// Called off.
    Cancelled,
    /// Delivered.
    Fulfilled,
}

text_enum!(OrderStatus, "order status",
    Draft => "draft",
    Placed => "placed",
    Cancelled => "cancelled",
    Fulfilled => "fulfilled",
);

/// One line of an order to write.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewOrderLine {
    /// The catalog product, when it comes from the catalog.
    pub product_id: Option<ProductId>,
    /// SKU as sold.
    pub sku: String,
    /// Name as sold.
    pub name: String,
    /// How many (> 0).
    pub quantity: i64,
    /// Unit price as sold, minor units (>= 0).
    pub unit_price_minor: i64,
    /// The line's total, minor units (>= 0), computed by the caller.
    pub total_minor: i64,
}

/// An order to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    /// The ticket it belongs to.
    pub ticket_id: Option<TicketId>,
    /// The customer.
    pub customer_id: Option<CustomerId>,
    /// The contact during which it was placed.
    pub interaction_id: Option<InteractionId>,
    /// Its status.
    pub status: OrderStatus,
    /// ISO 4217 code of every amount.
    pub currency: String,
    /// The order's total, minor units (>= 0), computed by the caller.
    pub total_minor: i64,
    /// Its lines, in order.
    pub lines: Vec<NewOrderLine>,
    /// The agent who placed it.
    pub user_id: Option<UserId>,
}

/// A stored order line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OrderLine {
    /// 1, 2, 3... in the order.
    pub line_no: i64,
    /// The catalog product, if any.
    pub product_id: Option<ProductId>,
    /// SKU as sold.
    pub sku: String,
    /// Name as sold.
    pub name: String,
    /// How many.
    pub quantity: i64,
    /// Unit price as sold.
    pub unit_price_minor: i64,
    /// The line's total.
    pub total_minor: i64,
}

/// A stored order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Order {
    /// Its id.
    pub id: OrderId,
    /// The ticket it belongs to.
    pub ticket_id: Option<TicketId>,
    /// The customer.
    pub customer_id: Option<CustomerId>,
    /// The contact during which it was placed.
    pub interaction_id: Option<InteractionId>,
    /// Its status.
    pub status: OrderStatus,
    /// ISO 4217 code.
    pub currency: String,
    /// Its total.
    pub total_minor: i64,
    /// Its lines.
    pub lines: Vec<OrderLine>,
    /// The agent who placed it.
    pub user_id: Option<UserId>,
    /// When it was created (unix ms).
    pub created_at_ms: i64,
    /// When it last changed.
    pub updated_at_ms: i64,
}

macro_rules! product_columns {
    () => {
        "id, sku, name, unit_price_minor, currency, active, created_at_ms, updated_at_ms"
    };
}

macro_rules! order_columns {
    () => {
        "id, ticket_id, customer_id, interaction_id, status, currency, total_minor, user_id, \
         created_at_ms, updated_at_ms"
    };
}

impl Product {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(Product {
            id: ProductId(get(row, "id")?),
            sku: get(row, "sku")?,
            name: get(row, "name")?,
            unit_price_minor: get(row, "unit_price_minor")?,
            currency: get(row, "currency")?,
            active: get_flag(row, "active")?,
            created_at_ms: get(row, "created_at_ms")?,
            updated_at_ms: get(row, "updated_at_ms")?,
        })
    }
}

impl Order {
    fn from_row(row: &AnyRow, lines: Vec<OrderLine>) -> Result<Self> {
        let interaction: Option<String> = get(row, "interaction_id")?;
        Ok(Order {
            id: OrderId(get(row, "id")?),
            ticket_id: get::<Option<i64>>(row, "ticket_id")?.map(TicketId),
            customer_id: get::<Option<i64>>(row, "customer_id")?.map(CustomerId),
            interaction_id: interaction
                .map(|id| id.parse())
                .transpose()
                .map_err(|e| Error::corrupt("orders.interaction_id", e))?,
            status: get_parsed(row, "status")?,
            currency: get(row, "currency")?,
            total_minor: get(row, "total_minor")?,
            lines,
            user_id: get::<Option<i64>>(row, "user_id")?.map(UserId),
            created_at_ms: get(row, "created_at_ms")?,
            updated_at_ms: get(row, "updated_at_ms")?,
        })
    }
}

impl OrderLine {
    fn from_row(row: &AnyRow) -> Result<Self> {
        Ok(OrderLine {
            line_no: get(row, "line_no")?,
            product_id: get::<Option<i64>>(row, "product_id")?.map(ProductId),
            sku: get(row, "sku")?,
            name: get(row, "name")?,
            quantity: get(row, "quantity")?,
            unit_price_minor: get(row, "unit_price_minor")?,
            total_minor: get(row, "total_minor")?,
        })
    }
}

/// Three uppercase ASCII letters.
fn check_currency(currency: &str) -> Result<()> {
    if currency.len() == 3 && currency.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(())
    } else {
        Err(Error::invalid("currency", "an ISO 4217 code such as EUR"))
    }
}

fn check_amount(what: &'static str, minor: i64) -> Result<()> {
    if minor < 0 {
        Err(Error::invalid(what, "must not be negative"))
    } else {
        Ok(())
    }
}

fn check_product(product: &NewProduct) -> Result<()> {
    if product.sku.trim().is_empty() || product.name.trim().is_empty() {
        return Err(Error::invalid("product", "SKU and name must not be empty"));
    }
    check_currency(&product.currency)?;
    check_amount("unit price", product.unit_price_minor)
}

fn check_order(order: &NewOrder) -> Result<()> {
    check_currency(&order.currency)?;
    check_amount("order total", order.total_minor)?;
    for line in &order.lines {
        if line.quantity <= 0 {
            return Err(Error::invalid("quantity", "must be at least 1"));
        }
        if line.sku.trim().is_empty() {
            return Err(Error::invalid("order line", "SKU must not be empty"));
        }
        check_amount("unit price", line.unit_price_minor)?;
        check_amount("line total", line.total_minor)?;
    }
    Ok(())
}

impl TenantStore {
    /// Adds a product to the catalog; [`Error::Duplicate`] if the SKU is taken.
    pub async fn create_product(&self, product: &NewProduct, now_ms: i64) -> Result<Product> {
        check_product(product)?;
        let row = sqlx::query(concat!(
            "INSERT INTO products (tenant_id, sku, name, unit_price_minor, currency, active, \
             created_at_ms, updated_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING ",
            product_columns!()
        ))
        .bind(self.tid())
        .bind(product.sku.clone())
        .bind(product.name.clone())
        .bind(product.unit_price_minor)
        .bind(product.currency.clone())
        .bind(product.active)
        .bind(now_ms)
        .fetch_one(self.store.pool())
        .await?;
        Product::from_row(&row)
    }

    /// Changes a product (past orders keep what they sold).
    pub async fn update_product(
        &self,
        id: ProductId,
        product: &NewProduct,
        now_ms: i64,
    ) -> Result<Product> {
        check_product(product)?;
        let row = sqlx::query(concat!(
            "UPDATE products SET sku = $3, name = $4, unit_price_minor = $5, currency = $6, \
             active = $7, updated_at_ms = $8 WHERE tenant_id = $1 AND id = $2 RETURNING ",
            product_columns!()
        ))
        .bind(self.tid())
        .bind(id.0)
        .bind(product.sku.clone())
        .bind(product.name.clone())
        .bind(product.unit_price_minor)
        .bind(product.currency.clone())
        .bind(product.active)
        .bind(now_ms)
        .fetch_optional(self.store.pool())
        .await?
        .ok_or(Error::NotFound(Entity::Product))?;
        Product::from_row(&row)
    }

    /// The product with this id.
    pub async fn product(&self, id: ProductId) -> Result<Option<Product>> {
        let row = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(self.tid())
        .bind(id.0)
        .fetch_optional(self.store.pool())
        .await?;
        row.as_ref().map(Product::from_row).transpose()
    }

    /// The catalog by SKU; only orderable products unless `include_inactive`.
    pub async fn products(&self, include_inactive: bool) -> Result<Vec<Product>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            product_columns!(),
            " FROM products WHERE tenant_id = $1 AND (active OR $2) ORDER BY sku"
        ))
        .bind(self.tid())
        .bind(include_inactive)
        .fetch_all(self.store.pool())
        .await?;
        rows.iter().map(Product::from_row).collect()
    }

    /// Writes an order and its lines in one transaction.
    pub async fn create_order(&self, order: &NewOrder, now_ms: i64) -> Result<Order> {
        check_order(order)?;
        let mut tx = self.store.write().await?;
        let row = sqlx::query(
            "INSERT INTO orders (tenant_id, ticket_id, customer_id, interaction_id, status, \
             currency, total_minor, user_id, created_at_ms, updated_at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(self.tid())
        .bind(order.ticket_id.map(|t| t.0))
        .bind(order.customer_id.map(|c| c.0))
        .bind(order.interaction_id.map(|i| i.to_string()))
        .bind(order.status.as_str())
        .bind(order.currency.clone())
        .bind(order.total_minor)
        .bind(order.user_id.map(|u| u.0))
        .bind(now_ms)
        .fetch_one(tx.conn())
        .await?;
        let id = OrderId(get(&row, "id")?);
        insert_lines(tx.conn(), self.tid(), id, &order.lines).await?;
        let order = select_order(tx.conn(), self.tid(), id).await?;
        tx.commit().await?;
        Ok(order)
    }

    /// Replaces an order's status, currency, total and lines (its ticket, customer and contact
    /// stay).
    pub async fn update_order(&self, id: OrderId, order: &NewOrder, now_ms: i64) -> Result<Order> {
        check_order(order)?;
        let mut tx = self.store.write().await?;
        let done = sqlx::query(
            "UPDATE orders SET status = $3, currency = $4, total_minor = $5, updated_at_ms = $6 \
             WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(order.status.as_str())
        .bind(order.currency.clone())
        .bind(order.total_minor)
        .bind(now_ms)
        .execute(tx.conn())
        .await?;
        found(done.rows_affected(), Entity::Order)?;
        sqlx::query("DELETE FROM order_lines WHERE tenant_id = $1 AND order_id = $2")
            .bind(self.tid())
            .bind(id.0)
            .execute(tx.conn())
            .await?;
        insert_lines(tx.conn(), self.tid(), id, &order.lines).await?;
        let order = select_order(tx.conn(), self.tid(), id).await?;
        tx.commit().await?;
        Ok(order)
    }

    /// Moves an order to `status`.
    pub async fn set_order_status(
        &self,
        id: OrderId,
        status: OrderStatus,
        now_ms: i64,
    ) -> Result<()> {
        let done = sqlx::query(
            "UPDATE orders SET status = $3, updated_at_ms = $4 WHERE tenant_id = $1 AND id = $2",
        )
        .bind(self.tid())
        .bind(id.0)
        .bind(status.as_str())
        .bind(now_ms)
        .execute(self.store.pool())
        .await?;
        found(done.rows_affected(), Entity::Order)
    }

    /// Deletes an order and its lines.
    pub async fn delete_order(&self, id: OrderId) -> Result<()> {
        let done = sqlx::query("DELETE FROM orders WHERE tenant_id = $1 AND id = $2")
            .bind(self.tid())
            .bind(id.0)
            .execute(self.store.pool())
            .await?;
        found(done.rows_affected(), Entity::Order)
    }

    /// The order with this id, with its lines.
    pub async fn order(&self, id: OrderId) -> Result<Option<Order>> {
        let mut conn = self.store.pool().acquire().await?;
        match select_order(&mut conn, self.tid(), id).await {
            Ok(order) => Ok(Some(order)),
            Err(Error::NotFound(Entity::Order)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// A ticket's orders, oldest first.
    pub async fn ticket_orders(&self, ticket: TicketId) -> Result<Vec<Order>> {
        self.orders_where("ticket_id = $2", ticket.0).await
    }

    /// A customer's orders (its merged duplicates' included), oldest first.
    pub async fn customer_orders(&self, customer: CustomerId) -> Result<Vec<Order>> {
        self.orders_where(
            concat!("customer_id IN ", customer_and_duplicates!("$2")),
            customer.0,
        )
        .await
    }

    /// The orders matching `condition` on `$2`, oldest first.
    async fn orders_where(&self, condition: &'static str, value: i64) -> Result<Vec<Order>> {
        let mut conn = self.store.pool().acquire().await?;
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT id FROM orders WHERE tenant_id = $1 AND {condition} ORDER BY id"
        )))
        .bind(self.tid())
        .bind(value)
        .fetch_all(&mut *conn)
        .await?;
        let mut orders = Vec::with_capacity(rows.len());
        for row in &rows {
            orders.push(select_order(&mut conn, self.tid(), OrderId(get(row, "id")?)).await?);
        }
        Ok(orders)
    }
}

async fn insert_lines(
    conn: &mut AnyConnection,
    tenant: i64,
    order: OrderId,
    lines: &[NewOrderLine],
) -> Result<()> {
    let numbered: Vec<(i64, &NewOrderLine)> = (1..).zip(lines).collect();
    insert_chunked(
        conn,
        "INSERT INTO order_lines (tenant_id, order_id, line_no, product_id, sku, name, quantity, \
         unit_price_minor, total_minor) VALUES {values}",
        2,
        7,
        &numbered,
        |q| q.bind(tenant).bind(order.0),
        |q, (n, line)| {
            q.bind(*n)
                .bind(line.product_id.map(|p| p.0))
                .bind(line.sku.clone())
                .bind(line.name.clone())
                .bind(line.quantity)
                .bind(line.unit_price_minor)
                .bind(line.total_minor)
        },
    )
    .await
}

/// The order with its lines, read on `conn`; [`Error::NotFound`] if not the tenant's.
async fn select_order(conn: &mut AnyConnection, tenant: i64, id: OrderId) -> Result<Order> {
    let row = sqlx::query(concat!(
        "SELECT ",
        order_columns!(),
        " FROM orders WHERE tenant_id = $1 AND id = $2"
    ))
    .bind(tenant)
    .bind(id.0)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or(Error::NotFound(Entity::Order))?;
    let lines = sqlx::query(
        "SELECT line_no, product_id, sku, name, quantity, unit_price_minor, total_minor \
         FROM order_lines WHERE tenant_id = $1 AND order_id = $2 ORDER BY line_no",
    )
    .bind(tenant)
    .bind(id.0)
    .fetch_all(&mut *conn)
    .await?;
    let lines = lines
        .iter()
        .map(OrderLine::from_row)
        .collect::<Result<_>>()?;
    Order::from_row(&row, lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies_are_three_uppercase_letters() {
        assert!(check_currency("EUR").is_ok());
        for bad in ["eur", "EURO", "E1R", ""] {
            assert!(check_currency(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn negative_amounts_and_empty_quantities_are_refused() {
        let line = NewOrderLine {
            product_id: None,
            sku: "BOX".to_owned(),
            name: "Box".to_owned(),
            quantity: 1,
            unit_price_minor: 100,
            total_minor: 100,
        };
        let order = NewOrder {
            ticket_id: None,
            customer_id: None,
            interaction_id: None,
            status: OrderStatus::Draft,
            currency: "EUR".to_owned(),
            total_minor: 100,
            lines: vec![line.clone()],
            user_id: None,
        };
        assert!(check_order(&order).is_ok());
        let bad = [
            NewOrder {
                total_minor: -1,
                ..order.clone()
            },
            NewOrder {
                lines: vec![NewOrderLine {
                    quantity: 0,
                    ..line.clone()
                }],
                ..order.clone()
            },
            NewOrder {
                lines: vec![NewOrderLine {
                    total_minor: -5,
                    ..line.clone()
                }],
                ..order.clone()
            },
            NewOrder {
                lines: vec![NewOrderLine {
                    unit_price_minor: -5,
                    ..line
                }],
                ..order
            },
        ];
        for order in bad {
            assert!(
                matches!(check_order(&order), Err(Error::Invalid { .. })),
                "{order:?}"
            );
        }
    }
}
