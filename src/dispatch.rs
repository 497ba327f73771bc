//! Routes an invocation to its workflow.

use crate::caps::Caps;
use crate::protocol::{Invocation, Outcome};
use crate::{configure, webtrigger};

pub async fn run(caps: Caps, invocation: Invocation) -> Outcome {
    match invocation {
        Invocation::WebTrigger { trigger, request } => {
            Outcome::Http(webtrigger::handle(&caps, &trigger, &request).await)
        }
        Invocation::Configure(document) => configure::configure(&caps, &document).await,
        Invocation::Resolver { name, .. } => Outcome::Error(format!("unknown resolver \"{name}\"")),
        Invocation::Job { queue, .. } => Outcome::Error(format!("unknown queue \"{queue}\"")),
        Invocation::Tick(name) => Outcome::Error(format!("unknown scheduled trigger \"{name}\"")),
    }
}
