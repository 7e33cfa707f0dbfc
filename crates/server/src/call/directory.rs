//! What the switchboard knows from the store, read at start so that no call or REGISTER waits
//! on the database: tenants, numbers, flows (loaded and checked), queues, agents and their
//! queue memberships, and the SIP accounts (HA1s). A task reads it all again every
//! [`REFRESH`] and hands the switchboard the new directory: changed numbers, flows and
//! passwords apply to the next call or REGISTER, new queues, agents and memberships are
//! given to the `acd`.
//!
//! Which tenant a REGISTER is for (tenants have no SIP domain of their own yet): with a single
//! tenant in the store, that one, whatever the domain. With several, the To URI's host must be
//! `<slug>.<sip.domain>` (or the bare slug): `sip:1001@demo.plateau.local` registers extension
//! 1001 of tenant `demo`.
//!
//! Flows are loaded with `ivr::Flow::load` against the prompt library (in the flow's language)
//! and the tenant's queue names; a flow that does not load is logged with every error and its
//! line, and calls to its numbers are answered 480.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use acd::{AcdConfig, AgentConfig, Membership, QueueConfig, StrategyKind};
use media::prompt::PromptLibrary;
use sip::auth::{Algorithm, Ha1};
use store::{
    FlowId, NumberRoute, QueueId, QueueRouting, QueueSettings, SkillLevels, Store, TenantId,
    TenantStore, UserId,
};

use crate::sip::registrar::{Accounts, SipAccount};

/// How often the directory is read again.
pub(crate) const REFRESH: Duration = Duration::from_secs(60);

/// One tenant.
#[derive(Debug, Clone)]
pub(crate) struct TenantEntry {
    /// Its short name.
    pub(crate) slug: String,
    /// Its queues by name.
    pub(crate) queues_by_name: HashMap<String, QueueId>,
    /// Its agents.
    pub(crate) agents: Vec<UserId>,
    /// Its rows.
    pub(crate) store: TenantStore,
    /// Its time zone: business-hours branches of its flows read the time in it.
    pub(crate) time_zone: jiff::tz::TimeZone,
}

impl TenantEntry {
    /// The tenant's local time at `now`, to the minute.
    pub(crate) fn local_time(&self, now: jiff::Timestamp) -> Option<ivr::LocalTime> {
        let local = now.to_zoned(self.time_zone.clone());
        let date = ivr::Date::new(
            i32::from(local.year()),
            u8::try_from(local.month()).ok()?,
            u8::try_from(local.day()).ok()?,
        )?;
        ivr::LocalTime::new(
            date,
            u8::try_from(local.hour()).ok()?,
            u8::try_from(local.minute()).ok()?,
        )
    }
}

/// A tenant's time zone by IANA name; an unknown name is logged and read as UTC, so a typo
/// shifts business hours rather than stopping the tenant's calls.
fn time_zone(slug: &str, name: &str) -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get(name).unwrap_or_else(|error| {
        tracing::warn!(tenant = slug, time_zone = name, %error, "unknown time zone; using UTC");
        jiff::tz::TimeZone::UTC
    })
}

/// A flow, ready to run (or refused).
#[derive(Debug, Clone)]
pub(crate) struct FlowEntry {
    /// The active version.
    pub(crate) version: i64,
    /// The loaded flow; `None` when it did not load.
    pub(crate) flow: Option<Arc<ivr::Flow>>,
}

/// A queue.
#[derive(Debug, Clone)]
pub(crate) struct QueueEntry {
    /// Its name.
    pub(crate) name: String,
    /// Its settings.
    pub(crate) settings: QueueSettings,
    /// Its required skills and overflow.
    pub(crate) routing: QueueRouting,
}

/// An agent (a user who may take calls).
#[derive(Debug, Clone)]
pub(crate) struct AgentEntry {
    /// Their tenant.
    pub(crate) tenant: TenantId,
    /// Login name (in `offered`/`answered` events).
    pub(crate) username: String,
    /// Name shown.
    pub(crate) display_name: String,
    /// SIP extension, if they have a phone.
    pub(crate) extension: Option<String>,
    /// Queues they take calls from.
    pub(crate) queues: Vec<QueueId>,
    /// Their skills (proficiency 1–10).
    pub(crate) skills: SkillLevels,
}

