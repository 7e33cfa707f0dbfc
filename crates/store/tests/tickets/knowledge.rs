//! The knowledge base: articles and full-text search on both backends.

use store::{Entity, Error, KbArticleId, NewKbArticle};

use crate::support::{Fixture, T0};

contract!(
    articles_are_written_read_and_listed_newest_first,
    search_finds_articles_by_title_tags_and_text,
    search_follows_updates_and_deletions,
    invalid_articles_are_refused,
);

fn article(title: &str, body: &str, tags: &[&str]) -> NewKbArticle {
    NewKbArticle {
        title: title.to_owned(),
        body: body.to_owned(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
    }
}

async fn articles_are_written_read_and_listed_newest_first(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let mut ids = Vec::new();
    for n in 0..5 {
        let a = t
            .create_kb_article(&article(&format!("A{n}"), "text", &["x"]), T0 + n)
            .await
            .unwrap();
        ids.push(a.id);
    }
    let first = t.kb_article(ids[0]).await.unwrap().unwrap();
    assert_eq!(
        (first.title.as_str(), first.tags.as_slice()),
        ("A0", ["x".to_owned()].as_slice())
    );
    let page = t.kb_articles(None, 3).await.unwrap();
    let seen: Vec<_> = page.iter().map(|a| a.id).collect();
    assert_eq!(seen, [ids[4], ids[3], ids[2]]);
    let rest = t.kb_articles(Some(ids[2]), 3).await.unwrap();
    let seen: Vec<_> = rest.iter().map(|a| a.id).collect();
    assert_eq!(seen, [ids[1], ids[0]]);
}

async fn search_finds_articles_by_title_tags_and_text(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let fibre = t
        .create_kb_article(
            &article(
                "Fibre 1 Gb/s offer",
                "Free installation until March for new subscribers.",
                &["promo", "internet"],
            ),
            T0,
        )
        .await
        .unwrap();
    let roaming = t
        .create_kb_article(
            &article(
                "Roaming tariffs",
                "Calls from abroad cost 0.20 per minute; fibre customers pay the same.",
                &["mobile"],
            ),
            T0,
        )
        .await
        .unwrap();
    let ids = |found: Vec<store::KbArticle>| found.into_iter().map(|a| a.id).collect::<Vec<_>>();
    assert_eq!(
        ids(t.search_kb("installation", 10).await.unwrap()),
        [fibre.id]
    );
    assert_eq!(ids(t.search_kb("PROMO", 10).await.unwrap()), [fibre.id]);
    assert_eq!(ids(t.search_kb("tarif", 10).await.unwrap()), [roaming.id]);
    assert_eq!(
        ids(t.search_kb("abroad minute", 10).await.unwrap()),
        [roaming.id]
    );
    // Both mention fibre; the title match ranks first.
    assert_eq!(
        ids(t.search_kb("fibre", 10).await.unwrap()),
        [fibre.id, roaming.id]
    );
    assert_eq!(ids(t.search_kb("fibre", 1).await.unwrap()), [fibre.id]);
    assert!(t.search_kb("satellite", 10).await.unwrap().is_empty());
    assert!(t.search_kb("  ", 10).await.unwrap().is_empty());
}

async fn search_follows_updates_and_deletions(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    let a = t
        .create_kb_article(&article("Summer promo", "beach", &[]), T0)
        .await
        .unwrap();
    let updated = t
        .update_kb_article(a.id, &article("Winter promo", "snow", &["ski"]), T0 + 1)
        .await
        .unwrap();
    assert_eq!((updated.updated_at_ms, updated.created_at_ms), (T0 + 1, T0));
    assert!(t.search_kb("summer", 10).await.unwrap().is_empty());
    assert!(t.search_kb("beach", 10).await.unwrap().is_empty());
    assert_eq!(t.search_kb("ski snow", 10).await.unwrap(), [updated]);
    t.delete_kb_article(a.id).await.unwrap();
    assert!(t.search_kb("winter", 10).await.unwrap().is_empty());
    assert_eq!(t.kb_article(a.id).await.unwrap(), None);
    let err = t.delete_kb_article(a.id).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::KbArticle)), "{err:?}");
    let err = t
        .update_kb_article(KbArticleId(999), &article("x", "y", &[]), T0)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound(Entity::KbArticle)), "{err:?}");
}

async fn invalid_articles_are_refused(fx: &Fixture) {
    let t = fx.tenant("acme").await;
    for bad in [
        article("", "x", &[]),
        article(&"t".repeat(301), "x", &[]),
        article("ok", "x", &[" "]),
    ] {
        let err = t.create_kb_article(&bad, T0).await.unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err:?}");
    }
    assert!(t.kb_articles(None, 10).await.unwrap().is_empty());
}
