//! Build the lines of a detail view once, from the store, sanitised: attributes, links, history, attachments, messages.

mod thread;

pub use thread::plain;

use super::app::{Detail, MsgTab, Target, ViewOpts};
use anyhow::Result;
use helpdesk::Store;
use helpdesk::domain::{AccountId, ContactId, Kind, LinkEnd, MsgChannel, fmt_ts};
use helpdesk::sanitize::{line, text};
use helpdesk::stage::AnyStage;
use helpdesk::store::{ItemFilter, Page};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};

struct Builder {
    lines: Vec<Line<'static>>,
    links: Vec<(usize, Target)>,
    similar: Vec<(usize, i64, helpdesk::domain::ItemRef)>,
    articles: Vec<(usize, helpdesk::domain::ArticleId)>,
    query: Option<helpdesk::similar::Query>,
    /// The first line of each message, with the message's row.
    messages: Vec<(usize, i64)>,
    /// Attachment lines: (line, message row, name).
    attachments: Vec<(usize, i64, String)>,
    /// Columns of the view: a field's value longer than its line ends in "…".
    width: usize,
}

/// The similar-work section of an item's view.
pub enum Similar {
    /// Not yet: a placeholder, and the query kept in the view for someone to run.
    Pending,
    /// Search now.
    Inline,
    /// Searched already.
    Found(Vec<helpdesk::similar::Suggestion>),
}

impl Builder {
    fn new(width: usize) -> Builder {
        Builder {
            lines: vec![],
            links: vec![],
            similar: vec![],
            articles: vec![],
            query: None,
            messages: vec![],
            attachments: vec![],
            width,
        }
    }

    fn push(&mut self, l: Line<'static>) {
        self.lines.push(l);
    }
    fn blank(&mut self) {
        self.lines.push(Line::default());
    }
    fn heading(&mut self, s: &str) {
        self.blank();
        self.push(Line::styled(s.to_string(), Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD)));
    }
    fn field(&mut self, k: &str, v: impl AsRef<str>) {
        let v = v.as_ref();
        if !v.is_empty() {
            self.push(Line::from(vec![
                Span::styled(format!("  {k:<15}"), Style::new().fg(Color::DarkGray)),
                Span::raw(super::ui::lists::fit(&line(v), self.width.saturating_sub(17).max(8))),
            ]));
        }
    }
    fn link(&mut self, t: Target, l: Line<'static>) {
        self.links.push((self.lines.len(), t));
        self.lines.push(l);
    }
    fn body(&mut self, s: &str) {
        // The view's own width (less the indent): a fixed 100 lost the middle of long lines at 80 columns.
        let width = self.width.saturating_sub(4).clamp(20, 100);
        for l in text(s).lines() {
            for part in wrap(l, width) {
                self.push(Line::raw(format!("    {part}")));
            }
        }
    }
}

/// Break a line at spaces so that no piece is longer than `width` characters (long words are cut).
pub fn wrap(l: &str, width: usize) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    for w in l.split(' ') {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
        while cur.chars().count() > width {
            let head: String = cur.chars().take(width).collect();
            cur = cur.chars().skip(width).collect();
            out.push(head);
        }
    }
    out.push(cur);
    out
}

fn stage_style(stage: AnyStage) -> Style {
    Style::new().fg(super::theme::stage_color(stage))
}

fn item_line(id: &str, stage: Option<AnyStage>, title: &str, extra: &str) -> Line<'static> {
    let label = stage.map(|s| s.label()).unwrap_or_default();
    Line::from(vec![
        Span::raw("  "),
        Span::styled(format!("{id:<11}"), Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(format!("{label:<27}"), stage.map(stage_style).unwrap_or_default()),
        Span::raw(line(title)),
        Span::styled(extra.to_string(), Style::new().fg(Color::DarkGray)),
    ])
}

