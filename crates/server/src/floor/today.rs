//! A tenant's today: the day's bounds in the tenant's time zone, and the `kpi::Day` seeded
//! from the store's events of today.

use std::collections::HashSet;

use store::{InteractionQuery, TenantId};

use super::FloorConfig;
use super::feed;

/// Rows read per store query while seeding.
const PAGE: u32 = 500;

/// How far back seeded events are remembered, to drop the hub's copies of them: events
/// committed just before the seed read are also on their way through the hub, and an event's
/// time is when it happened, which may be well before its commit (a call's whole log may come
/// in one batch, or after the store stalled).
const OVERLAP_MS: i64 = 10 * 60_000;

/// One tenant's day being counted.
#[derive(Debug)]
pub(super) struct TenantDay {
    pub(super) day: kpi::Day,
    pub(super) zone: jiff::tz::TimeZone,
    pub(super) zone_name: String,
    /// Recent seeded events; a hub event equal to one of them is a copy.
    seen: HashSet<kpi::Input>,
}

/// The day containing `now_ms` in `zone`, as unix ms bounds.
pub(super) fn bounds(zone: &jiff::tz::TimeZone, now_ms: i64) -> Option<(i64, i64)> {
    let now = jiff::Timestamp::from_millisecond(now_ms).ok()?;
    let start = now.to_zoned(zone.clone()).start_of_day().ok()?;
    let end = start.tomorrow().ok()?.start_of_day().ok()?;
    Some((
        start.timestamp().as_millisecond(),
        end.timestamp().as_millisecond(),
    ))
}

/// The `kpi` settings of the day `[start, end)`.
pub(super) fn kpi_config(config: &FloorConfig, start: i64, end: i64) -> kpi::Config {
    let mut kpi = kpi::Config::new(start, end);
    kpi.default_thresholds = config.thresholds(None);
    for name in config.queues.keys() {
        kpi.queues
            .insert(name.clone(), config.thresholds(Some(name)));
    }
    kpi
}

impl TenantDay {
    /// Reads the tenant's time zone and today's events from the store.
    pub(super) async fn seed(
        store: &store::Store,
        tenant: TenantId,
        config: &FloorConfig,
        now_ms: i64,
    ) -> store::Result<TenantDay> {
        let zone_name = store
            .tenants()
            .await?
            .into_iter()
            .find(|t| t.id == tenant)
            .map_or_else(|| "UTC".to_owned(), |t| t.time_zone);
        let zone = jiff::tz::TimeZone::get(&zone_name).unwrap_or(jiff::tz::TimeZone::UTC);
        let (start, end) = bounds(&zone, now_ms).unwrap_or((now_ms, now_ms + 86_400_000));
        let t = store.tenant(tenant).await?;

        let mut inputs = Vec::new();
        let mut before = None;
        loop {
            let page = t
                .interactions(&InteractionQuery {
                    since_ms: Some(start),
                    until_ms: None,
                    before,
                    limit: PAGE,
                })
                .await?;
            let Some(last) = page.last() else { break };
            before = Some(last.id);
            let ids: Vec<_> = page.iter().map(|i| i.id).collect();
            for (_, events) in t.interactions_with_events(&ids).await? {
                inputs.extend(events.iter().filter_map(|e| {
                    feed::contact_input(e.interaction_id, e.kind, e.at_ms, &e.data, None)
                }));
            }
            if page.len() < PAGE as usize {
                break;
            }
        }
        let mut after = None;
        loop {
            let page = t.agent_events_since(start, after, PAGE).await?;
            let Some(last) = page.last() else { break };
            after = Some(last.id);
            inputs.extend(page.iter().filter_map(feed::agent_input));
            if page.len() < PAGE as usize {
                break;
            }
        }
        let seen = inputs
            .iter()
            .filter(|i| i.at_ms() >= now_ms - OVERLAP_MS)
            .map(feed::same_event_key)
            .collect();
        Ok(TenantDay {
            day: kpi::Day::replay(kpi_config(config, start, end), inputs),
            zone,
            zone_name,
            seen,
        })
    }

    /// Feeds a live input, unless it is a copy of a seeded one; past midnight, the next day
    /// begins first.
    pub(super) fn feed(&mut self, input: kpi::Input, config: &FloorConfig) {
        if !self.seen.is_empty() && self.seen.remove(&feed::same_event_key(&input)) {
            return;
        }
        self.roll_over(input.at_ms(), config);
        self.day.handle(input);
    }

    /// Starts the next day when `now_ms` is past this one.
    pub(super) fn roll_over(&mut self, now_ms: i64, config: &FloorConfig) {
        if now_ms < self.day.config().day_end_ms {
            return;
        }
        if let Some((start, end)) = bounds(&self.zone, now_ms) {
            self.day = self.day.carry_over(kpi_config(config, start, end));
            self.seen.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paris_day_starts_at_local_midnight() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        // 2026-11-25T10:00:00Z is 11:00 in Paris (UTC+1): the day began at 23:00 UTC.
        let now: jiff::Timestamp = "2026-11-25T10:00:00Z".parse().unwrap();
        let (start, end) = bounds(&paris, now.as_millisecond()).unwrap();
        let expected: jiff::Timestamp = "2026-11-24T23:00:00Z".parse().unwrap();
        assert_eq!(start, expected.as_millisecond());
        assert_eq!(end - start, 86_400_000);
    }

    #[test]
    fn the_day_clocks_go_back_lasts_25_hours() {
        let paris = jiff::tz::TimeZone::get("Europe/Paris").unwrap();
        let now: jiff::Timestamp = "2026-10-25T12:00:00Z".parse().unwrap();
        let (start, end) = bounds(&paris, now.as_millisecond()).unwrap();
        assert_eq!(end - start, 25 * 3_600_000);
    }
}
