//! Retries with exponential backoff: a delivery is tried a few times, waiting
//! twice as long after each failure that may pass (a refused connection, a
//! timeout, an HTTP 5xx, an SMTP 4xx).

use std::time::Duration;

/// How often and how patiently to try.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Backoff {
    /// Tries in all (at least 1).
    pub attempts: u32,
    /// The wait after the first failure; each later wait doubles it.
    pub base: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { attempts: 3, base: Duration::from_secs(1) }
    }
}

impl Backoff {
    /// The waits between tries: `base`, `2 × base`, `4 × base`…, one fewer than the tries.
    pub(crate) fn delays(&self) -> Vec<Duration> {
        (0..self.attempts.saturating_sub(1)).map(|i| self.base.saturating_mul(1 << i.min(16))).collect()
    }
}

/// Why a try failed, and whether trying again may help.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    pub reason: String,
    pub retry: bool,
    /// The server itself could not be reached or did not answer in time (not a refusal of
    /// this request): later deliveries to it in the same run are not tried.
    pub unreachable: bool,
}

impl Failure {
    /// A failure that may pass (network trouble, a busy server).
    pub(crate) fn transient(reason: impl Into<String>) -> Self {
        Failure { reason: reason.into(), retry: true, unreachable: false }
    }

    /// The server did not answer (no connection, a timeout): may pass, but not within this run
    /// once the tries have run out.
    pub(crate) fn unreachable(reason: impl Into<String>) -> Self {
        Failure { reason: reason.into(), retry: true, unreachable: true }
    }

    /// A failure that the same request will meet again (a refused address, a policy).
    pub(crate) fn permanent(reason: impl Into<String>) -> Self {
        Failure { reason: reason.into(), retry: false, unreachable: false }
    }
}

/// Runs `attempt` until it succeeds, fails for good, or the tries run out, calling `sleep`
/// between tries. Returns the last result and the number of tries made.
pub(crate) fn run<T>(
    backoff: Backoff,
    mut sleep: impl FnMut(Duration),
    mut attempt: impl FnMut() -> Result<T, Failure>,
) -> (Result<T, Failure>, u32) {
    let delays = backoff.delays();
    let mut tries = 0;
    loop {
        tries += 1;
        match attempt() {
            Err(failure) if failure.retry && (tries as usize) <= delays.len() => {
                sleep(delays[tries as usize - 1]);
            }
            result => return (result, tries),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double() {
        let b = Backoff { attempts: 4, base: Duration::from_millis(250) };
        assert_eq!(b.delays(), [250, 500, 1000].map(Duration::from_millis));
        assert_eq!(Backoff::default().delays(), [1, 2].map(Duration::from_secs));
        assert!(Backoff { attempts: 1, base: Duration::from_secs(1) }.delays().is_empty());
        assert!(Backoff { attempts: 0, base: Duration::from_secs(1) }.delays().is_empty());
    }

    #[test]
    fn transient_failures_are_tried_again_until_the_tries_run_out() {
        let mut slept = Vec::new();
        let mut n = 0;
        let (result, tries) = run(
            Backoff::default(),
            |d| slept.push(d),
            || {
                n += 1;
                Err::<(), _>(Failure::transient(format!("busy {n}")))
            },
        );
        assert_eq!(result.unwrap_err().reason, "busy 3");
        assert_eq!(tries, 3);
        assert_eq!(slept, [1, 2].map(Duration::from_secs));
    }

    #[test]
    fn success_after_a_failure_stops_the_tries() {
        let mut n = 0;
        let (result, tries) = run(
            Backoff::default(),
            |_| {},
            || {
                n += 1;
                if n == 1 { Err(Failure::transient("HTTP 500")) } else { Ok(n) }
            },
        );
        assert_eq!((result.unwrap(), tries), (2, 2));
    }

    #[test]
    fn permanent_failures_are_not_tried_again() {
        let mut slept = 0;
        let (result, tries) =
            run(Backoff::default(), |_| slept += 1, || Err::<(), _>(Failure::permanent("HTTP 404")));
        assert_eq!((result.unwrap_err().reason.as_str(), tries, slept), ("HTTP 404", 1, 0));
    }
}
