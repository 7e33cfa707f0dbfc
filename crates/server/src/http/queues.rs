//! `GET /api/v1/queues`: each queue's settings with its live counts.

use std::collections::HashMap;

use axum::Json;
use axum::extract::State;
use serde::Serialize;
use store::QueueId;
use utoipa::ToSchema;

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;
use crate::control::{AgentCounts, QueueLive};

#[derive(Debug, Serialize, ToSchema)]
struct QueueJson {
    #[schema(value_type = i64)]
    id: QueueId,
    name: String,
    strategy: String,
    waiting: u32,
    /// Of `waiting`, callers who hung up to be called back in their turn.
    waiting_callbacks: u32,
    longest_wait_ms: Option<u64>,
    /// Estimated wait of a call arriving now; `null` until the queue has handled a call.
    estimated_wait_secs: Option<u64>,
    #[schema(value_type = Object)]
    agents: AgentCounts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueList {
    queues: Vec<QueueJson>,
}

#[utoipa::path(get, path = "/queues", tag = "queues",
    responses((status = 200, description = "Queues with their live counts", body = QueueList), Errors))]
pub async fn list(
    State(state): State<ApiState>,
    caller: Caller,
) -> Result<Json<QueueList>, ApiError> {
    let queues = caller.tenant.queues().await?;
    let live: HashMap<QueueId, QueueLive> = state
        .control
        .queue_counts(caller.tenant.id())
        .await?
        .into_iter()
        .map(|q| (q.queue_id, q))
        .collect();
    let queues = queues
        .into_iter()
        .map(|queue| {
            let live = live.get(&queue.id);
            QueueJson {
                id: queue.id,
                name: queue.name,
                strategy: queue.settings.strategy,
                waiting: live.map_or(0, |l| l.waiting),
                waiting_callbacks: live.map_or(0, |l| l.waiting_callbacks),
                longest_wait_ms: live.and_then(|l| l.longest_wait_ms),
                estimated_wait_secs: live.and_then(|l| l.estimated_wait_secs),
                agents: live.map(|l| l.agents).unwrap_or_default(),
            }
        })
        .collect();
    Ok(Json(QueueList { queues }))
}
