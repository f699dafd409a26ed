//! `AnalystService`: OPAL analysts read resolved persons and detected groups.

use crate::access::{Access, Gatekeeper};
use crate::views;
use orca_proto::v1::{self, analyst_service_server::AnalystService};
use prost::Message;
use tonic::{Request, Response, Status};

#[derive(Clone)]
pub struct AnalystApi {
    gate: Gatekeeper,
}

impl AnalystApi {
    pub fn new(gate: Gatekeeper) -> Self {
        Self { gate }
    }

    /// Admits analysts only; anyone else is refused and the attempt audited.
    async fn admit_analyst<T>(
        &self,
        request: &Request<T>,
        purpose: &str,
        action: &str,
        resource: &str,
    ) -> Result<Access, Status> {
        let access = self.gate.admit(request, purpose).await?;
        if !access.is_analyst() {
            self.gate.audit(&access, action, resource, "denied", "not an analyst".into()).await?;
            return Err(Status::permission_denied("persons and groups are for OPAL analysts; forces read packages"));
        }
        Ok(access)
    }

    async fn view(&self, namespace: &str, id: &str) -> Result<Option<Vec<u8>>, Status> {
        self.gate.store().get_state(namespace, id).await.map_err(|error| {
            tracing::error!(%error, "store failed while serving a view");
            Status::unavailable("the store is unavailable; retry later")
        })
    }
}

#[tonic::async_trait]
impl AnalystService for AnalystApi {
    async fn get_person(&self, request: Request<v1::GetPersonRequest>) -> Result<Response<v1::Person>, Status> {
        let id = request.get_ref().person_id.trim().to_owned();
        let resource = format!("person:{id}");
        let access = self.admit_analyst(&request, &request.get_ref().purpose, "read-person", &resource).await?;
        let redirect = self.view(views::PERSON_REDIRECT, &id).await?.map(|b| String::from_utf8_lossy(&b).into_owned());
        let current = redirect.clone().unwrap_or_else(|| id.clone());
        let Some(bytes) = self.view(views::PERSON, &current).await? else {
            self.gate.audit(&access, "read-person", &resource, "not-found", String::new()).await?;
            return Err(Status::not_found(format!("no person `{id}`")));
        };
        let mut person =
            v1::Person::decode(bytes.as_slice()).map_err(|e| Status::internal(format!("corrupt person view: {e}")))?;
        if redirect.is_some() {
            person.redirected_from = id;
        }
        self.gate.audit(&access, "read-person", &format!("person:{current}"), "disclosed", String::new()).await?;
        Ok(Response::new(person))
    }

    async fn get_group(&self, request: Request<v1::GetGroupRequest>) -> Result<Response<v1::Group>, Status> {
        let id = request.get_ref().group_id.trim().to_owned();
        let resource = format!("group:{id}");
        let access = self.admit_analyst(&request, &request.get_ref().purpose, "read-group", &resource).await?;
        let Some(bytes) = self.view(views::GROUP, &id).await? else {
            self.gate.audit(&access, "read-group", &resource, "not-found", String::new()).await?;
            return Err(Status::not_found(format!("no group `{id}`")));
        };
        let group =
            v1::Group::decode(bytes.as_slice()).map_err(|e| Status::internal(format!("corrupt group view: {e}")))?;
        self.gate.audit(&access, "read-group", &resource, "disclosed", String::new()).await?;
        Ok(Response::new(group))
    }
}
