//! Women's participation in peace processes (women, peace and security): who sits at the table,
//! by role, sex and seniority, and the shares computed from it the way the CFR "Women's
//! Participation in Peace Processes" tracker and UN Women report them (share of women among
//! negotiators, mediators and signatories; we add advisers and observers).
//!
//! A record counts one person or an aggregate ("12 delegates of the government, 3 of them
//! women" is two records: 3 female, 9 male). The share of women is computed over the people
//! whose sex is recorded: `women ÷ (women + men)`. People whose sex was not recorded are shown
//! separately and are never counted as men. Shares are given in tenths of a percent, rounded
//! half up, from exact integer arithmetic.

use serde::{Deserialize, Serialize};

use crate::DomainError;
use crate::policy::Labels;
use crate::reference::{self, Term};
use crate::security::{Classification, CompartmentId};

use crate::reference::t;

/// Roles at the table. The first three are the tracker's; advisers and observers are ours.
pub const PARTICIPATION_ROLES: &[Term] = &[
    t(
        "delegate",
        "Delegate / negotiator",
        "Delegatielid / onderhandelaar",
    ),
    t("mediator", "Mediator", "Bemiddelaar"),
    t("signatory", "Signatory", "Ondertekenaar"),
    t("adviser", "Adviser", "Adviseur"),
    t("observer", "Observer", "Waarnemer"),
];

pub const SEXES: &[Term] = &[
    t("female", "Female", "Vrouw"),
    t("male", "Male", "Man"),
    t("not-recorded", "Not recorded", "Niet vastgelegd"),
];

/// Seniority, from the head of a delegation (or the lead mediator) down.
pub const SENIORITIES: &[Term] = &[
    t(
        "head",
        "Head of delegation / lead",
        "Delegatieleider / leiding",
    ),
    t("senior", "Senior", "Senior"),
    t("mid", "Mid-level", "Middenkader"),
    t("junior", "Junior / support", "Junior / ondersteuning"),
];

/// The largest count one record may carry (a plenary of a national dialogue fits).
pub const MAX_COUNT: i64 = 10_000;

/// A participation record as stored and shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Participation {
    pub id: String,
    pub process_id: String,
    pub role: String,
    pub sex: String,
    pub seniority: String,
    /// Party or delegation as free text (empty when an actor is linked).
    pub party: String,
    /// An actor of the network; `None` also when the reader may not see the actor.
    pub actor_id: Option<String>,
    /// The linked actor's name, filled in for readers who may see the actor.
    pub actor_name: Option<String>,
    /// Round of talks or agreement, free text ("Round 3", "Juba agreement").
    pub round: String,
    /// ISO 8601 date, optional.
    pub date: Option<String>,
    /// How many people this record counts.
    pub count: i64,
    pub labels: Labels,
    pub created_at: i64,
    pub updated_at: i64,
}

/// What a user submits, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationInput {
    pub role: String,
    pub sex: String,
    pub seniority: String,
    #[serde(default)]
    pub party: String,
    #[serde(default)]
    pub actor_id: Option<String>,
    #[serde(default)]
    pub round: String,
    #[serde(default)]
    pub date: Option<String>,
    pub count: i64,
    pub classification: String,
    #[serde(default)]
    pub compartment: Option<String>,
}

/// A validated record, normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidParticipation {
    pub role: String,
    pub sex: String,
    pub seniority: String,
    pub party: String,
    pub actor_id: Option<String>,
    pub round: String,
    pub date: Option<String>,
    pub count: i64,
    pub labels: Labels,
}

fn non_empty(s: Option<&str>) -> Option<&str> {
    s.map(str::trim).filter(|s| !s.is_empty())
}

