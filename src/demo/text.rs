//! Text for the demo: the part tree, names, and message templates around BANKING77 queries.

use std::collections::HashMap;

/// A small deterministic generator (splitmix64): the demo is the same every time.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.next() % n as u64) as usize }
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    pub fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

/// Customer queries by intent, from the embedded BANKING77 subset.
pub struct Seeds {
    by_intent: HashMap<&'static str, Vec<&'static str>>,
}

const SUBSET: &str = include_str!("../../assets/banking77-subset.tsv");

impl Seeds {
    pub fn load() -> Seeds {
        let mut by_intent: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for line in SUBSET.lines() {
            if let Some((intent, text)) = line.split_once('\t') {
                by_intent.entry(intent).or_default().push(text);
            }
        }
        Seeds { by_intent }
    }
    pub fn query(&self, intent: &str, rng: &mut Rng) -> &'static str {
        match self.by_intent.get(intent) {
            Some(v) if !v.is_empty() => v[rng.below(v.len())],
            _ => "I have a question about my account.",
        }
    }
}

type Tree = &'static [(&'static str, &'static [(&'static str, &'static [&'static str])])];

/// Product > capability > feature, the features named after BANKING77 intents.
pub const PARTS: Tree = &[
    (
        "Cards",
        &[
            (
                "Card lifecycle",
                &[
                    "activate_my_card",
                    "card_arrival",
                    "card_delivery_estimate",
                    "card_about_to_expire",
                    "order_physical_card",
                    "get_physical_card",
                    "getting_spare_card",
                    "lost_or_stolen_card",
                    "compromised_card",
                    "card_swallowed",
                ],
            ),
            (
                "Card payments",
                &[
                    "card_payment_fee_charged",
                    "card_payment_not_recognised",
                    "card_payment_wrong_exchange_rate",
                    "declined_card_payment",
                    "pending_card_payment",
                    "reverted_card_payment?",
                    "card_acceptance",
                    "card_not_working",
                    "contactless_not_working",
                    "transaction_charged_twice",
                ],
            ),
            (
                "Virtual cards",
                &[
                    "getting_virtual_card",
                    "get_disposable_virtual_card",
                    "disposable_card_limits",
                    "virtual_card_not_working",
                    "card_linking",
                    "apple_pay_or_google_pay",
                    "visa_or_mastercard",
                    "supported_cards_and_currencies",
                ],
            ),
            (
                "Cash & ATM",
                &[
                    "atm_support",
                    "cash_withdrawal_charge",
                    "cash_withdrawal_not_recognised",
                    "declined_cash_withdrawal",
                    "pending_cash_withdrawal",
                    "wrong_amount_of_cash_received",
                    "wrong_exchange_rate_for_cash_withdrawal",
                    "change_pin",
                    "pin_blocked",
                ],
            ),
        ],
    ),
    (
        "Payments",
        &[
            (
                "Transfers",
                &[
                    "cancel_transfer",
                    "declined_transfer",
                    "failed_transfer",
                    "pending_transfer",
                    "transfer_fee_charged",
                    "transfer_into_account",
                    "transfer_not_received_by_recipient",
                    "transfer_timing",
                    "beneficiary_not_allowed",
                    "receiving_money",
                    "balance_not_updated_after_bank_transfer",
                    "direct_debit_payment_not_recognised",
                ],
            ),
            (
                "Top-up",
                &[
                    "automatic_top_up",
                    "pending_top_up",
                    "top_up_by_bank_transfer_charge",
                    "top_up_by_card_charge",
                    "top_up_by_cash_or_cheque",
                    "top_up_failed",
                    "top_up_limits",
                    "top_up_reverted",
                    "topping_up_by_card",
                    "verify_top_up",
                    "balance_not_updated_after_cheque_or_cash_deposit",
                ],
            ),
            (
                "Exchange",
                &["exchange_charge", "exchange_rate", "exchange_via_app", "fiat_currency_support", "country_support"],
            ),
            ("Refunds & fees", &["Refund_not_showing_up", "request_refund", "extra_charge_on_statement"]),
        ],
    ),
    (
        "Account",
        &[
            (
                "Identity",
                &[
                    "verify_my_identity",
                    "unable_to_verify_identity",
                    "why_verify_identity",
                    "verify_source_of_funds",
                    "age_limit",
                ],
            ),
            (
                "Access & profile",
                &["passcode_forgotten", "lost_or_stolen_phone", "edit_personal_details", "terminate_account"],
            ),
        ],
    ),
];

