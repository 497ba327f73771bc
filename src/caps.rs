//! Capabilities as async functions. Each call parks its request in the shared exchange and
//! waits for the host's reply, which `Run::next` delivers.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use crate::protocol::{Actor, Call, HttpRequest, HttpResponse, LogLevel, Reply};

/// The mailbox between a run and its workflow.
#[derive(Default)]
pub struct Exchange {
    pub outgoing: Option<Call>,
    pub incoming: Option<Reply>,
    pub awaiting_reply: bool,
}

/// A capability the host could not perform, or answered with the wrong kind of reply.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CapError {
    #[error("{call} failed: {reason}")]
    Failed { call: &'static str, reason: String },
    #[error("{call} got an unexpected reply from the host")]
    Mismatch { call: &'static str },
}

/// The capabilities a workflow may use. Cheap to clone.
#[derive(Clone)]
pub struct Caps {
    exchange: Rc<RefCell<Exchange>>,
}

struct CallFuture {
    exchange: Rc<RefCell<Exchange>>,
    call: Option<Call>,
}

impl Future for CallFuture {
    type Output = Reply;
    fn poll(mut self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Reply> {
        let this = &mut *self;
        let mut ex = this.exchange.borrow_mut();
        if let Some(call) = this.call.take() {
            ex.outgoing = Some(call);
            ex.awaiting_reply = true;
            return Poll::Pending;
        }
        match ex.incoming.take() {
            Some(reply) => Poll::Ready(reply),
            None => Poll::Pending,
        }
    }
}

impl Caps {
    pub(crate) fn new(exchange: Rc<RefCell<Exchange>>) -> Caps {
        Caps { exchange }
    }

    async fn call(&self, call: Call) -> Reply {
        CallFuture {
            exchange: self.exchange.clone(),
            call: Some(call),
        }
        .await
    }

    pub async fn jira(
        &self,
        actor: Actor,
        method: &str,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<HttpResponse, CapError> {
        let call = Call::Jira {
            actor,
            method: method.into(),
            path: path.into(),
            body: body.map(|b| b.to_string()),
        };
        match self.call(call).await {
            Reply::Http(r) => Ok(r),
            other => Err(unexpected("jira", other)),
        }
    }

    pub async fn fetch(&self, request: HttpRequest) -> Result<HttpResponse, CapError> {
        match self.call(Call::Fetch(request)).await {
            Reply::Http(r) => Ok(r),
            other => Err(unexpected("fetch", other)),
        }
    }

    pub async fn kv_get(&self, key: &str) -> Result<Option<String>, CapError> {
        match self.call(Call::KvGet(key.into())).await {
            Reply::Value(v) => Ok(v),
            other => Err(unexpected("kv-get", other)),
        }
    }

    pub async fn kv_set(&self, key: &str, value: &str) -> Result<(), CapError> {
        done("kv-set", self.call(Call::KvSet(key.into(), value.into())).await)
    }

    /// Atomically writes the entry if absent; `true` when this call wrote it.
    pub async fn kv_set_if_absent(&self, key: &str, value: &str) -> Result<bool, CapError> {
        match self.call(Call::KvSetIfAbsent(key.into(), value.into())).await {
            Reply::Claimed(won) => Ok(won),
            other => Err(unexpected("kv-set-if-absent", other)),
        }
    }

    pub async fn kv_delete(&self, key: &str) -> Result<(), CapError> {
        done("kv-delete", self.call(Call::KvDelete(key.into())).await)
    }

    pub async fn secret_get(&self, key: &str) -> Result<Option<String>, CapError> {
        match self.call(Call::SecretGet(key.into())).await {
            Reply::Value(v) => Ok(v),
            other => Err(unexpected("secret-get", other)),
        }
    }

    pub async fn secret_set(&self, key: &str, value: &str) -> Result<(), CapError> {
        done("secret-set", self.call(Call::SecretSet(key.into(), value.into())).await)
    }

    pub async fn queue_push(&self, queue: &str, payload: &str, delay_ms: u32) -> Result<(), CapError> {
        done(
            "queue-push",
            self.call(Call::QueuePush {
                queue: queue.into(),
                payload: payload.into(),
                delay_ms,
            })
            .await,
        )
    }

    /// Milliseconds since the Unix epoch, from the host's clock.
    pub async fn now(&self) -> Result<u64, CapError> {
        match self.call(Call::Now).await {
            Reply::Time(t) => Ok(t),
            other => Err(unexpected("now", other)),
        }
    }

    pub async fn sleep(&self, millis: u32) -> Result<(), CapError> {
        done("sleep", self.call(Call::Sleep(millis)).await)
    }

    /// `bytes` bytes from the host's secure random generator, as lowercase hex.
    pub async fn random_hex(&self, bytes: u32) -> Result<String, CapError> {
        match self.call(Call::Random(bytes)).await {
            Reply::Value(Some(hex))
                if hex.len() == 2 * bytes as usize && hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
            {
                Ok(hex.to_ascii_lowercase())
            }
            Reply::Failed(reason) => Err(CapError::Failed { call: "random", reason }),
            _ => Err(CapError::Mismatch { call: "random" }),
        }
    }

    /// Logs a line. A log that fails is not worth failing the workflow for.
    pub async fn log(&self, level: LogLevel, message: impl Into<String>) {
        let _ = self.call(Call::Log(level, message.into())).await;
    }
}

fn done(call: &'static str, reply: Reply) -> Result<(), CapError> {
    match reply {
        Reply::Done => Ok(()),
        other => Err(unexpected(call, other)),
    }
}

fn unexpected(call: &'static str, reply: Reply) -> CapError {
    match reply {
        Reply::Failed(reason) => CapError::Failed { call, reason },
        _ => CapError::Mismatch { call },
    }
}
