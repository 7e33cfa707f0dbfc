//! The store's one error type, and the single place where database errors become values the
//! caller can match on (a duplicate username is not the same failure as a lost connection).

use std::fmt;

use sqlx::error::ErrorKind;

use crate::ids::TenantId;

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL names no backend this crate speaks (`sqlite:` or `postgres:`).
    #[error("unsupported database URL scheme in {0:?}: expected sqlite:// or postgres://")]
    UnsupportedUrl(String),
    /// [`crate::Store::tenant`] was asked for a tenant that does not exist.
    #[error("unknown tenant {0}")]
    UnknownTenant(TenantId),
    /// A unique key is already taken.
    #[error("{0} already exists")]
    Duplicate(Unique),
    /// The row to change or remove does not exist in this tenant.
    #[error("{0} not found")]
    NotFound(Entity),
    /// A row refers to a user, queue, flow or interaction that does not exist in this tenant.
    #[error("a referenced row does not exist in this tenant")]
    MissingReference,
    /// The row changed since the caller read it (an optimistic check failed: another agent
    /// moved the ticket first); read it again and retry or tell the user.
    #[error("{0} was changed by someone else")]
    Conflict(Entity),
    /// The caller passed a value the store refuses (bad E.164 number, path escaping the data
    /// directory, malformed HA1...).
    #[error("invalid {what}: {why}")]
    Invalid {
        /// Which argument.
        what: &'static str,
        /// Why it was refused.
        why: String,
    },
    /// A row holds a value this version cannot read (unknown role, malformed JSON...).
    #[error("corrupt value in column {column}: {why}")]
    Corrupt {
        /// The column read.
        column: &'static str,
        /// What was wrong.
        why: String,
    },
    /// Hashing or verifying a web password failed for a reason other than a wrong password.
    #[error("password hashing failed: {0}")]
    PasswordHash(String),
    /// The operating system's random number generator failed.
    #[error("random number generator failed: {0}")]
    Random(String),
    /// Applying the schema migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database failure (connection lost, timeout, I/O...).
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

/// The store's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Which unique key a [`Error::Duplicate`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Unique {
    /// A tenant's slug.
    TenantSlug,
    /// A username within a tenant.
    Username,
    /// A SIP extension within a tenant.
    Extension,
    /// An API token's hash (a collision means the RNG is broken).
    ApiToken,
    /// A queue name within a tenant.
    QueueName,
    /// A flow name within a tenant.
    FlowName,
    /// A flow version.
    FlowVersion,
    /// An E.164 number (numbers are unique across tenants).
    Number,
    /// An interaction id.
    Interaction,
    /// An event's (interaction, seq).
    EventSeq,
    /// A user's membership of a queue.
    QueueMember,
    /// A registration's (aor, contact).
    Registration,
    /// A customer's external id within a tenant.
    CustomerExternalId,
    /// A ticket category name within a tenant.
    TicketCategoryName,
    /// A product SKU within a tenant.
    ProductSku,
    /// A disposition code within its queue or campaign.
    DispositionCode,
    /// A script name within a tenant.
    ScriptName,
    /// A script version.
    ScriptVersion,
    /// A key this version does not name.
    Other,
}

/// Each unique key with the PostgreSQL constraint name and the SQLite message fragment that
/// identify it; the migrations give both backends the same names.
const UNIQUES: &[(Unique, &str, &str)] = &[
    (Unique::TenantSlug, "tenants_slug_key", "tenants.slug"),
    (Unique::Username, "users_username_key", "users.username"),
    (Unique::Extension, "users_extension_key", "users.extension"),
    (
        Unique::ApiToken,
        "api_tokens_hash_key",
        "api_tokens.token_hash",
    ),
    (Unique::QueueName, "queues_name_key", "queues.name"),
    (Unique::FlowName, "flows_name_key", "flows.name"),
    (Unique::FlowVersion, "flow_versions_pkey", "flow_versions."),
    (Unique::Number, "numbers_pkey", "numbers.e164"),
    (Unique::Interaction, "interactions_pkey", "interactions.id"),
    (
        Unique::EventSeq,
        "interaction_events_pkey",
        "interaction_events.",
    ),
    (Unique::QueueMember, "queue_members_pkey", "queue_members."),
    (
        Unique::Registration,
        "registrations_contact_key",
        "registrations.aor",
    ),
    (
        Unique::CustomerExternalId,
        "customers_external_id_key",
        "customers.external_id",
    ),
    (
        Unique::TicketCategoryName,
        "ticket_categories_name_key",
        "ticket_categories.name",
    ),
    (Unique::ProductSku, "products_sku_key", "products.sku"),
    (
        Unique::DispositionCode,
        "dispositions_queue_code_key",
        "dispositions.queue_id",
    ),
    (
        Unique::DispositionCode,
        "dispositions_campaign_code_key",
        "dispositions.campaign",
    ),
    (Unique::ScriptName, "scripts_name_key", "scripts.name"),
    (
        Unique::ScriptVersion,
        "script_versions_pkey",
        "script_versions.",
    ),
];

