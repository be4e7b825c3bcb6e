//! Spec resolution cases from `tests/data/specs.tsv`.

use kittentts_hub::{Error, ModelSource};

#[test]
fn specs_resolve_as_listed() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = dir.path().to_str().unwrap();
    let data = include_str!("data/specs.tsv");
    let mut cases = 0;
    for line in data.lines().filter(|l| !l.starts_with('#')) {
        let (spec, expected) = line.split_once('\t').unwrap();
        let spec = spec.replace("<tmp>", tmp);
        let got = ModelSource::resolve_spec(&spec);
        let mut words = expected.split(' ');
        match (words.next().unwrap(), got) {
            ("hub", Ok(ModelSource::Hub { repo, revision })) => {
                assert_eq!(Some(repo.as_str()), words.next(), "{spec:?}");
                assert_eq!(revision.as_deref(), words.next(), "{spec:?}");
            }
            ("local", Ok(ModelSource::Local(path))) => {
                assert_eq!(path.to_str(), Some(spec.as_str()))
            }
            ("invalid", Err(Error::InvalidSpec { spec: s, .. })) => assert_eq!(s, spec),
            ("notfound", Err(Error::LocalNotFound { path })) => {
                assert_eq!(path.to_str(), Some(spec.as_str()))
            }
            (want, got) => panic!("{spec:?}: expected {want}, got {got:?}"),
        }
        cases += 1;
    }
    assert_eq!(cases, 31);
}

#[test]
fn sources_display_as_specs() {
    let hub = ModelSource::resolve_spec("kitten-tts-mini-0.8@main").unwrap();
    assert_eq!(hub.to_string(), "KittenML/kitten-tts-mini-0.8@main");
    let hub = ModelSource::resolve_spec("kitten-tts-mini-0.8").unwrap();
    assert_eq!(hub.to_string(), "KittenML/kitten-tts-mini-0.8");
}
