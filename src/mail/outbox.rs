//! Replies: stored with their own Message-ID and threading headers as `in transit`, in the same transaction as the
//! stage moves they cause; the mail worker sends them. Without a mailbox that can send, a reply stays a draft.

use crate::config::Config;
use crate::domain::{DeliveryState, Direction, ItemRef, Kind, MsgChannel, valid_email};
use crate::store::{By, Draft, NewMessage, Writer};
use crate::{Error, Result};

/// A Message-ID unique to this reply, in the sender's domain.
pub fn new_message_id(from: &str, seed: &str) -> String {
    use sha2::Digest;
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or_default();
    let h = crate::store::hex(&sha2::Sha256::digest(format!("{nanos}/{seed}/{}", std::process::id())));
    let domain = from.rsplit_once('@').map(|(_, d)| d).unwrap_or("helpdesk.invalid");
    format!("{}.{}@{domain}", &h[..20], nanos % 1_000_000)
}

/// What a reply says and, where the member changed them, who it goes to and its subject.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    pub body: String,
    /// None: the item's *reported by* contacts (or the last customer who wrote).
    pub to: Option<Vec<String>>,
    /// None: the item's other *email members*.
    pub cc: Option<Vec<String>>,
    /// None: `Re:` the customer's last subject.
    pub subject: Option<String>,
    /// Reply to all: the other addressees of the customer message answered go in Cc too.
    pub all: bool,
    /// Files sent with it.
    pub attach: Vec<Attached>,
    /// Where those files are, for the draft kept when it cannot be queued.
    pub attach_paths: Vec<String>,
    /// Forward this message (its row) to `to` instead of replying: `Fwd:` its subject, its attachments along,
    /// no threading headers, and the item's stage and needs-response untouched.
    pub forward_of: Option<i64>,
    /// The customer message answered (its row; the one being read): None, the last one.
    pub answering: Option<i64>,
    /// What the member had seen of the thread when they started writing: the reply is held (an [`Error::Held`])
    /// if a customer message or a colleague's reply or note arrived since. None: sent as it is (send anyway).
    pub opened: Option<crate::store::Opened>,
}

/// A file sent with a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attached {
    pub name: String,
    pub mime: String,
    pub data: Vec<u8>,
}

/// The largest file a reply takes (most mail servers refuse messages over 25 MB).
pub const MAX_ATTACHMENT: u64 = 20 * 1024 * 1024;

impl Attached {
    /// Read a file to send: its name without the directories, its type guessed from the extension.
    pub fn read(path: &std::path::Path) -> Result<Attached> {
        let meta =
            std::fs::metadata(path).map_err(|e| Error::invalid(format!("cannot attach {}: {e}", path.display())))?;
        if !meta.is_file() {
            return Err(Error::invalid(format!("cannot attach {}: not a file", path.display())));
        }
        if meta.len() > MAX_ATTACHMENT {
            return Err(Error::invalid(format!(
                "cannot attach {}: {} MB is over the {} MB a reply takes",
                path.display(),
                meta.len() / 1_000_000,
                MAX_ATTACHMENT / 1024 / 1024
            )));
        }
        let data = std::fs::read(path).map_err(|e| Error::invalid(format!("cannot attach {}: {e}", path.display())))?;
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "attachment".into());
        let mime = mime_guess::from_path(path).first_or_octet_stream().essence_str().to_string();
        Ok(Attached { name, mime, data })
    }
}

/// The text of a forward: a header block of the forwarded message, then its text.
pub fn forwarded_text(m: &crate::store::Message) -> String {
    let when = chrono::DateTime::from_timestamp(m.sent_at, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default();
    let from = if m.from_name.is_empty() { m.from.clone() } else { format!("{} <{}>", m.from_name, m.from) };
    let mut head =
        format!("---------- Forwarded message ----------\nFrom: {from}\nDate: {when}\nSubject: {}\n", m.subject);
    if !m.to.is_empty() {
        head.push_str(&format!("To: {}\n", m.to.join(", ")));
    }
    if !m.cc.is_empty() {
        head.push_str(&format!("Cc: {}\n", m.cc.join(", ")));
    }
    format!("{head}\n{}", m.body.trim_end())
}

/// What became of a reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Queued for the mail worker: the message row, its addressees and Message-ID.
    Queued { row: i64, to: Vec<String>, cc: Vec<String>, message_id: String },
    /// Kept as the member's draft, with why it was not queued and what to do.
    Draft(String),
}

