//! The demo data `plateau demo` starts with: tenant `demo`, five agents on extensions
//! 1001–1005, an admin, queues `sales` and `support` (every agent in both), flow `demo` and the
//! number +33100000000 routed to it, and an API token for the admin.
//!
//! Seeding is idempotent: run again on the same database, it finds every row by its name and
//! creates none twice. The secrets are the exception, by design: the caller passes fresh
//! passwords at each start (and prints them), so they are written again, and the admin's `demo`
//! token is rotated, so what was printed always works. Passwords come from the caller together
//! with their SIP HA1s because HA1 is computed by the `sip` crate, which this crate does not use.

use crate::db::Store;
use crate::error::{Error, Result};
use crate::password::PasswordHash;
use crate::queue::QueueSettings;
use crate::tenant::Tenant;
use crate::token::TokenSecret;
use crate::user::{NewUser, Role, SipHa1, User};

/// One agent of the demo roster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoAgent {
    /// Login name.
    pub username: &'static str,
    /// Name shown.
    pub display_name: &'static str,
    /// SIP extension (and digest username).
    pub extension: &'static str,
}

/// The demo agents, in extension order.
pub const DEMO_AGENTS: [DemoAgent; 5] = [
    DemoAgent {
        username: "alice",
        display_name: "Alice Martin",
        extension: "1001",
    },
    DemoAgent {
        username: "bruno",
        display_name: "Bruno Petit",
        extension: "1002",
    },
    DemoAgent {
        username: "chloe",
        display_name: "Chloé Durand",
        extension: "1003",
    },
    DemoAgent {
        username: "driss",
        display_name: "Driss Benali",
        extension: "1004",
    },
    DemoAgent {
        username: "emma",
        display_name: "Emma Leroy",
        extension: "1005",
    },
];

/// The demo tenant's slug.
pub const DEMO_TENANT: &str = "demo";
/// The demo admin's username.
pub const DEMO_ADMIN: &str = "admin";
/// The demo queues.
pub const DEMO_QUEUES: [&str; 2] = ["sales", "support"];
/// The demo flow's name.
pub const DEMO_FLOW: &str = "demo";
/// The demo number.
pub const DEMO_NUMBER: &str = "+33100000000";
/// The name of the admin's demo token.
pub const DEMO_TOKEN: &str = "demo";

/// An agent's secret: one password for the web and the phone, and its SIP HA1s.
#[derive(Debug, Clone)]
pub struct AgentSecret {
    /// The password (printed by the caller).
    pub password: String,
    /// `H(extension:realm:password)`.
    pub sip: SipHa1,
}

/// What the caller chose for this start.
#[derive(Debug, Clone)]
pub struct DemoSeed<'a> {
    /// One secret per [`DEMO_AGENTS`] entry, in the same order.
    pub agents: Vec<AgentSecret>,
    /// The admin's web password.
    pub admin_password: String,
    /// The demo flow's YAML source.
    pub flow_yaml: &'a str,
    /// Now (unix ms).
    pub now_ms: i64,
}

/// What seeding produced.
#[derive(Debug, Clone)]
pub struct DemoSeeded {
    /// The demo tenant.
    pub tenant: Tenant,
    /// Whether this run created the tenant (false: it found an earlier seeding).
    pub created: bool,
    /// The agents, in [`DEMO_AGENTS`] order.
    pub agents: Vec<User>,
    /// The admin.
    pub admin: User,
    /// The admin's API token (only chance to see it).
    pub admin_token: TokenSecret,
}

/// Creates or refreshes the demo data (see the module doc).
pub async fn seed_demo(store: &Store, seed: &DemoSeed<'_>) -> Result<DemoSeeded> {
    if seed.agents.len() != DEMO_AGENTS.len() {
        return Err(Error::invalid(
            "demo secrets",
            format!("expected {} agents", DEMO_AGENTS.len()),
        ));
    }
    let now = seed.now_ms;
    let (tenant, created) = match store.tenant_by_slug(DEMO_TENANT).await? {
        Some(tenant) => (tenant, false),
        None => (store.create_tenant("Demo", DEMO_TENANT, now).await?, true),
    };
    let demo = store.tenant(tenant.id).await?;

    let mut passwords: Vec<String> = seed.agents.iter().map(|a| a.password.clone()).collect();
    passwords.push(seed.admin_password.clone());
    let mut hashes = tokio::task::spawn_blocking(move || {
        passwords
            .iter()
            .map(|p| PasswordHash::hash(p))
            .collect::<Result<Vec<_>>>()
    })
    .await
    .map_err(|e| Error::PasswordHash(e.to_string()))??;
    let admin_hash = hashes.pop();

    let mut agents = Vec::with_capacity(DEMO_AGENTS.len());
    for ((agent, secret), hash) in DEMO_AGENTS.iter().zip(&seed.agents).zip(hashes) {
        let user = match demo.user_by_username(agent.username).await? {
            Some(user) => user,
            None => {
                let new = NewUser {
                    username: agent.username.to_owned(),
                    display_name: agent.display_name.to_owned(),
                    role: Role::Agent,
                    password: None,
                    extension: Some(agent.extension.to_owned()),
                    sip: None,
                    enabled: true,
                };
                demo.create_user(&new, now).await?
            }
        };
        demo.set_password(user.id, Some(&hash)).await?;
        demo.set_sip_secret(user.id, Some(&secret.sip)).await?;
        agents.push(user);
    }

    let admin = match demo.user_by_username(DEMO_ADMIN).await? {
        Some(admin) => admin,
        None => {
            let new = NewUser {
                username: DEMO_ADMIN.to_owned(),
                display_name: "Administrator".to_owned(),
                role: Role::Admin,
                password: None,
                extension: None,
                sip: None,
                enabled: true,
            };
            demo.create_user(&new, now).await?
        }
    };
    demo.set_password(admin.id, admin_hash.as_ref()).await?;

    for name in DEMO_QUEUES {
        let queue = match demo.queue_by_name(name).await? {
            Some(queue) => queue,
            None => {
                demo.create_queue(name, &QueueSettings::default(), now)
                    .await?
            }
        };
        for agent in &agents {
            demo.set_queue_member(queue.id, agent.id, 0).await?;
        }
    }

    let flow = match demo.flow_by_name(DEMO_FLOW).await? {
        Some(flow) => demo.active_flow_version(flow.id).await?,
        None => None,
    };
    let flow_id = match flow {
        Some(active) if active.source == seed.flow_yaml => active.flow_id,
        _ => {
            demo.save_flow(DEMO_FLOW, seed.flow_yaml, now, true)
                .await?
                .flow_id
        }
    };
    demo.set_number(DEMO_NUMBER, flow_id, now).await?;

    let (_, admin_token) = demo.rotate_api_token(admin.id, DEMO_TOKEN, now).await?;
    let agents = refreshed(&demo, agents).await?;
    let admin = demo.user(admin.id).await?.unwrap_or(admin);
    Ok(DemoSeeded {
        tenant,
        created,
        agents,
        admin,
        admin_token,
    })
}

/// The users read again, so `has_password` and `has_sip_secret` reflect what was just set.
async fn refreshed(demo: &crate::TenantStore, users: Vec<User>) -> Result<Vec<User>> {
    let mut out = Vec::with_capacity(users.len());
    for user in users {
        out.push(demo.user(user.id).await?.unwrap_or(user));
    }
    Ok(out)
}
