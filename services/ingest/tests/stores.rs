//! Store registration through gRPC and HTTP, and its effect on what incidents may name.

mod harness;

use harness::{authed, spawn_app, submit};
use orca_proto::v1::{self, IngestStatus};
use orca_store::Store;

fn registration(store_id: &str, force: &str) -> v1::StoreRegistration {
    v1::StoreRegistration {
        store_id: store_id.into(),
        retailer_id: String::new(),
        name: "Northmart Leeds Briggate".into(),
        postcode: "ls1 6hd".into(),
        force: force.into(),
        lat: 53.797,
        lon: -1.542,
    }
}

#[tokio::test]
async fn a_retailer_registers_its_own_stores_and_can_then_report_from_them() {
    let app = spawn_app().await;
    let mut submit_at_leeds = submit("NM-1");
    submit_at_leeds.incident.as_mut().unwrap().store_id = "NM-0002".into();
    let before = app.submit_one(&app.northmart_key, submit_at_leeds.clone()).await.unwrap();
    assert_eq!(before.status, IngestStatus::Rejected as i32, "the store is not registered yet");

    let mut other_retailers = registration("NM-0003", "west-yorkshire");
    other_retailers.retailer_id = "southco".into();
    let request = v1::RegisterStoresRequest {
        stores: vec![
            registration("NM-0002", "west-yorkshire"),
            registration("NM-0004", "gotham"),
            registration("SC-0001", "west-yorkshire"),
            other_retailers,
        ],
    };
    let response = app.grpc().await.register_stores(authed(&app.northmart_key, request)).await.unwrap().into_inner();
    assert_eq!((response.registered, response.rejected), (1, 3));
    let outcome: Vec<_> = response
        .results
        .iter()
        .map(|r| (r.store_id.as_str(), r.registered, r.problems.first().map(|p| (p.field.as_str(), p.code.as_str()))))
        .collect();
    assert_eq!(
        outcome,
        [
            ("NM-0002", true, None),
            ("NM-0004", false, Some(("stores[1].force", "unknown-force"))),
            ("SC-0001", false, Some(("stores[2].store_id", "foreign-store"))),
            ("NM-0003", false, Some(("stores[3].retailer_id", "wrong-retailer"))),
        ]
    );
    let stored = app.store.stores().await.unwrap();
    let leeds = stored.iter().find(|s| s.id.as_str() == "NM-0002").expect("registered");
    assert_eq!((leeds.retailer.as_str(), leeds.postcode.as_str()), ("northmart", "LS1 6HD"));
    let southco = stored.iter().find(|s| s.id.as_str() == "SC-0001").unwrap();
    assert_eq!(southco.retailer.as_str(), "southco", "another retailer's store is untouched");

    submit_at_leeds.incident.as_mut().unwrap().retailer_ref = "NM-2".into();
    let after = app.submit_one(&app.northmart_key, submit_at_leeds).await.unwrap();
    assert_eq!(after.status, IngestStatus::Accepted as i32, "{:?}", after.problems);
}

#[tokio::test]
async fn stores_register_over_http_too() {
    let app = spawn_app().await;
    let body = serde_json::json!([
        {"storeId": "NM-0010", "name": "Northmart Canterbury", "postcode": "CT1 2JQ", "force": "kent", "lat": 51.28, "lon": 1.08},
        {"storeId": "NM-0011", "name": "Northmart Nowhere", "postcode": "CT1 2JQ", "force": "kent"}
    ]);
    let response = app.post("/v1/stores", Some(&app.northmart_key), "application/json", body.to_string()).await;
    assert_eq!(response.status(), 200);
    let reply: v1::RegisterStoresResponse = response.json().await.unwrap();
    assert_eq!((reply.registered, reply.rejected), (1, 1));
    assert_eq!(reply.results[1].problems[0].field, "stores[1].lat");
    assert_eq!(reply.results[1].problems[0].code, "missing");

    let unauthenticated = app.post("/v1/stores", None, "application/json", "[]").await;
    assert_eq!(unauthenticated.status(), 401);
    let force = app.post("/v1/stores", Some(&app.force_key), "application/json", "[]").await;
    assert_eq!(force.status(), 403, "only retailers register stores");
    let not_an_array = app.post("/v1/stores", Some(&app.northmart_key), "application/json", "{}").await;
    assert_eq!(not_an_array.status(), 400);
}

#[tokio::test]
async fn a_store_another_instance_registered_after_this_one_started_is_still_refused_as_foreign() {
    let app = spawn_app().await;
    let elsewhere = orca_model::Store {
        id: "SC-0077".into(),
        retailer: "southco".into(),
        name: "Southco Leeds".into(),
        postcode: "LS1 6HD".into(),
        force: "west-yorkshire".into(),
        lat: 53.797,
        lon: -1.542,
    };
    app.store.upsert_stores(std::slice::from_ref(&elsewhere)).await.unwrap();
    let request = v1::RegisterStoresRequest { stores: vec![registration("SC-0077", "west-yorkshire")] };
    let response = app.grpc().await.register_stores(authed(&app.northmart_key, request)).await.unwrap().into_inner();
    assert_eq!((response.registered, response.rejected), (0, 1));
    assert_eq!(response.results[0].problems[0].code, "foreign-store");
    assert_eq!(app.store.stores_with_ids(&["SC-0077"]).await.unwrap(), [elsewhere], "southco's store is untouched");
}
