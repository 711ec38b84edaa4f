//! Groups: create, list, details, resolve by name, members and roles.

mod common;

use kindred_core::{Error, ErrorKind, Kindred, NewGroup, Role};

#[test]
fn creator_owns_a_new_group() {
    let (_dir, k) = common::profile("Ada");
    let g = common::group(&k, "Tuesday circle");
    assert_eq!(g.name, "Tuesday circle");
    assert_eq!(g.guidelines, "Be kind.");
    assert_eq!(g.members.len(), 1);
    assert_eq!(g.members[0].role, Role::Owner);
    assert_eq!(g.members[0].member_id, k.profile().member_id);
    let list = k.groups().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].my_role, Some(Role::Owner));
    assert_eq!(list[0].member_count, 1);
    assert_eq!(k.group(&g.id).unwrap(), g);
}

#[test]
fn groups_resolve_by_id_or_unique_name() {
    let (_dir, k) = common::profile("Ada");
    let a = common::group(&k, "Circle");
    let b = common::group(&k, "Walkers");
    common::group(&k, "Walkers");
    assert_eq!(k.resolve_group("Circle").unwrap(), a.id);
    assert_eq!(k.resolve_group(&b.id.to_hex()).unwrap(), b.id);
    assert!(matches!(
        k.resolve_group("Walkers").as_ref().map_err(Error::kind),
        Err(ErrorKind::Ambiguous { count: 2, .. })
    ));
    assert!(matches!(k.resolve_group("Nobody").as_ref().map_err(Error::kind), Err(ErrorKind::NotFound { .. })));
    // Letter case is forgiven when the name is otherwise unique.
    assert_eq!(k.resolve_group("circle").unwrap(), a.id);
}

#[test]
fn group_fields_are_validated() {
    let (_dir, k) = common::profile("Ada");
    assert!(matches!(
        k.create_group(NewGroup { name: "".into(), ..Default::default() }).as_ref().map_err(Error::kind),
        Err(ErrorKind::InvalidInput { .. })
    ));
    assert!(k.create_group(NewGroup { name: "x".repeat(61), ..Default::default() }).is_err());
    assert!(
        k.create_group(NewGroup { name: "ok".into(), guidelines: "g".repeat(4001), ..Default::default() }).is_err()
    );
    assert!(k.groups().unwrap().is_empty());
}

#[test]
fn owner_adds_members_and_moderators_but_members_cannot() {
    let (_a, ada) = common::profile("Ada");
    let (_b, bea) = common::profile("Bea");
    let g = common::group(&ada, "Circle");
    let bea_id = bea.profile().member_id;
    let details = ada.add_member(&g.id, &bea_id, "Bea", Role::Moderator).unwrap();
    assert_eq!(details.members.len(), 2);
    assert!(details.members.iter().any(|m| m.member_id == bea_id && m.role == Role::Moderator));
    // Nobody changes their own role: an owner demoting themselves would leave the group unmanaged.
    let ada_id = ada.profile().member_id;
    assert!(matches!(
        ada.add_member(&g.id, &ada_id, "Ada", Role::Member).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotPermitted(_))
    ));
    assert_eq!(ada.group(&g.id).unwrap().members.iter().find(|m| m.member_id == ada_id).unwrap().role, Role::Owner);
    // Bea's own profile does not hold the group until sync; adding there is "not found".
    assert!(matches!(
        bea.add_member(&g.id, &bea_id, "Bea", Role::Owner).as_ref().map_err(Error::kind),
        Err(ErrorKind::NotFound { .. })
    ));
}

#[test]
fn groups_persist() {
    let (dir, k) = common::profile("Ada");
    let g = common::group(&k, "Circle");
    drop(k);
    let k = Kindred::open(dir.path()).unwrap();
    assert_eq!(k.group(&g.id).unwrap(), g);
}
