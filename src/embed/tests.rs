//! Tests of the embedded model: tokens as BERT makes them, paraphrases closer than unrelated text, stored form.

use super::*;

fn cos(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

#[test]
fn the_embedded_model_loads_and_knows_english_words() {
    let m = model().expect("model");
    assert_eq!(m.dims(), 256);
    for w in ["transfer", "held", "card", "payment"] {
        assert!(m.knows_word(w), "{w}");
    }
    assert!(!m.knows_word("tranfser"));
    assert!(!m.knows_word("##ing") || !m.knows_word("zzqx"));
}

#[test]
fn wordpiece_splits_like_bert() {
    let w = wordpiece::words("Héllo, WORLD!  don't\tstop—now");
    assert_eq!(w, ["hello", ",", "world", "!", "don", "'", "t", "stop", "—", "now"]);
    let m = model().expect("model");
    let t = m.tokens("unaffordable");
    assert!(t.len() > 1, "a rare word is split into pieces: {t:?}");
}

/// Token ids and similarities that model2vec (Python) gives with the same model: `tools/distil-model.py` with SAVE_DIR.
#[test]
fn the_same_tokens_and_vectors_as_model2vec() {
    let m = model().expect("model");
    let cases: [(&str, &[u32]); 3] = [
        ("My card got swallowed by the ATM!", &[1029, 3006, 1291, 6354, 1014, 999, 26221, 2]),
        (
            "Héllo, naïve café: don't re-fund 3.5€ (unaffordable)",
            &[
                6595, 13, 14746, 6671, 27, 1126, 8, 59, 1131, 14, 3639, 20, 15, 22, 29105, 9, 13480, 3249, 7554, 2088,
                10,
            ],
        ),
        (
            "FSNamesystem.getBlocks fails with NullPointerException",
            &[45, 1018, 17445, 5511, 12476, 1216, 15, 1134, 22470, 1018, 10899, 1010, 18704, 7403, 6872, 1598, 23425],
        ),
    ];
    for (text, ids) in cases {
        assert_eq!(m.tokens(text), ids, "{text}");
    }
    let atm = m.embed("My card got swallowed by the ATM!");
    let kept = m.embed("the machine kept my card");
    let pw = m.embed("how do I change my password");
    for (got, want) in [(cos(&atm, &kept), 0.5586), (cos(&atm, &pw), 0.3848), (cos(&kept, &pw), 0.3074)] {
        assert!((got - want).abs() < 0.01, "{got} vs model2vec's {want} (i8 vectors differ a little)");
    }
}

#[test]
fn paraphrases_are_closer_than_unrelated_requests() {
    let m = model().expect("model");
    let a = m.embed("my card got swallowed by the ATM");
    let b = m.embed("the cash machine kept my card");
    let c = m.embed("how do I change my password");
    assert!((cos(&a, &a) - 1.0).abs() < 1e-4);
    assert!(cos(&a, &b) > cos(&a, &c) + 0.1, "{} vs {}", cos(&a, &b), cos(&a, &c));
    assert!(m.embed("").iter().all(|x| *x == 0.0));
}

#[test]
fn stored_vectors_keep_the_ranking() {
    let m = model().expect("model");
    let q = m.embed("refund not received");
    let mut idx = Index::keeping_all(m.dims());
    for (row, t) in [(1, "where is my refund"), (2, "change my address"), (3, "refund has not arrived yet")] {
        idx.push(row, &to_blob(&m.embed(t)));
    }
    let top = idx.nearest(&q, 2, |_| true);
    let rows: Vec<i64> = top.iter().map(|(r, _)| *r).collect();
    assert!(rows.contains(&1) && rows.contains(&3), "{top:?}");
    assert_eq!(idx.nearest(&q, 3, |i| i != 2).len(), 2, "the third vector (row 3) left out");
    assert!(from_blob(&to_blob(&q), 255).is_none());
}

#[test]
fn a_lean_index_shortlists_from_leading_dimensions_and_ranks_whole_vectors_given_to_it() {
    let m = model().expect("model");
    let texts = [(1, "where is my refund"), (2, "change my address"), (3, "refund has not arrived yet")];
    let mut idx = Index::new(m.dims());
    for (row, t) in texts {
        let blob = to_blob(&m.embed(t));
        assert!(!idx.push(row, &blob[..Index::HEAD_BYTES - 1]), "a cut vector is refused");
        assert!(idx.push(row, &blob[..Index::HEAD_BYTES]));
    }
    assert!(!idx.keeps_all() && idx.len() == 3);
    let q = Probe::new(&m.embed("refund not received"));
    assert_eq!(idx.similarity(&q, 1), None, "a lean index holds no whole vectors");
    let short = idx.shortlist(&q, 2, |i| i != 1);
    assert_eq!(short.len(), 2, "{short:?}");
    assert!(!short.contains(&1));
    let whole = to_blob(&m.embed("refund has not arrived yet"));
    let cos = q.cosine(&whole).expect("whole vector");
    let exact = {
        let (a, b) = (m.embed("refund not received"), m.embed("refund has not arrived yet"));
        a.iter().zip(&b).map(|(x, y)| x * y).sum::<f32>()
    };
    assert!((cos - exact).abs() < 0.02, "{cos} vs {exact}");
    assert_eq!(q.cosine(&whole[..Index::HEAD_BYTES]), None);
    let back = from_stored(&whole, m.dims()).expect("dims");
    assert!(back.iter().zip(m.embed("refund has not arrived yet")).all(|(a, b)| (a - b).abs() < 0.01));
}

#[test]
fn the_word_list_is_the_models_whole_words() {
    let m = model().expect("model");
    for w in ["held", "money", "card", "transfer"] {
        assert!(is_word(w) && m.knows_word(w), "{w}");
    }
    for w in ["helld", "##s", "qzxv"] {
        assert!(!is_word(w), "{w}");
    }
    assert_eq!(vocabulary(MODEL_BYTES).unwrap().len(), m.vocab.keys().filter(|w| !w.starts_with("##")).count());
}
