//! Fuzz the CSV import of contacts and accounts (a dry run): any bytes give a report or one error, never a panic;
//! rejected rows written back (`--errors-out`) never start a spreadsheet formula.
#![no_main]

use helpdesk::io::import::{Target, import, write_errors};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(mut store) = helpdesk::Store::open_in_memory() else { return };
    for t in [Target::Contacts, Target::Accounts] {
        let Ok(report) = import(&mut store, data, t, true) else { continue };
        let mut out = vec![];
        write_errors(&report, &mut out).expect("errors-out");
        let mut r = csv::ReaderBuilder::new().flexible(true).has_headers(false).from_reader(out.as_slice());
        for rec in r.records() {
            let rec = rec.expect("errors-out is CSV");
            for cell in rec.iter() {
                assert!(!helpdesk::sanitize::starts_formula(cell), "{cell:?}");
            }
        }
    }
});
