//! Simple orders placed by agents during a contact: lines of catalog products, a total in one
//! currency with checked arithmetic, and the order's status.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money, MoneyError};

/// Most units of one product on one line: a typo guard, and it keeps totals far from overflow
/// for any sane price.
pub const MAX_QUANTITY: u32 = 100_000;

/// Problems with products, lines and status changes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    /// Two catalog products share a SKU.
    #[error("product {0} is in the catalog twice")]
    DuplicateSku(String),
    /// A line names a SKU the catalog lacks.
    #[error("no product {0} in the catalog")]
    UnknownSku(String),
    /// Zero, or more than [`MAX_QUANTITY`].
    #[error("quantity {quantity} of {sku} is not between 1 and {MAX_QUANTITY}")]
    BadQuantity {
        /// The line's SKU.
        sku: String,
        /// The refused quantity.
        quantity: u32,
    },
    /// A product priced in another currency than the order's.
    #[error("{sku} is priced in {found}, the order is in {expected}")]
    MixedCurrencies {
        /// The line's SKU.
        sku: String,
        /// The order's currency.
        expected: Currency,
        /// The product's currency.
        found: Currency,
    },
    /// An order needs at least one line to be placed.
    #[error("an order needs at least one line")]
    Empty,
    /// A total does not fit.
    #[error(transparent)]
    Money(#[from] MoneyError),
    /// The status change is not allowed.
    #[error("cannot go from {from} to {to}")]
    BadStatusChange {
        /// Current status.
        from: OrderStatus,
        /// Requested status.
        to: OrderStatus,
    },
    /// A SKU that is blank or too long.
    #[error("SKU must be 1 to 64 characters without spaces")]
    BadSku,
}

/// A stock-keeping unit code, 1 to 64 characters without whitespace.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Sku(String);

impl Sku {
    /// Checks `text`.
    pub fn new(text: &str) -> Result<Sku, OrderError> {
        let ok = (1..=64).contains(&text.chars().count())
            && !text.chars().any(|c| c.is_whitespace() || c.is_control());
        if ok {
            Ok(Sku(text.to_owned()))
        } else {
            Err(OrderError::BadSku)
        }
    }

    /// The code.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Sku {
    type Error = OrderError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Sku::new(&s)
    }
}

impl From<Sku> for String {
    fn from(s: Sku) -> String {
        s.0
    }
}

impl fmt::Display for Sku {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A product of the tenant's catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Product {
    /// Its code.
    pub sku: Sku,
    /// What agents and customers see.
    pub name: String,
    /// Price of one unit.
    pub unit_price: Money,
}

/// A tenant's products by SKU.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    products: BTreeMap<Sku, Product>,
}

impl Catalog {
    /// A catalog; SKUs must be unique.
    pub fn new(products: Vec<Product>) -> Result<Catalog, OrderError> {
        let mut map = BTreeMap::new();
        for p in products {
            let sku = p.sku.clone();
            if map.insert(sku.clone(), p).is_some() {
                return Err(OrderError::DuplicateSku(sku.0));
            }
        }
        Ok(Catalog { products: map })
    }

    /// The product with `sku`.
    pub fn get(&self, sku: &Sku) -> Option<&Product> {
        self.products.get(sku)
    }
}

/// A line as the agent enters it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderLine {
    /// The product.
    pub sku: Sku,
    /// How many units.
    pub quantity: u32,
}

/// A line with its price, as stored with the order (prices may change in the catalog later).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedLine {
    /// The product.
    pub sku: Sku,
    /// Its name when ordered.
    pub name: String,
    /// How many units.
    pub quantity: u32,
    /// Its unit price when ordered.
    pub unit_price: Money,
    /// `unit_price × quantity`.
    pub line_total: Money,
}

/// Priced lines and their total.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PricedOrder {
    /// The lines, in the order given.
    pub lines: Vec<PricedLine>,
    /// The sum of the lines.
    pub total: Money,
}

/// Prices `lines` from `catalog` in `currency`: unknown products, bad quantities, mixed
/// currencies and overflowing totals are errors. An empty order totals zero.
pub fn price_order(
    catalog: &Catalog,
    currency: Currency,
    lines: &[OrderLine],
) -> Result<PricedOrder, OrderError> {
    let mut total = Money::zero(currency);
    let mut priced = Vec::with_capacity(lines.len());
    for line in lines {
        let product = catalog
            .get(&line.sku)
            .ok_or_else(|| OrderError::UnknownSku(line.sku.to_string()))?;
        if !(1..=MAX_QUANTITY).contains(&line.quantity) {
            return Err(OrderError::BadQuantity {
                sku: line.sku.to_string(),
                quantity: line.quantity,
            });
        }
        if product.unit_price.currency != currency {
            return Err(OrderError::MixedCurrencies {
                sku: line.sku.to_string(),
                expected: currency,
                found: product.unit_price.currency,
            });
        }
        let line_total = product.unit_price.checked_mul(line.quantity)?;
        total = total.checked_add(line_total)?;
        priced.push(PricedLine {
            sku: line.sku.clone(),
            name: product.name.clone(),
            quantity: line.quantity,
            unit_price: product.unit_price,
            line_total,
        });
    }
    Ok(PricedOrder {
        lines: priced,
        total,
    })
}