/// Who a reply goes to by default, its subject and threading: what the composer shows before anything is typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Addressing {
    pub to: Vec<String>,
    pub cc: Vec<String>,
    pub subject: String,
    pub in_reply_to: Option<String>,
    pub references: Vec<String>,
    /// The customer message being answered: (who wrote, when, its text), for quoting.
    pub answering: Option<(String, i64, String)>,
}

/// The default addressing of a reply on a conversation or ticket. The help desk's own addresses are never addressees.
pub fn addressing(w: &crate::store::Reader<'_>, r: ItemRef, cfg: &Config) -> Result<Addressing> {
    addressing_to(w, r, cfg, None)
}

/// [`addressing`] answering one customer message of the thread (the one being read; its row): quoted, and the reply
/// threads under it. A message of ours, or none given, answers the last customer message.
pub fn addressing_to(
    w: &crate::store::Reader<'_>,
    r: ItemRef,
    cfg: &Config,
    answering: Option<i64>,
) -> Result<Addressing> {
    if !matches!(r.kind, Kind::Conversation | Kind::Ticket) {
        return Err(Error::invalid(format!("{r}: only conversations and tickets have customers to reply to")));
    }
    let item = w.item(r)?;
    let thread = w.timeline(item.row, Some(MsgChannel::Customer))?;
    let last_in = answered(&thread, answering);
    // The help desk's own addresses: the configured mailboxes and the one the item's mail came to.
    let ours = |a: &String| is_ours(cfg, item.mailbox.as_deref(), a);
    let (mut to, mut cc) = w.reply_recipients(item.row)?;
    // On a mailing list every poster is a participant: a reply answers the one who wrote (reply-all adds the rest).
    if let Some(m) = last_in.filter(|m| !m.from.is_empty())
        && thread.iter().any(|m| m.class == "list")
    {
        (to, cc) = (vec![m.from.clone()], vec![]);
    }
    if to.is_empty()
        && let Some(m) = last_in.filter(|m| !m.from.is_empty())
    {
        to.push(m.from.clone());
    }
    to.retain(|a| !ours(a));
    cc.retain(|a| !ours(a) && !to.contains(a));
    let mut references: Vec<String> = last_in.map(|m| m.references.clone()).unwrap_or_default();
    if let Some(id) = last_in.and_then(|m| m.message_id.clone()) {
        references.push(id);
    }
    let base = last_in.map(|m| m.subject.clone()).filter(|s| !s.trim().is_empty()).unwrap_or(item.title.clone());
    let subject = if crate::domain::subject::is_reply_subject(&base) { base } else { format!("Re: {base}") };
    Ok(Addressing {
        to,
        cc,
        subject,
        in_reply_to: last_in.and_then(|m| m.message_id.clone()),
        references,
        answering: last_in.map(|m| {
            let who = if m.from_name.is_empty() { m.from.clone() } else { format!("{} <{}>", m.from_name, m.from) };
            (who, m.sent_at, m.body.clone())
        }),
    })
}

/// Is `a` one of the help desk's own addresses: a configured mailbox, or the one the item's mail came to?
fn is_ours(cfg: &Config, item_mailbox: Option<&str>, a: &str) -> bool {
    cfg.mailbox.iter().any(|m| m.address.eq_ignore_ascii_case(a))
        || item_mailbox.is_some_and(|m| m.eq_ignore_ascii_case(a))
}

/// The customer message a reply answers: the one given (its row) when it is a customer's, else the last customer's.
fn answered(thread: &[crate::store::Message], answering: Option<i64>) -> Option<&crate::store::Message> {
    let customer = |m: &&crate::store::Message| m.direction == Direction::Inbound && m.class != "dsn";
    answering
        .and_then(|row| thread.iter().filter(customer).find(|m| m.id == row))
        .or_else(|| thread.iter().rev().find(customer))
}

