//! The registrar through real sockets: digest challenge and answer, wrong passwords, the
//! throttle, removing bindings, expiries, OPTIONS, and bindings surviving a restart.

mod sip_support;

use std::net::{IpAddr, Ipv4Addr};

use sip::{HeaderName, Method, StatusCode};
use sip_support::{Phone, Setup, TestServer, unique};

fn contacts(response: &sip::Response) -> Vec<String> {
    response
        .headers
        .get_all(&HeaderName::Contact)
        .filter_map(|v| v.to_str().map(str::to_owned))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_is_challenged_then_bound_with_its_expiry() {
    let server = TestServer::start(Setup::default()).await;
    let agent = &server.agents[0];
    let phone = Phone::udp(server.sip()).await;

    let call_id = unique("reg");
    let contact = format!("<{}>", phone.contact_uri(&agent.extension));
    phone
        .send(phone.register_request(&agent.extension, &call_id, 1, Some(&contact), Some(300)))
        .await;
    let challenge = phone.final_response(&call_id, Method::Register).await;
    assert_eq!(challenge.status, StatusCode::UNAUTHORIZED);
    let www = challenge
        .headers
        .get(&HeaderName::WwwAuthenticate)
        .and_then(|v| v.to_str())
        .expect("a challenge");
    assert!(
        www.starts_with("Digest ") && www.contains("realm=\"plateau.test\""),
        "{www}"
    );

    let ok = phone
        .register(&agent.extension, &agent.password, Some(300))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let bound = contacts(&ok);
    assert_eq!(bound.len(), 1, "{bound:?}");
    assert!(bound[0].contains(&phone.local.to_string()), "{bound:?}");
    let expires: u32 = bound[0]
        .rsplit("expires=")
        .next()
        .and_then(|e| e.parse().ok())
        .expect("expires on the contact");
    assert!((290..=300).contains(&expires), "{expires}");
    assert!(server.agent_state(agent).await.registered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_is_challenged_again() {
    let server = TestServer::start(Setup::default()).await;
    let agent = &server.agents[0];
    let phone = Phone::udp(server.sip()).await;
    let response = phone
        .register(&agent.extension, "not-the-password", None)
        .await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
    assert!(!server.agent_state(agent).await.registered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_user_is_answered_like_a_wrong_password() {
    let server = TestServer::start(Setup::default()).await;
    let phone = Phone::udp(server.sip()).await;
    let response = phone.register("9999", "whatever", None).await;
    assert_eq!(response.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_wrong_passwords_throttle_the_source_but_not_another() {
    let server = TestServer::start(Setup::default()).await;
    let (victim, other) = (&server.agents[0], &server.agents[1]);
    let guesser = Phone::udp(server.sip()).await;
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let response = guesser.register(&victim.extension, "guess", None).await;
        statuses.push(response.status.as_u16());
    }
    // The default threshold is 10 failures in a minute: 401s until then, 403s after.
    assert!(statuses[..9].iter().all(|&s| s == 401), "{statuses:?}");
    assert!(statuses[10..].iter().all(|&s| s == 403), "{statuses:?}");
    // Even the right password is refused from the throttled source.
    let refused = guesser
        .register(&victim.extension, &victim.password, None)
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);

    let elsewhere = Phone::udp_on(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)), server.sip()).await;
    let ok = elsewhere
        .register(&other.extension, &other.password, None)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    // The victim's own phone, which never failed, still registers.
    let own = Phone::udp_on(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 3)), server.sip()).await;
    let ok = own
        .register(&victim.extension, &victim.password, None)
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    let text = server.running().metrics().encode();
    assert!(text.contains("sip_auth_throttled"), "throttling is counted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expires_zero_removes_one_binding_and_star_removes_all() {
    let server = TestServer::start(Setup::default()).await;
    let agent = &server.agents[0];
    let phone = Phone::udp(server.sip()).await;
    let first = format!("<sip:{}@{}>", agent.extension, phone.local);
    let second = format!("<sip:{}@127.0.0.1:5999>", agent.extension);
    for contact in [&first, &second] {
        let ok = phone
            .register_with(&agent.extension, &agent.password, Some(contact), Some(600))
            .await;
        assert_eq!(ok.status, StatusCode::OK);
    }
    let both = phone
        .register_with(&agent.extension, &agent.password, None, None)
        .await;
    assert_eq!(contacts(&both).len(), 2, "a query lists both bindings");

    let removed = phone
        .register_with(&agent.extension, &agent.password, Some(&second), Some(0))
        .await;
    assert_eq!(contacts(&removed).len(), 1);

    let wildcard = phone
        .register_with(&agent.extension, &agent.password, Some("*"), Some(0))
        .await;
    assert_eq!(wildcard.status, StatusCode::OK);
    assert!(contacts(&wildcard).is_empty());
    assert!(!server.agent_state(agent).await.registered);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_star_without_expires_zero_is_refused() {
    let server = TestServer::start(Setup::default()).await;
    let agent = &server.agents[0];
    let phone = Phone::udp(server.sip()).await;
    let response = phone
        .register_with(&agent.extension, &agent.password, Some("*"), Some(60))
        .await;
    assert_eq!(response.status, StatusCode::BAD_REQUEST);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_too_brief_expiry_gets_423_with_min_expires() {
    let server = TestServer::start(Setup::default()).await;
    let agent = &server.agents[0];
    let phone = Phone::udp(server.sip()).await;
    let response = phone
        .register(&agent.extension, &agent.password, Some(10))
        .await;
    assert_eq!(response.status, StatusCode::INTERVAL_TOO_BRIEF);
    assert_eq!(response.headers.min_expires(), Ok(Some(60)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_expiry_is_shortened_to_the_maximum() {
    let server = TestServer::start(Setup::default()).await;
    let agent = &server.agents[0];
    let phone = Phone::udp(server.sip()).await;
    let response = phone
        .register(&agent.extension, &agent.password, Some(86_400))
        .await;
    assert_eq!(response.status, StatusCode::OK);
    let bound = contacts(&response);
    assert!(
        bound[0].ends_with("expires=3600") || bound[0].ends_with("expires=3599"),
        "{bound:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_over_tcp_is_answered_on_the_connection() {
    let server = TestServer::start(Setup::default()).await;
    let agent = &server.agents[0];
    let phone = Phone::tcp(server.sip_tcp()).await;
    let response = phone
        .register(&agent.extension, &agent.password, None)
        .await;
    assert_eq!(response.status, StatusCode::OK);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn options_is_answered_with_what_we_support() {
    let server = TestServer::start(Setup::default()).await;
    let phone = Phone::udp(server.sip()).await;
    let call_id = unique("opt");
    let request = phone.build(
        "OPTIONS",
        &format!("sip:{}", server.sip()),
        &[
            format!("From: <sip:keepalive@{}>;tag=1", phone.local),
            format!("To: <sip:{}>", server.sip()),
            format!("Call-ID: {call_id}"),
            "CSeq: 1 OPTIONS".to_owned(),
        ],
        "",
    );
    phone.send(request).await;
    let response = phone.final_response(&call_id, Method::Options).await;
    assert_eq!(response.status, StatusCode::OK);
    let allow = response.headers.allow().unwrap().unwrap();
    assert!(allow.contains(&Method::Invite) && allow.contains(&Method::Register));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bindings_survive_a_restart_on_the_same_data() {
    let mut server = TestServer::start(Setup::default()).await;
    let agent = server.agents[0].clone();
    let phone = Phone::udp(server.sip()).await;
    let ok = phone
        .register(&agent.extension, &agent.password, Some(600))
        .await;
    assert_eq!(ok.status, StatusCode::OK);
    server.restart().await;
    assert!(server.agent_state(&agent).await.registered);
    // The new server's registrar lists the binding too.
    let phone = Phone::udp(server.sip()).await;
    let query = phone
        .register_with(&agent.extension, &agent.password, None, None)
        .await;
    assert_eq!(contacts(&query).len(), 1, "{query:?}");
}