impl fmt::Display for Unique {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unique::TenantSlug => "tenant slug",
            Unique::Username => "username",
            Unique::Extension => "extension",
            Unique::ApiToken => "API token",
            Unique::QueueName => "queue name",
            Unique::FlowName => "flow name",
            Unique::FlowVersion => "flow version",
            Unique::Number => "number",
            Unique::Interaction => "interaction",
            Unique::EventSeq => "event sequence number",
            Unique::QueueMember => "queue member",
            Unique::Registration => "registration",
            Unique::CustomerExternalId => "customer external id",
            Unique::TicketCategoryName => "ticket category name",
            Unique::ProductSku => "product SKU",
            Unique::DispositionCode => "disposition code",
            Unique::ScriptName => "script name",
            Unique::ScriptVersion => "script version",
            Unique::Other => "unique key",
        })
    }
}

/// What a [`Error::NotFound`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Entity {
    /// A user.
    User,
    /// An API token.
    ApiToken,
    /// A queue.
    Queue,
    /// A queue membership.
    QueueMember,
    /// A flow or flow version.
    Flow,
    /// A number.
    Number,
    /// A registration.
    Registration,
    /// An interaction.
    Interaction,
    /// A recording.
    Recording,
    /// A customer.
    Customer,
    /// A ticket.
    Ticket,
    /// A ticket category.
    TicketCategory,
    /// An SLA policy.
    SlaPolicy,
    /// A product.
    Product,
    /// An order.
    Order,
    /// A disposition.
    Disposition,
    /// A script or script version.
    Script,
    /// A knowledge-base article.
    KbArticle,
}

impl fmt::Display for Entity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Entity::User => "user",
            Entity::ApiToken => "API token",
            Entity::Queue => "queue",
            Entity::QueueMember => "queue member",
            Entity::Flow => "flow",
            Entity::Number => "number",
            Entity::Registration => "registration",
            Entity::Interaction => "interaction",
            Entity::Recording => "recording",
            Entity::Customer => "customer",
            Entity::Ticket => "ticket",
            Entity::TicketCategory => "ticket category",
            Entity::SlaPolicy => "SLA policy",
            Entity::Product => "product",
            Entity::Order => "order",
            Entity::Disposition => "disposition",
            Entity::Script => "script",
            Entity::KbArticle => "knowledge-base article",
        })
    }
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        let sqlx::Error::Database(db) = &e else {
            return Error::Database(e);
        };
        match db.kind() {
            ErrorKind::UniqueViolation => {
                let constraint = db.constraint();
                let message = db.message();
                let which = UNIQUES
                    .iter()
                    .find(|(_, pg, sqlite)| {
                        constraint == Some(*pg)
                            || (constraint.is_none() && message.contains(sqlite))
                    })
                    .map_or(Unique::Other, |(unique, _, _)| *unique);
                Error::Duplicate(which)
            }
            ErrorKind::ForeignKeyViolation => Error::MissingReference,
            _ => Error::Database(e),
        }
    }
}

impl Error {
    pub(crate) fn invalid(what: &'static str, why: impl Into<String>) -> Self {
        Error::Invalid {
            what,
            why: why.into(),
        }
    }

    pub(crate) fn corrupt(column: &'static str, why: impl fmt::Display) -> Self {
        Error::Corrupt {
            column,
            why: why.to_string(),
        }
    }
}

/// `Ok` when an UPDATE or DELETE touched a row, [`Error::NotFound`] otherwise.
pub(crate) fn found(rows_affected: u64, entity: Entity) -> Result<()> {
    if rows_affected == 0 {
        Err(Error::NotFound(entity))
    } else {
        Ok(())
    }
}