/// Reply-all addressing: [`addressing`], with every other addressee of the customer message answered (To and Cc,
/// never the help desk's own addresses) added to Cc.
pub fn addressing_all(
    w: &crate::store::Reader<'_>,
    r: ItemRef,
    cfg: &Config,
    answering: Option<i64>,
) -> Result<Addressing> {
    let mut a = addressing_to(w, r, cfg, answering)?;
    let item = w.item(r)?;
    let thread = w.timeline(item.row, Some(MsgChannel::Customer))?;
    let last_in = answered(&thread, answering);
    let ours = |x: &String| is_ours(cfg, item.mailbox.as_deref(), x);
    for x in last_in.map(|m| m.to.iter().chain(&m.cc).cloned().collect::<Vec<_>>()).unwrap_or_default() {
        let seen = a.to.iter().chain(&a.cc).any(|y| y.eq_ignore_ascii_case(&x));
        if !ours(&x) && !seen && valid_email(&x) {
            a.cc.push(x);
        }
    }
    Ok(a)
}

/// Forward addressing: nobody yet, `Fwd:` the message's subject, no threading headers.
pub fn forwarding(w: &crate::store::Reader<'_>, r: ItemRef, msg_row: i64) -> Result<Addressing> {
    let item = w.item(r)?;
    let m = w
        .messages(item.row, None)?
        .into_iter()
        .find(|m| m.id == msg_row)
        .ok_or_else(|| Error::invalid(format!("message {msg_row} is not in {r}")))?;
    let base = if m.subject.trim().is_empty() { item.title } else { m.subject };
    let subject = if base.to_ascii_lowercase().starts_with("fwd:") { base } else { format!("Fwd: {base}") };
    Ok(Addressing { subject, ..Default::default() })
}

/// How the sender reads to the customer: "Name via Mailbox name", or the mailbox's name alone; never a login.
pub fn display_name(person: Option<&str>, mailbox_name: &str) -> String {
    let mailbox = if mailbox_name.trim().is_empty() { "Support" } else { mailbox_name.trim() };
    match person.map(str::trim).filter(|p| !p.is_empty()) {
        Some(p) => format!("{p} via {mailbox}"),
        None => mailbox.to_string(),
    }
}

/// Queue a reply to the customer of a conversation or ticket, or keep it as the member's draft when no mailbox can
/// send it. `person` is the member's name as customers should read it.
pub fn reply(
    w: &Writer<'_>,
    r: ItemRef,
    reply: &Reply,
    by: &By,
    cfg: &Config,
    person: Option<&str>,
) -> Result<Outcome> {
    if reply.body.trim().is_empty() {
        return Err(Error::invalid("a reply needs a body"));
    }
    let a = match (reply.forward_of, reply.all) {
        (Some(m), _) => forwarding(w, r, m)?,
        (None, true) => addressing_all(w, r, cfg, reply.answering)?,
        (None, false) => addressing_to(w, r, cfg, reply.answering)?,
    };
    let to = reply.to.clone().unwrap_or(a.to.clone());
    let cc = reply.cc.clone().unwrap_or(a.cc.clone());
    let subject = reply.subject.clone().filter(|s| !s.trim().is_empty()).unwrap_or(a.subject.clone());
    let draft = Draft {
        to: to.clone(),
        cc: cc.clone(),
        subject: subject.clone(),
        body: reply.body.clone(),
        attach: reply.attach_paths.clone(),
        forward_of: reply.forward_of,
    };
    if let (Some(opened), None) = (&reply.opened, reply.forward_of) {
        w.guard_thread(r, opened, by)?;
    }
    let item = w.item(r)?;
    if to.is_empty() && reply.forward_of.is_some() {
        return Err(Error::invalid("a forward needs an addressee (--to)"));
    }
    let Some(mailbox) = cfg.sending_mailbox(item.mailbox.as_deref()) else {
        w.save_draft(r, &by.who, false, &draft, by.at)?;
        let what = if reply.forward_of.is_some() { "forward" } else { "reply" };
        return Ok(Outcome::Draft(format!(
            "not sent, kept as your draft of {r}: no mailbox can send the {what} (add a [[mailbox]] with \
             [mailbox.smtp] to the config, see `helpdesk config path`)"
        )));
    };
    if to.is_empty() {
        return Err(Error::invalid(format!("{r}: no customer address to reply to; give one (--to)")));
    }
    if let Some(bad) = to.iter().chain(&cc).find(|x| !valid_email(x)) {
        return Err(Error::invalid(format!("'{bad}' is not an email address")));
    }
    let message_id = new_message_id(&mailbox.address, &format!("{r}/{}", by.at));
    let m = NewMessage {
        item_row: Some(item.row),
        channel: MsgChannel::Customer,
        direction: Direction::Outbound,
        message_id: Some(message_id.clone()),
        in_reply_to: a.in_reply_to.clone(),
        refs: a.references.clone(),
        from_addr: mailbox.address.clone(),
        from_name: display_name(person, &mailbox.name),
        to: to.clone(),
        cc: cc.clone(),
        subject,
        body: reply.body.clone(),
        sent_at: by.at,
        author: Some(by.who.clone()),
        contact_row: None,
        delivery: Some(DeliveryState::InTransit),
        thread_reason: if reply.forward_of.is_some() { "forward" } else { "reply" }.into(),
        class: if reply.forward_of.is_some() { "forward" } else { "reply" }.into(),
    };
    let row = w.add_message(&m)?;
    w.add_message_refs(row, &m.refs)?;
    for f in &reply.attach {
        w.add_attachment(row, &f.name, &f.mime, &f.data)?;
    }
    if let Some(original) = reply.forward_of {
        for a in w.attachments(original)? {
            let data = w.attachment_data(&a.sha256)?.unwrap_or_default();
            w.add_attachment(row, &a.name, &a.mime, &data)?;
        }
    }
    w.enqueue(row, &mailbox.address, by.at)?;
    if reply.forward_of.is_none() {
        w.apply_member_reply(item.row, by)?;
    }
    w.drop_draft(r, &by.who, false)?;
    Ok(Outcome::Queued { row, to, cc, message_id })
}

