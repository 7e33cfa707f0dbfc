//! `GET /api/v1/floor` and `GET /api/v1/floor/intervals?interval=30`: the supervisor's floor
//! view and the wallboard's data (see [`crate::floor`]). Floor roles only.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use serde::Deserialize;
use utoipa::IntoParams;

use super::ApiState;
use super::auth::Caller;
use super::error::ApiError;
use super::openapi::Errors;
use crate::floor::{FloorError, FloorView, IntervalsView};

impl From<FloorError> for ApiError {
    fn from(error: FloorError) -> Self {
        match error {
            FloorError::Store(error) => error.into(),
            FloorError::Unavailable => ApiError::Unavailable(error.to_string()),
        }
    }
}

fn check(caller: &Caller) -> Result<(), ApiError> {
    match caller.may_read_floor() {
        true => Ok(()),
        false => Err(ApiError::Forbidden("read the floor")),
    }
}

#[utoipa::path(get, path = "/floor", tag = "floor",
    responses((status = 200, description = "Today's figures per queue and agent (DESIGN.md's \
        definitions; ratios `null` when their denominator is 0) with the live state", body = FloorView), Errors))]
pub async fn floor(
    State(state): State<ApiState>,
    caller: Caller,
) -> Result<Json<FloorView>, ApiError> {
    check(&caller)?;
    Ok(Json(
        state.floor.view(&caller.tenant, &state.control).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct IntervalQuery {
    /// Interval length in minutes: 15, 30 (default) or 60.
    interval: Option<u32>,
}

#[utoipa::path(get, path = "/floor/intervals", tag = "floor", params(IntervalQuery),
    responses((status = 200, description = "Today's offered, answered and SL per interval, \
        all queues and per queue; a contact is in the interval it entered the queue", body = IntervalsView), Errors))]
pub async fn intervals(
    State(state): State<ApiState>,
    caller: Caller,
    query: Result<Query<IntervalQuery>, QueryRejection>,
) -> Result<Json<IntervalsView>, ApiError> {
    check(&caller)?;
    let Query(query) = query?;
    let minutes = query.interval.unwrap_or(30);
    let length = kpi::IntervalLength::from_minutes(minutes)
        .ok_or_else(|| ApiError::BadRequest("interval is 15, 30 or 60 (minutes)".to_owned()))?;
    Ok(Json(
        state.floor.intervals(caller.tenant.id(), length).await?,
    ))
}