impl ParticipationInput {
    /// Checks every field (the first problem is named), and that the record is labelled at least
    /// as strictly as its process: the same compartment and a classification no lower.
    pub fn validate(&self, process: &Labels) -> Result<ValidParticipation, DomainError> {
        let role = reference::term(PARTICIPATION_ROLES, "role", self.role.trim())?.code;
        let sex = reference::term(SEXES, "sex", self.sex.trim())?.code;
        let seniority = reference::term(SENIORITIES, "seniority", self.seniority.trim())?.code;
        let party = self.party.trim();
        if party.chars().count() > 120 {
            return Err(DomainError::invalid("party", "at most 120 characters"));
        }
        let actor_id = non_empty(self.actor_id.as_deref());
        if actor_id.is_some() && !party.is_empty() {
            return Err(DomainError::invalid(
                "party",
                "name the party or link an actor of the network, not both",
            ));
        }
        let round = self.round.trim();
        if round.chars().count() > 80 {
            return Err(DomainError::invalid("round", "at most 80 characters"));
        }
        let date = non_empty(self.date.as_deref())
            .map(|d| crate::network::parse_date("date", d))
            .transpose()?;
        if !(1..=MAX_COUNT).contains(&self.count) {
            return Err(DomainError::invalid(
                "count",
                format!("a count of people from 1 to {MAX_COUNT}"),
            ));
        }
        let labels = Labels {
            classification: self.classification.trim().parse::<Classification>()?,
            compartment: non_empty(self.compartment.as_deref())
                .map(CompartmentId::parse)
                .transpose()?,
        };
        if labels.classification < process.classification {
            return Err(DomainError::invalid(
                "classification",
                format!(
                    "a participation record is classified at least as high as its process ({})",
                    process.classification
                ),
            ));
        }
        if labels.compartment != process.compartment {
            return Err(DomainError::invalid(
                "compartment",
                "a participation record lives in the compartment of its process",
            ));
        }
        Ok(ValidParticipation {
            role: role.into(),
            sex: sex.into(),
            seniority: seniority.into(),
            party: party.into(),
            actor_id: actor_id.map(str::to_string),
            round: round.into(),
            date,
            count: self.count,
            labels,
        })
    }
}

impl Participation {
    /// The party as shown: the linked actor's name where the reader may see it, else the text.
    pub fn party_label(&self) -> &str {
        self.actor_name.as_deref().unwrap_or(&self.party)
    }
}

impl From<&Participation> for ParticipationInput {
    fn from(p: &Participation) -> Self {
        ParticipationInput {
            role: p.role.clone(),
            sex: p.sex.clone(),
            seniority: p.seniority.clone(),
            party: p.party.clone(),
            actor_id: p.actor_id.clone(),
            round: p.round.clone(),
            date: p.date.clone(),
            count: p.count,
            classification: p.labels.classification.as_str().into(),
            compartment: p.labels.compartment.as_ref().map(|c| c.to_string()),
        }
    }
}

/// People counted by sex.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    pub total: i64,
    pub women: i64,
    pub men: i64,
    pub not_recorded: i64,
}

impl Tally {
    pub fn add(&mut self, sex: &str, count: i64) {
        self.total += count;
        match sex {
            "female" => self.women += count,
            "male" => self.men += count,
            _ => self.not_recorded += count,
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        self.total += other.total;
        self.women += other.women;
        self.men += other.men;
        self.not_recorded += other.not_recorded;
    }

    /// People whose sex is recorded: the denominator of the share.
    pub fn recorded(&self) -> i64 {
        self.women + self.men
    }

    /// Share of women among those whose sex is recorded, in tenths of a percent, rounded half
    /// up; `None` when nobody's sex is recorded.
    pub fn share_tenths(&self) -> Option<i64> {
        let d = self.recorded();
        (d > 0).then(|| (self.women * 2000 + d) / (2 * d))
    }

    /// The share as a percentage with one decimal (33.3).
    pub fn share(&self) -> Option<f64> {
        self.share_tenths().map(|t| t as f64 / 10.0)
    }
}

/// Tenths of a percent as text: `33.3%`, or `—` when there is no share.
pub fn fmt_share(share: Option<f64>) -> String {
    match share {
        Some(s) => format!("{s:.1}%"),
        None => "—".into(),
    }
}

/// One role in one process: the people, and the same by seniority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleTally {
    pub role: String,
    pub tally: Tally,
    /// In the order of [`SENIORITIES`], every level listed.
    pub by_seniority: Vec<(String, Tally)>,
}

/// Per role (every role of [`PARTICIPATION_ROLES`], in order) over a set of records.
pub fn summarise<'a>(records: impl IntoIterator<Item = &'a Participation>) -> Vec<RoleTally> {
    let mut out: Vec<RoleTally> = PARTICIPATION_ROLES
        .iter()
        .map(|r| RoleTally {
            role: r.code.into(),
            tally: Tally::default(),
            by_seniority: SENIORITIES
                .iter()
                .map(|s| (s.code.to_string(), Tally::default()))
                .collect(),
        })
        .collect();
    for rec in records {
        if let Some(rt) = out.iter_mut().find(|r| r.role == rec.role) {
            rt.tally.add(&rec.sex, rec.count);
            if let Some((_, t)) = rt
                .by_seniority
                .iter_mut()
                .find(|(s, _)| *s == rec.seniority)
            {
                t.add(&rec.sex, rec.count);
            }
        }
    }
    out
}