/// Everything read from the store at start.
#[derive(Debug, Default)]
pub(crate) struct Directory {
    pub(crate) tenants: HashMap<TenantId, TenantEntry>,
    numbers: HashMap<String, NumberRoute>,
    flows: HashMap<FlowId, FlowEntry>,
    pub(crate) queues: HashMap<QueueId, QueueEntry>,
    pub(crate) agents: HashMap<UserId, AgentEntry>,
    /// Users with a phone who take no queued calls (supervisors, managers): their phones
    /// register and ring for what they ask (listening to a call), and the `acd` never sees
    /// them. Queues and skills are empty.
    pub(crate) staff: HashMap<UserId, AgentEntry>,
    accounts: HashMap<(TenantId, String), SipAccount>,
    domain: String,
}

/// The names a flow may use: prompts in the library, the tenant's queues. The directory and
/// the flows API check flows with it, so a flow the API accepts is one the directory loads.
pub(crate) struct FlowCatalog<'a> {
    library: &'a PromptLibrary,
    queues: &'a HashMap<String, QueueId>,
}

impl<'a> FlowCatalog<'a> {
    /// The prompts of `library` and the queues named in `queues`.
    pub(crate) fn new(library: &'a PromptLibrary, queues: &'a HashMap<String, QueueId>) -> Self {
        FlowCatalog { library, queues }
    }
}

impl ivr::Catalog for FlowCatalog<'_> {
    fn has_prompt(&self, language: &str, prompt: &str) -> bool {
        self.library.contains(language, prompt)
    }

    fn has_queue(&self, queue: &str) -> bool {
        self.queues.contains_key(queue)
    }
}

impl Directory {
    /// Reads every tenant's numbers, flows, queues, agents and SIP accounts.
    pub(crate) async fn load(
        store: &Store,
        library: &PromptLibrary,
        domain: &str,
    ) -> store::Result<Directory> {
        let mut directory = Directory {
            domain: domain.to_ascii_lowercase(),
            ..Directory::default()
        };
        for tenant in store.tenants().await? {
            let ts = store.tenant(tenant.id).await?;
            directory.load_tenant(&tenant, ts, library).await?;
        }
        Ok(directory)
    }

    async fn load_tenant(
        &mut self,
        tenant: &store::Tenant,
        ts: TenantStore,
        library: &PromptLibrary,
    ) -> store::Result<()> {
        let (id, slug) = (tenant.id, tenant.slug.as_str());
        let mut queues_by_name = HashMap::new();
        let mut members: HashMap<UserId, Vec<QueueId>> = HashMap::new();
        for queue in ts.queues().await? {
            for member in ts.queue_members(queue.id).await? {
                members.entry(member.user_id).or_default().push(queue.id);
            }
            queues_by_name.insert(queue.name.clone(), queue.id);
            let routing = ts.queue_routing(queue.id).await?;
            self.queues.insert(
                queue.id,
                QueueEntry {
                    name: queue.name,
                    settings: queue.settings,
                    routing,
                },
            );
        }
        let mut skills = ts.all_user_skills().await?;
        let mut agents = Vec::new();
        for user in ts.users().await? {
            let queues = members.remove(&user.id).unwrap_or_default();
            let takes_calls = user.role == store::Role::Agent || !queues.is_empty();
            if !takes_calls && user.extension.is_none() {
                continue;
            }
            if let Some(extension) = &user.extension
                && user.has_sip_secret
                && let Some(credentials) = ts.sip_credentials(extension).await?
            {
                match account(&credentials) {
                    Some(account) => {
                        self.accounts.insert((id, extension.clone()), account);
                    }
                    None => tracing::error!(
                        user = user.id.0,
                        "stored HA1 unreadable; the phone cannot register"
                    ),
                }
            }
            let entry = AgentEntry {
                tenant: id,
                username: user.username,
                display_name: user.display_name,
                extension: user.extension,
                queues,
                skills: skills.remove(&user.id).unwrap_or_default(),
            };
            if takes_calls {
                agents.push(user.id);
                self.agents.insert(user.id, entry);
            } else {
                self.staff.insert(user.id, entry);
            }
        }
        let catalog = FlowCatalog {
            library,
            queues: &queues_by_name,
        };
        for flow in ts.flows().await? {
            let Some(active) = ts.active_flow_version(flow.id).await? else {
                continue;
            };
            let loaded = match ivr::Flow::load(&active.source, &catalog) {
                Ok(loaded) => Some(Arc::new(loaded)),
                Err(errors) => {
                    for error in errors.errors() {
                        tracing::error!(tenant = slug, flow = %flow.name, version = active.version, %error, "flow refused");
                    }
                    None
                }
            };
            self.flows.insert(
                flow.id,
                FlowEntry {
                    version: active.version,
                    flow: loaded,
                },
            );
        }
        for number in ts.numbers().await? {
            self.numbers.insert(
                number.e164,
                NumberRoute {
                    tenant_id: id,
                    flow_id: number.flow_id,
                },
            );
        }
        self.tenants.insert(
            id,
            TenantEntry {
                slug: slug.to_owned(),
                queues_by_name,
                agents,
                store: ts,
                time_zone: time_zone(&tenant.slug, &tenant.time_zone),
            },
        );
        Ok(())
    }

