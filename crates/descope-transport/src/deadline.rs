//! Per-attempt deadlines whose timers are reused from one attempt to the next.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::runtime::{Handle, Id};
use tokio::time::{Instant, Sleep};

use crate::{TransportError, TransportErrorKind};

/// Timers a thread keeps past the attempts that used them.
const MAX_SPARE: usize = 256;

/// A timer, and the runtime it is registered in.
type Timer = (Id, Pin<Box<Sleep>>);

thread_local! {
    /// Per thread, so taking and returning a timer touches no shared lock: a `Mutex`ed list
    /// shared by all callers cost twice as much under 64 concurrent requests.
    static SPARE: RefCell<Vec<Timer>> = const { RefCell::new(Vec::new()) };
}

/// Polls `attempt` until it finishes or `limit` (if any) elapses, whichever comes first.
///
/// A fresh `Sleep` takes the runtime's timer lock twice (to register, to cancel), which both
/// workers of a busy runtime then contend for; moving a registered timer to a later deadline
/// is a single atomic update. So finished attempts leave their timers in a per-thread spare
/// list for the next ones. A spare timer is only reused in the runtime that registered it: a
/// runtime that is idle, or gone, would never fire it.
///
/// A named future rather than an `async fn`: it is kept inside the retry loop's boxed
/// future, and an `async fn` state machine here was several times its size.
pub(crate) fn run<F>(limit: Option<Duration>, attempt: F) -> Deadline<F> {
    // A limit past what `Instant` can represent never elapses.
    let deadline = limit.and_then(|limit| Instant::now().checked_add(limit));
    Deadline {
        attempt,
        timer: deadline.map(timer),
    }
}

/// What [`run`] returns.
pub(crate) struct Deadline<F> {
    attempt: F,
    timer: Option<(Option<Id>, Pin<Box<Sleep>>)>,
}

impl<F, T> Future for Deadline<F>
where
    F: Future<Output = Result<T, TransportError>> + Unpin,
{
    type Output = Result<T, TransportError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        if let Poll::Ready(outcome) = Pin::new(&mut self.attempt).poll(cx) {
            return Poll::Ready(outcome);
        }
        match &mut self.timer {
            Some((_, timer)) => timer.as_mut().poll(cx).map(|()| {
                Err(TransportError::new(TransportErrorKind::Timeout)
                    .with_context("per-attempt timeout elapsed"))
            }),
            None => Poll::Pending,
        }
    }
}

impl<F> Drop for Deadline<F> {
    fn drop(&mut self) {
        if let Some((Some(runtime), timer)) = self.timer.take() {
            // `try_with`: during thread teardown the list may be gone; the timer is dropped
            // then.
            let _ = SPARE.try_with(|spare| {
                let mut spare = spare.borrow_mut();
                if spare.len() < MAX_SPARE {
                    spare.push((runtime, timer));
                }
            });
        }
    }
}

/// A timer set to `deadline`: a spare one registered in the current runtime, or a new one.
fn timer(deadline: Instant) -> (Option<Id>, Pin<Box<Sleep>>) {
    let runtime = Handle::try_current().ok().map(|handle| handle.id());
    let reused = runtime.and_then(|runtime| {
        SPARE
            .try_with(|spare| {
                let mut spare = spare.borrow_mut();
                // Timers of other runtimes are dropped here rather than kept forever.
                while let Some((registered_in, timer)) = spare.pop() {
                    if registered_in == runtime {
                        return Some(timer);
                    }
                }
                None
            })
            .ok()
            .flatten()
    });
    match reused {
        Some(mut timer) => {
            timer.as_mut().reset(deadline);
            (runtime, timer)
        }
        // Outside a runtime this panics, as `tokio::time::sleep` always does.
        None => (runtime, Box::pin(tokio::time::sleep_until(deadline))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hanging() -> std::future::Pending<Result<(), TransportError>> {
        std::future::pending()
    }

    #[tokio::test]
    async fn reused_timers_still_fire() {
        for _ in 0..3 {
            run(Some(Duration::from_millis(1)), std::future::ready(Ok(())))
                .await
                .unwrap();
        }
        // A current-thread runtime: every attempt ran on this thread.
        assert_eq!(SPARE.with(|s| s.borrow().len()), 1, "one timer, reused");
        let started = std::time::Instant::now();
        let err = run(Some(Duration::from_millis(30)), hanging())
            .await
            .unwrap_err();
        assert!(err.is_timeout());
        assert!(started.elapsed() >= Duration::from_millis(30));
    }

    #[tokio::test]
    async fn an_unrepresentable_limit_never_elapses() {
        run(Some(Duration::MAX), std::future::ready(Ok(())))
            .await
            .unwrap();
    }

    #[test]
    fn timers_are_not_reused_across_runtimes() {
        let first = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        first
            .block_on(async {
                run(Some(Duration::from_secs(60)), std::future::ready(Ok(()))).await
            })
            .unwrap();
        // `first` stays alive but idle: a timer registered there would never fire.
        let second = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let outcome = second.block_on(async {
            tokio::time::timeout(
                Duration::from_secs(5),
                run(Some(Duration::from_millis(30)), hanging()),
            )
            .await
        });
        let err = outcome.expect("the deadline never fired").unwrap_err();
        assert!(err.is_timeout());
        drop(first);
    }
}