/// Build a detail view. Without `with_similar` the similar-work section says it is looking, and the view is marked
/// pending: the event loop fills it in after the first frame, so opening an item never waits on the search.
pub fn build(
    store: &Store,
    t: Target,
    tab: MsgTab,
    clock: Option<i64>,
    similar: Similar,
    opts: ViewOpts,
) -> Result<Detail> {
    let mut b = Builder::new(opts.width);
    let mut pending = false;
    // Read before the view: a change landing meanwhile makes an edit from this view stale, never a blind one.
    let version = match t {
        Target::Item(r) => Some(store.read().version_of(r)?),
        _ => None,
    };
    let title = match t {
        Target::Item(r) => {
            pending = matches!(similar, Similar::Pending)
                && matches!(r.kind, Kind::Ticket | Kind::Issue | Kind::Conversation);
            item(store, r, tab, clock, similar, opts, &mut b)?
        }
        Target::Contact(c) => contact(store, c, &mut b)?,
        Target::Account(a) => account(store, a, &mut b)?,
    };
    Ok(Detail {
        target: t,
        title,
        lines: b.lines,
        scroll: 0,
        tab,
        links: b.links,
        similar: b.similar,
        articles: b.articles,
        similar_pending: pending,
        similar_query: b.query,
        similar_seq: None,
        opts,
        messages: b.messages,
        attachments: b.attachments,
        find: None,
        anchor: None,
        version,
    })
}

/// Articles shown in a view: at most this many, scoring at least the floor (a weak match is noise beside a reply).
const ARTICLES_SHOWN: usize = 3;
pub const ARTICLE_FLOOR: f64 = 0.45;

/// The knowledge articles for an item, with the keys that rate them and put them in a reply.
fn articles(rd: &helpdesk::store::Reader<'_>, i: &helpdesk::store::Item, b: &mut Builder) -> Result<()> {
    let found = helpdesk::similar::articles_for_item(rd, i.row, &i.title, &i.description, ARTICLES_SHOWN)?;
    let found: Vec<_> = found.into_iter().filter(|a| a.score >= ARTICLE_FLOOR).collect();
    if found.is_empty() {
        return Ok(());
    }
    b.heading("Knowledge articles   (+ good match, - wrong match; ctrl-k in a reply inserts the first)");
    for a in found {
        b.articles.push((b.lines.len(), a.id));
        b.push(Line::from(vec![
            Span::styled(format!("  {:<9} ", a.id), Style::new().fg(Color::Yellow)),
            Span::raw(super::ui::lists::fit(&line(&a.title), b.width.saturating_sub(12).max(8))),
        ]));
    }
    Ok(())
}

