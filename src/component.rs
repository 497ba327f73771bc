//! The WIT export: converts between the generated WIT types and `protocol`'s, nothing more.

use std::cell::RefCell;

use crate::protocol as p;

wit_bindgen::generate!({ world: "app", path: "wit" });

use exports::pam::approvals::workflow::{Guest, GuestRun};
use pam::approvals::types as w;

struct Component;

struct RunHandle(RefCell<crate::runner::Run>);

impl Guest for Component {
    type Run = RunHandle;
}

impl GuestRun for RunHandle {
    fn new(invocation: w::Invocation) -> Self {
        RunHandle(RefCell::new(crate::runner::Run::start(invocation_from(invocation))))
    }

    fn next(&self, reply: Option<w::Reply>) -> w::Step {
        step_to(self.0.borrow_mut().next(reply.map(reply_from)))
    }
}

export!(Component);

fn request_from(r: w::HttpRequest) -> p::HttpRequest {
    p::HttpRequest {
        method: r.method,
        url: r.url,
        headers: r.headers,
        body: r.body,
    }
}

fn request_to(r: p::HttpRequest) -> w::HttpRequest {
    w::HttpRequest {
        method: r.method,
        url: r.url,
        headers: r.headers,
        body: r.body,
    }
}

fn response_from(r: w::HttpResponse) -> p::HttpResponse {
    p::HttpResponse {
        status: r.status,
        headers: r.headers,
        body: r.body,
    }
}

fn response_to(r: p::HttpResponse) -> w::HttpResponse {
    w::HttpResponse {
        status: r.status,
        headers: r.headers,
        body: r.body,
    }
}

fn invocation_from(i: w::Invocation) -> p::Invocation {
    match i {
        w::Invocation::WebTrigger(c) => p::Invocation::WebTrigger {
            trigger: c.trigger,
            request: request_from(c.request),
        },
        w::Invocation::Resolver(c) => p::Invocation::Resolver {
            name: c.name,
            payload: c.payload,
            context: c.context,
        },
        w::Invocation::Job(c) => p::Invocation::Job {
            queue: c.queue,
            payload: c.payload,
            attempt: c.attempt,
        },
        w::Invocation::Tick(name) => p::Invocation::Tick(name),
        w::Invocation::Configure(doc) => p::Invocation::Configure(doc),
        w::Invocation::Event(c) => p::Invocation::Event {
            event_type: c.event_type,
            payload: c.payload,
        },
    }
}

fn reply_from(r: w::Reply) -> p::Reply {
    match r {
        w::Reply::Http(h) => p::Reply::Http(response_from(h)),
        w::Reply::Value(v) => p::Reply::Value(v),
        w::Reply::Claimed(b) => p::Reply::Claimed(b),
        w::Reply::Done => p::Reply::Done,
        w::Reply::Time(t) => p::Reply::Time(t),
        w::Reply::Failed(m) => p::Reply::Failed(m),
    }
}

fn step_to(s: p::Step) -> w::Step {
    match s {
        p::Step::Call(c) => w::Step::Call(call_to(c)),
        p::Step::Done(o) => w::Step::Done(match o {
            p::Outcome::Http(h) => w::Outcome::Http(response_to(h)),
            p::Outcome::Value(v) => w::Outcome::Value(v),
            p::Outcome::Error(e) => w::Outcome::Error(e),
            p::Outcome::Retry { after_ms, reason } => w::Outcome::Retry(w::JobRetry { after_ms, reason }),
        }),
    }
}

fn call_to(c: p::Call) -> w::Call {
    match c {
        p::Call::Jira {
            actor,
            method,
            path,
            body,
        } => w::Call::Jira(w::JiraRequest {
            actor: match actor {
                p::Actor::App => w::Actor::App,
                p::Actor::User => w::Actor::User,
            },
            method,
            path,
            body,
        }),
        p::Call::Fetch(r) => w::Call::Fetch(request_to(r)),
        p::Call::KvGet(k) => w::Call::KvGet(k),
        p::Call::KvSet(k, v) => w::Call::KvSet((k, v)),
        p::Call::KvSetIfAbsent(k, v) => w::Call::KvSetIfAbsent((k, v)),
        p::Call::KvDelete(k) => w::Call::KvDelete(k),
        p::Call::SecretGet(k) => w::Call::SecretGet(k),
        p::Call::SecretSet(k, v) => w::Call::SecretSet((k, v)),
        p::Call::QueuePush {
            queue,
            payload,
            delay_ms,
        } => w::Call::QueuePush(w::JobPush {
            queue,
            payload,
            delay_ms,
        }),
        p::Call::Now => w::Call::Now,
        p::Call::Sleep(ms) => w::Call::Sleep(ms),
        p::Call::Random(n) => w::Call::Random(n),
        p::Call::Log(level, m) => w::Call::Log((
            match level {
                p::LogLevel::Debug => w::LogLevel::Debug,
                p::LogLevel::Info => w::LogLevel::Info,
                p::LogLevel::Warn => w::LogLevel::Warn,
                p::LogLevel::Error => w::LogLevel::Error,
            },
            m,
        )),
    }
}
