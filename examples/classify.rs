fn main() {
    #![allow(clippy::unwrap_used)]
    for p in std::env::args().skip(1) {
        let raw = std::fs::read(&p).unwrap();
        let c = helpdesk::mail::parse(&raw, 1 << 26).map(|m| helpdesk::mail::classify::classify(&m));
        println!(
            "{p}\t{:?}",
            c.map(|c| match c {
                helpdesk::mail::Class::Dsn(d) => format!("dsn {}", d.action),
                c => c.name().to_string(),
            })
        );
    }
}
