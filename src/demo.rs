//! Demo data: a realistic help desk generated from templates and BANKING77 customer queries (see assets/).

pub mod maildir;
mod text;

use crate::domain::{
    DeliveryState, Direction, Kind, LinkRel, MsgChannel, PartKind, Severity, SourceChannel, Subtype, Tier,
};
use crate::stage::{AnyStage, ConversationStage, Stage, TaskStage, TicketStage};
use crate::store::{By, NewAccount, NewContact, NewItem, NewMessage, Writer};
use crate::{Result, Store};
use text::{Rng, Seeds};

/// What was generated.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct DemoSummary {
    pub tickets: usize,
    pub conversations: usize,
    pub issues: usize,
    pub tasks: usize,
    pub messages: usize,
    pub contacts: usize,
    pub accounts: usize,
}

const MEMBERS: &[(&str, &str)] = &[
    ("alice", "Alice Moreau"),
    ("bilal", "Bilal Chaudhry"),
    ("chen", "Chen Wei"),
    ("dana", "Dana Okafor"),
    ("emil", "Emil Lindqvist"),
    ("farah", "Farah Haddad"),
    ("goran", "Goran Petrović"),
    ("hana", "Hana Sato"),
];

/// Paths through the ticket table, ending in each stage, with how often tickets end there (per mille).
const TICKET_PATHS: &[(u32, &[TicketStage])] = {
    use TicketStage::*;
    &[
        (140, &[]),
        (160, &[WorkInProgress]),
        (60, &[WorkInProgress, AwaitingProductAssist]),
        (50, &[WorkInProgress, AwaitingProductAssist, AwaitingDevelopment]),
        (50, &[WorkInProgress, AwaitingProductAssist, AwaitingDevelopment, InDevelopment]),
        (110, &[WorkInProgress, AwaitingCustomerResponse]),
        (30, &[WorkInProgress, AwaitingProductAssist, Accepted]),
        (330, &[WorkInProgress, AwaitingCustomerResponse, Resolved]),
        (70, &[WorkInProgress, Canceled]),
    ]
};

/// Fill the store with `tickets` tickets (about ten messages each, counting conversations) and everything around them.
pub fn generate(store: &mut Store, tickets: usize, progress: &mut dyn FnMut(usize, usize)) -> Result<DemoSummary> {
    generate_at(store, tickets, crate::now(), progress)
}

