//! At the largest text size (VVSG 2.0 7.1-G) a ranked contest is taller
//! than the screen: a keyboard voter who moves through its grid, forward
//! with Tab and back with Shift+Tab, sees every rank button they reach
//! whole, below the top of the window and above the action bar held at
//! the bottom (Next / Review), never hidden under it; a voter who
//! touches a control instead never sees the page move under the finger.

use std::collections::BTreeSet;

use crate::support::*;

const SHIFT: &str = "\u{E008}";

/// Where the focused control is, once its scrolling has settled: its id
/// (`candidate#rank`), top, bottom, the action bar's top and the
/// window's height; `None` when the focus is not on a rank button.
async fn focused_rank(k: &Kiosk) -> Option<(String, f64, f64, f64, f64)> {
    let mut last = None;
    for _ in 0..20 {
        let v = k
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 requestAnimationFrame(() => requestAnimationFrame(() => {
                   const a = document.activeElement;
                   if (!a || !a.matches('button.rank')) return done(null);
                   const r = a.getBoundingClientRect();
                   const bar = document.querySelector('.action-bar').getBoundingClientRect();
                   done([a.dataset.candidate + '#' + a.dataset.rank, r.top, r.bottom, bar.top, window.innerHeight]);
                 }));",
                vec![],
            )
            .await
            .expect("focused rank");
        let now = v.as_array().map(|a| {
            (
                a[0].as_str().unwrap_or_default().to_string(),
                a[1].as_f64().unwrap_or(f64::NAN),
                a[2].as_f64().unwrap_or(f64::NAN),
                a[3].as_f64().unwrap_or(f64::NAN),
                a[4].as_f64().unwrap_or(f64::NAN),
            )
        });
        if now.is_none() || now == last {
            return now;
        }
        last = now;
    }
    last
}

/// Asserts the focused rank button is whole between the window's top and
/// the action bar; returns its id.
fn assert_in_view(way: &str, (id, top, bottom, bar, height): &(String, f64, f64, f64, f64)) -> String {
    assert!(
        *bar < *height && *bar > height / 2.0,
        "{way}: the action bar is not held at the bottom (its top {bar}, the window {height})"
    );
    assert!(
        *top >= -0.5 && *bottom <= bar + 0.5,
        "{way}: rank button {id} is not wholly in view: {top}–{bottom}, the action bar starts at {bar}"
    );
    id.clone()
}

#[tokio::test(flavor = "multi_thread")]
async fn at_the_largest_text_every_rank_button_reached_by_keyboard_is_wholly_above_the_action_bar() {
    if !tools_ready() {
        return;
    }
    let _serial = crate::SERIAL.lock().await;
    let day = demo_day("E2E-LARGEST", true, 1, |_| {});
    let k = day.kiosk().await;
    crate::axe::set_display(&k, "standard", "largest").await;
    k.click("#start").await;
    k.wait_screen("code").await;
    k.type_into("#code", &day.codes[0]).await;
    k.click("#code-submit").await;

    // The ranked contest with the most rank buttons.
    let (ranked, candidates, ranks) = day
        .def
        .contests
        .iter()
        .filter_map(|c| match &c.kind {
            votekiosk::definition::ContestKind::Ranked { max_rankings, .. } => Some((
                c.id.to_string(),
                c.kind.candidates().len(),
                (*max_rankings as usize).min(c.kind.candidates().len()),
            )),
            _ => None,
        })
        .max_by_key(|(_, n, r)| n * r)
        .expect("the demo election has a ranked contest");
    k.wait_screen("contest").await;
    while crate::switch::contest_id(&k).await != ranked {
        assert_ne!(k.screen().await, "review", "never reached {ranked}");
        k.next_contest().await;
    }
    let buttons = candidates * ranks;
    let scroll = "return document.scrollingElement.scrollHeight > window.innerHeight";
    assert_eq!(
        k.client
            .execute(scroll, vec![])
            .await
            .expect("scroll height")
            .as_bool(),
        Some(true),
        "at the largest size the ranked contest is taller than the window (else this test shows nothing)"
    );

    // Forward with Tab through the whole grid.
    k.tab_to("button.rank").await;
    let mut forward = BTreeSet::new();
    let mut lowest = String::new();
    for _ in 0..buttons * 2 + 10 {
        let Some(at) = focused_rank(&k).await else {
            if !forward.is_empty() {
                break;
            }
            k.keys(TAB).await;
            continue;
        };
        lowest = assert_in_view("Tab", &at);
        forward.insert(lowest.clone());
        k.keys(TAB).await;
    }
    assert_eq!(
        forward.len(),
        buttons,
        "Tab reached every rank button once: {forward:?}"
    );
    // The last one again: the picture shows it above the action bar.
    k.keys(&format!("{SHIFT}{TAB}{NULL}")).await;
    let at = focused_rank(&k).await.expect("back on the last rank button");
    assert_eq!(assert_in_view("Shift+Tab", &at), lowest);
    k.shot("43-largest-ranked-focus").await;

    // Back with Shift+Tab to the first.
    let mut back = BTreeSet::new();
    while let Some(at) = focused_rank(&k).await {
        back.insert(assert_in_view("Shift+Tab", &at));
        assert!(back.len() <= buttons, "Shift+Tab went round");
        k.keys(&format!("{SHIFT}{TAB}{NULL}")).await;
    }
    assert_eq!(back, forward, "Shift+Tab reached every rank button too");

    // A voter who touches a rank button the action bar nearly reaches
    // (wholly on screen, its bottom a few pixels above the bar) does not
    // see the page move under the finger: the next touch lands where
    // they aim. The keyboard's keep-clear scroll is for keys only.
    let (candidate, rank) = lowest.split_once('#').expect("candidate#rank");
    let css = format!("button.rank[data-candidate='{candidate}'][data-rank='{rank}']");
    let placed = k
        .client
        .execute_async(
            "const [css, done] = [arguments[0], arguments[arguments.length - 1]];
             const b = document.querySelector(css);
             const bar = () => document.querySelector('.action-bar').getBoundingClientRect().top;
             document.scrollingElement.scrollBy(0, b.getBoundingClientRect().bottom - (bar() - 3));
             requestAnimationFrame(() => requestAnimationFrame(() => {
               const r = b.getBoundingClientRect();
               done([bar() - r.bottom, document.scrollingElement.scrollTop, document.getElementById('app').scrollTop]);
             }));",
            vec![css.clone().into()],
        )
        .await
        .expect("place the button");
    let gap = placed[0].as_f64().expect("gap");
    assert!(
        (0.0..8.0).contains(&gap),
        "{css} sits {gap} px above the action bar: the keep-clear margin (8 px) would move it"
    );
    k.el(&css).await.click().await.expect("touch the rank button");
    let after = k
        .client
        .execute_async(
            "const [css, done] = [arguments[0], arguments[arguments.length - 1]];
             requestAnimationFrame(() => requestAnimationFrame(() => requestAnimationFrame(() =>
               done([document.querySelector(css).getAttribute('aria-pressed'),
                     document.scrollingElement.scrollTop, document.getElementById('app').scrollTop]))));",
            vec![css.clone().into()],
        )
        .await
        .expect("after the touch");
    assert_eq!(after[0].as_str(), Some("true"), "the touch chose {css}");
    assert_eq!(
        (after[1].as_f64(), after[2].as_f64()),
        (placed[1].as_f64(), placed[2].as_f64()),
        "the page (window, main) did not scroll under the finger after touching {css}"
    );
    k.stop().await;
}