fn item(
    store: &Store,
    r: helpdesk::domain::ItemRef,
    tab: MsgTab,
    clock: Option<i64>,
    similar: Similar,
    opts: ViewOpts,
    b: &mut Builder,
) -> Result<String> {
    let rd = store.read();
    let i = rd.item(r)?;
    b.push(Line::from(vec![
        Span::styled(format!("{r}  "), Style::new().add_modifier(Modifier::BOLD)),
        Span::styled(line(&i.title), Style::new().add_modifier(Modifier::BOLD)),
    ]));
    b.push(Line::from(vec![Span::raw("  stage          "), Span::styled(i.stage_label, stage_style(i.stage))]));
    b.field("severity", i.severity.map(|s| s.as_str()).unwrap_or_default());
    b.field("subtype", i.subtype.map(|s| s.as_str()).unwrap_or_default());
    b.field(
        "part",
        i.part.as_ref().map(|p| format!("{p} {}", i.part_name.clone().unwrap_or_default())).unwrap_or_default(),
    );
    b.field("account", i.account_name.clone().unwrap_or_default());
    b.field("owner", i.owner.clone().unwrap_or_default());
    b.field("group", i.group.clone().unwrap_or_default());
    b.field("reported by", i.reported_by.iter().map(|c| c.to_string()).collect::<Vec<_>>().join(", "));
    b.field("tags", i.tags.join(" "));
    b.field("needs response", if i.needs_response { "yes" } else { "no" });
    b.field("channel", i.source_channel.as_str());
    b.field("created", format!("{} by {}", fmt_ts(i.created_at), i.created_by));
    b.field("updated", format!("{} by {}", fmt_ts(i.updated_at), i.updated_by));
    if let Some(p) = i.parent {
        b.link(Target::Item(p), item_line(&p.to_string(), None, "(parent issue)", ""));
    }
    if !i.description.is_empty() && r.kind != Kind::Conversation {
        b.heading("Description");
        b.body(&i.description.chars().take(2000).collect::<String>());
    }
    if !i.links.is_empty() {
        b.heading("Links");
        for l in &i.links {
            let rel = match l.direction {
                LinkEnd::In => format!(" ← {}", l.rel),
                LinkEnd::Out => format!(" → {}", l.rel),
            };
            b.link(Target::Item(l.id), item_line(&l.id.to_string(), Some(l.stage), &l.title, &rel));
        }
    }
    if matches!(r.kind, Kind::Ticket | Kind::Issue | Kind::Conversation) {
        let query = || helpdesk::similar::Query {
            title: i.title.clone(),
            body: i.description.chars().take(2000).collect(),
            kinds: vec![if r.kind == Kind::Issue { Kind::Issue } else { Kind::Ticket }],
            item_row: Some(i.row),
            account_row: i.account.map(|a| a.0),
            part_row: i.part.and_then(|p| rd.part_row_of(p).ok()),
            now: clock,
            ..Default::default()
        };
        let found = match similar {
            Similar::Pending => None,
            Similar::Inline => Some(helpdesk::similar::find(&rd, &query(), 5)?),
            Similar::Found(v) => Some(v),
        };
        let what = if r.kind == Kind::Issue { "Similar issues" } else { "Similar tickets" };
        match found {
            None => {
                b.heading(what);
                b.push(Line::styled("  looking…", Style::new().fg(Color::DarkGray)));
                b.query = Some(query());
            }
            Some(found) => {
                // A linked item is under Links already (the ticket made from this conversation matched it at 1.00).
                let found: Vec<_> = found.into_iter().filter(|s| i.links.iter().all(|l| l.id != s.id)).collect();
                b.heading(&format!("{what}   (+ good match, - wrong match)"));
                if found.is_empty() {
                    b.push(Line::styled("  (none found)", Style::new().fg(Color::DarkGray)));
                }
                for s in found {
                    b.similar.push((b.lines.len(), s.row, s.id));
                    b.link(
                        Target::Item(s.id),
                        item_line(&s.id.to_string(), Some(s.stage), &s.title, &format!("  {}", line(&s.reason))),
                    );
                }
            }
        }
    }
    if matches!(r.kind, Kind::Ticket | Kind::Issue | Kind::Conversation) {
        articles(&rd, &i, b)?;
    }
    b.heading("Stage history");
    for h in &i.history {
        b.push(Line::raw(format!(
            "  {}  {:>26} → {:<26} {}",
            fmt_ts(h.at),
            h.from.map(|s| s.label()).unwrap_or("(created)"),
            h.to.label(),
            line(&h.by)
        )));
    }
    let all = rd.timeline(i.row, None)?;
    let channel = match tab {
        MsgTab::Customer => MsgChannel::Customer,
        MsgTab::Internal => MsgChannel::Internal,
    };
    let customer = all.iter().filter(|m| m.channel == MsgChannel::Customer).count();
    let internal = all.len() - customer;
    b.blank();
    let on = Style::new().fg(Color::Black).bg(Color::Cyan);
    let off = Style::new().fg(Color::Cyan);
    b.push(Line::from(vec![
        Span::styled(format!(" Customer messages ({customer}) "), if tab == MsgTab::Customer { on } else { off }),
        Span::raw(" "),
        Span::styled(format!(" Internal discussion ({internal}) "), if tab == MsgTab::Internal { on } else { off }),
        Span::styled("   [ ] switch · J/K message · z quotes · H headers", Style::new().fg(Color::DarkGray)),
    ]));
    for m in all.iter().filter(|m| m.channel == channel) {
        b.message(m, opts);
    }
    Ok(format!("{r} {}", line(&i.title)))
}

