//! The step protocol's values, as plain Rust types. `component.rs` converts them to and from the
//! WIT types; native tests and benchmarks use them directly.

/// An HTTP request (web trigger input, or an outbound fetch).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRequest {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

/// An HTTP response (web trigger answer, or what a Jira call / fetch got back).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl HttpRequest {
    /// First header with this name, compared case-insensitively (Forge keeps the sender's case).
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

impl HttpResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// A JSON response with the given status.
    pub fn json(status: u16, body: &serde_json::Value) -> Self {
        HttpResponse {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string(),
        }
    }

    /// A JSON error response `{"error": message}`.
    pub fn error(status: u16, message: impl Into<String>) -> Self {
        Self::json(status, &serde_json::json!({ "error": message.into() }))
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// How a host starts a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Invocation {
    WebTrigger {
        trigger: String,
        request: HttpRequest,
    },
    Resolver {
        name: String,
        payload: String,
        context: String,
    },
    Job {
        queue: String,
        payload: String,
        /// Deliveries before this one (0 on the first).
        attempt: u32,
    },
    Tick(String),
    Configure(String),
    /// A Jira product event (`avi:jira:updated:issue`), its payload as JSON.
    Event {
        event_type: String,
        payload: String,
    },
}

/// Whose identity a Jira call carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    App,
    User,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    Debug,
    Info,
    Warn,
    Error,
}

/// One capability call for the host to perform. See `wit/types.wit` for each host duty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Call {
    Jira {
        actor: Actor,
        method: String,
        path: String,
        body: Option<String>,
    },
    Fetch(HttpRequest),
    KvGet(String),
    KvSet(String, String),
    KvSetIfAbsent(String, String),
    KvDelete(String),
    SecretGet(String),
    SecretSet(String, String),
    QueuePush {
        queue: String,
        payload: String,
        delay_ms: u32,
    },
    Now,
    Sleep(u32),
    /// `n` random bytes (a CSPRNG), hex.
    Random(u32),
    Log(LogLevel, String),
}

/// The host's answer to the last call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    Http(HttpResponse),
    Value(Option<String>),
    Claimed(bool),
    Done,
    Time(u64),
    Failed(String),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Http(HttpResponse),
    Value(String),
    Error(String),
    /// Only for jobs: deliver the job again after `after_ms`.
    Retry {
        after_ms: u32,
        reason: String,
    },
}

/// What the host must do next.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Call(Call),
    Done(Outcome),
}