/// One role across processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CrossRole {
    pub role: String,
    /// All people of all processes together.
    pub pooled: Tally,
    /// `women ÷ (women + men)` over the pooled people (large delegations weigh more).
    pub pooled_share: Option<f64>,
    /// The average of the per-process shares (each process weighs the same; this is the
    /// tracker's "on average, women were 13% of negotiators").
    pub mean_share: Option<f64>,
    /// Processes that have people of this role with a recorded sex (the mean is over these).
    pub processes: usize,
    /// Of those, processes without a single woman in this role.
    pub processes_without_women: usize,
    pub by_seniority: Vec<(String, Tally)>,
}

/// Pools per-process tallies and averages per-process shares, role by role.
pub fn across(per_process: &[Vec<RoleTally>]) -> Vec<CrossRole> {
    PARTICIPATION_ROLES
        .iter()
        .map(|r| {
            let mut pooled = Tally::default();
            let mut by_seniority: Vec<(String, Tally)> = SENIORITIES
                .iter()
                .map(|s| (s.code.to_string(), Tally::default()))
                .collect();
            // Exact mean of fractions women_i / recorded_i: sum as a rational with i128.
            let mut fractions: Vec<(i128, i128)> = Vec::new();
            let mut without = 0;
            for roles in per_process {
                let Some(rt) = roles.iter().find(|x| x.role == r.code) else {
                    continue;
                };
                pooled.merge(&rt.tally);
                for (s, t) in &rt.by_seniority {
                    if let Some((_, acc)) = by_seniority.iter_mut().find(|(x, _)| x == s) {
                        acc.merge(t);
                    }
                }
                if rt.tally.recorded() > 0 {
                    fractions.push((rt.tally.women as i128, rt.tally.recorded() as i128));
                    if rt.tally.women == 0 {
                        without += 1;
                    }
                }
            }
            CrossRole {
                role: r.code.into(),
                pooled_share: pooled.share(),
                mean_share: mean_tenths(&fractions).map(|t| t as f64 / 10.0),
                processes: fractions.len(),
                processes_without_women: without,
                pooled,
                by_seniority,
            }
        })
        .collect()
}

