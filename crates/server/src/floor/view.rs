//! The floor's body, as `GET /api/v1/floor` answers it and the socket's `{"type":"floor"}`
//! carries it: today's figures per queue and per agent (from the `kpi` day) merged with the
//! live state the control plane reports (waiting now, agents' states, calls up).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use store::{QueueId, TenantStore, UserId};
use utoipa::ToSchema;

use crate::control::{AgentCounts, CallLive, ControlHandle};

/// The floor now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FloorView {
    /// The tenant's time zone, which "today" is in.
    pub time_zone: String,
    /// Today's first instant, unix ms.
    pub day_start_ms: i64,
    /// When these figures were taken, unix ms.
    pub at_ms: i64,
    /// Whether the live part is there (the control plane answered).
    pub live: bool,
    /// Calls waiting now, all queues.
    pub waiting: u32,
    /// The longest wait now, ms.
    pub longest_wait_ms: Option<u64>,
    /// Agents by state now (`ready`, `ringing`, `on_call`, `wrap_up`, `not_ready`,
    /// `logged_out`).
    pub agents_by_state: BTreeMap<String, u32>,
    /// All queues' figures for today (each call once; see `kpi`).
    #[schema(value_type = Object)]
    pub total: kpi::QueueFigures,
    /// Per queue, by name.
    pub queues: Vec<QueueFloor>,
    /// Per agent, by extension.
    pub agents: Vec<AgentFloor>,
    /// Today's series (30-minute intervals by default).
    #[schema(value_type = Object)]
    pub intervals: kpi::IntervalSeries,
}

/// One queue: today's figures and its live counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QueueFloor {
    /// The queue's id.
    #[schema(value_type = i64)]
    pub queue_id: QueueId,
    /// Today's figures (`queue` is its name).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub figures: kpi::QueueFigures,
    /// Calls waiting now.
    pub waiting: u32,
    /// The longest wait now, ms.
    pub longest_wait_ms: Option<u64>,
    /// Its members by state now.
    #[schema(value_type = Object)]
    pub agents_now: AgentCounts,
}

/// One agent: state now, current call, today's figures.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AgentFloor {
    /// The user id.
    #[schema(value_type = i64)]
    pub agent: UserId,
    /// Username.
    pub username: String,
    /// Display name.
    pub display_name: String,
    /// SIP extension.
    pub extension: Option<String>,
    /// State now (`ready`, `ringing`, `on_call`, `wrap_up`, `not_ready`, `logged_out`).
    pub state: String,
    /// The not-ready reason.
    pub reason: Option<String>,
    /// In this state since, unix ms.
    pub since_ms: Option<i64>,
    /// Time in this state, ms.
    pub time_in_state_ms: Option<u64>,
    /// The call ringing, talking or wrapped up.
    pub interaction: Option<String>,
    /// Its phase, when up (`ringing`, `connected`...).
    pub call_phase: Option<String>,
    /// Whether the phone is registered.
    pub registered: bool,
    /// Today: handled calls.
    pub handled: u64,
    /// Today: AHT, seconds.
    pub aht_secs: Option<f64>,
    /// Today: talk, hold and wrap-up totals, ms.
    pub talk_ms: u64,
    /// Hold total, ms.
    pub hold_ms: u64,
    /// Wrap-up total, ms.
    pub wrap_up_ms: u64,
    /// Today: time per state, ms.
    pub state_ms: BTreeMap<String, u64>,
}