pub fn feature_name(intent: &str) -> String {
    capitalise(&intent.trim_end_matches('?').replace('_', " "))
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A ticket title from a customer query, trimmed to a readable length.
pub fn title_from(query: &str) -> String {
    let q = query.trim().trim_end_matches(['?', '.', '!']);
    let mut t: String = q.chars().take(90).collect();
    if q.chars().count() > 90 {
        if let Some(i) = t.rfind(' ') {
            t.truncate(i);
        }
        t.push('…');
    }
    capitalise(&t)
}

const FIRST: &[&str] = &[
    "Olivia", "Liam", "Sofia", "Noah", "Amara", "Mateo", "Ingrid", "Kenji", "Priya", "Lucas", "Zanele", "Tomasz",
    "Aisha", "Jonas", "Mei", "Rafael", "Chloé", "Arjun", "Freya", "Omar", "Nadia", "Pieter", "Lucía", "Kwame", "Elif",
    "Sven", "Yara", "Diego", "Hannah", "Ravi",
];
const LAST: &[&str] = &[
    "Bennett",
    "Nakamura",
    "Fischer",
    "Silva",
    "Okonkwo",
    "Kowalski",
    "Haddad",
    "Jensen",
    "Rossi",
    "Dubois",
    "Patel",
    "Novak",
    "Murphy",
    "Andersson",
    "García",
    "Mensah",
    "Yilmaz",
    "Kim",
    "Costa",
    "Dijkstra",
    "Schmidt",
    "Ivanova",
    "Brennan",
    "Lindgren",
    "Moreau",
];
const CO_A: &[&str] = &[
    "Northwind",
    "Bluefin",
    "Copperleaf",
    "Harbor",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Meridian",
    "Nimbus",
    "Orchard",
    "Pinecrest",
    "Quarry",
    "Redwood",
    "Saltmarsh",
    "Tidewater",
    "Umber",
    "Vantage",
    "Willow",
    "Yarrow",
    "Zephyr",
];
const CO_B: &[&str] = &[
    "Logistics",
    "Health",
    "Studios",
    "Foods",
    "Analytics",
    "Travel",
    "Robotics",
    "Outfitters",
    "Energy",
    "Labs",
    "Retail",
    "Partners",
    "Media",
    "Clinics",
    "Freight",
];

pub fn person(i: usize) -> (&'static str, &'static str) {
    (FIRST[i % FIRST.len()], LAST[(i / FIRST.len() + i * 7) % LAST.len()])
}

pub fn company(i: usize) -> (String, String) {
    let a = CO_A[i % CO_A.len()];
    let b = CO_B[(i / CO_A.len()) % CO_B.len()];
    let generation = i / (CO_A.len() * CO_B.len());
    let n = if generation == 0 { String::new() } else { (generation + 1).to_string() };
    let name = if n.is_empty() { format!("{a} {b}") } else { format!("{a} {b} {n}") };
    (name, format!("{}{}{n}.example", a.to_lowercase(), b.to_lowercase()))
}

pub fn account_description(rng: &mut Rng) -> String {
    rng.pick(&[
        "Business customer since 2021; pays staff expenses through virtual cards.",
        "Uses multi-currency accounts for suppliers in the EU and Asia.",
        "Small team, heavy card usage while travelling.",
        "Migrated from a legacy bank last year; sensitive about fees.",
        "Enterprise plan with a named account manager.",
    ])
    .to_string()
}

fn first_name(name: &str) -> &str {
    name.split(' ').next().unwrap_or(name)
}

pub fn customer_body(name: &str, query: &str, rng: &mut Rng) -> String {
    let open = rng.pick(&["Hello,", "Hi there,", "Good morning,", "Hi support team,", "Hello support,"]);
    let detail = rng.pick(&[
        "This happened yesterday and I still have not heard anything.",
        "I tried again this morning with the same result.",
        "It is quite urgent as I am travelling next week.",
        "I have attached a screenshot of what the app shows.",
        "Could you please look into it as soon as possible?",
        "My colleague has the same problem on her account.",
    ]);
    format!("{open}\n\n{query}\n\n{detail}\n\nThanks,\n{}", first_name(name))
}

pub fn customer_followup(name: &str, rng: &mut Rng) -> String {
    let body = rng.pick(&[
        "Thanks for getting back to me. I checked again and it is still the same.",
        "I did what you suggested but the problem is still there.",
        "Here is the reference from the statement, hope that helps.",
        "That worked, thank you! One more question though: will this happen again?",
        "Any update on this? It has been a few days.",
        "I restarted the app and logged in again, no change.",
    ]);
    format!("{body}\n\n{}", first_name(name))
}

pub fn member_reply(name: &str, owner: &str, intent: &str, rng: &mut Rng) -> String {
    let topic = feature_name(intent).to_lowercase();
    let body = rng.pick(&[
        "Thanks for reaching out. I have looked at your account and can see what happened.",
        "Sorry for the trouble. Could you send me the last four digits of the card and the date of the payment?",
        "I have escalated this to our payments team and will update you as soon as I hear back.",
        "This should now be fixed on our side. Could you try again and let me know?",
        "Thanks for your patience. The team is working on a fix and I will keep you posted.",
    ]);
    format!("Hi {},\n\n{body} (re: {topic})\n\nBest regards,\n{owner}\nExample Support", first_name(name))
}

pub fn internal_note(intent: &str, rng: &mut Rng) -> String {
    let note = rng.pick(&[
        "Checked the ledger: the transaction is there, just not shown in the app.",
        "Third report of this today, probably the same root cause as the open issue.",
        "Customer is on the enterprise plan, keep the account manager in the loop.",
        "Looks like the card processor retried the authorisation.",
        "Asked engineering in #payments whether this is known.",
    ]);
    format!("{note} ({})", feature_name(intent).to_lowercase())
}

pub fn issue_title(intent: &str, rng: &mut Rng) -> String {
    let shape = rng.pick(&[
        "Investigate reports: {}",
        "{}: state not refreshed after webhook",
        "Race condition in {} handler",
        "Improve error message for {}",
        "{}: retries exhaust the rate limit",
        "Add audit log entries for {}",
    ]);
    capitalise(&shape.replace("{}", &feature_name(intent).to_lowercase()))
}

pub fn issue_description(intent: &str, rng: &mut Rng) -> String {
    let detail = rng.pick(&[
        "Reproduced on staging with a test card.",
        "Logs show a timeout from the processor after 30 s.",
        "Only affects accounts created before the migration.",
        "Seen on iOS and Android, not on web.",
    ]);
    format!("Customers report problems with {}. {detail}", feature_name(intent).to_lowercase())
}

pub fn task_title(intent: &str, k: usize) -> String {
    let topic = feature_name(intent).to_lowercase();
    match k {
        0 => format!("Write a failing test for {topic}"),
        _ => format!("Update the support macro for {topic}"),
    }
}

pub const TICKET_TAGS: &[&str] = &[
    "stalled",
    "priority/escalated",
    "fast-moving",
    "slow-moving",
    "blocked",
    "impact:many-users",
    "reason:processor",
];