/// Where an order is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Being put together; lines may change.
    Draft,
    /// Confirmed with the customer.
    Placed,
    /// Called off (from draft or placed).
    Cancelled,
    /// Shipped or delivered; final.
    Fulfilled,
}

impl OrderStatus {
    /// Every status.
    pub const ALL: [OrderStatus; 4] = [
        OrderStatus::Draft,
        OrderStatus::Placed,
        OrderStatus::Cancelled,
        OrderStatus::Fulfilled,
    ];

    /// The name used in the API and the store.
    pub fn as_str(&self) -> &'static str {
        match self {
            OrderStatus::Draft => "draft",
            OrderStatus::Placed => "placed",
            OrderStatus::Cancelled => "cancelled",
            OrderStatus::Fulfilled => "fulfilled",
        }
    }

    /// Moves to `to`: draft → placed (needs a line) or cancelled; placed → fulfilled or
    /// cancelled. Cancelled and fulfilled are final.
    pub fn change_to(self, to: OrderStatus, line_count: usize) -> Result<OrderStatus, OrderError> {
        use OrderStatus as S;
        match (self, to) {
            (S::Draft, S::Placed) if line_count == 0 => Err(OrderError::Empty),
            (S::Draft, S::Placed | S::Cancelled) | (S::Placed, S::Fulfilled | S::Cancelled) => {
                Ok(to)
            }
            _ => Err(OrderError::BadStatusChange { from: self, to }),
        }
    }
}

from_str_by_name!(OrderStatus);

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        "EUR".parse().unwrap()
    }

    fn product(sku: &str, price: &str, currency: Currency) -> Product {
        Product {
            sku: Sku::new(sku).unwrap(),
            name: format!("Product {sku}"),
            unit_price: Money::parse(price, currency).unwrap(),
        }
    }

    fn catalog() -> Catalog {
        Catalog::new(vec![
            product("SIM", "9.99", eur()),
            product("ROUTER", "129", eur()),
            product("US-PLAN", "20", "USD".parse().unwrap()),
            Product {
                sku: Sku::new("GOLD").unwrap(),
                name: "Gold".into(),
                unit_price: Money {
                    minor: i64::MAX / 2,
                    currency: eur(),
                },
            },
        ])
        .unwrap()
    }

    fn line(sku: &str, quantity: u32) -> OrderLine {
        OrderLine {
            sku: Sku::new(sku).unwrap(),
            quantity,
        }
    }

    #[test]
    fn totals_add_the_lines() {
        let order = price_order(&catalog(), eur(), &[line("SIM", 3), line("ROUTER", 1)]).unwrap();
        assert_eq!(order.lines[0].line_total.minor, 2997);
        assert_eq!(order.total, Money::parse("158.97", eur()).unwrap());
    }

    #[test]
    fn overflowing_totals_are_errors() {
        let err = price_order(&catalog(), eur(), &[line("GOLD", 2), line("GOLD", 1)]);
        assert_eq!(err, Err(OrderError::Money(MoneyError::Overflow)));
        assert!(price_order(&catalog(), eur(), &[line("GOLD", 3)]).is_err());
    }

    #[test]
    fn an_order_has_one_currency() {
        let err = price_order(&catalog(), eur(), &[line("SIM", 1), line("US-PLAN", 1)]);
        assert!(matches!(err, Err(OrderError::MixedCurrencies { .. })));
    }

    #[test]
    fn unknown_products_and_bad_quantities_are_refused() {
        assert_eq!(
            price_order(&catalog(), eur(), &[line("NOPE", 1)]),
            Err(OrderError::UnknownSku("NOPE".into()))
        );
        assert!(matches!(
            price_order(&catalog(), eur(), &[line("SIM", 0)]),
            Err(OrderError::BadQuantity { .. })
        ));
        assert!(matches!(
            price_order(&catalog(), eur(), &[line("SIM", MAX_QUANTITY + 1)]),
            Err(OrderError::BadQuantity { .. })
        ));
    }

    #[test]
    fn catalogs_refuse_duplicate_skus() {
        let dup = Catalog::new(vec![product("A", "1", eur()), product("A", "2", eur())]);
        assert_eq!(dup, Err(OrderError::DuplicateSku("A".into())));
        assert!(Sku::new("two words").is_err());
        assert!(Sku::new("").is_err());
    }

    #[test]
    fn status_names_read_back() {
        for s in OrderStatus::ALL {
            assert_eq!(s.as_str().parse::<OrderStatus>(), Ok(s));
            assert_eq!(serde_json::to_string(&s).unwrap(), format!("\"{s}\""));
        }
    }

    #[test]
    fn status_follows_draft_placed_fulfilled() {
        use OrderStatus as S;
        assert_eq!(S::Draft.change_to(S::Placed, 1), Ok(S::Placed));
        assert_eq!(S::Draft.change_to(S::Placed, 0), Err(OrderError::Empty));
        assert_eq!(S::Placed.change_to(S::Fulfilled, 1), Ok(S::Fulfilled));
        assert_eq!(S::Placed.change_to(S::Cancelled, 1), Ok(S::Cancelled));
        assert!(S::Draft.change_to(S::Fulfilled, 1).is_err());
        assert!(S::Fulfilled.change_to(S::Cancelled, 1).is_err());
        assert!(S::Cancelled.change_to(S::Placed, 1).is_err());
    }
}
