//! What ingesting a message did, and the counts of a run.

use super::source::Skipped;
use crate::domain::ItemRef;
use serde::Serialize;

/// What happened to one raw message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    New(ItemRef),
    FollowUp(ItemRef),
    Duplicate(String),
    AutoReply(Option<ItemRef>),
    /// A delivery report; with the item of the reply it bounced, when it reports a failure.
    Bounce(Option<ItemRef>, Option<String>),
    Abuse,
    Spam(ItemRef),
    Dropped,
    Quarantined(String),
}

impl Outcome {
    pub fn name(&self) -> &'static str {
        match self {
            Outcome::New(_) => "new",
            Outcome::FollowUp(_) => "follow-up",
            Outcome::Duplicate(_) => "duplicate",
            Outcome::AutoReply(_) => "auto-reply",
            Outcome::Bounce(..) => "bounce",
            Outcome::Abuse => "abuse",
            Outcome::Spam(_) => "spam",
            Outcome::Dropped => "dropped",
            Outcome::Quarantined(_) => "quarantined",
        }
    }
}

/// Counts of an import run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub messages: usize,
    pub new_items: usize,
    pub follow_ups: usize,
    pub duplicates: usize,
    pub auto_replies: usize,
    pub bounces: usize,
    pub abuse_reports: usize,
    pub rate_limited: usize,
    /// Of those rate-limited, the ones dropped from ingestion (raw kept, listed in the quarantine).
    pub dropped: usize,
    pub quarantined: usize,
    pub skipped: Vec<Skipped>,
    pub dry_run: bool,
}

impl Summary {
    /// Add the counts of another run (skipped files are listed once, by the caller).
    pub fn merge(&mut self, b: Summary) {
        self.messages += b.messages;
        self.new_items += b.new_items;
        self.follow_ups += b.follow_ups;
        self.duplicates += b.duplicates;
        self.auto_replies += b.auto_replies;
        self.bounces += b.bounces;
        self.abuse_reports += b.abuse_reports;
        self.rate_limited += b.rate_limited;
        self.dropped += b.dropped;
        self.quarantined += b.quarantined;
    }

    pub fn add(&mut self, o: &Outcome) {
        self.messages += 1;
        match o {
            Outcome::New(_) => self.new_items += 1,
            Outcome::FollowUp(_) => self.follow_ups += 1,
            Outcome::Duplicate(_) => self.duplicates += 1,
            Outcome::AutoReply(_) => self.auto_replies += 1,
            Outcome::Bounce(..) => self.bounces += 1,
            Outcome::Abuse => self.abuse_reports += 1,
            Outcome::Spam(_) => self.rate_limited += 1,
            Outcome::Dropped => {
                self.rate_limited += 1;
                self.dropped += 1;
            }
            Outcome::Quarantined(_) => self.quarantined += 1,
        }
    }
}
