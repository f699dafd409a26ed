use crate::v1::{Incident, LineItem};

#[test]
fn incident_json_round_trips_in_proto3_form() {
    let json = r#"{
        "retailerId": "northmart",
        "retailerRef": "NM-1",
        "storeId": "NM-0001",
        "occurredFrom": "2026-03-01T10:15:00Z",
        "eventType": "EVENT_TYPE_SHOPLIFTING",
        "lineItems": [{"description": "razors", "quantity": 3, "unitPricePence": "1299"}]
    }"#;
    let incident: Incident = serde_json::from_str(json).expect("valid proto3 json");
    assert_eq!(incident.retailer_ref, "NM-1");
    assert_eq!(incident.line_items[0].unit_price_pence, 1299);
    assert_eq!(incident.occurred_from.as_ref().map(|t| t.seconds), Some(1_772_360_100));

    let back = serde_json::to_string(&incident).expect("serialises");
    let again: Incident = serde_json::from_str(&back).expect("reparses");
    assert_eq!(incident, again);
}

#[test]
fn snake_case_field_names_are_accepted_too() {
    let item: LineItem = serde_json::from_str(r#"{"description": "gin", "quantity": 1, "unit_price_pence": 2500}"#)
        .expect("snake_case accepted");
    assert_eq!(item.unit_price_pence, 2500);
}