fn items_of(store: &Store, f: ItemFilter, b: &mut Builder) -> Result<()> {
    let rows = store.read().list(&f, Page::default(), 200)?;
    let (closed, open): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.stage.is_closed());
    for r in open.iter().chain(closed.iter()) {
        b.link(Target::Item(r.id), item_line(&r.id.to_string(), Some(r.stage), &r.title, ""));
    }
    Ok(())
}

fn contact(store: &Store, id: ContactId, b: &mut Builder) -> Result<String> {
    let row = id.0;
    let c = store.read().contact(row)?;
    b.push(Line::styled(format!("{}  {}", c.id, line(&c.name)), Style::new().add_modifier(Modifier::BOLD)));
    b.field("emails", c.emails.join(", "));
    b.field("phones", c.phones.join(", "));
    b.field("account", c.account_name.clone().unwrap_or_default());
    b.field("external ref", c.external_ref.clone().unwrap_or_default());
    b.field("verified", if c.verified { "yes" } else { "no" });
    b.field("tags", c.tags.join(" "));
    if let Some(a) = c.account {
        b.link(
            Target::Account(a),
            item_line(&a.to_string(), None, &c.account_name.clone().unwrap_or_default(), "  (account)"),
        );
    }
    for kind in [Kind::Conversation, Kind::Ticket] {
        b.heading(if kind == Kind::Conversation { "Conversations (open first)" } else { "Tickets (open first)" });
        items_of(store, ItemFilter { kind: Some(kind), contact_row: Some(row), ..Default::default() }, b)?;
    }
    notes(store, ItemFilter { contact_row: Some(row), ..Default::default() }, b)?;
    Ok(format!("{} {}", c.id, line(&c.name)))
}

fn account(store: &Store, id: AccountId, b: &mut Builder) -> Result<String> {
    let row = id.0;
    let a = store.read().account(row)?;
    b.push(Line::styled(format!("{}  {}", a.id, line(&a.name)), Style::new().add_modifier(Modifier::BOLD)));
    b.field("domains", a.domains.join(", "));
    b.field("tier", a.tier.map(|t| t.as_str()).unwrap_or_default());
    b.field("owner", a.owner.clone().unwrap_or_default());
    b.field("external ref", a.external_ref.clone().unwrap_or_default());
    b.field("tags", a.tags.join(" "));
    b.field("description", &a.description);
    b.heading("Contacts");
    for c in store.read().contacts(Some(row), 0, 100)? {
        b.link(
            Target::Contact(c.id),
            item_line(&c.id.to_string(), None, &c.name, &format!("  {}", c.emails.join(", "))),
        );
    }
    for kind in [Kind::Conversation, Kind::Ticket] {
        b.heading(if kind == Kind::Conversation { "Conversations (open first)" } else { "Tickets (open first)" });
        items_of(store, ItemFilter { kind: Some(kind), account_row: Some(row), ..Default::default() }, b)?;
    }
    notes(store, ItemFilter { account_row: Some(row), ..Default::default() }, b)?;
    Ok(format!("{} {}", a.id, line(&a.name)))
}

/// Internal notes on the customer's items, newest first.
fn notes(store: &Store, f: ItemFilter, b: &mut Builder) -> Result<()> {
    let rd = store.read();
    let mut notes = vec![];
    for r in rd.list(&f, Page::default(), 100)? {
        for m in rd.messages(r.row, Some(MsgChannel::Internal))? {
            notes.push((m.sent_at, r.id, m));
        }
    }
    notes.sort_by_key(|n| std::cmp::Reverse(n.0));
    b.heading("Internal notes");
    for (at, id, m) in notes.into_iter().take(20) {
        b.link(
            Target::Item(id),
            Line::styled(
                format!("  {} {id} {}", fmt_ts(at), line(m.author.as_deref().unwrap_or(""))),
                Style::new().fg(Color::DarkGray),
            ),
        );
        b.body(&m.body);
    }
    Ok(())
}
