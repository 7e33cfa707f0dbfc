//! The supervisor's floor view and the wallboard: today's figures per queue, per agent and
//! per 30 minutes (the `kpi` engine, exactly DESIGN.md's definitions) with the live state
//! (waiting now, agents' states, calls up).
//!
//! ```text
//!   store ──seed (first use of a tenant: today's events)──▶ ┌────────────┐
//!   hub ──every durable event (one subscription)──────────▶ │ floor task │ one kpi::Day per
//!   GET /api/v1/floor, the ticker ──Request + oneshot──────▶ └────────────┘ tenant
//!   ticker: once a second, while a socket is open, {"type":"floor", …} per tenant on the hub
//! ```
//!
//! - **One task owns the days** (no lock): it takes the hub's events in order and answers
//!   requests between them. A tenant's day is seeded from the store at its first request;
//!   copies of seeded events still on their way through the hub are recognised and dropped
//!   (see `today.rs`). If the task lags behind the hub (events lost), every day is dropped
//!   and seeded again at the next request, rather than showing drifting figures.
//! - **Midnight** in the tenant's zone starts a new day; agents keep their current state.
//! - **Thresholds** (service level T, short abandon) come from `[floor]` in the config: a
//!   default and per-queue overrides by queue name.
//! - Not yet: agents with no state change today have no state-time totals before their first
//!   change (their live state shows); contacts queued before midnight are not counted.

mod feed;
mod today;
mod view;

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use store::{Store, TenantId, TenantStore};
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::control::ControlHandle;
use crate::events::{Hub, LiveEvent, Received, Subscription};
use today::TenantDay;
pub use view::{AgentFloor, FloorView, QueueFloor};

/// How often the floor is pushed to the sockets.
pub const PUBLISH_PERIOD: Duration = Duration::from_secs(1);

/// Requests waiting for the floor task at most.
const REQUEST_QUEUE: usize = 64;

/// `[floor]`: the thresholds the figures use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FloorConfig {
    /// Service-level threshold T, seconds (answered within T counts toward SL).
    pub service_level_secs: u32,
    /// Short-abandon threshold, seconds (callers hanging up sooner are left out of SL).
    pub short_abandon_secs: u32,
    /// Per queue (by name), overriding the two above.
    pub queues: BTreeMap<String, QueueTargets>,
}

impl Default for FloorConfig {
    /// 20 s and 5 s, DESIGN.md's defaults.
    fn default() -> Self {
        FloorConfig {
            service_level_secs: 20,
            short_abandon_secs: 5,
            queues: BTreeMap::new(),
        }
    }
}

/// One queue's thresholds; absent ones are the defaults of `[floor]`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct QueueTargets {
    /// Service-level threshold, seconds.
    pub service_level_secs: Option<u32>,
    /// Short-abandon threshold, seconds.
    pub short_abandon_secs: Option<u32>,
}

impl FloorConfig {
    /// The thresholds of `queue` (`None`: the defaults).
    pub fn thresholds(&self, queue: Option<&str>) -> kpi::Thresholds {
        let own = queue.and_then(|q| self.queues.get(q));
        let secs =
            |own: Option<u32>, default: u32| Duration::from_secs(own.unwrap_or(default).into());
        kpi::Thresholds {
            service_level: secs(
                own.and_then(|o| o.service_level_secs),
                self.service_level_secs,
            ),
            short_abandon: secs(
                own.and_then(|o| o.short_abandon_secs),
                self.short_abandon_secs,
            ),
        }
    }
}

/// Why the floor could not answer.
#[derive(Debug, thiserror::Error)]
pub enum FloorError {
    /// The floor task is not running (stopping).
    #[error("the floor figures are not available")]
    Unavailable,
    /// Seeding from the store failed.
    #[error(transparent)]
    Store(#[from] store::Error),
}

/// Today's series at an interval length, with the day it is of.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct IntervalsView {
    /// The tenant's time zone.
    pub time_zone: String,
    /// Today's first instant, unix ms.
    pub day_start_ms: i64,
    /// The series (`minutes`, `total`, `queues`).
    #[serde(flatten)]
    #[schema(value_type = Object)]
    pub series: kpi::IntervalSeries,
}

enum Request {
    Figures {
        tenant: TenantId,
        reply: oneshot::Sender<Result<(String, kpi::Figures), store::Error>>,
    },
    Intervals {
        tenant: TenantId,
        length: kpi::IntervalLength,
        reply: oneshot::Sender<Result<IntervalsView, store::Error>>,
    },
    Tenants {
        reply: oneshot::Sender<Vec<TenantId>>,
    },
}

/// Asks the floor task; cheap to clone.
#[derive(Debug, Clone)]
pub struct Floor {
    requests: mpsc::Sender<Request>,
    config: std::sync::Arc<FloorConfig>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("floor request")
    }
}

impl Floor {
    /// Subscribes to `hub` now (so nothing published from here on is missed) and spawns the
    /// task that keeps each tenant's day; it ends at `stop`.
    pub fn spawn(store: Store, hub: &Hub, config: FloorConfig, stop: CancellationToken) -> Floor {
        let (requests, receiver) = mpsc::channel(REQUEST_QUEUE);
        let config = std::sync::Arc::new(config);
        let task = Task {
            store,
            config: std::sync::Arc::clone(&config),
            days: HashMap::new(),
        };
        tokio::spawn(task.run(receiver, hub.subscribe(), stop));
        Floor { requests, config }
    }

