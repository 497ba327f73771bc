//! What the app's "Validate configuration" reads from Jira, and the sandbox's configuration
//! page: the answers a good and a deliberately broken configuration get from the seed.

use super::*;

fn ids(list: &Value, key: &str) -> Vec<String> {
    list.as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item[key].as_str())
        .map(str::to_string)
        .collect()
}

async fn have(router: &Router, query: &str, auth: Option<&str>, permission: &str) -> Value {
    let answer = call(router, "GET", &format!("/rest/api/3/mypermissions?{query}"), None, auth).await;
    assert_eq!(answer.status, StatusCode::OK, "{query}: {}", answer.text);
    answer.json()["permissions"][permission]["havePermission"].clone()
}

#[tokio::test]
async fn permissions_the_checks_ask_about() {
    let router = memory();
    let project = "projectKey=PMCJIT&permissions=CREATE_ISSUES,BROWSE_PROJECTS";
    assert_eq!(
        have(&router, project, None, "CREATE_ISSUES").await,
        true,
        "the app creates"
    );
    assert_eq!(have(&router, project, None, "BROWSE_PROJECTS").await, true);
    let global = "permissions=ADMINISTER";
    let carol = basic("carol@example.com");
    let alice = basic("alice@example.com");
    assert_eq!(have(&router, global, Some(&carol), "ADMINISTER").await, true);
    assert_eq!(have(&router, global, Some(&alice), "ADMINISTER").await, false);
    assert_eq!(have(&router, global, None, "ADMINISTER").await, true, "the app");
    let nope = call(
        &router,
        "GET",
        "/rest/api/3/mypermissions?projectKey=NOPE&permissions=CREATE_ISSUES",
        None,
        None,
    )
    .await;
    assert_eq!(nope.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn create_metadata_for_good_and_broken_settings() {
    let router = memory();
    let types = call(
        &router,
        "GET",
        "/rest/api/3/issue/createmeta/PMCJIT/issuetypes",
        None,
        None,
    )
    .await
    .json();
    let names: Vec<String> = ids(&types["issueTypes"], "name");
    assert_eq!(names, ["Access Request"], "no Bug in PMCJIT");
    let missing = call(
        &router,
        "GET",
        "/rest/api/3/issue/createmeta/NOPE/issuetypes",
        None,
        None,
    )
    .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);

    let fields_of = |project: &'static str, issue_type: &'static str| {
        let router = router.clone();
        async move {
            let uri = format!("/rest/api/3/issue/createmeta/{project}/issuetypes/{issue_type}");
            let reply = call(&router, "GET", &uri, None, None).await;
            assert_eq!(reply.status, StatusCode::OK, "{uri}: {}", reply.text);
            reply.json()["fields"].clone()
        }
    };
    let access = fields_of("PMCJIT", seed::ACCESS_REQUEST_TYPE_ID).await;
    let field = |fields: &Value, id: &str| {
        fields
            .as_array()
            .into_iter()
            .flatten()
            .find(|f| f["fieldId"] == id)
            .cloned()
    };
    let request_id = field(&access, seed::EPM_REQUEST_ID_FIELD).expect("the request id field");
    assert_eq!(request_id["schema"]["type"], "string");
    assert_eq!(
        request_id["schema"]["custom"],
        "com.atlassian.jira.plugin.system.customfieldtypes:textfield"
    );
    let deadline = field(&access, seed::APPROVAL_DEADLINE_FIELD).expect("a non-text field");
    assert_eq!(deadline["name"], "Approval deadline");
    assert_eq!(deadline["schema"]["type"], "datetime");
    assert_eq!(deadline["schema"]["customId"], 10002);

    let task = fields_of("OPS", seed::TASK_TYPE_ID).await;
    assert!(field(&task, "summary").is_some());
    for absent in [seed::EPM_REQUEST_ID_FIELD, seed::APPROVAL_DEADLINE_FIELD] {
        assert!(field(&task, absent).is_none(), "{absent} is not on OPS/Task");
    }

    let all = call(&router, "GET", "/rest/api/3/field", None, None).await.json();
    let listed = ids(&all, "id");
    assert!(
        listed.iter().any(|id| id == seed::APPROVAL_DEADLINE_FIELD),
        "{listed:?}"
    );
    assert!(!listed.iter().any(|id| id == "cf_1"));
}

#[tokio::test]
async fn assignees_found_ambiguous_and_inactive() {
    let router = memory();
    let search = |query: &'static str| {
        let router = router.clone();
        async move {
            call(
                &router,
                "GET",
                &format!("/rest/api/3/user/search?query={query}"),
                None,
                None,
            )
            .await
            .json()
        }
    };
    let john = search("John%20Doe").await;
    assert_eq!(
        (ids(&john, "accountId"), john[0]["active"].clone()),
        (vec![seed::JOHN_DOE.to_string()], json!(true))
    );
    assert_eq!(search("Sam%20Smith").await.as_array().map(Vec::len), Some(2));
    let ivan = search("Inactive%20Ivan").await;
    assert_eq!(
        (ivan.as_array().map(Vec::len), ivan[0]["active"].clone()),
        (Some(1), json!(false))
    );
    assert_eq!(search("Nobody%20Here").await, json!([]));
}

