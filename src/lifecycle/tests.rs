//! The lifecycle's invariants that are not behaviour: what it may depend on.

/// Lifecycle never imports a provider, the configuration page's code, the web trigger or the
/// configuration: a provider plugs into it, never the other way round.
#[test]
fn lifecycle_never_imports_a_provider_or_the_configuration() {
    let forbidden = ["providers", "admin", "webtrigger", "config", "dispatch", "resolver"];
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/lifecycle");
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        for (n, line) in text.lines().enumerate() {
            // Any path into the crate (`crate::x`, `crate::{x, y}`, `super::super::x`).
            let code = line.split("//").next().unwrap_or_default();
            if !(code.contains("crate::") || code.contains("super::super")) {
                continue;
            }
            let words: Vec<&str> = code.split(|c: char| !c.is_alphanumeric() && c != '_').collect();
            for name in forbidden {
                assert!(
                    !words.contains(&name),
                    "{}:{}: lifecycle imports `{name}`: {line}",
                    path.display(),
                    n + 1
                );
            }
        }
    }
    assert!(files >= 4, "read the lifecycle's sources ({files})");
}

mod claims {
    //! The first-decision-wins claim on the one lease, with a claim that carries a payload.

    use serde::{Deserialize, Serialize};

    use crate::caps::Caps;
    use crate::lifecycle::claim::{self, Claimed, MAX_GENERATIONS, STALE_MS};
    use crate::lifecycle::lease::{self, Envelope, Keys, Lease, Slots, State, Taken};
    use crate::store;
    use crate::testkit::{World, run_together};

    fn slots() -> Slots {
        Slots("t:claim".into())
    }

    #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
    struct Vote {
        at: u64,
        state: State,
        decision: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        instance: Option<String>,
    }

    crate::lifecycle::lease::envelope!(Vote);

    fn vote(at: u64, decision: &str) -> Vote {
        Vote {
            at,
            state: State::Sending,
            decision: decision.into(),
            instance: None,
        }
    }

    fn claim_one(world: &mut World, mine: Vote) -> Claimed<Vote> {
        run_together(world, 1, |_, caps: Caps| {
            let mine = mine.clone();
            async move { claim::claim(&caps, &slots(), &mine).await.unwrap() }
        })
        .remove(0)
    }

    fn settle(world: &mut World, generation: u32, settled: Vote) {
        run_together(world, 1, |_, caps: Caps| {
            let settled = settled.clone();
            async move { claim::settle(&caps, &slots(), generation, &settled).await.unwrap() }
        });
    }

    fn current(world: &mut World) -> Option<(u32, Vote)> {
        run_together(world, 1, |_, caps: Caps| async move {
            claim::current(&caps, &slots()).await.unwrap()
        })
        .remove(0)
    }

    #[test]
    fn of_claims_made_at_once_exactly_one_wins_and_the_others_see_its_decision() {
        let mut world = World::default();
        let decisions = ["approve", "deny", "approve for 1 h", "deny again"];
        let claimed = run_together(&mut world, decisions.len(), |i, caps: Caps| async move {
            claim::claim(&caps, &slots(), &vote(1_000, decisions[i])).await.unwrap()
        });
        let winners: Vec<_> = (0..decisions.len())
            .filter(|&i| claimed[i] == Claimed::Won(0))
            .collect();
        assert_eq!(winners.len(), 1, "{claimed:?}");
        let winner = decisions[winners[0]];
        for (i, c) in claimed.iter().enumerate() {
            if i != winners[0] {
                assert!(
                    matches!(c, Claimed::Busy(Some(held)) if held.decision == winner),
                    "{c:?}"
                );
            }
        }
        assert_eq!(
            current(&mut world).map(|(g, v)| (g, v.decision)),
            Some((0, winner.into()))
        );
    }

    #[test]
    fn a_claim_in_flight_is_never_passed_over_for_another_decision() {
        // Unknown at once; `Sending` once stale or written by a process that is gone.
        let cases = [
            (State::Unknown, 1_000, None),
            (State::Sending, 1_000 + STALE_MS, None),
            (State::Sending, 1_001, Some("dead-process")),
        ];
        for (state, now, writer) in cases {
            let mut world = World::default();
            world.kv.insert(crate::instance::KEY.into(), "this-process".into());
            let first = Vote {
                instance: writer.map(String::from),
                ..vote(1_000, "approve")
            };
            assert_eq!(claim_one(&mut world, first.clone()), Claimed::Won(0));
            let sent = Vote { state, ..first };
            settle(&mut world, 0, sent.clone());
            for _ in 0..3 {
                let other = Vote {
                    instance: Some("this-process".into()),
                    ..vote(now, "deny")
                };
                assert_eq!(
                    claim_one(&mut world, other),
                    Claimed::InFlight(0, sent.clone()),
                    "{state:?}"
                );
            }
            assert!(!world.kv.contains_key(&slots().generation(1)), "no other generation");
        }
    }

    #[test]
    fn a_fresh_sending_claim_is_busy_and_a_decided_one_decided() {
        let mut world = World::default();
        assert_eq!(claim_one(&mut world, vote(1_000, "approve")), Claimed::Won(0));
        assert_eq!(
            claim_one(&mut world, vote(1_000 + STALE_MS - 1, "deny")),
            Claimed::Busy(Some(vote(1_000, "approve")))
        );
        let decided = Vote {
            state: State::Decided,
            ..vote(1_000, "approve")
        };
        settle(&mut world, 0, decided.clone());
        assert_eq!(claim_one(&mut world, vote(99_000, "deny")), Claimed::Decided(decided));
    }