    async fn ask<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, FloorError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(make(reply))
            .await
            .map_err(|_| FloorError::Unavailable)?;
        answer.await.map_err(|_| FloorError::Unavailable)
    }

    /// Today's figures of `tenant` now, with the tenant's time zone.
    pub async fn figures(&self, tenant: TenantId) -> Result<(String, kpi::Figures), FloorError> {
        Ok(self
            .ask(|reply| Request::Figures { tenant, reply })
            .await??)
    }

    /// Today's series of `tenant` in intervals of `length`.
    pub async fn intervals(
        &self,
        tenant: TenantId,
        length: kpi::IntervalLength,
    ) -> Result<IntervalsView, FloorError> {
        Ok(self
            .ask(|reply| Request::Intervals {
                tenant,
                length,
                reply,
            })
            .await??)
    }

    /// The floor of `tenant` now: today's figures and the live state.
    pub async fn view(
        &self,
        tenant: &TenantStore,
        control: &ControlHandle,
    ) -> Result<FloorView, FloorError> {
        let (zone, figures) = self.figures(tenant.id()).await?;
        let now = crate::log::now_ms();
        Ok(view::build(tenant, control, &self.config, zone, figures, now).await?)
    }

    /// Spawns the ticker that publishes `{"type":"floor", …}` on `hub` once a second for
    /// every tenant whose floor was asked for, while a socket is subscribed.
    pub fn publish_every_second(
        &self,
        store: Store,
        control: ControlHandle,
        hub: Hub,
        stop: CancellationToken,
    ) {
        let floor = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PUBLISH_PERIOD);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    () = stop.cancelled() => return,
                }
                // The floor task's own subscription is one; more means a socket is open.
                if hub.subscribers() <= 1 {
                    continue;
                }
                let Ok(tenants) = floor.ask(|reply| Request::Tenants { reply }).await else {
                    return;
                };
                for tenant in tenants {
                    let Ok(t) = store.tenant(tenant).await else {
                        continue;
                    };
                    match floor.view(&t, &control).await {
                        Ok(view) => hub.publish(tenant, None, LiveEvent::Raw(message(&view))),
                        Err(error) => {
                            tracing::warn!(%error, tenant = tenant.0, "floor not published")
                        }
                    }
                }
            }
        });
    }
}

/// The socket's message: the body of `GET /api/v1/floor` with `"type": "floor"`.
fn message(view: &FloorView) -> serde_json::Value {
    let mut value = serde_json::to_value(view).unwrap_or_default();
    if let Some(object) = value.as_object_mut() {
        object.insert("type".to_owned(), "floor".into());
    }
    value
}

struct Task {
    store: Store,
    config: std::sync::Arc<FloorConfig>,
    days: HashMap<TenantId, TenantDay>,
}

impl Task {
    async fn run(
        mut self,
        mut requests: mpsc::Receiver<Request>,
        mut hub: Subscription,
        stop: CancellationToken,
    ) {
        loop {
            tokio::select! {
                request = requests.recv() => match request {
                    Some(request) => self.answer(request).await,
                    None => return,
                },
                received = hub.recv() => match received {
                    Received::Event(published) => {
                        if let Some(day) = self.days.get_mut(&published.tenant)
                            && let Some(input) = feed::live_input(&published.event)
                        {
                            day.feed(input, &self.config);
                        }
                    }
                    Received::Lagged(missed) => {
                        tracing::warn!(missed, "floor fell behind the live events: figures are read again");
                        self.days.clear();
                    }
                    Received::Closed => return,
                },
                () = stop.cancelled() => return,
            }
        }
    }

    async fn day(&mut self, tenant: TenantId, now_ms: i64) -> Result<&mut TenantDay, store::Error> {
        if !self.days.contains_key(&tenant) {
            let day = TenantDay::seed(&self.store, tenant, &self.config, now_ms).await?;
            self.days.insert(tenant, day);
        }
        let day = self
            .days
            .get_mut(&tenant)
            .expect("invariant: inserted just above when missing");
        day.roll_over(now_ms, &self.config);
        Ok(day)
    }

    async fn answer(&mut self, request: Request) {
        let now = crate::log::now_ms();
        match request {
            Request::Figures { tenant, reply } => {
                let answer = self
                    .day(tenant, now)
                    .await
                    .map(|d| (d.zone_name.clone(), d.day.figures(now)));
                let _ = reply.send(answer);
            }
            Request::Intervals {
                tenant,
                length,
                reply,
            } => {
                let answer = self.day(tenant, now).await.map(|d| IntervalsView {
                    time_zone: d.zone_name.clone(),
                    day_start_ms: d.day.config().day_start_ms,
                    series: d.day.intervals(length),
                });
                let _ = reply.send(answer);
            }
            Request::Tenants { reply } => {
                let _ = reply.send(self.days.keys().copied().collect());
            }
        }
    }
}
