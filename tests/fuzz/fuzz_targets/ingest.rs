//! Fuzz the ingest pipeline entry point: any bytes are stored or quarantined, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::cell::RefCell;

thread_local! {
    static STORE: RefCell<Option<helpdesk::Store>> = RefCell::new(helpdesk::Store::open_in_memory().ok());
}

fuzz_target!(|data: &[u8]| {
    static RUN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    STORE.with(|s| {
        let mut s = s.borrow_mut();
        let Some(store) = s.as_mut() else { return };
        let opts = helpdesk::mail::IngestOptions::default();
        let first = store.write(|w| helpdesk::mail::ingest(w, data, &format!("fuzz:{n}"), &opts, 1_700_000_000));
        assert!(first.is_ok(), "{first:?}");
        // The same bytes again are a duplicate, whatever they are.
        let again = store.write(|w| helpdesk::mail::ingest(w, data, &format!("fuzz:{n}:again"), &opts, 1_700_000_000));
        assert!(matches!(again, Ok(helpdesk::mail::Outcome::Duplicate(_))), "{again:?}");
    });
});
