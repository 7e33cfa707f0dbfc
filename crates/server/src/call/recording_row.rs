//! A recording's row in the store (what `GET /recordings/{id}` serves from), written by a small
//! task of its own so the switchboard never waits on the database: the row when recording
//! starts (a crash then leaves a reference to the partial file), its duration when it stops.
//!
//! The interaction's own row is written through the log writer, which batches; the recording
//! row references it, so a first attempt made before that batch committed is retried a few
//! times.

use std::time::Duration;

use store::{InteractionId, NewRecording, TenantStore};
use tokio::sync::oneshot;

/// Attempts at the row before giving up.
const ATTEMPTS: u32 = 6;
/// Pause before the second attempt (doubled each time).
const FIRST_PAUSE: Duration = Duration::from_millis(50);

/// Starts the row's task; send the duration (ms) on the returned sender when the recording
/// stops (dropping it leaves the duration unknown).
pub(crate) fn spawn(
    store: TenantStore,
    interaction: InteractionId,
    path: String,
    started_ms: i64,
) -> oneshot::Sender<i64> {
    let (finish, finished) = oneshot::channel();
    tokio::spawn(async move {
        let row = NewRecording {
            interaction_id: interaction,
            path,
            duration_ms: None,
            created_at_ms: started_ms,
        };
        let mut pause = FIRST_PAUSE;
        let mut added = None;
        for attempt in 1..=ATTEMPTS {
            match store.add_recording(&row).await {
                Ok(recording) => {
                    added = Some(recording.id);
                    break;
                }
                Err(error) if attempt == ATTEMPTS => {
                    tracing::error!(interaction = %interaction, %error, "recording not referenced in the store");
                }
                Err(_) => {
                    tokio::time::sleep(pause).await;
                    pause *= 2;
                }
            }
        }
        let Some(id) = added else {
            return;
        };
        if let Ok(duration_ms) = finished.await
            && let Err(error) = store.finish_recording(id, duration_ms).await
        {
            tracing::warn!(interaction = %interaction, %error, "recording duration not stored");
        }
    });
    finish
}
