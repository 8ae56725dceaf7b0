#![allow(clippy::unwrap_used)]
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let r = helpdesk::similar::evaluate(&std::fs::read(&a[1]).unwrap(), &std::fs::read(&a[2]).unwrap()).unwrap();
    println!("{r:?}");
}