/// The mean of fractions `n/d` in tenths of a percent, rounded half up: exactly (as a reduced
/// rational) while it fits in 128 bits, else in floating point.
fn mean_tenths(fractions: &[(i128, i128)]) -> Option<i64> {
    if fractions.is_empty() {
        return None;
    }
    let exact = || -> Option<i128> {
        let (mut num, mut den) = (0i128, 1i128);
        for (n, d) in fractions {
            num = num.checked_mul(*d)?.checked_add(n.checked_mul(den)?)?;
            den = den.checked_mul(*d)?;
            let g = gcd(num, den);
            num /= g;
            den /= g;
        }
        let den = den.checked_mul(fractions.len() as i128)?;
        // tenths = round(1000 · num / den), half up.
        Some(num.checked_mul(2000)?.checked_add(den)? / den.checked_mul(2)?)
    };
    match exact() {
        Some(t) => i64::try_from(t).ok(),
        None => {
            let mean = fractions
                .iter()
                .map(|(n, d)| *n as f64 / *d as f64)
                .sum::<f64>()
                / fractions.len() as f64;
            Some((mean * 1000.0 + 0.5).floor() as i64)
        }
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    let (mut a, mut b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(role: &str, sex: &str, seniority: &str, count: i64) -> Participation {
        Participation {
            id: String::new(),
            process_id: String::new(),
            role: role.into(),
            sex: sex.into(),
            seniority: seniority.into(),
            party: String::new(),
            actor_id: None,
            actor_name: None,
            round: String::new(),
            date: None,
            count,
            labels: Labels::public(),
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn shares_exclude_the_not_recorded_and_round_half_up() {
        let rs = [
            rec("delegate", "female", "head", 1),
            rec("delegate", "male", "senior", 2),
            rec("delegate", "not-recorded", "junior", 5),
            rec("mediator", "female", "head", 1),
            rec("mediator", "male", "senior", 15),
        ];
        let s = summarise(&rs);
        let d = &s[0];
        assert_eq!(
            d.tally,
            Tally {
                total: 8,
                women: 1,
                men: 2,
                not_recorded: 5
            }
        );
        assert_eq!(d.tally.share(), Some(33.3), "1 of 3 recorded, not 1 of 8");
        assert_eq!(d.by_seniority[0].1.share(), Some(100.0));
        assert_eq!(d.by_seniority[3].1.share(), None, "only not-recorded");
        assert_eq!(s[1].tally.share(), Some(6.3), "1/16 = 6.25 rounds up");
        assert_eq!(s[2].tally, Tally::default());
        assert_eq!(s[2].tally.share(), None);
        let two_thirds = Tally {
            total: 3,
            women: 2,
            men: 1,
            not_recorded: 0,
        };
        assert_eq!(two_thirds.share(), Some(66.7));
        assert_eq!(fmt_share(two_thirds.share()), "66.7%");
    }

    #[test]
    fn pooled_and_mean_shares_differ_as_they_should() {
        // Process A: 1 woman of 4 delegates; process B: 3 of 6; process C: sex not recorded.
        let a = summarise(&[
            rec("delegate", "female", "senior", 1),
            rec("delegate", "male", "senior", 3),
        ]);
        let b = summarise(&[
            rec("delegate", "female", "mid", 3),
            rec("delegate", "male", "head", 3),
            rec("signatory", "male", "head", 2),
        ]);
        let c = summarise(&[rec("delegate", "not-recorded", "mid", 7)]);
        let x = across(&[a, b, c]);
        let d = &x[0];
        assert_eq!(d.pooled.total, 17);
        assert_eq!(d.pooled.not_recorded, 7);
        assert_eq!(d.pooled_share, Some(40.0), "4 of 10");
        assert_eq!(d.mean_share, Some(37.5), "(25% + 50%) / 2; C has no share");
        assert_eq!(d.processes, 2);
        assert_eq!(d.processes_without_women, 0);
        let s = &x[2];
        assert_eq!((s.pooled_share, s.mean_share), (Some(0.0), Some(0.0)));
        assert_eq!((s.processes, s.processes_without_women), (1, 1));
        assert_eq!(x[1].mean_share, None);
        // Exact rational mean: 1/3 and 1/6 average to 25.0%, 1/3 alone is 33.3%.
        assert_eq!(mean_tenths(&[(1, 3), (1, 6)]), Some(250));
        assert_eq!(mean_tenths(&[(1, 3)]), Some(333));
        assert_eq!(mean_tenths(&[(1, 8), (0, 1)]), Some(63), "6.25 → 6.3");
    }

    #[test]
    fn records_are_validated_and_labelled_like_their_process() {
        let process = Labels {
            classification: Classification::Confidential,
            compartment: Some(CompartmentId::parse("yemen").unwrap()),
        };
        let ok = ParticipationInput {
            role: "delegate".into(),
            sex: "female".into(),
            seniority: "head".into(),
            party: " Government delegation ".into(),
            round: "Round 2".into(),
            date: Some("2026-03-04".into()),
            count: 2,
            classification: "secret".into(),
            compartment: Some("yemen".into()),
            ..Default::default()
        };
        let v = ok.validate(&process).unwrap();
        assert_eq!(v.party, "Government delegation");
        type Case = (fn(&mut ParticipationInput), &'static str);
        let cases: Vec<Case> = vec![
            (|i| i.role = "chair".into(), "role"),
            (|i| i.sex = "f".into(), "sex"),
            (|i| i.seniority = "boss".into(), "seniority"),
            (|i| i.count = 0, "count"),
            (|i| i.count = MAX_COUNT + 1, "count"),
            (|i| i.date = Some("4 March".into()), "date"),
            (|i| i.actor_id = Some("a1".into()), "party"),
            (|i| i.classification = "internal".into(), "classification"),
            (|i| i.compartment = None, "compartment"),
            (|i| i.round = "r".repeat(81), "round"),
        ];
        for (mutate, field) in cases {
            let mut i = ok.clone();
            mutate(&mut i);
            let err = i.validate(&process).unwrap_err().to_string();
            assert!(err.contains(field), "{field}: {err}");
        }
    }
}
