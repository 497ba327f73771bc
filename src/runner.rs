//! The step machine: runs one workflow future, turning each capability call into a `Step` and
//! each host reply into the future's next wake-up. No executor, no I/O: `next` polls once.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::caps::{Caps, Exchange};
use crate::protocol::{HttpResponse, Invocation, Outcome, Reply, Step};

/// Upper bound on steps per run, so a faulty workflow or host cannot loop forever.
pub const MAX_STEPS: u32 = 10_000;

type Workflow = Pin<Box<dyn Future<Output = Outcome>>>;

/// One invocation in progress.
pub struct Run {
    workflow: Option<Workflow>,
    exchange: Rc<RefCell<Exchange>>,
    steps: u32,
    /// Web trigger runs end in an HTTP outcome even on protocol errors.
    answers_http: bool,
}

impl Run {
    /// Starts a run for the invocation; nothing happens until the first `next(None)`.
    pub fn start(invocation: Invocation) -> Run {
        let exchange = Rc::new(RefCell::new(Exchange::default()));
        let caps = Caps::new(exchange.clone());
        let answers_http = matches!(invocation, Invocation::WebTrigger { .. });
        let workflow: Workflow = Box::pin(crate::dispatch::run(caps, invocation));
        Run {
            workflow: Some(workflow),
            exchange,
            steps: 0,
            answers_http,
        }
    }

    /// Advances the run by one step. See `wit/workflow.wit` for the contract.
    pub fn next(&mut self, reply: Option<Reply>) -> Step {
        let Some(workflow) = self.workflow.as_mut() else {
            return self.protocol_error("next called after the run finished");
        };
        self.steps += 1;
        if self.steps > MAX_STEPS {
            self.workflow = None;
            return self.protocol_error("run exceeded the step limit");
        }
        {
            let mut ex = self.exchange.borrow_mut();
            match (ex.awaiting_reply, reply) {
                (true, Some(r)) => {
                    ex.awaiting_reply = false;
                    ex.incoming = Some(r);
                }
                (true, None) => {
                    drop(ex);
                    self.workflow = None;
                    return self.protocol_error("the host sent no reply to the last call");
                }
                (false, Some(_)) => {
                    drop(ex);
                    self.workflow = None;
                    return self.protocol_error("the host sent a reply before any call");
                }
                (false, None) => {}
            }
        }
        let mut cx = Context::from_waker(Waker::noop());
        match workflow.as_mut().poll(&mut cx) {
            Poll::Ready(outcome) => {
                self.workflow = None;
                Step::Done(outcome)
            }
            Poll::Pending => match self.exchange.borrow_mut().outgoing.take() {
                Some(call) => Step::Call(call),
                None => {
                    self.workflow = None;
                    self.protocol_error("workflow waited without asking for a call")
                }
            },
        }
    }

    fn protocol_error(&self, message: &str) -> Step {
        Step::Done(if self.answers_http {
            Outcome::Http(HttpResponse::error(500, format!("internal error: {message}")))
        } else {
            Outcome::Error(format!("internal error: {message}"))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{Call, HttpRequest};

    fn trigger() -> Invocation {
        Invocation::WebTrigger {
            trigger: "epm-webhook".into(),
            request: HttpRequest {
                method: "POST".into(),
                ..Default::default()
            },
        }
    }

    #[test]
    fn first_step_asks_for_a_call_and_a_missing_reply_is_a_500() {
        let mut run = Run::start(trigger());
        assert!(matches!(run.next(None), Step::Call(Call::SecretGet(_))));
        match run.next(None) {
            Step::Done(Outcome::Http(r)) => assert_eq!(r.status, 500),
            other => panic!("{other:?}"),
        }
        assert!(
            matches!(run.next(None), Step::Done(Outcome::Http(_))),
            "after done, still an error"
        );
    }

    #[test]
    fn a_reply_before_any_call_or_of_the_wrong_kind_is_refused() {
        let mut run = Run::start(Invocation::Tick("t".into()));
        assert!(matches!(run.next(Some(Reply::Done)), Step::Done(Outcome::Error(_))));
        let mut run = Run::start(trigger());
        run.next(None);
        // secret-get answered with a time: the workflow treats it as a storage failure, not a
        // panic.
        let mut step = run.next(Some(Reply::Time(1)));
        while let Step::Call(call) = step {
            let reply = match call {
                Call::SecretGet(_) => Reply::Value(None),
                _ => Reply::Done,
            };
            step = run.next(Some(reply));
        }
        match step {
            Step::Done(Outcome::Http(r)) => assert_eq!(r.status, 503),
            other => panic!("{other:?}"),
        }
    }
}