/// As [`generate`], with the clock fixed at `now` (the same data every time: for tests and snapshots).
pub fn generate_at(
    store: &mut Store,
    tickets: usize,
    now: i64,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<DemoSummary> {
    let seeds = Seeds::load();
    let mut rng = Rng::new(0x5eed_1234);
    let start = now - 120 * 86_400;
    let mut sum = DemoSummary::default();
    let (features, contacts) = store.write(|w| setup(w, &mut rng, tickets, start, &mut sum))?;
    let chunk = 5_000;
    let mut done = 0;
    while done < tickets {
        let n = chunk.min(tickets - done);
        store.write(|w| {
            let mut g = Gen { w, seeds: &seeds, rng: &mut rng, features: &features, contacts: &contacts, now, start };
            for i in 0..n {
                g.ticket(done + i, tickets, &mut sum)?;
                if (done + i) % 2 == 0 {
                    g.conversation(&mut sum)?;
                }
                if (done + i) % 10 == 0 {
                    g.issue(&mut sum)?;
                }
            }
            Ok(())
        })?;
        done += n;
        progress(done, tickets);
    }
    Ok(sum)
}

fn setup(
    w: &Writer<'_>,
    rng: &mut Rng,
    tickets: usize,
    at: i64,
    sum: &mut DemoSummary,
) -> Result<(Vec<Feature>, Vec<Person>)> {
    for (login, name) in MEMBERS {
        w.add_member(login, name, Some(&format!("{login}@helpdesk.example")))?;
    }
    let mut features = vec![];
    for (product, caps) in text::PARTS {
        let prod = w.add_part(PartKind::Product, product, None)?;
        let prod_row = w.part_row_of(prod)?;
        for (cap, intents) in *caps {
            let c = w.add_part(PartKind::Capability, cap, Some(prod_row))?;
            let cap_row = w.part_row_of(c)?;
            for intent in *intents {
                let f = w.add_part(PartKind::Feature, &text::feature_name(intent), Some(cap_row))?;
                features.push((w.part_row_of(f)?, intent.to_string()));
            }
        }
    }
    let n_accounts = (tickets / 25).clamp(12, 5000);
    let mut accounts = vec![];
    for i in 0..n_accounts {
        let (name, domain) = text::company(i);
        let tier = [Tier::Free, Tier::Standard, Tier::Standard, Tier::Premium, Tier::Enterprise][rng.below(5)];
        let a = NewAccount {
            name,
            domains: vec![domain],
            tier: Some(tier),
            description: text::account_description(rng),
            owner: Some(MEMBERS[rng.below(MEMBERS.len())].0.to_string()),
            tags: if tier == Tier::Enterprise { vec!["priority/escalated".into()] } else { vec![] },
            external_ref: Some(format!("crm-{:05}", i + 1)),
        };
        accounts.push(w.add_account(&a, at)?);
        sum.accounts += 1;
    }
    let n_contacts = (tickets / 5).clamp(40, 25_000);
    let mut contacts = vec![];
    for i in 0..n_contacts {
        let (first, last) = text::person(i);
        let free = i % 7 == 3;
        let acc = (!free).then(|| accounts[i % accounts.len()]);
        let domain = match acc {
            Some(a) => w.account(a)?.domains.first().cloned().unwrap_or_default(),
            None => ["gmail.com", "outlook.com", "proton.me", "yahoo.com"][i % 4].to_string(),
        };
        let email = format!("{}.{}{}@{}", first.to_lowercase(), last.to_lowercase(), i, domain);
        let c = NewContact {
            name: format!("{first} {last}"),
            emails: vec![email.clone()],
            phones: if i % 3 == 0 { vec![format!("+44 20 7946 {:04}", i % 10_000)] } else { vec![] },
            external_ref: Some(format!("cust-{:06}", i + 1)),
            verified: i % 4 != 0,
            account_row: acc,
            tags: if i % 41 == 0 { vec!["power-user".into()] } else { vec![] },
        };
        contacts.push(Person { row: w.add_contact(&c, at)?, account: acc, name: format!("{first} {last}"), email });
        sum.contacts += 1;
    }
    Ok((features, contacts))
}

/// A feature part row and the BANKING77 intent it stands for.
type Feature = (i64, String);

/// A generated customer: contact row, account row, name and email.
#[derive(Clone)]
struct Person {
    row: i64,
    account: Option<i64>,
    name: String,
    email: String,
}

struct Gen<'a, 'w> {
    w: &'a Writer<'w>,
    seeds: &'a Seeds,
    rng: &'a mut Rng,
    features: &'a [Feature],
    contacts: &'a [Person],
    now: i64,
    start: i64,
}

impl Gen<'_, '_> {
    fn pick_path(&mut self) -> &'static [TicketStage] {
        let mut x = self.rng.below(1000) as u32;
        for (w, p) in TICKET_PATHS {
            if x < *w {
                return p;
            }
            x -= w;
        }
        &[]
    }

    fn ticket(&mut self, i: usize, total: usize, sum: &mut DemoSummary) -> Result<()> {
        let (feature, intent) = self.features[self.rng.below(self.features.len())].clone();
        let query = self.seeds.query(&intent, self.rng).to_string();
        let contact = self.contacts[self.rng.below(self.contacts.len())].clone();
        // Spread creation over the window, oldest first, with recent days busier.
        let frac = (i as f64 + self.rng.unit()) / total.max(1) as f64;
        let mut t = self.start + ((self.now - self.start - 3600) as f64 * frac.sqrt()) as i64;
        let owner = MEMBERS[self.rng.below(MEMBERS.len())].0;
        let mut n = NewItem::new(
            Kind::Ticket,
            text::title_from(&query),
            if i.is_multiple_of(3) { SourceChannel::Email } else { SourceChannel::Tui },
        );
        n.description = query.clone();
        n.severity = Some(
            [Severity::Low, Severity::Medium, Severity::Medium, Severity::High, Severity::Blocker]
                [self.rng.below(5).min(self.rng.below(5))],
        );
        n.subtype = Some([Subtype::Question, Subtype::Bug, Subtype::Bug, Subtype::FeatureRequest][self.rng.below(4)]);
        n.part_row = Some(feature);
        n.account_row = contact.account;
        n.contact_row = Some(contact.row);
        n.reported_by = vec![contact.row];
        n.mailbox = Some("support@helpdesk.example".into());
        n.owner = (self.rng.below(10) > 0).then(|| owner.to_string());
        let by = By::at(owner, t);
        let id = self.w.create_item(&n, &By::at(&contact.email, t))?;
        let row = self.w.item_row(id)?;
        self.thread(row, &contact, owner, &query, &intent, t, sum)?;
        let path = self.pick_path();
        for (k, s) in path.iter().enumerate() {
            t += 3600 * (1 + self.rng.below(30)) as i64;
            t = t.min(self.now - 60);
            self.w.set_stage(id, AnyStage::Ticket(*s), &By::at(&by.who, t))?;
            if *s == TicketStage::AwaitingCustomerResponse || (*s == TicketStage::WorkInProgress && k == 0) {
                self.message(row, &contact, owner, false, &intent, t + 60, sum)?;
                self.w.apply_member_reply(row, &By::at(owner, t + 60))?;
            }
        }
        if let Some(last) = path.last()
            && !last.is_closed()
            && self.rng.below(3) == 0
        {
            self.message(row, &contact, owner, true, &intent, t + 120, sum)?;
            self.w.apply_customer_message(row, &By::at(&contact.email, t + 120), crate::stage::REOPEN_WINDOW_DAYS)?;
        }
        if self.rng.below(4) == 0 {
            self.w.tag_item(id, &[text::TICKET_TAGS[self.rng.below(text::TICKET_TAGS.len())].to_string()], &by)?;
        }
        sum.tickets += 1;
        Ok(())
    }

    /// The opening exchange of an item: customer message, replies back and forth, an internal note.
    #[allow(clippy::too_many_arguments)]
    fn thread(
        &mut self,
        row: i64,
        contact: &Person,
        owner: &str,
        query: &str,
        intent: &str,
        t: i64,
        sum: &mut DemoSummary,
    ) -> Result<()> {
        let first = NewMessage {
            body: text::customer_body(&contact.name, query, self.rng),
            ..self.base(row, contact, true, &text::title_from(query), t)
        };
        self.w.add_message(&first)?;
        sum.messages += 1;
        let rounds = 3 + self.rng.below(6);
        let mut at = t;
        for r in 0..rounds {
            at += 600 + (self.rng.below(7200)) as i64;
            self.message(row, contact, owner, r % 2 == 1, intent, at, sum)?;
        }
        if self.rng.below(2) == 0 {
            let note = NewMessage::internal(row, owner, &text::internal_note(intent, self.rng), at + 30);
            self.w.add_message(&note)?;
            sum.messages += 1;
        }
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    fn message(
        &mut self,
        row: i64,
        contact: &Person,
        owner: &str,
        inbound: bool,
        intent: &str,
        at: i64,
        sum: &mut DemoSummary,
    ) -> Result<i64> {
        let body = if inbound {
            text::customer_followup(&contact.name, self.rng)
        } else {
            text::member_reply(&contact.name, owner, intent, self.rng)
        };
        let mut m = NewMessage { body, ..self.base(row, contact, inbound, "Re: your request", at) };
        if !inbound {
            m.author = Some(owner.to_string());
            m.from_addr = "support@helpdesk.example".into();
            m.from_name = "Example Support".into();
            m.to = vec![contact.email.clone()];
            m.contact_row = None;
            m.delivery =
                Some([DeliveryState::Sent, DeliveryState::Delivered, DeliveryState::Delivered][self.rng.below(3)]);
        }
        let r = self.w.add_message(&m)?;
        sum.messages += 1;
        Ok(r)
    }

    fn base(&mut self, row: i64, contact: &Person, inbound: bool, subject: &str, at: i64) -> NewMessage {
        NewMessage {
            item_row: Some(row),
            channel: MsgChannel::Customer,
            direction: if inbound { Direction::Inbound } else { Direction::Outbound },
            message_id: None,
            in_reply_to: None,
            refs: vec![],
            from_addr: contact.email.clone(),
            from_name: contact.name.clone(),
            to: vec!["support@helpdesk.example".into()],
            cc: vec![],
            subject: subject.to_string(),
            body: String::new(),
            sent_at: at.min(self.now),
            author: None,
            contact_row: Some(contact.row),
            delivery: None,
            thread_reason: String::new(),
            class: "normal".into(),
        }
    }

    fn conversation(&mut self, sum: &mut DemoSummary) -> Result<()> {
        let (_, intent) = self.features[self.rng.below(self.features.len())].clone();
        let query = self.seeds.query(&intent, self.rng).to_string();
        let contact = self.contacts[self.rng.below(self.contacts.len())].clone();
        // Late enough that every reply below still lies in the past.
        let t = self.now - 3 * 86_400 - self.rng.below(27 * 86_400) as i64;
        let mut n = NewItem::new(Kind::Conversation, text::title_from(&query), SourceChannel::Email);
        n.account_row = contact.account;
        n.contact_row = Some(contact.row);
        n.reported_by = vec![contact.row];
        n.needs_response = true;
        n.mailbox = Some("support@helpdesk.example".into());
        n.owner = Some(MEMBERS[self.rng.below(MEMBERS.len())].0.to_string());
        let id = self.w.create_item(&n, &By::at(&contact.email, t))?;
        let row = self.w.item_row(id)?;
        let first = NewMessage {
            body: text::customer_body(&contact.name, &query, self.rng),
            ..self.base(row, &contact, true, &n.title, t)
        };
        self.w.add_message(&first)?;
        sum.messages += 1;
        let owner = n.owner.clone().unwrap_or_default();
        // First responses spread from minutes to a day and a half, skewed short.
        let wait = 300 + (self.rng.unit().powi(3) * 36.0 * 3600.0) as i64;
        match self.rng.below(6) {
            0 | 1 => {}
            2 | 3 => {
                self.message(row, &contact, &owner, false, &intent, t + wait, sum)?;
                self.w.apply_member_reply(row, &By::at(&owner, t + wait))?;
            }
            4 => {
                self.message(row, &contact, &owner, false, &intent, t + wait, sum)?;
                self.w.apply_member_reply(row, &By::at(&owner, t + wait))?;
                self.message(row, &contact, &owner, true, &intent, t + wait + 5400, sum)?;
                self.w.apply_customer_message(row, &By::at(&contact.email, t + wait + 5400), 14)?;
            }
            _ => {
                self.message(row, &contact, &owner, false, &intent, t + wait, sum)?;
                self.w.apply_member_reply(row, &By::at(&owner, t + wait))?;
                self.w.set_stage(
                    id,
                    AnyStage::Conversation(ConversationStage::Resolved),
                    &By::at(&owner, t + wait + 86_400),
                )?;
            }
        }
        sum.conversations += 1;
        Ok(())
    }

    fn issue(&mut self, sum: &mut DemoSummary) -> Result<()> {
        let (feature, intent) = self.features[self.rng.below(self.features.len())].clone();
        let t = self.now - self.rng.below(60 * 86_400) as i64;
        let owner = MEMBERS[self.rng.below(MEMBERS.len())].0;
        let mut n = NewItem::new(Kind::Issue, text::issue_title(&intent, self.rng), SourceChannel::Tui);
        n.description = text::issue_description(&intent, self.rng);
        n.part_row = Some(feature);
        n.owner = Some(owner.to_string());
        n.severity = Some([Severity::Low, Severity::Medium, Severity::High][self.rng.below(3)]);
        let id = self.w.create_item(&n, &By::at(owner, t))?;
        let depth = self.rng.below(9);
        let mut at = t;
        for s in crate::stage::IssueStage::ALL.iter().skip(1).take(depth.min(7)) {
            at += 3600 * (2 + self.rng.below(48)) as i64;
            self.w.set_stage(id, AnyStage::Issue(*s), &By::at(owner, at.min(self.now)))?;
        }
        // Link tickets waiting on product assist or development to it.
        let open = self.w.list(
            &crate::store::ItemFilter {
                kind: Some(Kind::Ticket),
                stages: [
                    TicketStage::AwaitingDevelopment,
                    TicketStage::InDevelopment,
                    TicketStage::AwaitingProductAssist,
                ]
                .map(AnyStage::Ticket)
                .to_vec(),
                part_row: None,
                ..Default::default()
            },
            crate::store::Page::default(),
            1 + self.rng.below(3),
        )?;
        for r in open {
            self.w.link(r.id, id, LinkRel::Issue, &By::at(owner, at))?;
        }
        for k in 0..2 {
            let mut tn = NewItem::new(Kind::Task, text::task_title(&intent, k), SourceChannel::Tui);
            tn.parent = Some(id);
            tn.owner = Some(MEMBERS[self.rng.below(MEMBERS.len())].0.to_string());
            let task = self.w.create_item(&tn, &By::at(owner, at))?;
            if depth > 3 {
                self.w.set_stage(task, AnyStage::Task(TaskStage::InProgress), &By::at(owner, at))?;
                if depth > 5 {
                    self.w.set_stage(task, AnyStage::Task(TaskStage::Done), &By::at(owner, at))?;
                }
            }
            sum.tasks += 1;
        }
        sum.issues += 1;
        Ok(())
    }
}
