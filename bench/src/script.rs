//! A recorded run: one invocation and the exact replies the core got, so that the native core,
//! the component in wasmtime and the component in Node replay the same steps on the same inputs
//! with no I/O and no world logic inside the timed loop.

use anyhow::{Result, bail};
use pam_approvals::protocol::{Call, Invocation, Outcome, Reply, Step};
use pam_approvals::runner::Run;

use crate::inputs;
use pam_approvals::providers::epm::settings::{SECRET_WEBHOOK_PASSWORD, SECRET_WEBHOOK_USER};
use pam_approvals::testkit::World;

/// Where a recorded run stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// At the `POST /rest/api/3/issue` call: parse, validate, map to the Jira request. This is
    /// the core's cost per "ticket created" webhook.
    CreateCall,
    /// At the web trigger's answer (201): the whole run, for "first answer" at cold start.
    Answer,
}

pub struct Script {
    pub invocation: Invocation,
    pub replies: Vec<Reply>,
    pub until: Until,
}

impl Script {
    /// Records the webhook `body` in steady state: the world has already created an issue for
    /// another request by the same people, so the user lookups hit the KV cache, as they do for
    /// every webhook of a burst but the first.
    pub fn record(body: &str, until: Until) -> Result<Script> {
        let mut world = World::configured();
        world
            .secrets
            .insert(SECRET_WEBHOOK_USER.into(), inputs::WEBHOOK_USER.into());
        world
            .secrets
            .insert(SECRET_WEBHOOK_PASSWORD.into(), inputs::WEBHOOK_PASSWORD.into());
        let earlier = inputs::with_request_id(body, &inputs::request_id(body), "bench-warm-up");
        let (_, warm_up) = drive(&mut world, inputs::webhook(&earlier), Until::Answer);
        ensure_created(&warm_up)?;
        let invocation = inputs::webhook(body);
        let (replies, last) = drive(&mut world, invocation.clone(), until);
        let script = Script {
            invocation,
            replies,
            until,
        };
        script.check_last(&last)?;
        Ok(script)
    }

    /// Replays the script on the native core; returns the last step.
    pub fn replay_native(&self) -> Step {
        let mut run = Run::start(self.invocation.clone());
        let mut step = run.next(None);
        for reply in &self.replies {
            step = run.next(Some(reply.clone()));
        }
        step
    }

    /// Whether `last` is where this script must end (each driver checks its replay once).
    pub fn check_last(&self, last: &Step) -> Result<()> {
        match (self.until, last) {
            (Until::CreateCall, Step::Call(call)) if is_create(call) => Ok(()),
            (Until::Answer, step) => ensure_created(step),
            (_, other) => bail!("the replay ended at {}, not at the create call", describe(other)),
        }
    }
}

fn drive(world: &mut World, invocation: Invocation, until: Until) -> (Vec<Reply>, Step) {
    let mut run = Run::start(invocation);
    let mut replies = Vec::new();
    let mut step = run.next(None);
    while let Step::Call(call) = &step {
        if until == Until::CreateCall && is_create(call) {
            break;
        }
        let reply = world.perform_for_tests(call.clone());
        replies.push(reply.clone());
        step = run.next(Some(reply));
    }
    (replies, step)
}

fn is_create(call: &Call) -> bool {
    matches!(call, Call::Jira { method, path, .. } if method == "POST" && path == "/rest/api/3/issue")
}

fn ensure_created(step: &Step) -> Result<()> {
    match step {
        Step::Done(Outcome::Http(response)) if response.status == 201 => Ok(()),
        other => bail!("the run did not create an issue: {}", describe(other)),
    }
}

fn describe(step: &Step) -> String {
    let text = format!("{step:?}");
    text.chars().take(300).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_inputs_record_and_replay_to_the_create_call_and_to_the_answer() {
        for input in inputs::all() {
            for until in [Until::CreateCall, Until::Answer] {
                let script = Script::record(&input.body, until).expect(input.name);
                script.check_last(&script.replay_native()).expect(input.name);
            }
        }
    }
}