fn pair(project_id: &str, issue_type_id: &str) -> Value {
    json!({"projectAndIssueTypes": [{"projectId": project_id, "issueTypeId": issue_type_id}]})
}

#[tokio::test]
async fn bulk_get_workflows_describes_the_one_workflow() {
    let router = memory();
    let reply = call(
        &router,
        "POST",
        "/rest/api/3/workflows",
        Some(pair(seed::PMCJIT_PROJECT_ID, seed::ACCESS_REQUEST_TYPE_ID)),
        None,
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.text);
    let answer = reply.json();
    let workflow = &answer["workflows"][0];
    assert_eq!(answer["workflows"].as_array().map(Vec::len), Some(1));
    assert_eq!(workflow["name"], seed::WORKFLOW_NAME);
    assert_eq!(workflow["id"], seed::WORKFLOW_ID);
    assert_eq!(workflow["scope"], json!({"type": "GLOBAL"}));
    assert_eq!(workflow["isEditable"], true);
    assert_eq!(workflow["version"]["versionNumber"], 0);

    let names = ids(&answer["statuses"], "name");
    assert_eq!(names, ["Open", "Approved", "Denied", "Expired", "In Progress"]);
    assert!(!names.iter().any(|n| n == "Granted"));
    let open = &answer["statuses"][0];
    assert_eq!(
        (&open["id"], &open["statusReference"], &open["statusCategory"]),
        (&json!("10001"), &json!("10001"), &json!("TODO"))
    );
    assert_eq!(answer["statuses"][1]["statusCategory"], "DONE");
    assert_eq!(answer["statuses"][1]["scope"]["type"], "GLOBAL");
    let referenced = ids(&workflow["statuses"], "statusReference");
    assert_eq!(referenced, ids(&answer["statuses"], "statusReference"));

    let transitions = workflow["transitions"].as_array().cloned().unwrap_or_default();
    let initial = transitions
        .iter()
        .find(|t| t["type"] == "INITIAL")
        .expect("a create transition");
    assert_eq!(
        (&initial["toStatusReference"], &initial["links"]),
        (&json!("10001"), &json!([]))
    );
    let approve = transitions.iter().find(|t| t["name"] == "Approve").expect("Approve");
    assert_eq!(approve["id"], "11", "the ids issue transitions have");
    assert_eq!(approve["type"], "DIRECTED");
    assert_eq!(approve["toStatusReference"], "10002");
    assert_eq!(approve["links"][0]["fromStatusReference"], "10001");
    let reopen = transitions.iter().find(|t| t["name"] == "Reopen").expect("Reopen");
    assert_eq!(reopen["links"].as_array().map(Vec::len), Some(4));

    let carol = basic("carol@example.com");
    for body in [
        json!({"workflowNames": [seed::WORKFLOW_NAME]}),
        json!({"workflowIds": [seed::WORKFLOW_ID]}),
        pair(seed::OPS_PROJECT_ID, seed::TASK_TYPE_ID),
    ] {
        let reply = call(
            &router,
            "POST",
            "/rest/api/3/workflows",
            Some(body.clone()),
            Some(&carol),
        )
        .await;
        assert_eq!(reply.status, StatusCode::OK, "{body}: {}", reply.text);
        assert_eq!(reply.json()["workflows"][0]["name"], seed::WORKFLOW_NAME, "{body}");
    }
    let log = call(&router, "GET", "/_sandbox/requests", None, None).await.json();
    assert!(
        log.as_array()
            .into_iter()
            .flatten()
            .all(|entry| entry["operation"] == "/rest/api/3/workflows" && entry["status"] == 200),
        "{log}"
    );
}

