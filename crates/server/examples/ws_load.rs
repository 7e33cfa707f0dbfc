//! Load client for the live-event WebSocket (`bench/ws/run.sh`): opens `--clients` sockets to
//! `/api/v1/events` with a floor role's bearer token (so every socket receives every agent's
//! events), then changes the agents' states through the API at `--rate` changes per second for
//! `--seconds`, alternating each agent between `not_ready` and `ready` so that every request
//! makes exactly one `agent_state` event.
//!
//! Latency is end to end, on this machine's clock: from just before the API request is sent to
//! the frame's arrival on each socket (the HTTP request, the control plane, the log writer's
//! batch and commit, the hub and the socket). The k-th event a socket sees for an agent is the
//! k-th request for that agent (one task owns the agents' states, and the writer keeps order).
//!
//! ```text
//! ws_load --http 127.0.0.1:8080 --token plt_... [--clients 500] [--rate 50] [--seconds 10]
//! ```
//! Prints one Markdown table row: clients, events, deliveries expected and received, lagged
//! notices, p50/p99/max latency.

#![allow(clippy::print_stdout)] // It is a command-line tool: its table is its output.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

struct Args {
    http: SocketAddr,
    token: String,
    clients: usize,
    rate: u32,
    seconds: u32,
}

fn args() -> Result<Args, String> {
    let mut http = None;
    let mut token = None;
    let mut clients = 500;
    let mut rate = 50;
    let mut seconds = 10;
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let number = |v: &str| v.parse::<u32>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--http" => http = Some(value.parse().map_err(|e| format!("--http: {e}"))?),
            "--token" => token = Some(value),
            "--clients" => clients = number(&value)? as usize,
            "--rate" => rate = number(&value)?.max(1),
            "--seconds" => seconds = number(&value)?.max(1),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    Ok(Args {
        http: http.ok_or("--http is required")?,
        token: token.ok_or("--token is required")?,
        clients,
        rate,
        seconds,
    })
}

/// When each request for each agent was sent: `sent[agent][k]`.
type SendTimes = Arc<Mutex<HashMap<i64, Vec<Instant>>>>;

#[derive(Default)]
struct ClientReport {
    latencies_us: Vec<u64>,
    lagged: u64,
}

async fn client(
    args: Arc<Args>,
    sent: SendTimes,
    connected: tokio::sync::mpsc::Sender<()>,
    stop: tokio_util::sync::CancellationToken,
) -> Result<ClientReport, String> {
    let mut request = format!("ws://{}/api/v1/events", args.http)
        .into_client_request()
        .map_err(|e| e.to_string())?;
    let bearer = format!("Bearer {}", args.token)
        .parse()
        .map_err(|_| "token is not a header value".to_owned())?;
    request.headers_mut().insert("authorization", bearer);
    let (mut socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .map_err(|e| e.to_string())?;
    let _ = connected.send(()).await;
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut report = ClientReport::default();
    loop {
        let frame = tokio::select! {
            frame = socket.next() => frame,
            () = stop.cancelled() => break,
        };
        let text = match frame {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            _ => break,
        };
        let arrived = Instant::now();
        let Ok(value) = serde_json::from_str::<Value>(text.as_str()) else {
            continue;
        };
        match value["type"].as_str() {
            Some("agent_state") => {
                let Some(agent) = value["agent"].as_i64() else {
                    continue;
                };
                let k = seen.entry(agent).or_insert(0);
                let at = sent
                    .lock()
                    .map_err(|_| "lock poisoned".to_owned())?
                    .get(&agent)
                    .and_then(|times| times.get(*k).copied());
                *k += 1;
                if let Some(at) = at {
                    let us = arrived.saturating_duration_since(at).as_micros();
                    report
                        .latencies_us
                        .push(u64::try_from(us).unwrap_or(u64::MAX));
                }
            }
            Some("lagged") => report.lagged += value["missed"].as_u64().unwrap_or(0),
            _ => {}
        }
    }
    Ok(report)
}

async fn agents(http: &reqwest::Client, args: &Args) -> Result<Vec<i64>, String> {
    let list: Value = http
        .get(format!("http://{}/api/v1/agents", args.http))
        .bearer_auth(&args.token)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .json()
        .await
        .map_err(|e| e.to_string())?;
    let ids: Vec<i64> = list["agents"]
        .as_array()
        .map(|agents| agents.iter().filter_map(|a| a["id"].as_i64()).collect())
        .unwrap_or_default();
    if ids.is_empty() {
        return Err(format!("no agents listed: {list}"));
    }
    Ok(ids)
}

async fn set_state(
    http: &reqwest::Client,
    args: &Args,
    agent: i64,
    state: &str,
) -> Result<(), String> {
    let reason = (state == "not_ready").then_some("break");
    let reply = http
        .put(format!("http://{}/api/v1/agents/{agent}/state", args.http))
        .bearer_auth(&args.token)
        .json(&json!({"state": state, "reason": reason}))
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if !reply.status().is_success() {
        return Err(format!("agent {agent} {state}: {}", reply.status()));
    }
    Ok(())
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)] as f64 / 1_000.0
}

#[tokio::main]
async fn main() -> Result<(), String> {
    let args = Arc::new(args()?);
    let http = reqwest::Client::new();
    let agents = agents(&http, &args).await?;
    // Start from a known state, before any socket listens.
    for &agent in &agents {
        set_state(&http, &args, agent, "ready").await?;
    }
    let sent: SendTimes = Arc::default();
    let stop = tokio_util::sync::CancellationToken::new();
    let (connected_tx, mut connected) = tokio::sync::mpsc::channel(args.clients.max(1));
    let mut tasks = Vec::new();
    for _ in 0..args.clients {
        tasks.push(tokio::spawn(client(
            Arc::clone(&args),
            Arc::clone(&sent),
            connected_tx.clone(),
            stop.clone(),
        )));
    }
    drop(connected_tx);
    for _ in 0..args.clients {
        if connected.recv().await.is_none() {
            break;
        }
    }

    let events = (args.rate * args.seconds) as usize;
    let mut tick = tokio::time::interval(Duration::from_secs(1) / args.rate);
    for n in 0..events {
        tick.tick().await;
        let agent = agents[n % agents.len()];
        let round = n / agents.len();
        let state = if round % 2 == 0 { "not_ready" } else { "ready" };
        sent.lock()
            .map_err(|_| "lock poisoned".to_owned())?
            .entry(agent)
            .or_default()
            .push(Instant::now());
        set_state(&http, &args, agent, state).await?;
    }
    // Let the last events arrive, then stop the clients.
    tokio::time::sleep(Duration::from_secs(2)).await;
    stop.cancel();

    let mut latencies = Vec::new();
    let mut lagged = 0;
    let mut failed = 0;
    for task in tasks {
        match task.await {
            Ok(Ok(report)) => {
                latencies.extend(report.latencies_us);
                lagged += report.lagged;
            }
            _ => failed += 1,
        }
    }
    latencies.sort_unstable();
    let expected = events * (args.clients - failed);
    println!(
        "| clients | events | deliveries expected | received | lagged | p50 ms | p99 ms | max ms |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    println!(
        "| {} | {} | {} | {} | {} | {:.1} | {:.1} | {:.1} |",
        args.clients - failed,
        events,
        expected,
        latencies.len(),
        lagged,
        percentile(&latencies, 0.50),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0),
    );
    if failed > 0 {
        println!("\n{failed} clients failed to connect");
    }
    Ok(())
}