    #[test]
    fn a_released_claim_moves_everyone_on_to_the_next_generation() {
        let mut world = World::default();
        assert_eq!(claim_one(&mut world, vote(1_000, "approve")), Claimed::Won(0));
        settle(
            &mut world,
            0,
            Vote {
                state: State::Released,
                ..vote(1_000, "approve")
            },
        );
        assert_eq!(current(&mut world), None, "a released claim is nobody's");
        assert_eq!(claim_one(&mut world, vote(2_000, "deny")), Claimed::Won(1));
        assert_eq!(world.kv.get(&slots().hint()).map(String::as_str), Some("1"));
        assert_eq!(current(&mut world), Some((1, vote(2_000, "deny"))));
        // An unreadable generation can never be settled: passed over as well.
        world.kv.insert(slots().generation(2), "garbage".into());
        settle(
            &mut world,
            1,
            Vote {
                state: State::Released,
                ..vote(2_000, "deny")
            },
        );
        assert_eq!(claim_one(&mut world, vote(3_000, "approve")), Claimed::Won(3));
    }

    #[test]
    fn refusals_without_end_never_lock_a_request_out() {
        let mut world = World::default();
        let refusals = 3 * MAX_GENERATIONS;
        for n in 0..refusals {
            assert_eq!(claim_one(&mut world, vote(u64::from(n), "approve")), Claimed::Won(n));
            settle(
                &mut world,
                n,
                Vote {
                    state: State::Released,
                    ..vote(u64::from(n), "approve")
                },
            );
        }
        assert_eq!(
            claim_one(&mut world, vote(9_999, "deny")),
            Claimed::Won(refusals),
            "the hint slid past every used generation"
        );
        // The lease's own limit: more used generations after the hint than one attempt looks
        // at is `Exhausted` (try later), never a win over a live claim.
        world.kv.remove(&slots().hint());
        assert_eq!(claim_one(&mut world, vote(10_000, "deny")), Claimed::Exhausted);
    }

    #[test]
    fn a_lease_and_a_claim_are_one_protocol_on_one_format() {
        let mut world = World::default();
        // A lease written before the lifecycle existed, in its stored shape.
        world.kv.insert(
            slots().generation(0),
            store::encode(1, &serde_json::json!({"at": 5, "state": "held", "instance": "p1"})),
        );
        let taken = run_together(&mut world, 1, |_, caps: Caps| async move {
            let free = |l: &Lease| l.state != State::Held;
            lease::take(&caps, &slots(), &Lease::held(6, Some("p2")), free, 5)
                .await
                .unwrap()
        })
        .remove(0);
        let old = Lease {
            at: 5,
            state: State::Held,
            instance: Some("p1".into()),
        };
        assert_eq!(taken, Taken::Held(0, Some(old.clone())));
        assert!(old.orphaned(Some("p2")) && !old.orphaned(Some("p1")) && !old.orphaned(None));
        assert_eq!(
            store::encode(lease::VERSION, &Lease::settled(7, State::Unknown)),
            r#"{"v":1,"at":7,"state":"unknown"}"#
        );
    }
}

mod creations {
    //! Exactly one issue per request, with a creation that counts what it makes in KV.

    use crate::caps::{CapError, Caps};
    use crate::lifecycle::create::{self, Created, Creation, Failure};
    use crate::lifecycle::lease::Slots;
    use crate::testkit::{World, run_together};

    /// Makes `ISSUE-1`, once refused first when `refuse_first`; `t:made` counts the issues made.
    struct Counted {
        refuse_first: bool,
    }

    impl Creation for Counted {
        type Record = String;

        fn lease(&self) -> Slots {
            Slots("t:create".into())
        }

        async fn recorded(&self, caps: &Caps) -> Result<Option<String>, CapError> {
            caps.kv_get("t:record").await
        }

        async fn create(&self, caps: &Caps, after_earlier: bool, _now: u64) -> Result<(String, bool), Failure> {
            let failed = |e: CapError| Failure::Unknown(e.to_string());
            if self.refuse_first && !after_earlier {
                return Err(Failure::Refused("no".into()));
            }
            let made = caps.kv_get("t:made").await.map_err(failed)?.unwrap_or_default();
            caps.kv_set("t:made", &format!("{made}x")).await.map_err(failed)?;
            caps.kv_set("t:record", "ISSUE-1").await.map_err(failed)?;
            Ok(("ISSUE-1".into(), true))
        }
    }

    fn run(world: &mut World, n: usize, refuse_first: bool) -> Vec<Created<String>> {
        run_together(world, n, |_, caps: Caps| async move {
            create::run(&caps, &Counted { refuse_first }, create::JOB_WAIT_MS).await
        })
    }

    #[test]
    fn of_runs_at_once_exactly_one_creates_and_the_others_see_its_record() {
        let mut world = World::default();
        let created = run(&mut world, 4, false);
        let fresh = created
            .iter()
            .filter(|c| matches!(c, Created::Recorded { fresh: true, .. }))
            .count();
        assert_eq!(fresh, 1, "{created:?}");
        assert!(
            created
                .iter()
                .all(|c| matches!(c, Created::Recorded { record, .. } if **record == "ISSUE-1")),
            "{created:?}"
        );
        assert_eq!(world.kv.get("t:made").map(String::as_str), Some("x"));
    }

    #[test]
    fn a_refusal_releases_the_lease_for_the_next_run() {
        let mut world = World::default();
        assert_eq!(run(&mut world, 1, true), vec![Created::Refused("no".into())]);
        let again = run(&mut world, 1, true);
        assert!(
            matches!(&again[..], [Created::Recorded { fresh: true, .. }]),
            "{again:?}"
        );
        assert_eq!(world.kv.get("t:made").map(String::as_str), Some("x"));
    }
}