fn phase_name(call: &CallLive) -> String {
    serde_json::to_value(call.phase)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Builds the body from today's `figures` and what the store and control plane say now.
pub async fn build(
    tenant: &TenantStore,
    control: &ControlHandle,
    config: &super::FloorConfig,
    zone: String,
    figures: kpi::Figures,
    now_ms: i64,
) -> store::Result<FloorView> {
    let queues = tenant.queues().await?;
    let users = tenant.users().await?;
    let counts = control.queue_counts(tenant.id()).await;
    let states = control.agent_states(tenant.id()).await;
    let calls = control.active_calls(tenant.id()).await.unwrap_or_default();
    let live = counts.is_ok() && states.is_ok();
    let counts: HashMap<QueueId, _> = counts
        .unwrap_or_default()
        .into_iter()
        .map(|q| (q.queue_id, q))
        .collect();
    let states: HashMap<UserId, _> = states
        .unwrap_or_default()
        .into_iter()
        .map(|a| (a.user_id, a))
        .collect();
    let calls: HashMap<_, _> = calls.iter().map(|c| (c.interaction, c)).collect();
    let by_name: HashMap<&str, &kpi::QueueFigures> = figures
        .queues
        .iter()
        .filter_map(|q| Some((q.queue.as_deref()?, q)))
        .collect();
    let by_agent: HashMap<i64, &kpi::AgentFigures> =
        figures.agents.iter().map(|a| (a.agent, a)).collect();

    // Queues nothing was offered to today show zeros with their thresholds.
    let empty = kpi::Day::new(super::today::kpi_config(config, 0, 1));
    let mut queue_rows = Vec::with_capacity(queues.len());
    for queue in &queues {
        let live = counts.get(&queue.id);
        let today = by_name
            .get(queue.name.as_str())
            .map_or_else(|| empty.queue(&queue.name), |q| (*q).clone());
        queue_rows.push(QueueFloor {
            queue_id: queue.id,
            figures: today,
            waiting: live.map_or(0, |l| l.waiting),
            longest_wait_ms: live.and_then(|l| l.longest_wait_ms),
            agents_now: live.map(|l| l.agents).unwrap_or_default(),
        });
    }

    let mut agents_by_state: BTreeMap<String, u32> = BTreeMap::new();
    let mut agent_rows = Vec::new();
    for user in &users {
        let state = states.get(&user.id);
        let today = by_agent.get(&user.id.0);
        if state.is_none() && today.is_none() {
            continue;
        }
        let name = state.map_or("logged_out", |s| {
            crate::events::state_name(s.state.as_str())
        });
        *agents_by_state.entry(name.to_owned()).or_default() += 1;
        let call = state
            .and_then(|s| s.interaction)
            .and_then(|i| calls.get(&i));
        let handling = today.map(|t| t.handling).unwrap_or_default();
        agent_rows.push(AgentFloor {
            agent: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            extension: user.extension.clone(),
            state: name.to_owned(),
            reason: state.and_then(|s| s.reason.clone()),
            since_ms: state.map(|s| s.since_ms),
            time_in_state_ms: state.map(|s| u64::try_from(now_ms - s.since_ms).unwrap_or(0)),
            interaction: state.and_then(|s| s.interaction).map(|i| i.to_string()),
            call_phase: call.map(|c| phase_name(c)),
            registered: state.is_some_and(|s| s.registered),
            handled: handling.handled,
            aht_secs: today.and_then(|t| t.aht_secs),
            talk_ms: handling.talk_ms,
            hold_ms: handling.hold_ms,
            wrap_up_ms: handling.wrap_up_ms,
            state_ms: today
                .map(|t| {
                    t.state_ms
                        .iter()
                        .map(|(k, v)| (crate::events::state_name(k).to_owned(), *v))
                        .collect()
                })
                .unwrap_or_default(),
        });
    }
    agent_rows.sort_by(|a, b| a.extension.cmp(&b.extension).then(a.agent.cmp(&b.agent)));

    Ok(FloorView {
        time_zone: zone,
        day_start_ms: figures.day_start_ms,
        at_ms: now_ms,
        live,
        waiting: queue_rows.iter().map(|q| q.waiting).sum(),
        longest_wait_ms: queue_rows.iter().filter_map(|q| q.longest_wait_ms).max(),
        agents_by_state,
        total: figures.total,
        queues: queue_rows,
        agents: agent_rows,
        intervals: figures.intervals,
    })
}