    /// Where calls to `e164` go.
    pub(crate) fn route(&self, e164: &str) -> Option<&NumberRoute> {
        self.numbers.get(e164)
    }

    /// A flow.
    pub(crate) fn flow(&self, id: FlowId) -> Option<&FlowEntry> {
        self.flows.get(&id)
    }

    /// A user with a phone: an agent, or staff (see [`Directory::staff`]).
    pub(crate) fn person(&self, user: UserId) -> Option<&AgentEntry> {
        self.agents.get(&user).or_else(|| self.staff.get(&user))
    }

    /// The `acd` engine's configuration: every queue with its settings, every agent with
    /// their memberships.
    pub(crate) fn acd_config(&self, seed: u64) -> AcdConfig {
        let mut queues: Vec<QueueConfig> = self
            .queues
            .iter()
            .map(|(id, q)| queue_config(*id, q))
            .collect();
        queues.sort_by_key(|q| q.id);
        let mut agents: Vec<AgentConfig> = self
            .agents
            .iter()
            .map(|(id, a)| agent_config(*id, a))
            .collect();
        agents.sort_by_key(|a| a.id);
        AcdConfig {
            queues,
            agents,
            seed,
        }
    }

    /// What the `acd` must be told for its configuration to match `fresh` (read again from
    /// the store): new queues, changed queue settings (routing included), new agents,
    /// memberships gained and lost. Queues and agents gone from the store are left in the
    /// engine (they take no new calls: no number leads to a queue no flow names, no phone
    /// registers for a user without an account). Known agents' changed skills are not in
    /// it: see [`Directory::skill_changes`].
    pub(crate) fn acd_changes(&self, fresh: &Directory) -> Vec<acd::Input> {
        let mut inputs = Vec::new();
        let mut queues: Vec<(&QueueId, &QueueEntry)> = fresh.queues.iter().collect();
        queues.sort_by_key(|(id, _)| **id);
        for (id, queue) in queues {
            match self.queues.get(id) {
                None => inputs.push(acd::Input::AddQueue(queue_config(*id, queue))),
                Some(old) if old.settings != queue.settings || old.routing != queue.routing => {
                    inputs.push(acd::Input::UpdateQueue(queue_config(*id, queue)));
                }
                Some(_) => {}
            }
        }
        let mut agents: Vec<(&UserId, &AgentEntry)> = fresh.agents.iter().collect();
        agents.sort_by_key(|(id, _)| **id);
        for (id, agent) in agents {
            let Some(old) = self.agents.get(id) else {
                inputs.push(acd::Input::AddAgent(agent_config(*id, agent)));
                continue;
            };
            for queue in agent.queues.iter().filter(|q| !old.queues.contains(q)) {
                inputs.push(acd::Input::JoinQueue {
                    agent: agent_id(*id),
                    queue: acd_queue(*queue),
                    membership: Membership { priority: 1 },
                });
            }
            for queue in old.queues.iter().filter(|q| !agent.queues.contains(q)) {
                inputs.push(acd::Input::LeaveQueue {
                    agent: agent_id(*id),
                    queue: acd_queue(*queue),
                });
            }
        }
        inputs
    }
}

impl Directory {
    /// Flows whose active version is new in `fresh` (new flows included), with that version
    /// and whether it loaded.
    pub(crate) fn flow_swaps(&self, fresh: &Directory) -> Vec<(FlowId, i64, bool)> {
        let mut swaps: Vec<(FlowId, i64, bool)> = fresh
            .flows
            .iter()
            .filter(|(id, entry)| {
                self.flows
                    .get(id)
                    .is_none_or(|old| old.version != entry.version)
            })
            .map(|(id, entry)| (*id, entry.version, entry.flow.is_some()))
            .collect();
        swaps.sort_by_key(|(id, _, _)| *id);
        swaps
    }

