//! Generated code must not lean on the user's prelude or names: it compiles here next to local
//! types that shadow the prelude, inside a module without the prelude, with warnings denied.

#![deny(warnings, missing_docs, unused_qualifications)]
#![allow(dead_code, non_camel_case_types, clippy::all)]

use dynamo_entity::Entity;

struct Result;
struct Option;
struct Some;
struct None;
struct Ok;
struct Err;
struct Box;
struct Vec;
struct HashMap;
struct Default;
struct Key;
struct Error;
struct Item;
struct String;

/// Shadowing names at the derive site.
#[derive(Entity)]
#[pk = "USER#<id>"]
#[sk = "ORDER#<day>#<seq>"]
#[gsi1(pk = "COUPON#<coupon>", sk = "<day>")]
pub struct Shadowed {
    /// Key field.
    pub id: std::string::String,
    /// Key field.
    pub day: u32,
    /// Key field.
    pub seq: i64,
    /// Sparse index input.
    pub coupon: core::option::Option<std::string::String>,
    /// Complex field.
    pub lines: std::vec::Vec<u8>,
    /// Serde field.
    pub tags: std::collections::BTreeSet<std::string::String>,
    /// Skipped field.
    #[dynamo(skip)]
    pub cache: u64,
}

/// A second entity in the same module: each derive imports the runtime's short alias, and the
/// imports must neither conflict nor warn.
#[derive(Entity)]
#[pk = "USER#<id>"]
#[sk = "NOTE#<at>"]
pub struct ShadowedToo {
    /// Key field.
    pub id: std::string::String,
    /// Key field.
    pub at: u64,
}

mod no_prelude {
    #![no_implicit_prelude]

    /// Without any prelude at all.
    #[derive(::dynamo_entity::Entity)]
    #[pk = "USER#<id>"]
    #[sk = "PROFILE"]
    #[gsi2(pk = "EMAIL#<email>")]
    pub struct Bare {
        /// Key field.
        pub id: ::std::string::String,
        /// Sparse index input.
        pub email: ::core::option::Option<::std::string::String>,
        /// Serde field.
        pub scores: ::std::vec::Vec<u32>,
        /// Skipped field.
        #[dynamo(skip)]
        pub cache: ::core::option::Option<u8>,
    }

    /// A collection without any prelude.
    #[derive(::dynamo_entity::Collection)]
    pub enum BarePage {
        /// The only member.
        Bare(Bare),
    }
}

#[test]
fn generated_code_works_under_shadowing() {
    let value = Shadowed {
        id: "u1".into(),
        day: 7,
        seq: -1,
        coupon: core::option::Option::Some("SPRING".into()),
        lines: vec![1, 2],
        tags: ["a".to_owned()].into(),
        cache: 9,
    };
    let item = value.to_item().unwrap();
    assert_eq!(
        item["SK"].as_s().unwrap(),
        "ORDER#0000000007#-9999999999999999999"
    );
    assert_eq!(item["GSI1PK"].as_s().unwrap(), "COUPON#SPRING");
    let back = Shadowed::from_item(item).unwrap();
    assert_eq!(back.tags, value.tags);
    assert_eq!(back.cache, 0);

    let bare = no_prelude::Bare {
        id: "u1".into(),
        email: core::option::Option::None,
        scores: vec![3],
        cache: core::option::Option::Some(1),
    };
    let item = bare.to_item().unwrap();
    assert!(!item.contains_key("GSI2PK"));
    let as_page = <no_prelude::BarePage as dynamo_entity::Collection>::from_item(item.clone());
    assert!(matches!(
        as_page,
        core::result::Result::Ok(core::option::Option::Some(no_prelude::BarePage::Bare(_)))
    ));
    assert_eq!(no_prelude::Bare::from_item(item).unwrap().scores, vec![3]);

    let too = ShadowedToo {
        id: "u1".into(),
        at: 3,
    };
    assert_eq!(
        too.key().unwrap().sk.as_deref(),
        core::option::Option::Some("NOTE#00000000000000000003")
    );
    let query: dynamo_entity::Query<ShadowedToo> =
        ShadowedToo::query("u1").unwrap().at_ge(2u64).unwrap();
    assert_eq!(query.partition_key(), "USER#u1");
    assert_eq!(ShadowedToo::fields().at.attribute(), "at");
}