/// The person's name customers see. A config with `[me] login` names that member only: its `[me] name` is theirs,
/// anyone else acting on it (`HELPDESK_USER`) sends under their own name in the help desk. A config naming no login
/// gives way to the acting member's own name when the help desk has one.
pub fn person_name(w: &crate::store::Reader<'_>, cfg: &Config, login: &str) -> Result<Option<String>> {
    name_for(cfg, login, || {
        Ok(w.members()?.into_iter().find(|m| m.login == login).map(|m| m.name).filter(|n| !n.trim().is_empty()))
    })
}

fn name_for(cfg: &Config, login: &str, member: impl FnOnce() -> Result<Option<String>>) -> Result<Option<String>> {
    let configured = cfg.me.name.clone().filter(|n| !n.trim().is_empty());
    match cfg.me_login() {
        Some(l) if l == login => Ok(configured.or(member()?)),
        Some(_) => member(),
        None => Ok(member()?.or(configured)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_customer_reads_a_person_and_a_mailbox_never_a_login() {
        assert_eq!(super::display_name(Some("Alice Moreau"), "Example Support"), "Alice Moreau via Example Support");
        assert_eq!(super::display_name(None, "Example Support"), "Example Support");
        assert_eq!(super::display_name(Some(" "), ""), "Support");
    }

    /// A config shared by a team names one person: a colleague acting as someone else sends under their own name.
    #[test]
    fn the_configs_name_is_only_its_members() {
        let mut cfg = super::Config::default();
        cfg.me.name = Some("Alice Moreau".into());
        let bob = || Ok(Some("Bob Brown".to_string()));
        assert_eq!(super::name_for(&cfg, "alice", || Ok(None)).unwrap().as_deref(), Some("Alice Moreau"));
        assert_eq!(super::name_for(&cfg, "bob", bob).unwrap().as_deref(), Some("Bob Brown"));
        cfg.me.login = Some("alice".into());
        assert_eq!(super::name_for(&cfg, "alice", bob).unwrap().as_deref(), Some("Alice Moreau"));
        assert_eq!(super::name_for(&cfg, "bob", bob).unwrap().as_deref(), Some("Bob Brown"));
        assert_eq!(super::name_for(&cfg, "bob", || Ok(None)).unwrap(), None, "never Alice's");
    }
}