    /// Known agents whose skills changed in `fresh`, with their new configuration. The
    /// engine takes new skills only by removing the agent and adding them again, which it
    /// allows while they are logged out: the switchboard does it then.
    pub(crate) fn skill_changes(&self, fresh: &Directory) -> Vec<AgentConfig> {
        let mut changed: Vec<AgentConfig> = fresh
            .agents
            .iter()
            .filter(|(id, agent)| {
                self.agents
                    .get(id)
                    .is_some_and(|old| old.skills != agent.skills)
            })
            .map(|(id, agent)| agent_config(*id, agent))
            .collect();
        changed.sort_by_key(|a| a.id);
        changed
    }
}

/// An agent's `acd` configuration.
fn agent_config(id: UserId, agent: &AgentEntry) -> AgentConfig {
    AgentConfig {
        id: agent_id(id),
        name: agent.display_name.clone(),
        queues: agent
            .queues
            .iter()
            .map(|q| (acd_queue(*q), Membership { priority: 1 }))
            .collect(),
        skills: agent.skills.clone(),
    }
}

impl Accounts for Directory {
    fn tenant_for_domain(&self, domain: &str) -> Option<TenantId> {
        if self.tenants.len() == 1 {
            return self.tenants.keys().next().copied();
        }
        let domain = domain.to_ascii_lowercase();
        let slug = domain
            .strip_suffix(&self.domain)
            .and_then(|s| s.strip_suffix('.'))
            .unwrap_or(&domain);
        self.tenants
            .iter()
            .find(|(_, t)| t.slug.eq_ignore_ascii_case(slug))
            .map(|(id, _)| *id)
    }

    fn account(&self, tenant: TenantId, username: &str) -> Option<&SipAccount> {
        self.accounts.get(&(tenant, username.to_owned()))
    }
}

fn account(credentials: &store::SipCredentials) -> Option<SipAccount> {
    Some(SipAccount {
        user: credentials.user_id,
        md5: Ha1::from_hex(Algorithm::Md5, credentials.ha1.md5()).ok()?,
        sha256: Ha1::from_hex(Algorithm::Sha256, credentials.ha1.sha256()).ok()?,
        enabled: credentials.enabled,
    })
}

/// The `acd` id of a store user.
pub(crate) fn agent_id(user: UserId) -> acd::AgentId {
    acd::AgentId(user.0 as u64)
}

/// The store user of an `acd` agent.
pub(crate) fn user_id(agent: acd::AgentId) -> UserId {
    UserId(agent.0 as i64)
}

/// The `acd` id of a store queue.
pub(crate) fn acd_queue(queue: QueueId) -> acd::QueueId {
    acd::QueueId(queue.0 as u64)
}

/// The store queue of an `acd` queue.
pub(crate) fn store_queue(queue: acd::QueueId) -> QueueId {
    QueueId(queue.0 as i64)
}