#[tokio::test]
async fn bulk_get_workflows_refusals_and_empty_answers() {
    let router = memory();
    let alice = call(
        &router,
        "POST",
        "/rest/api/3/workflows",
        Some(pair(seed::PMCJIT_PROJECT_ID, seed::ACCESS_REQUEST_TYPE_ID)),
        Some(&basic("alice@example.com")),
    )
    .await;
    assert_eq!(alice.status, StatusCode::FORBIDDEN, "needs Administer Jira");
    let error = alice.json();
    assert!(
        error["errorMessages"][0]
            .as_str()
            .is_some_and(|m| m.contains("Administrator"))
    );
    assert_eq!(error["errors"], json!({}));

    for body in [
        pair("99999", seed::ACCESS_REQUEST_TYPE_ID),
        pair(seed::PMCJIT_PROJECT_ID, seed::TASK_TYPE_ID),
        pair("PMCJIT", seed::ACCESS_REQUEST_TYPE_ID),
        json!({"workflowNames": ["Software workflow"]}),
        json!({}),
    ] {
        let reply = call(&router, "POST", "/rest/api/3/workflows", Some(body.clone()), None).await;
        assert_eq!(reply.status, StatusCode::OK, "{body}: {}", reply.text);
        assert_eq!(reply.json(), json!({"workflows": [], "statuses": []}), "{body}");
    }

    for broken in [
        json!({"projects": ["PMCJIT"]}),
        json!({"projectAndIssueTypes": [{"projectId": seed::PMCJIT_PROJECT_ID}]}),
    ] {
        let reply = call(&router, "POST", "/rest/api/3/workflows", Some(broken.clone()), None).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "the contract refuses {broken}");
    }
    let get = call(&router, "GET", "/rest/api/3/workflows", None, None).await;
    assert_ne!(get.status, StatusCode::OK);
}

async fn page(router: &Router, uri: &str, cookie: Option<&str>) -> (StatusCode, String, String) {
    let mut request = Request::builder().uri(uri);
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let response = router
        .clone()
        .oneshot(request.body(Body::empty()).expect("request"))
        .await
        .expect("infallible");
    let status = response.status();
    let csp = response
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .expect("body");
    (status, csp, String::from_utf8_lossy(&bytes).into_owned())
}

#[tokio::test]
async fn the_configuration_page_frames_the_admin_resource() {
    let router = memory();
    let configure = "/plugins/servlet/pam-approvals/configure";
    let carol = format!("pam_sandbox_user={}", seed::CAROL_ADMIN.replace(':', "%3A"));
    let (status, csp, html) = page(&router, configure, Some(&carol)).await;
    assert_eq!(status, StatusCode::OK);
    assert!(csp.contains("frame-src 'self'"), "{csp}");
    assert!(html.contains("Apps \u{203a} Manage apps \u{203a} PAM Approvals for Jira \u{2014} Configure"));
    assert!(
        html.contains("<iframe class=\"admin-frame\" src=\"/ui/admin/index.html\""),
        "{html}"
    );
    assert!(html.contains("selected>Carol Admin"));
    assert!(!html.contains("administrators only"), "no note for an admin");
    assert!(
        !html.contains("<script>") && !html.contains(" style="),
        "no inline script or style"
    );

    let (_, _, html) = page(&router, configure, None).await;
    assert!(html.contains("selected>Alice Approver"));
    assert!(html.contains("Jira shows this page to Jira administrators only"));
    assert!(
        html.contains("src=\"/ui/admin/index.html\""),
        "framed anyway: the app refuses"
    );

    let (_, _, index) = page(&router, "/", None).await;
    assert!(index.contains(&format!(
        "<a href=\"/sandbox/jira{configure}\">App configuration (Jira administrators)</a>"
    )));
    let css = call(&router, "GET", "/static/pages.css", None, None).await;
    assert!(css.text.contains(".admin-frame"));
}
