//! Who wrote: match a sender to a contact (external reference, email, then domain → account), creating what is new.

use crate::Result;
use crate::store::{NewAccount, NewContact, Writer};

const FREE_MAIL: &[&str] = &[
    "gmail.com",
    "googlemail.com",
    "yahoo.com",
    "yahoo.co.uk",
    "yahoo.fr",
    "yahoo.de",
    "yahoo.co.jp",
    "hotmail.com",
    "hotmail.co.uk",
    "outlook.com",
    "live.com",
    "msn.com",
    "aol.com",
    "icloud.com",
    "me.com",
    "mac.com",
    "proton.me",
    "protonmail.com",
    "gmx.de",
    "gmx.net",
    "gmx.com",
    "web.de",
    "mail.ru",
    "yandex.ru",
    "yandex.com",
    "qq.com",
    "163.com",
    "126.com",
    "zoho.com",
    "fastmail.com",
    "fastmail.fm",
    "hey.com",
    "tutanota.com",
    "ymail.com",
    "rocketmail.com",
    // Internet providers' mailboxes: a person, not a customer company.
    "comcast.net",
    "earthlink.net",
    "mindspring.com",
    "pobox.com",
    "attbi.com",
    "att.net",
    "verizon.net",
    "sbcglobal.net",
    "bellsouth.net",
    "cox.net",
    "charter.net",
    "optonline.net",
    "juno.com",
    "netzero.net",
    "btinternet.com",
    "orange.fr",
    "wanadoo.fr",
    "free.fr",
    "t-online.de",
    "libero.it",
    "xs4all.nl",
    "shaw.ca",
    "rogers.com",
    "sympatico.ca",
    "telus.net",
    "bigpond.com",
    "rr.com",
    "eircom.net",
    "iol.ie",
    "orange.net",
    "gmx.co.uk",
    "gmx.at",
    "gmx.ch",
    "std.com",
    "ntlworld.com",
    "blueyonder.co.uk",
    "virgin.net",
    "tiscali.co.uk",
    "freeserve.co.uk",
    "netscape.net",
    "prodigy.net",
    "yahoo.ca",
    "yahoo.com.au",
];

/// A mailbox of a free-mail service or an internet provider, its regional hosts included (`maine.rr.com`,
/// `world.std.com`): a person, not a customer company.
pub fn is_free_mail(domain: &str) -> bool {
    FREE_MAIL.iter().any(|d| domain.strip_suffix(d).is_some_and(|host| host.is_empty() || host.ends_with('.')))
}

/// Who a message is from, as the store knows them.
#[derive(Debug, Clone, Copy)]
pub struct Sender {
    pub contact: i64,
    pub account: Option<i64>,
    /// Made for this message: no item, message or tag can name it yet.
    pub new: bool,
}

/// A contact for an address: found by email, else created (with its account by domain, or a new account for a
/// non-free-mail domain when `create_account` is set).
pub fn contact_for(w: &Writer<'_>, email: &str, name: &str, at: i64, create_account: bool) -> Result<Sender> {
    let email = email.trim().to_lowercase();
    let local = email.split('@').next().unwrap_or(&email);
    let name = name.trim();
    let domain = email.rsplit_once('@').map(|(_, d)| d.to_string()).unwrap_or_default();
    let business = |d: &str| create_account && d.contains('.') && !is_free_mail(d);
    if let Some((contact, mut account, known)) = w.contact_and_account_by_email(&email)? {
        // Named after the address by an earlier mail that gave no name: the name this one gives replaces it.
        if known == local && !name.is_empty() && !name.contains('@') && name != known {
            w.name_contact_from_mail(contact, &known, name, at)?;
        }
        // Met first as a participant (no account made then): their own mail joins the domain's account, made now if
        // there is none (which takes in every contact of the domain).
        if account.is_none() && business(&domain) {
            account = Some(match w.account_by_domain(&domain)? {
                Some(a) => {
                    w.join_account(contact, a)?;
                    a
                }
                None => {
                    let a =
                        NewAccount { name: account_name(&domain), domains: vec![domain.clone()], ..Default::default() };
                    w.add_account(&a, at)?
                }
            });
        }
        return Ok(Sender { contact, account, new: false });
    }
    let mut account = w.account_by_domain(&domain)?;
    if account.is_none() && business(&domain) {
        let a = NewAccount { name: account_name(&domain), domains: vec![domain.clone()], ..Default::default() };
        account = Some(w.add_account(&a, at)?);
    }
    let display = if name.is_empty() { local } else { name }.to_string();
    let c = NewContact { name: display, emails: vec![email], account_row: account, ..Default::default() };
    Ok(Sender { contact: w.add_contact(&c, at)?, account, new: true })
}

/// "mail.example.co.uk" → "Example".
fn account_name(domain: &str) -> String {
    let parts: Vec<&str> = domain.split('.').collect();
    let core = match parts.len() {
        0 | 1 => domain,
        n if n >= 3 && matches!(parts[n - 2], "co" | "com" | "ac" | "or" | "ne" | "org" | "gov") => parts[n - 3],
        n => parts[n - 2],
    };
    let mut c = core.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => domain.to_string(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn providers_mailboxes_make_no_account() {
        assert!(super::is_free_mail("comcast.net") && super::is_free_mail("pobox.com"));
        assert!(!super::is_free_mail("python.org"));
        assert!(super::is_free_mail("maine.rr.com") && super::is_free_mail("nycap.rr.com"));
        assert!(super::is_free_mail("world.std.com") && super::is_free_mail("eircom.net"));
        assert!(!super::is_free_mail("err.com") && !super::is_free_mail("rr.com.example"));
    }

    #[test]
    fn account_names() {
        assert_eq!(super::account_name("mail.example.co.uk"), "Example");
        assert_eq!(super::account_name("acme.test"), "Acme");
    }
}