/// A queue's `acd` settings from its stored ones: 0 means "never" for the missed-offer limit
/// and the announcements, and the engine's default for the ring timeout. Required skills and
/// overflow come from its routing settings.
fn queue_config(id: QueueId, queue: &QueueEntry) -> QueueConfig {
    let settings = &queue.settings;
    let mut config = QueueConfig::new(acd_queue(id), queue.name.clone());
    config.strategy = settings.strategy.parse().unwrap_or_else(|_| {
        tracing::warn!(queue = %queue.name, strategy = %settings.strategy, "unknown routing strategy; using longest_idle");
        StrategyKind::LongestIdle
    });
    config.wrap_up = Duration::from_secs(settings.wrap_up_secs.into()).min(acd::MAX_SETTING);
    if settings.ring_timeout_secs > 0 {
        config.ring_timeout =
            Duration::from_secs(settings.ring_timeout_secs.into()).min(acd::MAX_SETTING);
    }
    config.missed_offers_limit = match settings.max_missed_offers {
        0 => u32::MAX,
        n => n,
    };
    config.announce_period = match settings.announce_period_secs {
        0 => None,
        n => Some(Duration::from_secs(n.into()).min(acd::MAX_SETTING)),
    };
    config.required_skills = queue.routing.required_skills.clone();
    config.overflow = queue.routing.overflow.map(|o| acd::Overflow {
        after: Duration::from_secs(o.after_secs.into()).min(acd::MAX_SETTING),
        to: acd_queue(o.to),
    });
    config
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(name: &str, wrap_up_secs: u32) -> QueueEntry {
        QueueEntry {
            name: name.to_owned(),
            settings: QueueSettings {
                wrap_up_secs,
                ..QueueSettings::default()
            },
            routing: QueueRouting::default(),
        }
    }

    fn agent(queues: &[i64]) -> AgentEntry {
        AgentEntry {
            tenant: TenantId(1),
            username: "a".into(),
            display_name: "A".into(),
            extension: Some("2001".into()),
            queues: queues.iter().map(|q| QueueId(*q)).collect(),
            skills: SkillLevels::new(),
        }
    }

    #[test]
    fn a_refresh_tells_the_acd_what_changed() {
        let mut old = Directory::default();
        old.queues.insert(QueueId(1), queue("sales", 10));
        old.agents.insert(UserId(7), agent(&[1]));
        let mut fresh = Directory::default();
        fresh.queues.insert(QueueId(1), queue("sales", 5));
        fresh.queues.insert(QueueId(2), queue("support", 10));
        fresh.agents.insert(UserId(7), agent(&[2]));
        fresh.agents.insert(UserId(8), agent(&[1, 2]));
        let changes = old.acd_changes(&fresh);
        assert!(
            matches!(&changes[0], acd::Input::UpdateQueue(q) if q.wrap_up == Duration::from_secs(5))
        );
        assert!(matches!(&changes[1], acd::Input::AddQueue(q) if q.name == "support"));
        assert!(matches!(
            &changes[2],
            acd::Input::JoinQueue { agent, queue, .. } if *agent == acd::AgentId(7) && *queue == acd::QueueId(2)
        ));
        assert!(matches!(
            &changes[3],
            acd::Input::LeaveQueue { agent, queue } if *agent == acd::AgentId(7) && *queue == acd::QueueId(1)
        ));
        assert!(matches!(&changes[4], acd::Input::AddAgent(a) if a.id == acd::AgentId(8)));
        assert_eq!(changes.len(), 5);
    }

    #[test]
    fn stored_zero_settings_mean_never_or_the_default() {
        let mut entry = queue("sales", 0);
        entry.settings.max_missed_offers = 0;
        entry.settings.announce_period_secs = 0;
        entry.settings.ring_timeout_secs = 0;
        let config = queue_config(QueueId(1), &entry);
        assert_eq!(config.missed_offers_limit, u32::MAX);
        assert_eq!(config.announce_period, None);
        assert_eq!(config.ring_timeout, acd::DEFAULT_RING_TIMEOUT);
    }

    #[test]
    fn stored_skills_and_overflow_reach_the_acd() {
        let mut entry = queue("sales", 10);
        entry
            .routing
            .required_skills
            .insert("language:fr".into(), 3);
        entry.routing.overflow = Some(store::QueueOverflow {
            to: QueueId(2),
            after_secs: 45,
        });
        let config = queue_config(QueueId(1), &entry);
        assert_eq!(config.required_skills.get("language:fr"), Some(&3));
        assert_eq!(
            config.overflow,
            Some(acd::Overflow {
                after: Duration::from_secs(45),
                to: acd::QueueId(2),
            })
        );
        let mut french = agent(&[1]);
        french.skills.insert("language:fr".into(), 8);
        let config = agent_config(UserId(7), &french);
        assert_eq!(config.skills.get("language:fr"), Some(&8));
    }

    #[test]
    fn changed_skills_of_known_agents_are_found() {
        let mut old = Directory::default();
        old.agents.insert(UserId(7), agent(&[1]));
        old.agents.insert(UserId(8), agent(&[1]));
        let mut fresh = Directory::default();
        let mut french = agent(&[1]);
        french.skills.insert("language:fr".into(), 8);
        fresh.agents.insert(UserId(7), french);
        fresh.agents.insert(UserId(8), agent(&[1]));
        fresh.agents.insert(UserId(9), agent(&[1]));
        let changed = old.skill_changes(&fresh);
        assert_eq!(changed.len(), 1);
        assert_eq!(changed[0].id, acd::AgentId(7));
        assert_eq!(changed[0].skills.get("language:fr"), Some(&8));
    }

    #[test]
    fn a_changed_overflow_updates_the_queue() {
        let mut old = Directory::default();
        old.queues.insert(QueueId(1), queue("sales", 10));
        let mut fresh = Directory::default();
        let mut changed = queue("sales", 10);
        changed.routing.overflow = Some(store::QueueOverflow {
            to: QueueId(2),
            after_secs: 30,
        });
        fresh.queues.insert(QueueId(1), changed);
        let changes = old.acd_changes(&fresh);
        assert!(matches!(&changes[..], [acd::Input::UpdateQueue(q)] if q.overflow.is_some()));
    }
}
